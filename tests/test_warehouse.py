"""Warehouse API: idempotent loads, versions, lineage, validators, views, export."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aidetl.errors import WarehouseError
from aidetl.models import Article, Fact, FetchAttempt, stable_id
from aidetl.warehouse import Batch, Warehouse

T0 = datetime(2020, 5, 1, 8, 0, tzinfo=UTC)


def article(n: int, body: str = "2018年以来累计投入扶贫资金超5亿元，帮助3000户脱贫。") -> Article:
    url = f"http://news.example/{n}.html"
    return Article(url=url, canonical_url=url, site="news.example", title=f"标题{n}",
                   published_at=T0, author="记者", outlet="人民网", body=body, source="demo")  # fmt: skip


def fact(start: int, end: int, value: str, kind: str = "money", **kw: object) -> Fact:
    return Fact(text="x" * (end - start), start=start, end=end, value=Decimal(value),
                unit="CNY" if kind == "money" else "household", kind=kind, qualifier="over",
                extractor_version="t1", **kw)  # type: ignore[arg-type]  # fmt: skip


def attempt(url: str, n: int = 1, **kw: object) -> FetchAttempt:
    return FetchAttempt(url=url, attempt=n, fetched_at=T0, **kw)  # type: ignore[arg-type]


def batch(run_id: str, articles: list[Article], per_article: int = 2) -> Batch:
    facts = [
        (a.version_id, fact(i * 3, i * 3 + 2, str(1000 * (i + 1)), metric="investment",
                             subject="中国电信", place="贵州省", period_start=date(2018, 1, 1)))
        for a in articles for i in range(per_article)
    ]  # fmt: skip
    attempts = [attempt(a.url, status=200, etag=f'"{a.url}"') for a in articles]
    return Batch(run_id, attempts, articles, facts)


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "wh.duckdb", lock_timeout=5)
    w.migrate()
    return w


def count(wh: Warehouse, table: str) -> int:
    return wh.query(f"SELECT count(*) FROM {table}")[1][0][0]


def test_reloading_the_same_batch_adds_nothing(wh: Warehouse) -> None:
    b = batch("r1", [article(1), article(2)])
    first = wh.load_batch(b)
    again = wh.load_batch(b)
    assert (first.new_articles, first.new_versions, first.new_facts, first.attempts) == (2, 2, 4, 2)
    assert (again.new_articles, again.new_versions, again.new_facts, again.attempts) == (0, 0, 0, 0)
    assert [count(wh, t) for t in ("articles", "article_versions", "facts", "fetches")] == [
        2,
        2,
        4,
        2,
    ]


def test_ids_are_the_models_deterministic_ids(wh: Warehouse) -> None:
    a = article(1)
    b = batch("r1", [a])
    wh.load_batch(b)
    _, rows = wh.query("SELECT fact_id, article_id, version_id FROM facts ORDER BY start")
    assert rows[0] == (b.facts[0][1].fact_id(a.version_id), a.article_id, a.version_id)
    _, rows = wh.query("SELECT fetch_id FROM fetches")
    assert rows == [(stable_id("r1", a.url, 1),)]


def test_changed_page_gets_a_new_version_and_current_facts_follow_it(wh: Warehouse) -> None:
    old, new = article(1), article(1, body="今年投入超8亿元。")
    wh.load_batch(batch("r1", [old]))
    result = wh.load_batch(Batch("r2", [], [new], [(new.version_id, fact(4, 8, "800000000"))]))
    assert (result.new_articles, result.new_versions, result.new_facts) == (0, 1, 1)
    _, current = wh.query("SELECT version_id, value FROM current_facts")
    assert current == [(new.version_id, Decimal("800000000"))]
    assert count(wh, "facts") == 3  # the old version's facts stay queryable
    _, rows = wh.query("SELECT first_seen_run, last_seen_run, current_version_id FROM articles")
    assert rows == [("r1", "r2", new.version_id)]


def test_every_row_names_its_run_and_runs_record_params_and_counts(wh: Warehouse) -> None:
    wh.start_run("r1", {"sources": ["demo"]}, flow_run_id="flow-9")
    wh.load_batch(batch("r1", [article(1)]))
    wh.finish_run("r1", "completed", {"facts": 2})
    _, rows = wh.query("SELECT flow_run_id, params->>'$.sources[0]', status, counts->>'$.facts', "
                       "started_at IS NOT NULL, finished_at IS NOT NULL FROM runs")  # fmt: skip
    assert rows == [("flow-9", "demo", "completed", "2", True, True)]
    for table in ("facts", "article_versions", "fetches"):
        assert wh.query(f"SELECT DISTINCT run_id FROM {table}")[1] == [("r1",)]


def test_validators_come_from_the_latest_successful_fetch(wh: Warehouse) -> None:
    url = "http://news.example/v.html"
    attempts = [
        attempt(url, 1, status=200, etag='"old"'),
        FetchAttempt(url=url, attempt=2, fetched_at=datetime(2021, 1, 1, tzinfo=UTC), status=200,
                     etag='"new"', last_modified="Fri, 01 Jan 2021 00:00:00 GMT"),
        FetchAttempt(url=url, attempt=3, fetched_at=datetime(2022, 1, 1, tzinfo=UTC),
                     error_class="FetchTimeout", error_message="timed out"),
    ]  # fmt: skip
    wh.load_batch(Batch("r1", attempts, [], []))
    got = wh.validators([url, "http://news.example/never.html"])
    assert got == {url: ('"new"', "Fri, 01 Jan 2021 00:00:00 GMT")}


def test_failing_urls_and_articles_without_facts_views(wh: Warehouse) -> None:
    url = "http://news.example/bad.html"
    attempts = [attempt(url, n, error_class="BadStatusError", error_message="503", status=503)
                for n in (1, 2, 3)]  # fmt: skip
    lonely = article(7, body="没有数字的文章。")
    wh.load_batch(Batch("r1", attempts, [lonely], []))
    _, rows = wh.query("SELECT url, attempts, failures, last_error_class FROM failing_urls")
    assert rows == [(url, 3, 3, "BadStatusError")]
    _, rows = wh.query("SELECT article_id FROM articles_without_facts")
    assert rows == [(lonely.article_id,)]


def test_reporting_views_aggregate_current_facts(wh: Warehouse) -> None:
    other = article(2, body="中国移动今年在贵州省投入8000万元建设通信基站，覆盖率达到98%。")
    wh.load_batch(batch("r1", [article(1), other]))
    _, rows = wh.query("SELECT subject, year, unit, facts, total FROM money_by_subject_year")
    # year of period_end, else published; "since 2018" (a start, no end) is not a yearly
    # flow, so nothing is summed
    assert rows == [("中国电信", 2020, "CNY", 4, None)]
    _, rows = wh.query("SELECT place, facts FROM figures_by_place")
    assert rows == [("贵州省", 4)]
    _, rows = wh.query("SELECT metric, facts FROM counts_by_metric")
    assert rows == [("investment", 4)]
    _, rows = wh.query("SELECT fact_count, largest_money FROM article_summary ORDER BY url")
    assert rows == [(2, Decimal("2000")), (2, Decimal("2000"))]
    _, rows = wh.query("SELECT extractor_version, facts FROM facts_by_extractor")
    assert rows == [("t1", 4)]


def test_current_facts_come_from_the_extractor_loaded_last(wh: Warehouse) -> None:
    """Re-extracting a version with another extractor replaces its facts in the views (the
    old ones stay in facts), so a reprocess never counts a figure twice."""
    a = article(1)
    wh.load_batch(batch("r1", [a]))
    newer = [(a.version_id, replace(f, extractor_version="t2", value=f.value + 1))
             for _, f in batch("r2", [a]).facts]  # fmt: skip
    wh.load_batch(Batch("r2", [], [a], newer))
    _, rows = wh.query("SELECT extractor_version, value FROM current_facts ORDER BY start")
    assert rows == [("t2", Decimal("1001")), ("t2", Decimal("2001"))]
    _, rows = wh.query("SELECT extractor_version, facts FROM facts_by_extractor ORDER BY 1")
    assert rows == [("t1", 2), ("t2", 2)]
    _, rows = wh.query("SELECT fact_count, largest_money FROM article_summary")
    assert rows == [(2, Decimal("2001"))]


def money(start: int, value: str, **kw: object) -> Fact:
    return fact(start, start + 2, value, subject=kw.pop("subject", "中国电信"), **kw)


def test_totals_add_each_summable_figure_once(wh: Warehouse) -> None:
    """total sums distinct yearly flows; rates, balances, cumulative, planned, multi-year,
    as-of, undated and unattributed amounts are counted as facts but never added to it.
    Since migration 006 the extractor decides which (facts.summable); the facts below carry
    the decision it makes for each."""
    y2019 = {"period_start": date(2019, 1, 1), "period_end": date(2019, 12, 31),
             "subject_from": "clause"}  # fmt: skip
    ok = {"summable": True, **y2019}
    a, b = article(1), article(2, body="另一家媒体的报道：中国电信2019年投入扶贫资金1亿元。")
    facts_a = [
        money(0, "100000000", metric="investment", **ok),  # 2019年投入1亿元
        money(3, "100000000", metric="investment", **ok),  # the same figure again
        money(6, "30000000", metric="donation", **ok),  # 2019年捐赠3000万元
        money(9, "500000000", metric="investment", cumulative=True, **y2019),  # 累计
        money(12, "80000000", metric="investment", planned=True, **y2019),  # 计划投入
        money(15, "900000000", metric="loan", **y2019),  # 贷款余额: a balance
        money(18, "8000", metric="income", **y2019),  # 人均收入: per head
        money(21, "70000000", metric="investment",
              period_start=date(2017, 1, 1), period_end=date(2019, 12, 31)),  # 三年来
        money(24, "60000000", metric="investment", period_end=date(2019, 12, 31)),  # 截至
        money(27, "40000000", metric="investment", subject=None, **y2019),  # whose?
        money(30, "600", metric="procurement", sentence="全省员工人均购买扶贫产品xx，共计xx。",
              **y2019),  # per head (the helper's mention text is "xx")
        money(33, "20000000", metric="investment"),  # 近年来投资2000万元: undated
    ]  # fmt: skip
    # another outlet's copy, dated 2019年下半年 and placed in 贵州省: still the same figure
    second_half = {"period_start": date(2019, 7, 1), "period_end": date(2019, 12, 31),
                   "summable": True, "subject_from": "clause", "place_from": "clause"}  # fmt: skip
    facts_b = [money(0, "100000000", metric="investment", place="贵州省", **second_half)]
    wh.load_batch(Batch("r1", [], [a, b], [(a.version_id, f) for f in facts_a]
                        + [(b.version_id, f) for f in facts_b]))  # fmt: skip
    _, rows = wh.query(
        "SELECT subject, facts, articles, total, figures_summed, largest, largest_cumulative "
        "FROM money_by_subject_year WHERE year = 2019 ORDER BY subject NULLS LAST"
    )
    assert rows == [
        ("中国电信", 11, 2, Decimal("130000000"), 2, Decimal("900000000"), Decimal("500000000")),
        (None, 1, 1, None, 0, Decimal("40000000"), None),
    ]
    _, rows = wh.query("SELECT facts, total FROM money_by_subject_year WHERE year = 2020")
    assert rows == [(1, None)]  # the undated figure, filed under its publication year
    _, rows = wh.query("SELECT metric, total, figures_summed FROM counts_by_metric ORDER BY 1")
    assert rows == [("donation", Decimal("30000000"), 1), ("income", None, 0),
                    ("investment", Decimal("100000000"), 1), ("loan", None, 0),
                    ("procurement", None, 0)]  # fmt: skip
    _, rows = wh.query(
        "SELECT value, mentions, articles, fact_id IS NOT NULL FROM summable_figures "
        "WHERE subject IS NOT NULL ORDER BY value"
    )
    assert rows == [(Decimal("30000000"), 1, 1, True), (Decimal("100000000"), 3, 2, True)]
    _, rows = wh.query("SELECT place, facts, total, figures_summed FROM figures_by_place")
    assert rows == [("贵州省", 1, Decimal("100000000"), 1)]


def test_near_duplicate_repost_points_at_the_earliest_article(wh: Warehouse) -> None:
    first, repost, other = (
        article(1),
        article(2, body="转载：" + article(1).body),
        article(3, body="别的"),
    )
    sims = {first.version_id: 0xABCD_0000_1234_5678, repost.version_id: 0xABCD_0000_1234_5679,
            other.version_id: 0x1111_2222_3333_4444}  # fmt: skip
    repost = Article(**{**{s: getattr(repost, s) for s in Article.__slots__},
                        "published_at": datetime(2020, 6, 1, tzinfo=UTC)})  # fmt: skip
    b = batch("r1", [first, repost, other])
    wh.load_batch(Batch(b.run_id, b.attempts, b.articles, b.facts, simhashes=sims))
    _, rows = wh.query("SELECT article_id, duplicate_of FROM article_versions ORDER BY article_id")
    assert dict(rows) == {first.article_id: None, repost.article_id: first.article_id,
                          other.article_id: None}  # fmt: skip
    _, rows = wh.query("SELECT DISTINCT article_id FROM facts_dedup ORDER BY 1")
    assert {r[0] for r in rows} == {first.article_id, other.article_id}


def test_facts_for_an_unknown_version_are_refused_and_nothing_lands(wh: Warehouse) -> None:
    a = article(1)
    bad = Batch("r1", [attempt(a.url, status=200)], [a], [("nosuchversion", fact(0, 2, "5"))])
    with pytest.raises(WarehouseError, match="nosuchversion"):
        wh.load_batch(bad)
    assert [count(wh, t) for t in ("articles", "facts", "fetches")] == [0, 0, 0]


def test_values_are_exact_decimals(wh: Warehouse) -> None:
    a = article(1)
    wh.load_batch(Batch("r1", [], [a], [(a.version_id, fact(0, 2, "123456789012345.6789")),
                                        (a.version_id, fact(3, 5, "0.12345"))]))  # fmt: skip
    _, rows = wh.query("SELECT value FROM facts ORDER BY start")
    assert rows == [(Decimal("123456789012345.6789"),), (Decimal("0.1234"),)]


def test_export_writes_parquet_partitioned_by_year(wh: Warehouse, tmp_path: Path) -> None:
    wh.load_batch(batch("r1", [article(1)]))
    wh.export(tmp_path / "out")
    assert list((tmp_path / "out" / "facts").glob("year=2020/*.parquet"))
    assert list((tmp_path / "out" / "articles").glob("year=2020/*.parquet"))


def test_reposts_are_found_by_simhash_when_the_batch_brings_none(wh: Warehouse) -> None:
    story = "国家电网公司2019年投入帮扶资金12.6亿元，实施扶贫项目210个，带动贫困人口脱贫。" * 6
    first = article(1, body=story)
    repost = Article(**{**{s: getattr(article(2, body=story + "（来源：新华网）"), s)
                           for s in Article.__slots__},
                        "published_at": datetime(2020, 6, 1, tzinfo=UTC)})  # fmt: skip
    wh.load_batch(Batch("r1", [], [first], []))
    wh.load_batch(
        Batch("r2", [], [repost, article(3, body="完全不同的一篇报道，讲的是别的事情。" * 6)], [])
    )
    _, rows = wh.query("SELECT article_id, duplicate_of, simhash IS NOT NULL FROM article_versions")
    marks = {a: (d, has) for a, d, has in rows}
    assert marks[repost.article_id] == (first.article_id, True)
    assert marks[first.article_id] == (None, True)
    assert marks[article(3).article_id][0] is None


def published(a: Article, day: int) -> Article:
    return replace(a, published_at=datetime(2020, 6, day, tzinfo=UTC))


def test_an_original_loaded_after_its_reposts_takes_their_place(wh: Warehouse) -> None:
    """Reposts crawled before their original: once the earlier original loads, they (and
    what pointed at them) point at it, and every view counts the story once."""
    story = "国家电网公司2019年投入帮扶资金12.6亿元，实施扶贫项目210个，带动贫困人口脱贫。" * 6
    original = published(article(1, body=story), 1)
    repost = published(article(2, body=story + "（来源：新华网）"), 2)
    second = published(article(3, body=story + "（转载）"), 3)
    sims = {original.version_id: 0xABCD_0000_1234_5678, repost.version_id: 0xABCD_0000_1234_5679,
            second.version_id: 0xABCD_0000_1234_567B}  # fmt: skip
    first_run = batch("r1", [repost, second])
    wh.load_batch(replace(first_run, simhashes=sims))
    marks = dict(wh.query("SELECT article_id, duplicate_of FROM article_versions")[1])
    assert marks == {repost.article_id: None, second.article_id: repost.article_id}
    wh.load_batch(replace(batch("r2", [original]), simhashes=sims))
    marks = dict(wh.query("SELECT article_id, duplicate_of FROM article_versions")[1])
    assert marks == {original.article_id: None, repost.article_id: original.article_id,
                     second.article_id: original.article_id}  # fmt: skip
    _, rows = wh.query("SELECT DISTINCT article_id FROM facts_dedup")
    assert rows == [(original.article_id,)]
    _, rows = wh.query("SELECT facts, articles, largest FROM money_by_subject_year")
    assert rows == [(2, 1, Decimal("2000"))]


def test_a_later_near_duplicate_does_not_move_the_original(wh: Warehouse) -> None:
    """Loading a later repost after its original leaves the original where it was."""
    story = "中国移动2020年在云南省投入帮扶资金3.2亿元，建设通信基站1200个。" * 6
    original = published(article(1, body=story), 1)
    repost = published(article(2, body=story + "（转载）"), 5)
    sims = {original.version_id: 0x0F0F_0000_1234_5678, repost.version_id: 0x0F0F_0000_1234_5679}
    wh.load_batch(replace(batch("r1", [original]), simhashes=sims))
    wh.load_batch(replace(batch("r2", [repost]), simhashes=sims))
    marks = dict(wh.query("SELECT article_id, duplicate_of FROM article_versions")[1])
    assert marks == {original.article_id: None, repost.article_id: original.article_id}


def test_load_batches_loads_each_batch_in_order_and_reports_each(wh: Warehouse) -> None:
    b1, b2 = batch("r1", [article(1)]), batch("r1", [article(2, body="另一篇：投入3亿元。")])
    results = wh.load_batches([b1, b2, b1])
    assert [r.new_facts for r in results] == [2, 2, 0]
    assert count(wh, "facts") == 4


def test_a_busy_file_stages_every_batch_of_load_batches(tmp_path: Path) -> None:
    import fcntl
    import os

    wh = Warehouse(tmp_path / "busy.duckdb", lock_timeout=0.2)
    wh.migrate()
    fd = os.open(tmp_path / "busy.duckdb.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another aidetl writer holds the lock
    try:
        results = wh.load_batches([batch("r1", [article(1)]), batch("r1", [article(2)])])
    finally:
        os.close(fd)
    assert [r.staged for r in results] == [True, True]
    assert wh.merge_staged() == 2
    assert count(wh, "facts") == 4


def test_new_facts_for_a_stored_version_are_added_once(wh: Warehouse) -> None:
    """A re-extraction (new extractor version) of an unchanged page adds only its own facts."""
    a = article(1)
    wh.load_batch(batch("r1", [a]))
    redo = [(a.version_id, replace(f, extractor_version="t2")) for _, f in batch("r2", [a]).facts]
    mixed = Batch("r2", [], [a], redo + batch("r2", [a]).facts)
    assert wh.load_batch(mixed).new_facts == 2
    assert wh.load_batch(mixed).new_facts == 0
    _, rows = wh.query("SELECT extractor_version, count(*) FROM facts GROUP BY 1 ORDER BY 1")
    assert rows == [("t1", 2), ("t2", 2)]


def test_read_runs_several_queries_on_one_read_only_connection(wh: Warehouse) -> None:
    wh.load_batch(batch("r1", [article(1)]))

    def both(con) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        facts = con.execute("SELECT count(*) FROM facts").fetchall()[0][0]
        articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
        return facts, articles

    assert wh.read(both) == (2, 1)
    with pytest.raises(WarehouseError, match="read-only|Cannot execute"):
        wh.read(lambda con: con.execute("DELETE FROM facts").fetchall())


def test_validators_give_none_rather_than_fail_while_the_file_is_busy(tmp_path: Path) -> None:
    import fcntl
    import os

    wh = Warehouse(tmp_path / "busy.duckdb", lock_timeout=0.2)
    wh.load_batch(batch("r1", [article(1)]))
    assert wh.validators([article(1).url])  # known while free
    fd = os.open(tmp_path / "busy.duckdb.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a writer holds it past our timeout
    try:
        assert wh.validators([article(1).url]) == {}
    finally:
        os.close(fd)


def test_repeated_facts_land_once_in_new_and_in_stored_versions(wh: Warehouse) -> None:
    """A fact repeated inside a batch lands once, whether its version is new in the batch
    or already stored; every stored fact_id is the model's fact_id."""
    a, b = article(1), article(2)
    first = batch("r1", [a])
    assert wh.load_batch(replace(first, facts=first.facts * 2)).new_facts == 2
    extra = (a.version_id, fact(20, 22, "7"))
    both = batch("r2", [a, b])
    assert wh.load_batch(replace(both, facts=both.facts * 2 + [extra, extra])).new_facts == 3
    assert wh.load_batch(replace(both, facts=both.facts + [extra])).new_facts == 0
    _, rows = wh.query('SELECT version_id, start, "end", extractor_version, fact_id FROM facts')
    assert len(rows) == 5
    assert {r[4] for r in rows} == {stable_id("fact", *r[:4]) for r in rows}
