"""Overlapping runs: one writer at a time, readers never lose data, busy files stage batches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aidetl.warehouse import Batch, LoadResult, Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

ARTICLES, FACTS = 150, 10  # per batch

WRITER = f"""
import sys, time
from pathlib import Path
from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch
db, run_id, first, last, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
wh = Warehouse(Path(db), lock_timeout=120)
while not go.exists():
    time.sleep(0.01)
staged = 0
for k in range(first, last):
    staged += wh.load_batch(synthetic_batch(run_id, k * {ARTICLES}, {ARTICLES}, {FACTS})).staged
print("staged", staged, flush=True)
"""

READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM facts").fetchone()[0], flush=True)
sys.stdin.read()  # hold the file open until the test closes our stdin
con.close()
"""


def fact_counts(wh: Warehouse) -> tuple[int, int]:
    _, [(total, distinct)] = wh.query("SELECT count(*), count(DISTINCT fact_id) FROM facts")
    return total, distinct


@pytest.mark.slow
def test_two_processes_loading_overlapping_batches_both_finish_with_facts_once(
    tmp_path: Path,
) -> None:
    db, go = tmp_path / "w.duckdb", tmp_path / "go"
    Warehouse(db).migrate()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), run, str(a), str(b), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for run, a, b in (("run-a", 0, 6), ("run-b", 3, 9))
    ]
    go.touch()  # both start at the same moment
    outputs = [p.communicate(timeout=240)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs == ["staged 0\n", "staged 0\n"]
    assert fact_counts(Warehouse(db)) == (9 * ARTICLES * FACTS, 9 * ARTICLES * FACTS)
    _, [(articles,)] = Warehouse(db).query("SELECT count(*) FROM articles")
    assert articles == 9 * ARTICLES


@pytest.mark.slow
def test_a_load_while_another_process_holds_the_file_stages_and_arrives_later(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db, lock_timeout=0.5)
    wh.migrate()
    wh.load_batch(synthetic_batch("run-1", 0, ARTICLES, FACTS))
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert reader.stdout is not None and reader.stdin is not None
    assert int(reader.stdout.readline()) == ARTICLES * FACTS  # the analyst has it open

    wh.start_run("run-2", {"why": "overlap"})
    result = wh.load_batch(synthetic_batch("run-2", ARTICLES, ARTICLES, FACTS))
    again = wh.load_batch(synthetic_batch("run-2", ARTICLES, ARTICLES, FACTS))  # staged twice
    assert result.staged and again.staged
    assert result.staged_path is not None and result.staged_path.is_dir()
    assert result.staged_path.parent.parent == tmp_path / "staging"

    reader.stdin.close()
    assert reader.wait(timeout=30) == 0
    assert wh.merge_staged() == 3  # the run row and the batch twice
    assert fact_counts(wh) == (2 * ARTICLES * FACTS, 2 * ARTICLES * FACTS)
    assert wh.query("SELECT status FROM runs WHERE run_id = 'run-2'")[1] == [("running",)]
    assert not any((tmp_path / "staging").glob("*/batch-*"))


def test_every_later_write_merges_staged_batches_first(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db, lock_timeout=0.2)
    wh.migrate()
    from aidetl.warehouse import _staging
    from aidetl.warehouse._rows import batch_tables

    staged = synthetic_batch("run-1", 0, 20, 5)
    _staging.stage(db, "run-1", batch_tables(staged))
    wh.finish_run("run-0", "completed", {})  # any write merges what is pending
    assert fact_counts(wh) == (100, 100)
    assert wh.merge_staged() == 0


def test_an_empty_batch_adds_nothing_but_still_merges_what_is_staged(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    wh.migrate()
    from aidetl.warehouse import _staging
    from aidetl.warehouse._rows import batch_tables

    _staging.stage(db, "run-1", batch_tables(synthetic_batch("run-1", 0, 4, 5)))
    assert wh.load_batch(Batch("run-2")) == LoadResult()
    assert fact_counts(wh) == (20, 20)
    assert wh.merge_staged() == 0


def test_a_staged_unit_that_cannot_merge_is_set_aside_not_blocking(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    wh.migrate()
    from aidetl.warehouse import _staging
    from aidetl.warehouse._rows import batch_tables

    good = synthetic_batch("run-1", 0, 10, 3)
    broken = Batch("run-1", [], [], [("no-such-version", good.facts[0][1])])
    _staging.stage(db, "run-1", batch_tables(broken))
    assert wh.load_batch(good).new_facts == 30
    assert list((tmp_path / "staging" / "_failed").glob("*/batch-*"))
