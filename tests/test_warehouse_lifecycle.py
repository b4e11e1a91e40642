"""The Warehouse's DuckDB instance between calls: the file is free for other processes, the
schema is still checked on every write, and close() folds the WAL in and ends the instance."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from aidetl.errors import SchemaTooNew
from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

# Another process writes straight into the file, the way an analyst's duckdb CLI would.
OTHER_WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("INSERT INTO runs (run_id, status) VALUES ('other-process', 'completed')")
con.close()
"""


def wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def run_ids(wh: Warehouse) -> list[str]:
    return [r[0] for r in wh.query("SELECT run_id FROM runs ORDER BY run_id")[1]]


def test_another_process_writes_between_our_batches_while_we_keep_our_instance(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db, lock_timeout=5)
    wh.start_run("ours", {})
    wh.load_batch(synthetic_batch("ours", 0, 3, 2))
    assert wh.holds_instance  # kept for the next call …
    done = subprocess.run([sys.executable, "-c", OTHER_WRITER, str(db)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()  # … yet the file is not held
    wh.load_batch(synthetic_batch("ours", 3, 3, 2))
    assert run_ids(wh) == ["other-process", "ours"]
    assert wh.query("SELECT count(*) FROM articles")[1] == [(6,)]


def test_a_schema_made_newer_between_our_calls_is_still_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db, lock_timeout=5)
    wh.load_batch(synthetic_batch("r1", 0, 2, 1))
    with duckdb.connect(str(db)) as con:  # a newer aidetl migrated it meanwhile
        con.execute("INSERT INTO _migrations VALUES (999, 'future', now())")
    with pytest.raises(SchemaTooNew):
        wh.load_batch(synthetic_batch("r1", 2, 2, 1))
    with pytest.raises(SchemaTooNew):
        wh.query("SELECT 1")


def test_views_changed_between_our_calls_are_put_back(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db, lock_timeout=5)
    wh.load_batch(synthetic_batch("r1", 0, 2, 1))
    with duckdb.connect(str(db)) as con:  # someone dropped a view and forgot its record
        con.execute("DROP VIEW facts_dedup CASCADE")
        con.execute("UPDATE _views SET sha256 = 'stale'")
    wh.load_batch(synthetic_batch("r1", 2, 2, 1))
    assert wh.query("SELECT count(*) FROM facts_dedup")[1][0][0] > 0


def test_close_folds_the_wal_in_and_ends_the_instance(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with Warehouse(db, lock_timeout=5) as wh:
        wh.load_batch(synthetic_batch("r1", 0, 2, 1))
        wh.load_batch(synthetic_batch("r1", 2, 2, 1))
        assert wal(db).exists()  # small batches leave their WAL for later (no checkpoint each)
    assert not wh.holds_instance
    assert not wal(db).exists() or wal(db).stat().st_size == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (4,)
    wh.load_batch(synthetic_batch("r1", 4, 2, 1))  # usable after close: a new instance
    assert wh.query("SELECT count(*) FROM articles")[1] == [(6,)]
    wh.close()


def test_close_leaves_the_wal_when_the_file_is_busy(tmp_path: Path) -> None:
    import fcntl
    import os

    db = tmp_path / "w.duckdb"
    wh = Warehouse(db, lock_timeout=5)
    wh.load_batch(synthetic_batch("r1", 0, 2, 1))  # migrates, and checkpoints that
    wh.load_batch(synthetic_batch("r1", 2, 2, 1))  # leaves its WAL
    fd = os.open(tmp_path / "w.duckdb.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another writer holds the file past close's short wait
    try:
        wh.close()
    finally:
        os.close(fd)
    assert not wh.holds_instance
    assert wal(db).exists()  # nothing lost: the next opener replays it
    assert Warehouse(db).query("SELECT count(*) FROM articles")[1] == [(4,)]


def test_threads_sharing_one_warehouse_take_turns(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wh = Warehouse(tmp_path / "w.duckdb", lock_timeout=30)
    wh.migrate()

    def load(k: int) -> int:
        wh.load_batch(synthetic_batch("r1", k * 2, 2, 1))
        return len(wh.validators([f"http://synthetic.example/news/{k * 2}.html"]))

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(load, range(8))) == [1] * 8
    assert wh.query("SELECT count(*) FROM articles")[1] == [(16,)]
    wh.close()


def test_the_kept_instance_is_replaced_after_merging_many_rows(tmp_path: Path, monkeypatch) -> None:
    """A merge leaves native memory in the kept DuckDB instance: past HUB_ROWS rows the next
    call starts a new one, and nothing loaded is lost or loaded twice."""
    from aidetl.warehouse import _access, core

    opened = []
    original = _access.open_hub
    monkeypatch.setattr(_access, "open_hub", lambda db: opened.append(db) or original(db))
    wh = Warehouse(tmp_path / "w.duckdb", lock_timeout=5)
    wh.load_batch(synthetic_batch("r", 0, 2, 3))
    monkeypatch.setattr(core, "HUB_ROWS", 1)  # every merge now exceeds it
    for start in range(2, 8, 2):
        wh.load_batch(synthetic_batch("r", start, 2, 3))
    wh.load_batch(synthetic_batch("r", 0, 2, 3))  # a reload: nothing new
    # the first instance, then a new one for each call after a merge past the limit
    assert len(opened) == 5
    assert wh.query("SELECT count(*) FROM articles")[1] == [(8,)]
    assert wh.query("SELECT count(*), count(DISTINCT fact_id) FROM facts")[1] == [(24, 24)]


def test_ctrl_c_during_a_warehouse_query_is_a_keyboard_interrupt(tmp_path: Path) -> None:
    """DuckDB's client turns a Ctrl-C that lands during a query into RuntimeError("Query
    interrupted"); the warehouse gives it back as KeyboardInterrupt, so a run that is
    stopped says `interrupted`, and the warehouse still answers afterwards. (Python's own
    Ctrl-C handler for the test: libraries started by earlier tests may have set another.)"""
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.migrate()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):  # seconds of work if nothing stopped it
            wh.query("SELECT count(*) FROM range(3000000000) AS t(i) WHERE i % 7 = 3")
    finally:
        timer.join()
        signal.signal(signal.SIGINT, previous)
    assert wh.query("SELECT 1")[1] == [(1,)]
