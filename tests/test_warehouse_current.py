"""Which version of an article is current when batches arrive out of order or re-load old ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from test_warehouse import T0, article, attempt, batch, fact

from aidetl.warehouse import Batch, Warehouse, _staging, batch_tables

OLD_TEXT = "2018年以来累计投入扶贫资金超5亿元，帮助3000户脱贫。"
NEW_TEXT = "2018年以来累计投入扶贫资金超6亿元，帮助3500户脱贫。"


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "wh.duckdb", lock_timeout=5)
    w.migrate()
    return w


def fetched(run_id: str, body: str, key: str, hours: int) -> Batch:
    """Article 1 with `body`, archived under `key` and fetched `hours` after T0."""
    a = replace(article(1, body), archive_key=key)
    b = batch(run_id, [a])
    seen = replace(
        attempt(a.url, status=200, archive_key=key), fetched_at=T0 + timedelta(hours=hours)
    )
    return replace(b, attempts=[seen])


def current(wh: Warehouse) -> str:
    return wh.query("SELECT current_version_id FROM articles")[1][0][0]


def test_a_staged_batch_merged_after_a_newer_run_does_not_bring_its_version_back(wh) -> None:
    old, new = fetched("r1", OLD_TEXT, "k-old", 1), fetched("r2", NEW_TEXT, "k-new", 2)
    wh.load_batch(new)  # r2, fetched later, got the file first
    _staging.stage(wh.path, "r1", batch_tables(old))  # r1 waited, then staged its batch
    assert wh.merge_staged() == 1
    assert current(wh) == new.articles[0].version_id
    _, rows = wh.query("SELECT DISTINCT version_id FROM current_facts")
    assert rows == [(new.articles[0].version_id,)]
    assert wh.query("SELECT count(DISTINCT version_id) FROM facts")[1][0][0] == 2  # old kept


def test_reloading_an_archived_old_version_leaves_the_current_one(wh) -> None:
    """Re-extracting an old version from the archive (no fetch in the batch) adds its facts
    but does not make it current."""
    old, new = fetched("r1", OLD_TEXT, "k-old", 1), fetched("r2", NEW_TEXT, "k-new", 2)
    wh.load_batch(old)
    wh.load_batch(new)
    version = old.articles[0].version_id
    again = Batch(
        "r3", [], old.articles, [(version, replace(fact(0, 2, "7"), extractor_version="t2"))]
    )
    assert wh.load_batch(again).new_facts == 1
    assert current(wh) == new.articles[0].version_id


def test_a_page_fetched_back_at_its_old_text_makes_that_version_current_again(wh) -> None:
    wh.load_batch(fetched("r1", OLD_TEXT, "k-old", 1))
    wh.load_batch(fetched("r2", NEW_TEXT, "k-new", 2))
    back = fetched("r3", OLD_TEXT, "k-old", 3)
    wh.load_batch(back)
    assert current(wh) == back.articles[0].version_id


def test_versions_without_fetch_times_still_follow_load_order(wh) -> None:
    """Batches that carry no archived fetch (older callers, tests) keep the last-loaded rule."""
    first, second = batch("r1", [article(1, OLD_TEXT)]), batch("r2", [article(1, NEW_TEXT)])
    wh.load_batch(first)
    wh.load_batch(second)
    assert current(wh) == second.articles[0].version_id
