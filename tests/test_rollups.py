"""The rollups every load keeps (aidetl.warehouse._rollups) equal what the views computed from
facts before there were rollups, after every kind of load: new articles, pages that change,
pages re-seen with other metadata, re-extraction by a newer extractor, reposts both ways
round, staged batches, reloads, and a figure whose earliest mention leaves while others stay."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from aidetl import report
from aidetl.models import Article, Fact, FetchAttempt
from aidetl.warehouse import Batch, Warehouse, _access, _rollups, _staging, batch_tables, core
from aidetl.warehouse.synthetic import synthetic_article

# How often a figure was reported and its earliest mention, as both figure views had it.
MENTIONS = """count(*) AS mentions, count(DISTINCT article_id) AS articles,
    arg_min(fact_id, (published_at, fact_id)) AS fact_id,
    arg_min(text, (published_at, fact_id)) AS text,
    arg_min(url, (published_at, fact_id)) AS url,
    arg_min(coalesce(nullif(source, ''), site), (published_at, fact_id)) AS source,
    min(published_at) AS first_published,
    arg_min(sentence, (published_at, fact_id)) AS sentence,
    arg_min(title, (published_at, fact_id)) AS title,
    arg_min(qualifier, (published_at, fact_id)) AS qualifier,
    arg_min(published_local, (published_at, fact_id)) AS first_published_local"""

# The views as they were computed from facts_dedup before the rollups (the reference the
# rollups must reproduce row for row).
REFERENCE = {
    "summable_figures": """
SELECT subject, year, metric, kind, unit, value, value_max,
    min(period_start) AS period_start, max(period_end) AS period_end,
    arg_min(place, (published_at, fact_id)) AS place,
    arg_min(place_code, (published_at, fact_id)) AS place_code,
    {mentions}
FROM summable_facts WHERE subject IS NOT NULL AND subject_from = 'clause'
GROUP BY subject, year, metric, kind, unit, value, value_max""",
    "summable_place_figures": """
SELECT place, place_code, year, metric, kind, unit, value, value_max,
    {mentions}
FROM summable_facts WHERE place IS NOT NULL AND place_from = 'clause'
GROUP BY place, place_code, year, metric, kind, unit, value, value_max""",
    "money_by_subject_year": """
WITH money AS (
    SELECT subject, year(coalesce(period_end, CAST(published_at AS DATE))) AS year, unit,
        count(*) AS facts, count(DISTINCT article_id) AS articles, max(value) AS largest,
        max(value) FILTER (WHERE cumulative) AS largest_cumulative
    FROM facts_dedup WHERE kind = 'money' GROUP BY ALL),
summed AS (SELECT subject, year, unit, sum(value) AS total, count(*) AS figures
    FROM ({figures}) WHERE kind = 'money' GROUP BY ALL)
SELECT m.subject, m.year, m.unit, m.facts, m.articles, s.total, m.largest,
       coalesce(s.figures, 0) AS figures_summed, m.largest_cumulative
FROM money AS m
LEFT JOIN summed AS s ON s.subject = m.subject AND s.year = m.year AND s.unit = m.unit""",
    "figures_by_place": """
WITH figures AS (
    SELECT place, place_code, kind, unit, count(*) AS facts,
        count(DISTINCT article_id) AS articles, min(value) AS smallest, max(value) AS largest
    FROM facts_dedup WHERE place IS NOT NULL GROUP BY ALL),
summed AS (SELECT place, place_code, kind, unit, sum(value) AS total, count(*) AS figures
    FROM ({place_figures}) GROUP BY ALL)
SELECT f.place, f.place_code, f.kind, f.unit, f.facts, f.articles, s.total, f.smallest,
       f.largest, coalesce(s.figures, 0) AS figures_summed
FROM figures AS f
LEFT JOIN summed AS s ON s.place = f.place AND s.place_code IS NOT DISTINCT FROM f.place_code
 AND s.kind = f.kind AND s.unit = f.unit""",
    "money": """
SELECT subject, year, coalesce(nullif(source, ''), '(unknown)') AS source,
       coalesce(metric, '(none)') AS metric, sum(value) AS total, count(*) AS facts
FROM ({figures}) WHERE kind = 'money' AND unit = 'CNY' GROUP BY ALL""",
    "metrics": """
SELECT coalesce(metric, '(none)') AS metric, kind,
       year(coalesce(period_end, CAST(published_at AS DATE))) AS year,
       coalesce(nullif(source, ''), site, '(unknown)') AS source, count(*) AS facts
FROM facts_dedup GROUP BY ALL""",
}
for _name in ("summable_figures", "summable_place_figures"):
    REFERENCE[_name] = REFERENCE[_name].replace("{mentions}", MENTIONS)
REFERENCE["money_by_subject_year"] = REFERENCE["money_by_subject_year"].replace(
    "{figures}", REFERENCE["summable_figures"]
)
REFERENCE["money"] = REFERENCE["money"].replace("{figures}", REFERENCE["summable_figures"])
REFERENCE["figures_by_place"] = REFERENCE["figures_by_place"].replace(
    "{place_figures}", REFERENCE["summable_place_figures"]
)
# The report's province map and largest facts, as it computed them from facts_dedup.
REFERENCE["places"] = report.PLACES_SQL.format(view="facts_dedup", in_place=report.PLACE_SUMMABLE)
REFERENCE["largest"] = report.LARGEST_SQL.format(view="facts_dedup")
# facts_dedup as it was computed before shown_sets
FACTS_DEDUP = """
SELECT cf.* FROM current_facts AS cf JOIN article_versions AS v ON v.version_id = cf.version_id
WHERE v.duplicate_of IS NULL OR v.duplicate_of = cf.article_id"""
SHOWN = {
    "summable_figures": "SELECT * FROM summable_figures",
    "summable_place_figures": "SELECT * FROM summable_place_figures",
    "money_by_subject_year": "SELECT * FROM money_by_subject_year",
    "figures_by_place": "SELECT * FROM figures_by_place",
    "money": report.MONEY_SQL,
    "metrics": report.METRICS_KEPT_SQL,
    "places": report.PLACES_KEPT_SQL,
    "largest": report.LARGEST_KEPT_SQL,
}


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    params = None
    if sql == report.MONEY_SQL:
        params = report.MONEY_PARAMS  # few subjects: no other
    elif sql in (report.LARGEST_SQL.format(view="facts_dedup"), report.LARGEST_KEPT_SQL):
        params = [_rollups.TOP_N, report.LARGEST_CAP]  # as many per group as are kept
    return sorted(map(repr, con.execute(sql, params).fetchall()))


def assert_rollups_match(wh: Warehouse, step: str) -> None:
    def check(con: duckdb.DuckDBPyConnection) -> None:
        assert rows(con, "SELECT * FROM shown_sets") == rows(con, _rollups.SHOWN_SETS_SQL), step
        assert rows(con, "SELECT * FROM facts_dedup") == rows(con, FACTS_DEDUP), step
        for name, sql in REFERENCE.items():
            assert rows(con, SHOWN[name]) == rows(con, sql), f"{name} after {step}"
        # the money chart with one subject by name: the others add up to the same totals
        shown = con.execute(report.MONEY_SQL, [1, report.MONEY_OTHER]).fetchall()
        assert len({r[0] for r in shown} - {report.MONEY_OTHER}) <= 1
        every = "SELECT year, source, metric, sum(total), sum(facts) FROM ({}) GROUP BY ALL"
        expected = {r[:3]: r[3:] for r in con.execute(every.format(REFERENCE["money"])).fetchall()}
        summed: dict[tuple, list] = {}
        for _subject, year, source, metric, total, facts in shown:
            sums = summed.setdefault((year, source, metric), [None, 0])
            sums[0] = total if sums[0] is None else sums[0] + (total or 0)
            sums[1] += facts
        assert {key: tuple(v) for key, v in summed.items()} == expected, step
        for rollup in _rollups.ROLLUPS:  # hidden columns too (the earliest keys)
            stored = rows(con, f"SELECT * FROM {rollup.table}")
            fresh = rows(con, f"SELECT * FROM ({_rollups.aggregate_sql(rollup, rollup.source)})")
            assert stored == fresh, f"{rollup.table} after {step}"

    wh.read(check)


SUBJECTS = ("中国电信", "国家电网", "腾讯", None)
PLACES = (("贵州省", "520000"), ("云南省", "530000"), ("云南省", None), (None, None))
SOURCES = ("", "新华网", "人民网")


def fact(rng: random.Random, i: int, extractor: str) -> Fact:
    """A fact whose groups collide often (few subjects, places and values) and whose
    columns are NULL now and then."""
    place, code = rng.choice(PLACES)
    year = rng.choice((2019, 2020, None))
    return Fact(
        text=f"{i}亿元", start=i * 5, end=i * 5 + 3,
        value=Decimal(rng.choice((100, 200, 300, 5000))), unit=rng.choice(("CNY", "人")),
        kind=rng.choice(("money", "money", "count")),
        qualifier=rng.choice((None, "over", "about")), cumulative=rng.random() < 0.3,
        metric=rng.choice(("donation", "investment", None)), subject=rng.choice(SUBJECTS),
        place=place, place_code=code,
        period_start=date(year, 1, 1) if year else None,
        period_end=date(year, 12, 31) if year else None,
        sentence=rng.choice((None, f"句子{i}")), extractor_version=extractor,
        summable=rng.random() < 0.7, subject_from=rng.choice(("clause", "clause", "sentence")),
        place_from=rng.choice(("clause", "article")),
    )  # fmt: skip


def article(rng: random.Random, n: int, revision: int) -> Article:
    base = synthetic_article(n, revision)
    published = rng.choice((
        datetime(2020, 3, 1, tzinfo=UTC) + timedelta(days=rng.randrange(600)),
        datetime(2020, 5, 1, 9, tzinfo=timezone(timedelta(hours=8))),
        None,
    ))  # fmt: skip
    return replace(base, published_at=published, source=rng.choice(SOURCES),
                   title=rng.choice((f"报道{n}", None)))  # fmt: skip


def batch_of(
    rng: random.Random, run: str, arts: list[Article], extractor: str, sims: dict[int, int],
    numbers: list[int],
) -> Batch:  # fmt: skip
    facts = [(a.version_id, fact(rng, i, extractor)) for a in arts for i in range(rng.randrange(5))]
    return Batch(
        run, [], arts, facts, {a.version_id: sims[n] for a, n in zip(arts, numbers, strict=True)}
    )


@pytest.mark.parametrize("seed", range(5))
def test_rollups_follow_every_kind_of_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # a few largest facts kept per group: groups then hold more facts than their lists, as
    # in a real warehouse, and a kept fact that leaves sends its group to be recomputed
    monkeypatch.setattr(_rollups, "TOP_N", 1 + seed % 3)
    rng = random.Random(seed)
    wh = Warehouse(tmp_path / "w.duckdb")
    sims: dict[int, int] = {}
    revision: dict[int, int] = {}
    for step in range(12):
        numbers = rng.sample(range(30), rng.randrange(1, 8))
        for n in numbers:
            what = rng.random()
            if n not in revision or what < 0.3:  # a new page or a page that changed
                revision[n] = revision.get(n, -1) + 1
            if n not in sims or what < 0.15:  # unlike any other, or a copy of another
                sims[n] = (
                    rng.choice(list(sims.values())) if sims and what < 0.15 else rng.getrandbits(64)
                )  # noqa: E501
        arts = [article(rng, n, revision[n]) for n in numbers]
        extractor = rng.choice(("s1", "s1", "s2"))  # s2: a newer extractor, now and then
        batch = batch_of(rng, f"run{step}", arts, extractor, sims, numbers)
        wh.load_batch(batch)
        assert_rollups_match(wh, f"step {step}")
        if rng.random() < 0.3:  # the same batch again adds nothing
            wh.load_batch(batch)
            assert_rollups_match(wh, f"step {step} again")


def test_a_figure_whose_earliest_mention_changes_is_recomputed(tmp_path: Path) -> None:
    """Two articles report one figure; the earlier one's page changes and drops it."""
    wh = Warehouse(tmp_path / "w.duckdb")
    rng = random.Random(1)
    early, late = synthetic_article(1), synthetic_article(2)
    early = replace(early, published_at=datetime(2020, 1, 1, tzinfo=UTC))
    late = replace(late, published_at=datetime(2020, 6, 1, tzinfo=UTC))
    same = replace(fact(rng, 0, "s1"), subject="中国电信", subject_from="clause", summable=True,
                   kind="money", unit="CNY", value=Decimal(500))  # fmt: skip
    sims = {early.version_id: 0, late.version_id: 2**64 - 1}  # far apart: not reposts
    wh.load_batch(
        Batch("a", [], [early, late], [(early.version_id, same), (late.version_id, same)], sims)
    )
    assert wh.query("SELECT mentions, url FROM summable_figures")[1] == [(2, early.url)]
    changed = replace(early, body=early.body + "更正。")
    other = replace(same, value=Decimal(700))
    wh.load_batch(Batch("b", [], [changed], [(changed.version_id, other)], {changed.version_id: 0}))
    assert_rollups_match(wh, "the change")
    assert (1, late.url) in wh.query("SELECT mentions, url FROM summable_figures")[1]


def test_a_copy_published_earlier_takes_the_story_over(tmp_path: Path) -> None:
    """An original loaded first, then a copy of it published earlier: the first becomes the
    repost, and the totals move to the copy."""
    wh = Warehouse(tmp_path / "w.duckdb")
    rng = random.Random(2)
    first = replace(synthetic_article(1), published_at=datetime(2020, 6, 1, tzinfo=UTC))
    copy = replace(synthetic_article(2), published_at=datetime(2020, 1, 1, tzinfo=UTC))
    money = replace(fact(rng, 0, "s1"), kind="money", unit="CNY", subject="腾讯",
                    subject_from="clause", summable=True)  # fmt: skip
    wh.load_batch(Batch("a", [], [first], [(first.version_id, money)], {first.version_id: 7}))
    wh.load_batch(Batch("b", [], [copy], [(copy.version_id, money)], {copy.version_id: 7}))
    assert_rollups_match(wh, "the earlier copy")
    assert wh.query("SELECT url, mentions FROM summable_figures")[1] == [(copy.url, 1)]


def test_loads_that_reach_only_some_rollups(tmp_path: Path) -> None:
    """A load folds only the rollups its rows reach: one without summable figures leaves the
    figure rollups and their totals alone, a page whose figures all leave reaches them with
    leaving rows only, and a batch of failed fetches (no article) reaches none."""
    rng = random.Random(5)
    wh = Warehouse(tmp_path / "w.duckdb")
    money = replace(fact(rng, 0, "s1"), kind="money", unit="CNY", subject="腾讯",
                    subject_from="clause", summable=True, place="贵州省", place_from="clause")  # fmt: skip
    plain = replace(fact(rng, 1, "s1"), summable=False, kind="count", unit="人")
    first, second = synthetic_article(1), synthetic_article(2)
    sims = {first.version_id: 0, second.version_id: 2**64 - 1}
    wh.load_batch(Batch("a", [], [first], [(first.version_id, money)], sims))
    wh.load_batch(Batch("b", [], [second], [(second.version_id, plain)], sims))
    assert_rollups_match(wh, "a batch without summable figures")
    changed = synthetic_article(1, revision=1)
    wh.load_batch(Batch("c", [], [changed], [(changed.version_id, plain)], {changed.version_id: 0}))
    assert_rollups_match(wh, "a page whose figures left")
    assert wh.query("SELECT count(*) FROM rollup_subject_totals")[1] == [(0,)]
    gone = FetchAttempt(url="http://synthetic.example/gone.html", attempt=1,
                        fetched_at=datetime(2021, 1, 1, tzinfo=UTC), status=404)  # fmt: skip
    wh.load_batch(Batch("d", [gone]))
    assert_rollups_match(wh, "a batch of no article")


def test_a_staged_batch_merged_later_keeps_the_rollups(tmp_path: Path) -> None:
    """A batch staged while the file was busy, merged after a newer run changed its pages."""
    rng = random.Random(3)
    wh = Warehouse(tmp_path / "w.duckdb")
    sims = {n: rng.getrandbits(64) for n in range(5)}
    staged = batch_of(rng, "a", [article(rng, n, 0) for n in range(5)], "s1", sims, list(range(5)))
    wh.load_batch(batch_of(rng, "b", [article(rng, n, 1) for n in (1, 2)], "s1", sims, [1, 2]))
    _staging.stage(wh.path, "a", batch_tables(staged))
    assert wh.merge_staged() == 1
    assert_rollups_match(wh, "the staged batch")


def test_rollups_are_built_afresh_when_their_declarations_change(tmp_path: Path) -> None:
    """A warehouse whose rollups an older aidetl made (its recorded digest differs): the next
    write builds them from facts_dedup, and the load then folds into the fresh tables."""
    rng = random.Random(4)
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    sims = {n: rng.getrandbits(64) for n in range(8)}
    wh.load_batch(
        batch_of(rng, "a", [article(rng, n, 0) for n in range(4)], "s1", sims, [0, 1, 2, 3])
    )
    wh.close()
    with duckdb.connect(str(db)) as con:  # as an older declaration left them: stale, recorded
        con.execute("DELETE FROM rollup_subject_figures; DELETE FROM rollup_money")
        con.execute("UPDATE _views SET sha256 = 'an older declaration'")
    wh = Warehouse(db)
    wh.load_batch(
        batch_of(rng, "b", [article(rng, n, 0) for n in range(4, 8)], "s1", sims, [4, 5, 6, 7])
    )
    assert_rollups_match(wh, "the rebuild")
    assert wh.query("SELECT count(*) FROM rollup_money")[1][0][0] > 0


def test_a_load_that_needs_more_than_the_writers_memory_is_merged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that changed in a warehouse too big for the writer's memory limit: the load runs
    out of memory, is rolled back whole, and lands on its second try, rollups and all."""
    rng = random.Random(5)
    wh = Warehouse(tmp_path / "w.duckdb")
    sims = {n: rng.getrandbits(64) for n in range(400)}
    numbers = list(range(400))
    arts = [article(rng, n, 0) for n in numbers]
    wh.load_batch(batch_of(rng, "a", arts, "s1", sims, numbers))
    tries: list[str] = []
    merge = core.merge_batch

    def counted(*args: object, **kwargs: object) -> object:
        tries.append(con_limit(args[0]))
        return merge(*args, **kwargs)

    monkeypatch.setattr(core, "merge_batch", counted)
    monkeypatch.setattr(_access, "BASE_MB", 8)  # far too little for the changed pages' load
    changed = [article(rng, n, 1) for n in numbers]
    result = wh.load_batch(batch_of(rng, "b", changed, "s1", sims, numbers))
    assert len(tries) == 2 and tries[0] != tries[1], tries  # out of memory once, then merged
    assert result.new_versions == 400
    monkeypatch.setattr(_access, "BASE_MB", 64)
    assert_rollups_match(wh, "the load merged again")


def con_limit(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
