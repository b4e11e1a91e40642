"""A warehouse file that is corrupt, truncated, damaged in a block, has the wrong magic or
is from a newer schema, through the real CLI: `aidetl run --plain`, `aidetl sql` and
`aidetl migrate` each exit non-zero within seconds with one line naming the file and what to
do (never "held by another process"), stage nothing, and leave the bytes as they were.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from aidetl.warehouse import Warehouse

pytestmark = pytest.mark.slow

AIDETL = [sys.executable, "-m", "aidetl.cli"]
COMMANDS = {
    "run": ["run", "--plain", "--url", "http://127.0.0.1:9/never.html", "--delay", "0"],
    "sql": ["sql", "SELECT count(*) FROM articles"],
    "migrate": ["migrate"],
}


def newer_schema(path: Path) -> None:
    Warehouse(path).migrate()
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO _migrations VALUES (999, 'from_the_future', now())")


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def good_bytes(path: Path) -> bytes:
    good = path.with_name("good.duckdb")
    Warehouse(good).migrate()
    return good.read_bytes()


def truncated(path: Path) -> None:
    path.write_bytes(good_bytes(path)[:5000])


def truncated_mid_file(path: Path) -> None:
    """Headers whole, data cut: DuckDB opens it and fails on the first read."""
    data = good_bytes(path)
    path.write_bytes(data[: len(data) // 2])


def bad_block(path: Path) -> None:
    """64 garbage bytes in the first data block: a checksum error "in block at location"."""
    data = bytearray(good_bytes(path))
    data[12288 + 100 : 12288 + 164] = bytes(range(64))
    path.write_bytes(bytes(data))


def wrong_magic(path: Path) -> None:
    data = bytearray(good_bytes(path))
    data[8:12] = b"XXXX"
    path.write_bytes(bytes(data))


REMEDY = "move it aside or restore a backup"
BROKEN = {
    "newer schema": (newer_schema, "upgrade aidetl"),
    "random bytes": (random_bytes, REMEDY),
    "truncated file": (truncated, REMEDY),
    "truncated mid-file": (truncated_mid_file, REMEDY),
    "bad block": (bad_block, REMEDY),
    "wrong magic": (wrong_magic, REMEDY),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_warehouse_is_a_clear_error_and_never_reset(tmp_path, kind, command):
    """Non-zero exit, stderr names the file and the remedy, the bytes stay the same."""
    db = tmp_path / "wh.duckdb"
    make, remedy = BROKEN[kind]
    make(db)
    before = digest(db)
    env = dict(os.environ, AIDETL_WAREHOUSE=str(db), AIDETL_ARCHIVE=str(tmp_path / "raw"))
    done = subprocess.run(
        AIDETL + COMMANDS[command], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert str(db) in done.stderr and remedy in done.stderr
    assert "Traceback" not in done.stderr and "held by another process" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert digest(db) == before
    assert not db.with_name(db.name + ".wal").exists()
    assert not (tmp_path / "staging").exists()  # nothing staged beside a damaged file
