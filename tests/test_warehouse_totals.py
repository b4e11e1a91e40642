"""The extractor's decisions stored with each fact (per, summable, where subject, place and
period came from), and totals that read them instead of re-deriving a rule in SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from test_warehouse import T0, article, fact

from aidetl.warehouse import Batch, Warehouse, _staging, batch_tables

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_FIELDS = ("per", "summable", "subject_from", "place_from", "period_from")
Y2019 = {"period_start": date(2019, 1, 1), "period_end": date(2019, 12, 31)}


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "wh.duckdb", lock_timeout=5)
    w.migrate()
    return w


def decided(start: int, value: str, **kw: object) -> object:
    """A money fact of 中国电信 in 2019 with the extractor's decisions in kw."""
    kw = {"metric": "investment", "subject": "中国电信", **Y2019, **kw}
    return fact(start, start + 2, value, **kw)


def stored(wh: Warehouse) -> list[tuple]:
    columns = ", ".join(NEW_FIELDS)
    return wh.query(f"SELECT start, {columns} FROM facts ORDER BY start")[1]


def test_the_new_fields_round_trip_through_a_load(wh: Warehouse) -> None:
    a = article(1)
    facts = [
        decided(0, "328", per="kWh", summable=False, subject_from="sentence",
                place="贵州省", place_from="previous_sentence", period_from="article"),
        decided(3, "100000000", summable=True, subject_from="clause", period_from="clause"),
        decided(6, "5", subject=None),  # nothing decided: the defaults
    ]  # fmt: skip
    wh.load_batch(Batch("r1", [], [a], [(a.version_id, f) for f in facts]))
    assert stored(wh) == [
        (0, "kWh", False, "sentence", "previous_sentence", "article"),
        (3, None, True, "clause", None, "clause"),
        (6, None, False, None, None, None),
    ]
    _, rows = wh.query("SELECT per, summable, subject_from FROM current_facts ORDER BY start")
    assert rows[0] == ("kWh", False, "sentence")


def test_the_new_fields_survive_staging(wh: Warehouse) -> None:
    """A batch staged while the file was busy (Parquet) merges with its decisions intact."""
    a = article(1)
    f = decided(0, "7", per="ton", summable=True, subject_from="clause", place_from="article")
    _staging.stage(wh.path, "r1", batch_tables(Batch("r1", [], [a], [(a.version_id, f)])))
    assert wh.merge_staged() == 1
    assert stored(wh) == [(0, "ton", True, "clause", "article", None)]


def test_a_unit_staged_before_the_new_fields_merges_with_nulls(wh: Warehouse) -> None:
    """Parquet written by an older aidetl lacks the five columns; they land as NULL."""
    a = article(1)
    tables = batch_tables(Batch("r1", [], [a], [(a.version_id, decided(0, "7"))]))
    tables["facts"] = tables["facts"].drop_columns(list(NEW_FIELDS))
    _staging.stage(wh.path, "r1", tables)
    assert wh.merge_staged() == 1
    assert stored(wh) == [(0, None, None, None, None, None)]


def money_totals(wh: Warehouse) -> list[tuple]:
    return wh.query(
        "SELECT subject, year, total, figures_summed FROM money_by_subject_year "
        "ORDER BY subject NULLS LAST, year"
    )[1]


def test_totals_trust_the_stored_flag_not_a_rule_of_their_own(wh: Warehouse) -> None:
    """What the extractor marks summable is summed, whatever its metric or sentence says
    (the views hold no copy of the rule); what it does not mark is never summed."""
    a = article(1)
    facts = [
        # no metric and a per-head word before it: the old SQL rule refused both
        decided(0, "1000", metric=None, sentence="人均投入xx。", summable=True,
                subject_from="clause"),
        # a metric the old SQL list summed, in one year, but the extractor says no
        decided(3, "2000", metric="donation", summable=False, subject_from="clause"),
    ]  # fmt: skip
    wh.load_batch(Batch("r1", [], [a], [(a.version_id, f) for f in facts]))
    assert money_totals(wh) == [("中国电信", 2019, Decimal("1000"), 1)]
    _, rows = wh.query("SELECT metric, total FROM counts_by_metric ORDER BY metric")
    assert rows == [("(none)", Decimal("1000")), ("donation", None)]


def test_totals_add_only_clause_level_attributions(wh: Warehouse) -> None:
    """A subject (or place) carried from the sentence, the previous sentence or the article
    is shown with the fact but not added into that subject's (or place's) total."""
    a = article(1)
    facts = [
        decided(0, "100", summable=True, subject_from="clause", place="贵州省",
                place_code="520000", place_from="clause"),
        decided(3, "20", summable=True, subject_from="sentence", place="贵州省",
                place_code="520000", place_from="clause"),
        decided(6, "3", summable=True, subject_from="previous_sentence", place="贵州省",
                place_code="520000", place_from="article"),
        decided(9, "4000", summable=True, subject_from="article"),
        decided(12, "50000", summable=True, subject_from=None),  # loaded before 006
    ]  # fmt: skip
    wh.load_batch(Batch("r1", [], [a], [(a.version_id, f) for f in facts]))
    assert money_totals(wh) == [("中国电信", 2019, Decimal("100"), 1)]
    _, rows = wh.query("SELECT place, facts, total, figures_summed FROM figures_by_place")
    assert rows == [("贵州省", 3, Decimal("120"), 2)]
    _, rows = wh.query("SELECT value FROM summable_place_figures ORDER BY value")
    assert rows == [(Decimal("20"),), (Decimal("100"),)]
    # by metric: 100 (its subject) and 20 (its place); 3, 4000 and 50000 have neither
    _, rows = wh.query("SELECT total, figures_summed FROM counts_by_metric")
    assert rows == [(Decimal("120"), 2)]
    _, rows = wh.query("SELECT count(*) FROM summable_facts")
    assert rows == [(5,)]  # every marked mention; attribution is filtered per total


def test_summable_figures_carry_the_sentence_title_and_link_of_their_first_mention(
    wh: Warehouse,
) -> None:
    first = replace(article(1, body="中国电信2019年投入1亿元。"),
                    published_at=T0.astimezone(SHANGHAI))  # fmt: skip
    later = replace(article(2, body="转述：中国电信2019年投入1亿元。"),
                    published_at=T0.replace(day=9))  # fmt: skip
    f = decided(
        0, "100000000", summable=True, subject_from="clause", sentence="中国电信2019年投入1亿元。"
    )
    g = replace(f, sentence="转述：中国电信2019年投入1亿元。")
    wh.load_batch(Batch("r1", [], [first, later], [(first.version_id, f), (later.version_id, g)]))
    _, rows = wh.query(
        "SELECT mentions, articles, sentence, title, url, first_published_local "
        "FROM summable_figures"
    )
    # published 08:00 UTC by a page that gives Beijing time: shown as the page gives it
    assert rows == [(2, 2, "中国电信2019年投入1亿元。", "标题1", first.url, "2020-05-01 16:00")]


def test_times_are_shown_in_the_article_s_own_time_zone(wh: Warehouse) -> None:
    """published_local: the offset the page gave (a Tokyo page at +09:00 stays +09:00),
    Beijing time for a page in Asia/Shanghai, and Beijing time for rows loaded before the
    offset was stored."""
    tokyo = timezone(timedelta(hours=9))
    pages = [
        replace(article(1), published_at=T0.astimezone(SHANGHAI)),
        replace(article(2), published_at=T0.astimezone(tokyo)),
    ]
    old = replace(article(3), published_at=T0)
    wh.load_batch(Batch("r1", [], [*pages, old], []))
    _, rows = wh.query("SELECT url, published_utc_offset FROM articles ORDER BY url")
    assert [r[1] for r in rows] == [480, 540, 0]
    with duckdb.connect(str(wh.path)) as con:  # as loaded before migration 006
        con.execute("UPDATE articles SET published_utc_offset = NULL WHERE url = ?", [old.url])
    _, rows = wh.query("SELECT url, published_local FROM article_summary ORDER BY url")
    assert [r[1] for r in rows] == ["2020-05-01 16:00", "2020-05-01 17:00", "2020-05-01 16:00"]


def test_a_unit_staged_before_the_utc_offset_merges_with_null(wh: Warehouse) -> None:
    a = replace(article(1), published_at=T0.astimezone(SHANGHAI))
    tables = batch_tables(Batch("r1", [], [a], []))
    tables["articles"] = tables["articles"].drop_columns(["published_utc_offset"])
    _staging.stage(wh.path, "r1", tables)
    assert wh.merge_staged() == 1
    _, rows = wh.query(
        "SELECT published_utc_offset, published_local FROM articles JOIN article_summary "
        "USING (article_id)"
    )
    assert rows == [(None, "2020-05-01 16:00")]
