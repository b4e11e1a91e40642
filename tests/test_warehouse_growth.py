"""A warehouse that grows: files whose free tail DuckDB cut off still open, and the loads'
narrowed lookups (a fetch looked up among its run's or WARC file's rows, a version among
its stored article's) still land every row once."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from aidetl.errors import WarehouseCorrupt
from aidetl.models import FetchAttempt
from aidetl.warehouse import Warehouse, _intact
from aidetl.warehouse.synthetic import synthetic_batch

TABLES = ("fetches", "articles", "article_keys", "article_versions", "facts", "version_bands")


def counts(wh: Warehouse) -> dict[str, int]:
    return {t: wh.query(f"SELECT count(*) FROM {t}")[1][0][0] for t in TABLES}


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


def test_a_batch_reloaded_after_other_runs_adds_nothing(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "w.duckdb", lock_timeout=5)
    first = synthetic_batch("20260101T000000-aaaaaaaa", 0, 20, 3)
    wh.load_batch(first)
    wh.load_batch(synthetic_batch("20260102T000000-bbbbbbbb", 100, 20, 3))
    before = counts(wh)
    again = wh.load_batch(first)
    assert (again.attempts, again.new_articles, again.new_versions, again.new_facts) == (0, 0, 0, 0)
    assert counts(wh) == before


def test_a_warc_record_read_again_by_another_run_lands_once(tmp_path: Path) -> None:
    """A WARC record's fetch id names the file and offset, not the run: a later run reading
    the same records adds no fetch rows (an HTTP attempt of another run is another row)."""
    wh = Warehouse(tmp_path / "w.duckdb", lock_timeout=5)
    b = synthetic_batch("20260101T000000-aaaaaaaa", 0, 5, 2)
    records = [
        FetchAttempt(url=a.url, attempt=1, fetched_at=a.published_at, status=200,
                     warc="/archive/a.warc.gz", warc_offset=1000 * i)
        for i, a in enumerate(b.articles)
    ]  # fmt: skip
    wh.load_batch(replace(b, attempts=records))
    later = wh.load_batch(replace(b, run_id="20260301T000000-cccccccc", attempts=records))
    assert later.attempts == 0 and counts(wh)["fetches"] == 5
    http = wh.load_batch(replace(b, run_id="20260302T000000-dddddddd"))
    assert http.attempts == 5 and counts(wh)["fetches"] == 10


def test_rows_stored_before_migration_011_are_found_by_their_keys(tmp_path: Path) -> None:
    """Migration 011 gives the articles and fetches already stored their keys: their URLs'
    validators are found, a batch of them loaded again after the upgrade adds no article,
    and a changed one updates its row."""
    db = tmp_path / "w.duckdb"
    first = synthetic_batch("20260101T000000-aaaaaaaa", 0, 20, 3)
    Warehouse(db).load_batch(first)
    with duckdb.connect(str(db)) as con:  # the file as aidetl left it before migration 011
        con.execute(
            "DROP TABLE article_keys; DROP MACRO id_key; "
            "ALTER TABLE fetches DROP url_key; ALTER TABLE fetches DROP archive_id_key"
        )
        con.execute("DELETE FROM _migrations WHERE version = 11")
    wh = Warehouse(db, lock_timeout=5)
    urls = [a.url for a in first.articles[:3]] + ["http://synthetic.example/never.html"]
    # read before the upgrade (reads never migrate): no keys to look in, so no validators
    # (the run refetches) rather than an error
    assert wh.validators(urls) == {} and wh.last_fetched(urls) == {}
    assert "011_lookup_keys" in wh.migrate()
    before = counts(wh)
    assert before["article_keys"] == before["articles"] == 20
    assert wh.validators(urls) == {a.url: (f'"{a.version_id}"', None) for a in first.articles[:3]}
    assert set(wh.last_fetched(urls)) == set(urls[:3])
    again = wh.load_batch(replace(first, run_id="20260102T000000-bbbbbbbb"))
    assert (again.new_articles, again.new_versions, again.new_facts) == (0, 0, 0)
    changed = wh.load_batch(synthetic_batch("20260103T000000-cccccccc", 10, 20, 3, revision=1))
    assert (changed.new_articles, changed.new_versions) == (10, 20)
    after = counts(wh)
    assert after["articles"] == after["article_keys"] == 30
    current = wh.query(
        "SELECT count(*) FROM articles AS a JOIN article_versions AS v "
        "ON v.version_id = a.current_version_id WHERE v.run_id = '20260103T000000-cccccccc'"
    )[1][0][0]
    assert current == 20  # the ten stored articles moved to their new version, too
