"""A warehouse that grows: files whose free tail DuckDB cut off still open, and the
structures the loads maintain (migration 007) agree with a computation from scratch."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from aidetl.errors import WarehouseCorrupt
from aidetl.warehouse import Batch, Warehouse, _intact, find_sql_dir
from aidetl.warehouse.synthetic import synthetic_batch


def file_with_a_trimmed_tail(path: Path, keep_big: bool) -> None:
    """A checkpoint after dropping the last-written table leaves free blocks at the end of
    the file, which DuckDB truncates while its header still counts them."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE small AS SELECT range AS i FROM range(1000)")
        con.execute("CHECKPOINT")
        con.execute(
            "CREATE TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(300000)"
        )
        con.execute("CHECKPOINT")
        if not keep_big:
            con.execute("DROP TABLE big")
            con.execute("CHECKPOINT")


def test_a_file_whose_free_tail_duckdb_trimmed_is_intact(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    file_with_a_trimmed_tail(db, keep_big=False)
    head = db.read_bytes()[: _intact.DATA_START]
    assert os.path.getsize(db) < _intact.expected_size(head)  # what the old check refused
    _intact.check_intact(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM small").fetchall() == [(1000,)]


def test_a_file_cut_on_a_block_boundary_with_blocks_in_use_is_still_refused(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    file_with_a_trimmed_tail(db, keep_big=True)
    head = db.read_bytes()[: _intact.DATA_START]
    block_size = _intact.newest_header(head)[5]
    with open(db, "r+b") as handle:  # a copy cut short, on a block boundary
        handle.truncate(os.path.getsize(db) - 4 * block_size)
    with pytest.raises(WarehouseCorrupt, match="truncated"):
        _intact.check_intact(db)


SCRATCH = """
SELECT cf.* FROM current_facts AS cf
JOIN article_versions AS v ON v.version_id = cf.version_id
WHERE v.duplicate_of IS NULL OR v.duplicate_of = cf.article_id
"""


def assert_dedup_fresh(wh: Warehouse) -> int:
    """dedup_facts (what facts_dedup reads) equals facts_dedup computed from scratch, row for
    row, duplicates counted; returns how many rows it has."""
    for left, right in (("dedup_facts", f"({SCRATCH})"), (f"({SCRATCH})", "dedup_facts")):
        extra = wh.query(f"SELECT count(*) FROM (FROM {left} EXCEPT ALL FROM {right})")[1]
        assert extra == [(0,)], (left, extra)
    return int(wh.query("SELECT count(*) FROM facts_dedup")[1][0][0])


def reextracted(batch: Batch, extractor: str) -> Batch:
    """The same articles with their facts from another extractor version."""
    facts = [(v, replace(f, extractor_version=extractor)) for v, f in batch.facts]
    return replace(batch, run_id=f"{batch.run_id}-{extractor}", facts=facts)


def test_dedup_facts_equal_a_computation_from_scratch_after_every_kind_of_load(
    tmp_path: Path,
) -> None:
    wh = Warehouse(tmp_path / "w.duckdb")
    first = synthetic_batch("first", 0, 10, 3)
    wh.load_batch(first)
    rows = assert_dedup_fresh(wh)
    assert rows > 0
    wh.load_batch(replace(first, run_id="again"))  # a reload: nothing new
    assert assert_dedup_fresh(wh) == rows
    wh.load_batch(synthetic_batch("revised", 0, 5, 2, revision=1))  # new text: new versions
    assert_dedup_fresh(wh)
    wh.load_batch(reextracted(synthetic_batch("first", 5, 3, 3), "s2"))  # a newer extractor
    assert_dedup_fresh(wh)
    wh.load_batch(synthetic_batch("later", 100, 4, 2))  # published after the next batch's
    assert_dedup_fresh(wh)
    # articles 50-51 carry the bodies of 100-101 and were published before them: a repoint
    wh.load_batch(synthetic_batch("earlier", 50, 2, 2, revision=50))
    assert_dedup_fresh(wh)
    wh.load_batch(synthetic_batch("old text", 0, 5, 3))  # the first text comes back
    assert_dedup_fresh(wh)
    assert wh.query("SELECT count(*) FROM article_versions WHERE duplicate_of IS NOT NULL")[1][0][0]


def test_migration_007_fills_dedup_facts_from_the_data_already_loaded(tmp_path: Path) -> None:
    """The migration's own statement, run over loaded data, gives the scratch result too."""
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    wh.load_batch(synthetic_batch("a", 0, 6, 3))
    wh.load_batch(synthetic_batch("b", 0, 3, 2, revision=1))
    sql = (find_sql_dir() / "007_growth.sql").read_text(encoding="utf-8")
    create = sql[sql.index("CREATE TABLE dedup_facts") :].split(";")[0]
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE dedup_facts")
        con.execute(create)
    assert assert_dedup_fresh(wh) > 0
