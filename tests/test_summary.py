"""What a person reads after a run: the summary and the report show publication times in
Beijing (the articles' own zone), "(untitled)" for an untitled article, and say what they count."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from aidetl.report import write_report
from aidetl.summary import render_summary
from aidetl.warehouse import Batch, Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

# 07:30 on 2020-01-01 in Beijing is still 2019-12-31 in UTC
EARLY_MORNING = datetime(2019, 12, 31, 23, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """One run that loaded one untitled article, published early on New Year's Day in Beijing."""
    path = tmp_path_factory.mktemp("summary") / "w.duckdb"
    batch = synthetic_batch("run-1", 0, 1, 2)
    untitled = dataclasses.replace(batch.articles[0], title=None, published_at=EARLY_MORNING)
    facts = [(untitled.version_id, fact) for _, fact in batch.facts]
    wh = Warehouse(path)
    wh.start_run("run-1", {}, None)
    wh.load_batch(Batch("run-1", batch.attempts, [untitled], facts))
    counts = {"discovered": 1, "fetched": 1, "new_articles": 1, "new_facts": 2,
              "facts_by_kind": {"money": 2}}  # fmt: skip
    wh.finish_run("run-1", "completed", counts)
    return path


def test_summary_separates_this_run_from_the_warehouse(warehouse):
    text = render_summary(warehouse, "run-1", ("SELECT 1",))
    this_run, held = text.split("\nthe warehouse ")
    assert this_run.startswith("this run (run-1): completed")
    assert "1 new articles, 2 new facts (money 2)" in this_run
    assert held.startswith(f"{warehouse.resolve()} now holds:")
    assert "1 articles, 2 facts" in held and "current facts by kind (reposts once): money" in held


def test_summary_shows_untitled_and_the_beijing_date(warehouse):
    text = render_summary(warehouse, "run-1")
    money = [line for line in text.splitlines() if "CNY" in line]
    assert money and all("— (untitled), 2020-01-01 07:30 +08:00" in line for line in money)
    assert "None" not in text and "2019-12-31" not in text


def test_report_dates_articles_in_beijing(warehouse, tmp_path):
    html = write_report(warehouse, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "2020-01-01" in html and "2019-12-31" not in html
