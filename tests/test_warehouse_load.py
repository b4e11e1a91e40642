"""Bulk-load shortcuts keep the merge's meaning: rows repeated inside a batch land once,
the first repeat's values win, and a re-seen article is still brought up to date."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from test_warehouse import article, batch, fact

from aidetl.warehouse import Warehouse, batch_tables
from aidetl.warehouse._rows import shared_string_array
from aidetl.warehouse.synthetic import synthetic_batch


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "wh.duckdb", lock_timeout=5)
    w.migrate()
    return w


def test_articles_and_fetches_repeated_in_a_batch_land_once(wh: Warehouse) -> None:
    b = batch("r1", [article(1), article(2)])
    doubled = replace(b, articles=b.articles * 2, attempts=b.attempts * 2)
    result = wh.load_batch(doubled)
    assert (result.new_articles, result.new_versions, result.attempts) == (2, 2, 2)
    for table, rows in (("articles", 2), ("article_versions", 2), ("fetches", 2)):
        assert wh.query(f"SELECT count(*) FROM {table}")[1][0][0] == rows


def test_first_of_repeated_facts_wins(wh: Warehouse) -> None:
    """Two facts with one key (version, start, end, extractor) in a batch: the first one's
    values are stored, as the batch listed them."""
    a = article(1)
    first, second = fact(0, 2, "1"), fact(0, 2, "2")
    b = replace(
        batch("r1", [a], per_article=0), facts=[(a.version_id, first), (a.version_id, second)]
    )
    assert wh.load_batch(b).new_facts == 1
    assert wh.query("SELECT CAST(value AS INTEGER) FROM facts")[1] == [(1,)]


def test_article_seen_again_in_a_later_run_is_updated(wh: Warehouse) -> None:
    wh.load_batch(batch("r1", [article(1)]))
    result = wh.load_batch(batch("r2", [article(1), article(2)]))
    assert result.new_articles == 1
    rows = wh.query("SELECT article_id, last_seen_run FROM articles ORDER BY url")[1]
    assert [r[1] for r in rows] == ["r2", "r2"]


def test_sentences_convert_to_the_same_strings() -> None:
    values = ["句子一。", None, "句子一。", "", "句子二。", None]
    assert shared_string_array(values).to_pylist() == values
    assert shared_string_array(values).type == pa.string()


def test_synthetic_bulk_load_reload_inserts_nothing_and_matches_model_ids(wh: Warehouse) -> None:
    b = synthetic_batch("bulk", 0, 40, 25)
    tables = batch_tables(b)
    assert wh.load_tables("bulk", tables).new_facts == 1000
    assert wh.load_batches([b])[0].new_facts == 0
    _, rows = wh.query("SELECT fact_id, sentence, CAST(value AS VARCHAR) FROM facts")
    expected = {
        (f.fact_id(v), f.sentence, str(f.value.quantize(Decimal("0.0001")))) for v, f in b.facts
    }
    assert set(rows) == expected


def test_article_rows_carry_the_models_ids() -> None:
    b = synthetic_batch("ids", 0, 5, 1)
    table = batch_tables(b)["articles"]
    assert table.column("version_id").to_pylist() == [a.version_id for a in b.articles]
    assert table.column("article_id").to_pylist() == [a.article_id for a in b.articles]
    assert table.column("ord").to_pylist() == list(range(5))


@pytest.mark.parametrize("articles", [30, 1000])  # hashed in Python, then in DuckDB
def test_fact_rows_carry_the_models_fact_ids_in_row_order(articles: int) -> None:
    b = synthetic_batch("ids", 0, articles, 25)
    table = batch_tables(b)["facts"]
    assert table.column_names[:2] == ["fact_id", "version_id"]
    assert table.column("fact_id").to_pylist() == [f.fact_id(v) for v, f in b.facts]


def test_a_unit_staged_without_fact_ids_gets_them_when_merged(wh: Warehouse) -> None:
    """Units staged by older code have no fact_id column: the merge computes the same ids."""
    from aidetl.warehouse import _staging

    b = synthetic_batch("old", 0, 10, 4)
    tables = batch_tables(b)
    tables["facts"] = tables["facts"].drop_columns(["fact_id"])
    _staging.stage(wh.path, "old", tables)
    assert wh.merge_staged() == 1
    _, rows = wh.query("SELECT fact_id FROM facts")
    assert sorted(r[0] for r in rows) == sorted(f.fact_id(v) for v, f in b.facts)
