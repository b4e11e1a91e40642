"""kill -9 in the middle of `aidetl backfill`, then the same command again: the warehouse
equals one backfill that ran through (nothing lost, nothing loaded twice)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aidetl.errors import WarehouseError
from aidetl.warehouse import Warehouse
from bench.bench_backfill import write_warc
from tests.test_backfill import HOST, newsroom_captures, snapshot
from tests.test_backfill_dask import generated

pytestmark = pytest.mark.slow

PAGES = 1000  # five chunks of backfill.PAGES_PER_CHUNK


def command(tmp: Path, warcs: list[Path]) -> list[str]:
    return [sys.executable, "-m", "aidetl.cli", "backfill", *map(str, warcs), "--domain", HOST,
            "--plain", "--warehouse", str(tmp / "wh.duckdb"), "--archive", str(tmp / "raw"),
            "--sources", str(tmp / "none.toml")]  # fmt: skip


def loaded_offset(db: Path, warc: Path) -> int:
    if not db.exists():
        return 0
    try:
        rows = Warehouse(db, lock_timeout=1).query(
            "SELECT next_offset FROM backfill_files WHERE warc = $w", {"w": str(warc.resolve())}
        )[1]
    except WarehouseError:
        return 0
    return rows[0][0] if rows else 0


def test_kill_9_mid_backfill_then_resume_equals_one_run(tmp_path):
    warcs = [
        write_warc(tmp_path / "news.warc.gz", newsroom_captures()),
        write_warc(tmp_path / "gen.warc.gz", generated(0, PAGES)),
    ]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir(), killed.mkdir()
    subprocess.run(command(whole, warcs), check=True, capture_output=True, timeout=900)
    proc = subprocess.Popen(
        command(killed, warcs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 600
    while loaded_offset(killed / "wh.duckdb", warcs[1]) == 0 and time.monotonic() < deadline:
        assert proc.poll() is None, "the backfill ended before it could be killed"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    ledger = dict(
        Warehouse(killed / "wh.duckdb").query("SELECT warc, complete FROM backfill_files")[1]
    )
    assert (
        ledger[str(warcs[0].resolve())] and not ledger[str(warcs[1].resolve())]
    )  # killed part way
    done = subprocess.run(command(killed, warcs), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert snapshot(killed / "wh.duckdb") == snapshot(whole / "wh.duckdb")
    statuses = [
        s
        for (s,) in Warehouse(killed / "wh.duckdb").query(
            "SELECT status FROM runs ORDER BY started_at"
        )[1]
    ]
    assert statuses == ["running", "completed"]  # the killed run never said how it ended
