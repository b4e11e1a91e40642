"""The report's aggregates, kept up to date by every load instead of recomputed by every query.

A rollup is a table of partial aggregates of facts_dedup (the facts a report counts: each
article's current, not-reposted version, from the extractor loaded for it last), one row per
group. Each is declared once below (its groups, its filter, its columns); the same
declaration gives the SQL that builds it from facts_dedup and the SQL that folds a load's
changes into it, so the rule a view shows lives here and nowhere else. The views of
views.sql (summable_figures, money_by_subject_year, ...) read these tables.

How a load changes them. Each article shows at most one set of facts in facts_dedup (its
current version's, from one extractor), so a load changes the report by swapping whole sets:
for every article the batch touched, its set before the load (if it showed one) leaves and
its set after (if any) arrives. The load writes these rows, signed -1 and +1, into a delta
table, and each rollup folds its groups' deltas in:
- counts and distinct-article counts add and subtract exactly (an article enters or leaves
  a group with all its facts of that group at once);
- a minimum, maximum or earliest mention only improves when rows arrive; when rows leave, a
  group whose extreme may have left with them (and that keeps other rows) is recomputed
  from facts_dedup for that group alone. That is rare: a page that changed and held its
  group's largest figure, or a figure's earliest mention. A group whose rows all left is
  rebuilt from its arrivals, without reading facts.
An ordinary batch of new articles reads only its own facts (the rows this transaction
inserted: loaded_at = now(), which the zone maps of facts answer without a scan), the
states of its own articles (by the ART index on article_id), and one integer column of each
rollup to find the groups it touches.

A group is found by k, a 64-bit hash of its keys (one integer column to scan instead of up
to eight nullable ones); the keys themselves are compared too, so a collision costs only a
failed match.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

log = logging.getLogger(__name__)

# Which of two mentions is earlier: the views' order, published_at (NULL last), then
# fact_id, packed into one 128-bit integer (the microseconds since 1970 above the 64 bits
# that fact_id's 16 hex digits are): comparing one integer instead of a (timestamp, text)
# pair makes the arg_min of a million rows ten times cheaper.
FIRST_KEY = (
    "CAST(coalesce(epoch_us(published_at), 4611686018427387904) AS HUGEINT) "
    "* 18446744073709551616 + CAST('0x' || fact_id AS UBIGINT)"
)
FIRST = "first_key"
YEAR = "year(coalesce(period_end, CAST(published_at AS DATE)))"
SOURCE = "coalesce(nullif(source, ''), site)"
# How the report labels a fact's metric and source (aidetl.report reads these too).
METRIC_LABEL = "coalesce(metric, '(none)')"
SOURCE_LABEL = f"coalesce({SOURCE}, '(unknown)')"
# The report's largest facts: the largest value first (a fact without one last), then the
# smaller fact_id; one struct, so that a list of them sorts by it. TOP_N is how many of each
# group's facts are kept, as many as the report shows per group at most.
TOP_KEY = (
    "{'valued': value IS NOT NULL, 'value': coalesce(value, 0), "
    "'after': ~CAST('0x' || fact_id AS UBIGINT)}"
)
TOP_N = 25


@dataclass(frozen=True, slots=True)
class Agg:
    """One stored column: `count` (the group's rows, or with expr its non-NULL exprs),
    `sum` of expr (0 when none), `articles` (distinct articles), `min`/`max` of expr,
    `first`: expr of the group's earliest mention among those where it is not NULL
    (arg_min), stored beside that mention's FIRST key (column name__k), or `top`: a list of
    expr (a struct whose field k is TOP_KEY and fact_id its fact's) for the TOP_N facts of
    the group that rank first by TOP_KEY, highest first."""

    name: str
    how: str
    expr: str = ""


@dataclass(frozen=True, slots=True)
class Rollup:
    """A table of one row per group of `source`'s rows where `where` holds: facts_dedup, or
    a rollup declared before it (whose changed rows a load then folds in the same way)."""

    table: str
    keys: tuple[tuple[str, str], ...]  # (column, expression over a row of source)
    where: str
    aggs: tuple[Agg, ...]
    source: str = "facts_dedup"

    @property
    def about(self) -> str:
        return ABOUT[self.table]

    @property
    def count(self) -> str:
        return next(a.name for a in self.aggs if a.how == "count" and not a.expr)

    @property
    def firsts(self) -> bool:
        return any(a.how == "first" for a in self.aggs)


def figure_columns() -> tuple[Agg, ...]:
    """Where a distinct figure was first reported: its earliest mention's fact, text, page."""
    return (
        Agg("fact_id", "first", "fact_id"),
        Agg("text", "first", "text"),
        Agg("url", "first", "url"),
        Agg("source", "first", SOURCE),
        Agg("first_published", "min", "published_at"),
        Agg("sentence", "first", "sentence"),
        Agg("title", "first", "title"),
        Agg("qualifier", "first", "qualifier"),
        Agg("first_published_local", "first", "published_local"),
    )


FIGURE_KEYS = (("year", YEAR), ("metric", "metric"), ("kind", "kind"), ("unit", "unit"),
               ("value", "value"), ("value_max", "value_max"))  # fmt: skip

# The table comments (COMMENT ON TABLE), for whoever finds the tables in the catalog.
ABOUT = {
    "rollup_subject_figures": (
        "Kept by every load: one row per distinct summable figure of a clause-level subject (what summable_figures shows); k hashes the keys; name__k is the earliest mention's key of column name"
    ),
    "rollup_place_figures": (
        "Kept by every load: one row per distinct summable figure of a clause-level place (what summable_place_figures shows)"
    ),
    "rollup_money": (
        "Kept by every load: money facts of facts_dedup per subject, year and currency (money_by_subject_year's counts)"
    ),
    "rollup_places": (
        "Kept by every load: facts of facts_dedup with a place, per place, kind and unit (figures_by_place's counts)"
    ),
    "rollup_metrics": (
        "Kept by every load: facts of facts_dedup per metric, kind, year and source (the report's metrics)"
    ),
    "rollup_subject_totals": (
        "Kept by every load: the distinct money figures of rollup_subject_figures per subject, year and currency: figures, total, valued (money_by_subject_year's totals)"
    ),
    "rollup_place_totals": (
        "Kept by every load: the distinct figures of rollup_place_figures per place, kind and unit (figures_by_place's totals)"
    ),
    "rollup_money_years": (
        "Kept by every load: the distinct yuan figures of rollup_subject_figures per year, source and metric, all subjects together"
    ),
    "rollup_provinces": (
        "Kept by every load: facts of facts_dedup with a place per province (or place without a code), year, source and metric (the report's map)"
    ),
    "rollup_province_money": (
        "Kept by every load: the distinct yuan figures of rollup_place_figures per province (or place without a code), year, source and metric (the report's map)"
    ),
    "rollup_largest": (
        "Kept by every load: the largest facts of facts_dedup per kind, source, metric and year, as a list (the report's largest facts)"
    ),
    "rollup_money_sources": (
        "Kept by every load: the distinct yuan figures of rollup_subject_figures per subject, year, source and metric (the report's money chart)"
    ),
}

# A figure's source as the report's money chart labels it.
FIGURE_SOURCE = "coalesce(nullif(source, ''), '(unknown)')"

# A total of distinct figures: how many, their sum, and how many have a value (a sum of
# none is NULL in the views, as SQL's sum is).
FIGURE_SUMS = (
    Agg("figures", "count"),
    Agg("total", "sum", "value"),
    Agg("valued", "count", "value"),
)

# A province as the report's map places it: the first two digits of the place's code, or,
# for a place without a code, the place by name.
PROVINCE_KEYS = (
    ("province_code", "CASE WHEN length(place_code) >= 2 THEN left(place_code, 2) END"),
    ("place", "CASE WHEN length(place_code) >= 2 THEN NULL ELSE place END"),
)

# What the report shows of each of the largest facts (k first: a list of these sorts by it).
LARGEST_FACT = f"""{{'k': {TOP_KEY}, 'fact_id': fact_id, 'version_id': version_id,
    'text': text, 'start': start, 'end': "end", 'value': value, 'value_max': value_max,
    'unit': unit, 'qualifier': qualifier, 'metric': metric, 'subject': subject, 'place': place,
    'period_start': period_start, 'period_end': period_end, 'sentence': sentence, 'url': url,
    'title': title, 'published_at': published_at}}"""

ROLLUPS = (
    # One row per distinct summable figure of a subject named in the figure's own clause:
    # the same value for the same subject, year, metric and unit, reported by several
    # articles or twice in one, is one figure (summable_figures).
    Rollup(
        "rollup_subject_figures",
        (("subject", "subject"), *FIGURE_KEYS),
        "summable AND subject IS NOT NULL AND subject_from = 'clause'",
        (
            Agg("period_start", "min", "period_start"),
            Agg("period_end", "max", "period_end"),
            Agg("place", "first", "place"),
            Agg("place_code", "first", "place_code"),
            Agg("mentions", "count"),
            Agg("articles", "articles"),
            *figure_columns(),
        ),
    ),
    # The same for places named in the figure's own clause (summable_place_figures).
    Rollup(
        "rollup_place_figures",
        (("place", "place"), ("place_code", "place_code"), *FIGURE_KEYS),
        "summable AND place IS NOT NULL AND place_from = 'clause'",
        (Agg("mentions", "count"), Agg("articles", "articles"), *figure_columns()),
    ),
    # Money facts per subject, year and currency (money_by_subject_year's counts).
    Rollup(
        "rollup_money",
        (("subject", "subject"), ("year", YEAR), ("unit", "unit")),
        "kind = 'money'",
        (
            Agg("facts", "count"),
            Agg("articles", "articles"),
            Agg("largest", "max", "value"),
            Agg("largest_cumulative", "max", "CASE WHEN cumulative THEN value END"),
        ),
    ),
    # Facts per place, kind and unit (figures_by_place's counts).
    Rollup(
        "rollup_places",
        (("place", "place"), ("place_code", "place_code"), ("kind", "kind"), ("unit", "unit")),
        "place IS NOT NULL",
        (
            Agg("facts", "count"),
            Agg("articles", "articles"),
            Agg("smallest", "min", "value"),
            Agg("largest", "max", "value"),
        ),
    ),
    # Facts per metric, kind, year and source (the report's metrics table).
    Rollup(
        "rollup_metrics",
        (("metric", METRIC_LABEL), ("kind", "kind"), ("year", YEAR), ("source", SOURCE_LABEL)),
        "true",
        (Agg("facts", "count"),),
    ),
    # What the totals add: the distinct figures of each subject, year and currency
    # (money_by_subject_year's total and figures_summed) ...
    Rollup(
        "rollup_subject_totals",
        (("subject", "subject"), ("year", "year"), ("unit", "unit")),
        "kind = 'money'",
        FIGURE_SUMS,
        "rollup_subject_figures",
    ),
    # ... of each place, kind and unit (figures_by_place's) ...
    Rollup(
        "rollup_place_totals",
        (("place", "place"), ("place_code", "place_code"), ("kind", "kind"), ("unit", "unit")),
        "true",
        FIGURE_SUMS,
        "rollup_place_figures",
    ),
    # ... and of each subject, year, source and metric in yuan (the report's money chart).
    Rollup(
        "rollup_money_sources",
        (
            ("subject", "subject"),
            ("year", "year"),
            ("source", FIGURE_SOURCE),
            ("metric", METRIC_LABEL),
        ),
        "kind = 'money' AND unit = 'CNY'",
        FIGURE_SUMS,
        "rollup_subject_figures",
    ),  # fmt: skip
    # The same for all subjects together (what the chart shows as "other" beside the
    # largest subjects).
    Rollup(
        "rollup_money_years",
        (("year", "year"), ("source", FIGURE_SOURCE), ("metric", METRIC_LABEL)),
        "kind = 'money' AND unit = 'CNY'",
        FIGURE_SUMS,
        "rollup_subject_figures",
    ),
    # The report's map of provinces: facts with a place per province (a place without a
    # province code by its name), year, source and metric ...
    Rollup(
        "rollup_provinces",
        PROVINCE_KEYS + (("year", YEAR), ("source", SOURCE_LABEL), ("metric", METRIC_LABEL)),
        "place IS NOT NULL OR length(place_code) >= 2",
        (Agg("facts", "count"),),
    ),
    # ... and the yuan each adds: the distinct figures of places, each under its earliest
    # mention's source (the figures figures_by_place sums).
    Rollup(
        "rollup_province_money",
        PROVINCE_KEYS
        + (("year", "year"), ("source", "coalesce(source, '(unknown)')"), ("metric", METRIC_LABEL)),
        "kind = 'money' AND unit = 'CNY'",
        FIGURE_SUMS,
        "rollup_place_figures",
    ),
    # The report's largest facts: the TOP_N of each kind, source, metric and year.
    Rollup(
        "rollup_largest",
        (("kind", "kind"), ("source", SOURCE_LABEL), ("metric", METRIC_LABEL), ("year", YEAR)),
        "true",
        (Agg("facts", "count"), Agg("top", "top", LARGEST_FACT)),
    ),
)


# -- the SQL each declaration gives ------------------------------------------------------------


def key_hash(rollup: Rollup) -> str:
    return f"hash({', '.join(expr for _, expr in rollup.keys)})"


def agg_items(agg: Agg, prefix: str, only: str) -> list[str]:
    """SELECT items computing `agg` over the rows where `only` holds, named prefix+name."""
    f = "" if only == "true" else f" FILTER (WHERE {only})"
    name = prefix + agg.name
    if agg.how == "count":
        return [f"count({agg.expr or '*'}){f} AS {name}"]
    if agg.how == "sum":
        return [f"coalesce(sum({agg.expr}){f}, 0) AS {name}"]
    if agg.how == "articles":
        return [f"count(DISTINCT article_id){f} AS {name}"]
    if agg.how in ("min", "max"):
        return [f"{agg.how}({agg.expr}){f} AS {name}"]
    if agg.how == "top":
        return [f"arg_max({agg.expr}, {TOP_KEY}, {TOP_N}){f} AS {name}"]
    return [
        f"arg_min({agg.expr}, {FIRST}){f} AS {name}",
        f"min({FIRST}) FILTER (WHERE ({only}) AND ({agg.expr}) IS NOT NULL) AS {name}__k",
    ]


def rows_of(rollup: Rollup, source: str) -> str:
    """The rows of `source` (a relation with the columns of rollup.source) it counts."""
    first = f", {FIRST_KEY} AS {FIRST}" if rollup.firsts else ""
    return f"(SELECT *{first} FROM {source} WHERE {rollup.where})"


def aggregate_sql(rollup: Rollup, source: str) -> str:
    """The rollup's rows computed from `source` (a relation with facts_dedup's columns)."""
    items = [f"{expr} AS {name}" for name, expr in rollup.keys]
    items.append(f"{key_hash(rollup)} AS k")
    for agg in rollup.aggs:
        items += agg_items(agg, "", "true")
    return f"SELECT {', '.join(items)}\nFROM {rows_of(rollup, source)}\nGROUP BY ALL"


def stored_columns(rollup: Rollup) -> list[str]:
    names = [name for name, _ in rollup.keys] + ["k"]
    for agg in rollup.aggs:
        names += [agg.name, f"{agg.name}__k"] if agg.how == "first" else [agg.name]
    return names


def delta_sql(rollup: Rollup, leaving: bool, delta: str) -> str:
    """Per group of the load's delta rows: the aggregates of the rows that arrive (i_) and
    what leaving rows can change (o_: their count, articles, extremes, earliest keys; when
    no row leaves, as in every batch of new articles, constants, and every row arrives: no
    filter to test per row)."""
    items = [f"{expr} AS {name}" for name, expr in rollup.keys]
    items.append(f"{key_hash(rollup)} AS k")
    for agg in rollup.aggs:
        items += agg_items(agg, "i_", "sign > 0" if leaving else "true")
        if not leaving:
            none = "0" if agg.how in ("count", "sum", "articles") else "NULL"
            items.append(f"{none} AS o_{agg.name}{'__k' if agg.how == 'first' else ''}")
        elif agg.how == "top":  # which facts leave: the group is dirty if one was kept
            items.append(f"list(fact_id) FILTER (WHERE sign < 0) AS o_{agg.name}")
        elif agg.how == "first":
            items.append(f"min({FIRST}) FILTER (WHERE sign < 0 AND ({agg.expr}) IS NOT NULL) "
                         f"AS o_{agg.name}__k")  # fmt: skip
        else:
            items += agg_items(agg, "o_", "sign < 0")
    return f"SELECT {', '.join(items)}\nFROM {rows_of(rollup, delta)} GROUP BY ALL"


def same_group(rollup: Rollup, left: str, right: str) -> str:
    keys = " AND ".join(f"{left}.{n} IS NOT DISTINCT FROM {right}.{n}" for n, _ in rollup.keys)
    return f"{left}.k = {right}.k AND {keys}"


def matched_sql(rollup: Rollup, leaving: bool, delta: str) -> str:
    """Per group of the delta (delta_sql), its stored row if it has one, and its fate: 'new'
    (no stored row), 'gone' (no rows left), 'dirty' (an extreme may have left while other
    rows stay: recompute), else 'fold' (a group whose stored rows all left becomes its
    arrivals). One statement, its delta never stored apart: the delta's groups are the
    join's build side, and a scan of the rollup's k column probes them."""
    n = rollup.count
    fates = ["WHEN r.rowid IS NULL THEN 'new'"]
    if leaving:  # else no group empties or loses an extreme: skip the tests
        reached = []
        for agg in rollup.aggs:
            if agg.how == "min":
                reached.append(f"d.o_{agg.name} <= r.{agg.name}")
            elif agg.how == "max":
                reached.append(f"d.o_{agg.name} >= r.{agg.name}")
            elif agg.how == "first":
                reached.append(f"d.o_{agg.name}__k <= r.{agg.name}__k")
            elif agg.how == "top":  # a kept fact left, and facts the list does not hold stay
                kept = f"list_transform(r.{agg.name}, lambda t: t.fact_id)"
                reached.append(f"len(list_intersect(d.o_{agg.name}, {kept})) > 0 "
                               f"AND r.{n} > len(r.{agg.name})")  # fmt: skip
        dirty = " OR ".join(f"coalesce({r}, false)" for r in reached) or "false"
        fates.append(f"WHEN r.{n} - d.o_{n} + d.i_{n} = 0 THEN 'gone'")
        fates.append(f"WHEN d.o_{n} > 0 AND r.{n} - d.o_{n} > 0 AND ({dirty}) THEN 'dirty'")
    stored = ", ".join(f"r.{c} AS r_{c}" for c in stored_columns(rollup))
    return f"""
CREATE OR REPLACE TEMP TABLE b_m AS
SELECT r.rowid AS rid, {stored}, d.*, r.{n} - d.o_{n} AS rest,
       CASE {" ".join(fates)} ELSE 'fold' END AS fate
FROM ({delta_sql(rollup, leaving, delta)}) AS d
LEFT JOIN {rollup.table} AS r ON {same_group(rollup, "r", "d")}
"""


def folded_sql(rollup: Rollup) -> str:
    """Stored rows and arrivals combined, for the 'fold' rows of b_m."""
    items = [f"{name}" for name, _ in rollup.keys] + ["k"]
    for agg in rollup.aggs:
        a, i = f"r_{agg.name}", f"i_{agg.name}"
        if agg.how in ("count", "sum", "articles"):
            items.append(f"{a} - o_{agg.name} + {i} AS {agg.name}")
        elif agg.how in ("min", "max"):
            pick = "least" if agg.how == "min" else "greatest"
            items.append(f"CASE WHEN rest = 0 THEN {i} ELSE {pick}({a}, {i}) END AS {agg.name}")
        elif agg.how == "top":  # the kept facts that stay and the arrivals, TOP_N first
            stay = f"list_filter({a}, lambda t: NOT coalesce(list_contains(o_{agg.name}, t.fact_id), false))"
            both = f"list_reverse_sort(list_concat({stay}, {i}))"
            items.append(f"CASE WHEN rest = 0 THEN {i} ELSE list_slice({both}, 1, {TOP_N}) END "
                         f"AS {agg.name}")  # fmt: skip
        else:
            newer = f"rest = 0 OR {a}__k IS NULL OR {i}__k < {a}__k"
            items.append(f"CASE WHEN {newer} THEN {i} ELSE {a} END AS {agg.name}")
            items.append(f"CASE WHEN {newer} THEN {i}__k ELSE {a}__k END AS {agg.name}__k")
    return f"SELECT {', '.join(items)} FROM b_m WHERE fate = 'fold'"


def arrivals_sql(rollup: Rollup) -> str:
    """New groups: the arrivals' aggregates, for delta groups with no stored row."""
    items = [f"{name}" for name, _ in rollup.keys] + ["k"]
    for agg in rollup.aggs:
        items.append(f"i_{agg.name} AS {agg.name}")
        if agg.how == "first":
            items.append(f"i_{agg.name}__k AS {agg.name}__k")
    return f"SELECT {', '.join(items)} FROM b_m WHERE fate = 'new' AND i_{rollup.count} > 0"


def recomputed_sql(rollup: Rollup) -> str:
    """The dirty groups of b_m computed afresh from the rollup's source: only the rows of
    those groups are grouped (found by their first key, say their subject, which a scan of
    facts can test, and by k), not every row of the source: a rollup whose first key has
    few values (rollup_largest's kind) would group every fact."""
    name, expr = rollup.keys[0]
    dirty = "(SELECT * FROM b_m WHERE fate = 'dirty')"
    rows = (
        f"(SELECT * FROM {rollup.source} WHERE ({expr} IN (SELECT {name} FROM {dirty}) "
        f"OR ({expr} IS NULL AND EXISTS (SELECT 1 FROM {dirty} WHERE {name} IS NULL))) "
        f"AND {key_hash(rollup)} IN (SELECT k FROM {dirty}))"
    )
    full = aggregate_sql(rollup, rows)
    return f"SELECT g.* FROM ({full}) AS g SEMI JOIN {dirty} AS m ON {same_group(rollup, 'g', 'm')}"


# The rollups another reads (its changed rows are kept for it: b_changed_<table>).
FEEDING = sorted({rollup.source for rollup in ROLLUPS} - {"facts_dedup"})


def fold(con: duckdb.DuckDBPyConnection, rollup: Rollup, delta: str, leaving: bool) -> bool:
    """Fold the signed rows of table `delta` into one rollup (`leaving`: some are -1); False
    when none of its groups changed. When another rollup reads this one, its changed rows
    go to b_changed_<table>, signed."""
    if not count(con, matched_sql(rollup, leaving, delta)):  # none of its rows changed
        return False
    new = [arrivals_sql(rollup), folded_sql(rollup)]
    # only a leaving row can make a group dirty
    if leaving and count(con, "SELECT count(*) FROM b_m WHERE fate = 'dirty'"):
        new.append(recomputed_sql(rollup))
    rows = " UNION ALL BY NAME ".join(new)
    statements = [f"DELETE FROM {rollup.table} WHERE rowid IN (SELECT rid FROM b_m)"]
    if rollup.table in FEEDING:
        # the rollups this one feeds read its old rows (-1) and new ones (+1)
        stored = ", ".join(f"r_{c} AS {c}" for c in stored_columns(rollup))
        statements.append(
            f"CREATE OR REPLACE TEMP TABLE b_changed_{rollup.table} AS SELECT -1 AS sign, "
            f"{stored} FROM b_m WHERE rid IS NOT NULL UNION ALL BY NAME SELECT 1 AS sign, * "
            f"FROM ({rows})"
        )
        rows = f"SELECT * EXCLUDE (sign) FROM b_changed_{rollup.table} WHERE sign > 0"
    # (the new rows read b_m and the source, never this table: the DELETE cannot change them)
    statements.append(f"INSERT INTO {rollup.table} BY NAME {rows}")
    con.execute("; ".join(statements)).fetchall()
    return True


def count(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> int:
    """Run a statement; the number it returns (the rows a CREATE TABLE AS wrote)."""
    return int(con.execute(sql, params).fetchall()[0][0])


# Which facts facts_dedup shows: one set per article, its current version's facts from the
# extractor loaded for it last (current_facts), unless that version is a repost of another
# article. Kept by every load like the rollups (facts_dedup is the facts of these sets), so
# a query on facts_dedup joins this table instead of grouping every fact by version.
SHOWN_SETS_SQL = """
SELECT DISTINCT cf.article_id, cf.version_id, cf.extractor_version
FROM current_facts AS cf JOIN article_versions AS v ON v.version_id = cf.version_id
WHERE v.duplicate_of IS NULL OR v.duplicate_of = cf.article_id
"""
SHOWN_SETS_TABLE = """
DROP TABLE IF EXISTS shown_sets;
CREATE TABLE shown_sets (article_id VARCHAR, version_id VARCHAR, extractor_version VARCHAR);
COMMENT ON TABLE shown_sets IS 'Kept by every load: the set of facts each article shows in facts_dedup (its current, not-reposted version, from the extractor loaded for it last)'
"""

# facts_dedup's columns, typed, with no rows: what a rollup table's column types are read
# from before views.sql (which reads the rollups) has made facts_dedup.
TYPED_EMPTY = """(SELECT f.*, a.url, a.title, a.site, a.source, a.published_at,
        CAST(NULL AS VARCHAR) AS published_local
 FROM facts AS f, articles AS a LIMIT 0)"""


def definition() -> str:
    """The text that decides every rollup: when it changes, the tables are built afresh."""
    rollups = (aggregate_sql(rollup, rollup.source) for rollup in ROLLUPS)
    return "\n".join((SHOWN_SETS_SQL, SHOWN_SETS_TABLE, *rollups))


def create_empty(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create shown_sets and every rollup table, empty, for views.sql to read."""
    con.execute(SHOWN_SETS_TABLE).fetchall()
    for rollup in ROLLUPS:
        source = TYPED_EMPTY if rollup.source == "facts_dedup" else rollup.source
        con.execute(f"DROP TABLE IF EXISTS {rollup.table}").fetchall()
        con.execute(f"CREATE TABLE {rollup.table} AS {aggregate_sql(rollup, source)}").fetchall()
        about = rollup.about.replace("'", "''")
        con.execute(f"COMMENT ON TABLE {rollup.table} IS '{about}'").fetchall()


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """Every rollup computed from its source (the tables just created empty; a rollup read
    by another comes first). Grouping every fact of a large warehouse needs more than the
    writer's usual memory limit (at 3 M facts 64 MB runs out): DuckDB's default, most of the
    machine's memory and spilling beyond, holds while it runs."""
    limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    log.info("building the report's rollups from facts_dedup")
    con.execute("RESET memory_limit").fetchall()
    try:
        con.execute(f"INSERT INTO shown_sets {SHOWN_SETS_SQL}").fetchall()
        for rollup in ROLLUPS:
            con.execute(
                f"INSERT INTO {rollup.table} BY NAME {aggregate_sql(rollup, rollup.source)}"
            ).fetchall()
    finally:
        con.execute(f"SET memory_limit = '{limit}'").fetchall()


# -- what a load changed -----------------------------------------------------------------------

# What decides an article's set in facts_dedup, besides its facts: its current version,
# whether that version is shown (not a repost of another article), and the article columns
# the rollups read.
STATE = """
SELECT a.article_id, a.current_version_id AS version_id,
       v.version_id IS NOT NULL AND (v.duplicate_of IS NULL OR v.duplicate_of = a.article_id)
           AS shown,
       a.url, a.title, a.site, a.source, a.published_at, a.published_utc_offset
FROM articles AS a SEMI JOIN ({candidates}) AS c USING (article_id)
LEFT JOIN article_versions AS v ON v.version_id = a.current_version_id
"""

# Before the load changes them: the stored articles of the batch (b_stored, which the merge
# found without reading articles when none is stored), and those whose versions get facts
# (a re-extraction).
BEFORE = "CREATE TEMP TABLE b_state_before AS " + STATE.replace(
    "{candidates}",
    "SELECT article_id FROM b_stored UNION SELECT article_id FROM article_versions "
    "SEMI JOIN b_old_versions USING (version_id)",
)

# Stored articles that a repost check is about to mark as copies (and the articles whose
# versions pointed at them), snapshotted before it does.
BEFORE_REPOINT = (
    "INSERT INTO b_state_before "
    + STATE.replace(
        "{candidates}",
        "SELECT article_id FROM b_superseded UNION SELECT v.article_id FROM article_versions v "
        "SEMI JOIN b_superseded s ON v.duplicate_of = s.article_id",
    )
    + " ANTI JOIN b_state_before AS s ON s.article_id = a.article_id"
)

# The articles whose set may have changed, after the load: each with the version shown
# before (b_) and after (a_); unchanged ones (same state, no facts loaded now for the
# version) are left out.
CHANGES = (
    """
CREATE TEMP TABLE b_changes AS
WITH after AS (
"""
    + STATE.replace(
        "{candidates}",
        "SELECT article_id FROM b_state_before UNION SELECT article_id FROM b_latest",
    )
    + """
)
SELECT coalesce(a.article_id, b.article_id) AS article_id,
       CASE WHEN b.shown THEN b.version_id END AS b_version,
       CASE WHEN a.shown THEN a.version_id END AS a_version,
       b.url AS b_url, b.title AS b_title, b.site AS b_site, b.source AS b_source,
       b.published_at AS b_published_at, b.published_utc_offset AS b_offset,
       a.url AS a_url, a.title AS a_title, a.site AS a_site, a.source AS a_source,
       a.published_at AS a_published_at, a.published_utc_offset AS a_offset
FROM after AS a FULL JOIN b_state_before AS b USING (article_id)
WHERE (a.shown OR b.shown)
  AND (a.version_id IN (SELECT version_id FROM b_fresh)
       OR NOT ((b.article_id, b.version_id, b.shown, b.url, b.title, b.site, b.source,
                b.published_at, b.published_utc_offset)
               IS NOT DISTINCT FROM
               (a.article_id, a.version_id, a.shown, a.url, a.title, a.site, a.source,
                a.published_at, a.published_utc_offset)))
"""
)

# The versions of this transaction's facts (loaded_at is the transaction's now()).
FRESH = "CREATE TEMP TABLE b_fresh AS SELECT DISTINCT version_id FROM facts WHERE loaded_at = $now"

# Which extractor's facts each changed version shows, before this load and after it (the
# choice current_facts makes: the extractor loaded last). `{only_now}` narrows the scan to
# this load's rows when every version involved is new.
EXTRACTORS = """
CREATE TEMP TABLE b_ex AS
SELECT version_id,
       arg_max(extractor_version, (loaded_at, extractor_version))
           FILTER (WHERE loaded_at < $now) AS b_ex,
       count(*) FILTER (WHERE loaded_at < $now) AS b_n,
       arg_max(extractor_version, (loaded_at, extractor_version)) AS a_ex
FROM facts
WHERE version_id IN (SELECT b_version FROM b_changes UNION SELECT a_version FROM b_changes)
  {only_now}
GROUP BY version_id
"""

# The sets that leave (-1: what each changed article showed before) and arrive (+1).
SETS = """
CREATE TEMP TABLE b_sets AS
SELECT -1 AS sign, c.article_id, c.b_version AS version_id, e.b_ex AS extractor_version,
       b_url AS url, b_title AS title, b_site AS site, b_source AS source,
       b_published_at AS published_at, local_time(b_published_at, b_offset) AS published_local
FROM b_changes AS c JOIN b_ex AS e ON e.version_id = c.b_version
WHERE e.b_n > 0
UNION ALL
SELECT 1, c.article_id, c.a_version, e.a_ex, a_url, a_title, a_site, a_source,
       a_published_at, local_time(a_published_at, a_offset)
FROM b_changes AS c JOIN b_ex AS e ON e.version_id = c.a_version
"""

DELTA = """
CREATE TEMP TABLE b_delta AS
SELECT s.sign, f.*, s.url, s.title, s.site, s.source, s.published_at, s.published_local
FROM facts AS f JOIN b_sets AS s
  ON f.version_id = s.version_id AND f.article_id = s.article_id
 AND f.extractor_version IS NOT DISTINCT FROM s.extractor_version
WHERE (s.sign > 0 OR f.loaded_at < $now) {only_now}
"""

# shown_sets follows: the changed articles' sets out, the arriving ones in.
SHOWN_SETS_CHANGED = """
DELETE FROM shown_sets WHERE article_id IN (SELECT article_id FROM b_changes);
INSERT INTO shown_sets SELECT article_id, version_id, extractor_version FROM b_sets WHERE sign > 0
"""
SHOWN_SETS_NEW = """
INSERT INTO shown_sets SELECT DISTINCT article_id, version_id, extractor_version FROM b_delta
"""

# A load that touched no stored article: the sets that arrive are this load's facts of its
# articles' shown versions, from the extractor loaded last (of those loaded now). Every row
# it reads was written by this load: the batch's articles as stored (b_latest), and facts
# and versions by loaded_at, which the zone maps find without reading older row groups.
NEW_ONLY = """
CREATE TEMP TABLE b_delta AS
WITH now_facts AS NOT MATERIALIZED (SELECT * FROM facts WHERE loaded_at = $now),
latest AS (
    SELECT version_id, arg_max(extractor_version, (loaded_at, extractor_version)) AS ex
    FROM now_facts GROUP BY version_id
),
shown AS (  -- the batch's versions, all new: their rows were written now
    SELECT version_id, article_id FROM article_versions
    WHERE loaded_at = $now AND (duplicate_of IS NULL OR duplicate_of = article_id)
)
SELECT 1 AS sign, f.*, a.url, a.title, a.site, a.source, a.published_at, a.published_local
FROM now_facts AS f
JOIN latest AS l ON l.version_id = f.version_id AND l.ex IS NOT DISTINCT FROM f.extractor_version
JOIN (SELECT *, local_time(published_at, published_utc_offset) AS published_local
      FROM b_latest) AS a  -- once an article, not once a fact
  ON a.article_id = f.article_id AND a.version_id = f.version_id
JOIN shown AS v ON v.version_id = f.version_id AND v.article_id = f.article_id
"""

# Do the changed sets involve any version stored before this load? Then their facts are
# found by scanning facts.version_id; else this load's own rows are all there is to read.
OLD_INVOLVED = """
SELECT count(*) FROM b_changes
WHERE b_version IS NOT NULL OR a_version NOT IN (SELECT version_id FROM b_fresh)
   OR a_version IN (SELECT version_id FROM b_old_versions)
"""


def snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """Record the batch's stored articles as the report shows them before the load."""
    con.execute(BEFORE).fetchall()


def snapshot_repointed(con: duckdb.DuckDBPyConnection) -> None:
    """Before a repost check re-points stored articles (b_superseded), record them too."""
    con.execute(BEFORE_REPOINT).fetchall()


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Fold what this load changed in facts_dedup into every rollup (before commit)."""
    now, stored, batch = con.execute(
        "SELECT now(), (SELECT count(*) FROM b_state_before), (SELECT count(*) FROM b_latest)"
    ).fetchall()[0]
    params = {"now": now}
    rows = 0
    if stored:
        con.execute(FRESH, params).fetchall()
        con.execute(CHANGES).fetchall()
        only_now = "" if count(con, OLD_INVOLVED) else "AND loaded_at = $now"
        con.execute(EXTRACTORS.replace("{only_now}", only_now), params).fetchall()
        only_now = only_now.replace("loaded_at", "f.loaded_at")
        con.execute(SETS).fetchall()
        rows = count(con, DELTA.replace("{only_now}", only_now), params)
        con.execute(
            f"{SHOWN_SETS_CHANGED}; DROP TABLE b_fresh; DROP TABLE b_changes; DROP TABLE b_ex; "
            "DROP TABLE b_sets"
        ).fetchall()
    elif batch:  # only new articles: what arrives is this load's facts, and nothing leaves
        rows = count(con, NEW_ONLY, params)
        if rows:
            con.execute(SHOWN_SETS_NEW).fetchall()
    if rows:
        fold_all(con)
    con.execute(
        "DROP TABLE IF EXISTS b_delta; DROP TABLE b_state_before; DROP TABLE IF EXISTS b_m; "
        + "; ".join(f"DROP TABLE IF EXISTS b_changed_{table}" for table in FEEDING)
    ).fetchall()


def fold_all(con: duckdb.DuckDBPyConnection) -> None:
    """Fold b_delta into every rollup it reaches. One statement first counts, per rollup of
    facts_dedup, the delta rows its filter keeps (and the leaving rows): a rollup none of
    them reaches is skipped, and so is a rollup whose source rollup did not change; an
    ordinary batch of new articles without summable figures leaves the figure rollups and
    the totals read from them alone."""
    direct = [rollup for rollup in ROLLUPS if rollup.source == "facts_dedup"]
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE sign < 0), "
        + ", ".join(f"count(*) FILTER (WHERE {rollup.where})" for rollup in direct)
        + " FROM b_delta"
    ).fetchall()[0]
    leaving, reached = counts[0] > 0, dict(zip((r.table for r in direct), counts[1:], strict=True))
    changed = set()
    for rollup in ROLLUPS:
        if rollup.source == "facts_dedup":
            if reached[rollup.table] and fold(con, rollup, "b_delta", leaving):
                changed.add(rollup.table)
        elif rollup.source in changed:  # a figure that changed leaves as it was, arrives as it is
            if fold(con, rollup, f"b_changed_{rollup.source}", True):
                changed.add(rollup.table)
