"""A warehouse file that is corrupt, truncated or from a newer schema, through the real CLI:
`aidetl run --plain`, `aidetl sql` and `aidetl migrate` each exit non-zero with an error
naming the file and what to do, and the file's bytes are exactly what they were.
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


def truncated(path: Path) -> None:
    good = path.with_name("good.duckdb")
    Warehouse(good).migrate()
    path.write_bytes(good.read_bytes()[:5000])


BROKEN = {
    "newer schema": (newer_schema, "upgrade aidetl"),
    "random bytes": (random_bytes, "move it aside or restore a backup"),
    "truncated file": (truncated, "move it aside or restore a backup"),
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
    assert "Traceback" not in done.stderr
    assert digest(db) == before
    assert not db.with_name(db.name + ".wal").exists()
