"""The plain library pipeline over the demo newsroom, served for real on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from aidetl import pipeline, sequencer
from aidetl.config import Settings
from aidetl.demo import NEWSROOM, demo_sources_toml, serve_newsroom
from aidetl.warehouse import Warehouse

MANIFEST = json.loads((NEWSROOM / "manifest.json").read_text(encoding="utf-8"))


def articles_in(manifest: dict) -> list[dict]:
    return manifest["articles"] if isinstance(manifest, dict) else manifest


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """Two runs of the pipeline over the newsroom, and the server's request log."""
    tmp = tmp_path_factory.mktemp("pipeline")
    settings = Settings(
        warehouse=tmp / "w.duckdb", archive=tmp / "raw", sources_file=tmp / "s.toml"
    )
    with serve_newsroom() as served:
        settings.sources_file.write_text(demo_sources_toml(served.base), encoding="utf-8")
        sources = pipeline.resolve_sources(settings)
        first = sequencer.run_ingest(settings, sources)
        first_requests = list(served.requests)
        counts_after_first = table_counts(settings)
        second = sequencer.run_ingest(settings, sources)
    return settings, served, first, second, first_requests, counts_after_first


def table_counts(settings: Settings) -> dict[str, int]:
    wh = Warehouse(settings.warehouse)
    return {
        t: wh.query(f"SELECT count(*) FROM {t}")[1][0][0]
        for t in ("articles", "article_versions", "facts")
    }


def public_articles() -> list[dict]:
    return [a for a in articles_in(MANIFEST) if not a["disallowed"]]


def test_every_public_article_lands_with_facts(demo_run):
    settings, _, first, *_ = demo_run
    wh = Warehouse(settings.warehouse)
    _, rows = wh.query("SELECT url, title FROM articles")
    paths = {"/" + url.split("/", 3)[3] for url, _ in rows}
    assert paths == {a["path"] for a in public_articles()}
    _, rows = wh.query("SELECT count(*) FROM articles_without_facts")
    assert rows[0][0] == 0
    assert first.new_facts > 100
    assert first.fetched == len(public_articles())  # robots.txt is not a page
    assert first.disallowed == 1 and first.failed == 0


def test_disallowed_article_is_never_requested_nor_stored(demo_run):
    settings, served, *_ = demo_run
    assert not any(path.startswith("/private/") for path in served.requests)
    wh = Warehouse(settings.warehouse)
    assert wh.query("SELECT count(*) FROM facts WHERE text LIKE '%9876%'")[1][0][0] == 0
    _, rows = wh.query("SELECT error_class FROM fetches WHERE url LIKE '%/private/%'")
    assert rows and {r[0] for r in rows} == {"DisallowedError"}


def test_every_fact_points_at_its_characters(demo_run):
    """The offsets contract: body[start:end] == text, for every stored fact."""
    settings, *_ = demo_run
    _, rows = Warehouse(settings.warehouse).query(
        'SELECT v.body, f.start, f."end", f.text FROM facts f JOIN article_versions v USING (version_id)'
    )
    assert rows
    bad = [(text, body[start:end]) for body, start, end, text in rows if body[start:end] != text]
    assert bad == []


def test_gbk_pages_decode_to_their_titles(demo_run):
    settings, *_ = demo_run
    _, rows = Warehouse(settings.warehouse).query("SELECT url, title FROM articles")
    titles = {"/" + url.split("/", 3)[3]: title for url, title in rows}
    gbk = [a for a in public_articles() if a["encoding"] == "gbk"]
    assert len(gbk) >= 3
    for article in gbk:
        assert titles[article["path"]] == article["title"]
    _, rows = Warehouse(settings.warehouse).query(
        "SELECT DISTINCT encoding FROM fetches WHERE url LIKE '%.gbk.html' AND status = 200"
    )
    assert {r[0] for r in rows} == {"gb18030"}


def test_second_run_is_conditional_and_adds_no_rows(demo_run):
    settings, _, first, second, first_requests, counts_after_first = demo_run
    assert table_counts(settings) == counts_after_first
    assert second.new_articles == 0 and second.new_facts == 0
    assert second.unchanged == len(public_articles())
    assert first.unchanged == 0


def test_expected_figures_of_the_newsroom_are_found(demo_run):
    """Each figure the newsroom's manifest lists is in the warehouse with its value."""
    settings, *_ = demo_run
    _, rows = Warehouse(settings.warehouse).query(
        "SELECT a.url, f.text, f.value FROM facts f JOIN articles a USING (article_id)"
    )
    found = {("/" + url.split("/", 3)[3], float(value)) for url, _, value in rows}
    expected = [(a["path"], float(f["value"])) for a in public_articles() for f in a["expected"]]
    missing = [e for e in expected if e not in found]
    assert len(missing) <= len(expected) // 20, missing


def test_summary_reports_the_run_and_the_largest_money(demo_run):
    """The printed summary: this run's counts and failures, then the warehouse's articles,
    facts by kind and top money (Beijing dates, titles or "(untitled)"), then absolute hints."""
    from aidetl.summary import render_summary

    settings, _, first, second, *_ = demo_run
    text = render_summary(settings.warehouse, second.run_id, ("SELECT 1",))
    this_run, warehouse = text.split("\nthe warehouse ")
    assert "0 new articles, 0 new facts" in this_run
    assert "failures this run: 0" in this_run and "internal-memo" in this_run
    assert f"{len(public_articles())} articles" in warehouse
    assert "facts by kind (reposts once): " in warehouse and "money" in warehouse
    money_lines = warehouse.split("(publication time in Beijing):\n")[1].split("\ntry:")[0]
    money_lines = money_lines.splitlines()
    assert len(money_lines) == 10 and all("CNY" in line or "USD" in line for line in money_lines)
    assert all(line.endswith("+08:00") for line in money_lines)
    assert "None" not in warehouse
    hint = text.split("try:\n")[1]
    assert hint.strip().startswith("/") and hint.strip().endswith('aidetl sql "SELECT 1"')


def test_second_run_skips_pages_the_sitemap_dates_as_unchanged(demo_run):
    """Sitemap <lastmod> older than our last fetch: no request; other pages: a conditional one."""
    _, served, _, second, first_requests, _ = demo_run
    again = served.requests[len(first_requests) :]
    in_sitemap = {a["path"] for a in public_articles() if a["in_sitemap"]}
    elsewhere = {a["path"] for a in public_articles() if not a["in_sitemap"]}
    assert in_sitemap and elsewhere
    assert not in_sitemap & set(again)
    assert elsewhere <= set(again)
    assert second.unchanged == len(in_sitemap) + len(elsewhere)
