"""A warehouse that grows: files whose free tail DuckDB cut off still open, and the
structures the loads maintain (migration 007) agree with a computation from scratch."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from aidetl.errors import WarehouseCorrupt
from aidetl.warehouse import _intact


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
