"""Pathological HTML: each page parses (with what it can) or raises ParseError — never a
RecursionError, a hang or unbounded memory. Time budgets are generous: they catch hangs,
not slowness. The last test sends the same pages through run_ingest beside a good page.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime

import pytest
from memory import peak_rss_growth_mb
from servers import Reply, serve

from aidetl import pipeline, sequencer
from aidetl.config import Settings
from aidetl.errors import ParseError
from aidetl.models import Page, Source
from aidetl.parse import parse_article, parse_html
from aidetl.warehouse import Warehouse

PROSE = "<p>2018年以来，该公司累计投入扶贫资金超5亿元，帮扶132个村，惠及贫困户12000户，贫困发生率下降到1.2%。</p>"
GOOD = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>助力脱贫</title></head><body>'
    '<div class="article"><h1>某公司助力山区脱贫攻坚</h1><div class="meta">'
    '<span class="time">2020-05-18 10:00</span></div><div class="content">'
    + PROSE * 4
    + "</div></div></body></html>"
)


def nested(depth: int, tag: str = "div", close: bool = True) -> str:
    closing = f"</{tag}>" * depth if close else ""
    return f"<html><body>{f'<{tag}>' * depth}{PROSE * 5}{closing}</body></html>"


def unclosed_everywhere(times: int = 5000) -> str:
    return "<html><body>" + "<div><p><b><i><a href=x><table><tr><td><li>" * times + PROSE * 5


def binary(size: int = 2_000_000) -> bytes:
    return random.Random(5).randbytes(size)


def broken_encodings() -> bytes:
    """A UTF-8 page with invalid bytes, then a GBK paragraph, then UTF-8 again."""
    head = '<html><head><meta charset="utf-8"></head><body><div class="content">'
    return (
        (head + PROSE * 3).encode()
        + b"\xff\xfe\x80\x81\xc3\xa0\xed\xa0\x80" * 4
        + PROSE.encode("gbk")
        + (PROSE * 3 + "</div></body></html>").encode()
    )


PAGES = {
    "100k nested divs": lambda: nested(100_000),
    "100k nested spans, never closed": lambda: nested(100_000, tag="span", close=False),
    "20k mixed inline tags, never closed": lambda: (
        "<html><body>" + "<b><i><u><em>" * 5_000 + PROSE * 5
    ),
    "unclosed tags everywhere": unclosed_everywhere,
    "2 MB of random bytes": binary,
    "invalid encodings in the middle": broken_encodings,
    "100k NUL characters": lambda: "<html><body>" + "\x00" * 100_000 + PROSE * 5,
    "unclosed comment": lambda: "<html><body><!--" + PROSE * 50_000,
    "200k attributes": lambda: (
        "<html><body><div " + " ".join(f"a{i}=x" for i in range(200_000)) + ">" + PROSE * 5
    ),
}


def parse_within(html: str | bytes, seconds: float):
    """parse_html's Article or ParseError; fails on any other exception or a hang."""
    started = time.perf_counter()
    try:
        result: object = parse_html(html, url="http://hostile.example/a.html")
    except ParseError as exc:
        result = exc
    assert time.perf_counter() - started < seconds, "parser hung"
    return result


@pytest.mark.parametrize("name", list(PAGES))
def test_pathological_page_parses_or_raises_parse_error(name):
    """Parses or raises ParseError (never RecursionError), in bounded time and memory."""
    html = PAGES[name]()
    growth, result = peak_rss_growth_mb(lambda: parse_within(html, seconds=120))
    assert isinstance(result, ParseError) or result.body  # an Article has text
    assert growth < 400 + 40 * len(html) / 1e6, f"peak RSS rose {growth:.0f} MB"


def test_deep_nesting_is_a_parse_error_naming_the_cause():
    """A page nested past the parser's depth says so."""
    error = parse_within(nested(5_000), seconds=120)
    assert isinstance(error, ParseError) and "nested too deeply" in str(error)


def test_moderate_nesting_still_parses():
    """500 nested divs (deep, but a real page could do it) still give the article."""
    article = parse_within(nested(500), seconds=60)
    assert "5亿元" in article.body


def test_invalid_bytes_in_the_middle_keep_the_readable_text():
    """Invalid UTF-8 and a GBK run inside a UTF-8 page: the UTF-8 prose is still there."""
    article = parse_within(broken_encodings(), seconds=60)
    assert article.body.count("累计投入扶贫资金超5亿元") >= 6


@pytest.mark.slow
def test_fifty_megabyte_text_node_returns_with_memory_proportional_to_it():
    """One 50 MB text node: returns (parsed or ParseError), peak RSS within ~10x the text."""
    html = "<html><body><div class='content'><p>" + "扶贫资金超5亿元，" * 1_850_000 + "</p></div>"
    growth, result = peak_rss_growth_mb(lambda: parse_within(html, seconds=300))
    assert isinstance(result, ParseError) or len(result.body) > 10_000_000
    assert growth < 10 * len(html.encode()) / 1e6


def test_binary_page_with_an_html_content_type_is_a_parse_error_or_article():
    """parse_article on a Page of random bytes labelled text/html never crashes."""
    content = binary(500_000)
    page = Page(
        url="http://hostile.example/bin.html", final_url="http://hostile.example/bin.html",
        status=200, headers={"content-type": "text/html"}, content=content,
        text=content.decode("utf-8", errors="replace"), encoding="utf-8",
        fetched_at=datetime.now(UTC),
    )  # fmt: skip
    try:
        article = parse_article(page, Source(name="s"))
    except ParseError:
        return
    assert isinstance(article.body, str)


@pytest.mark.slow
def test_pathological_pages_fail_alone_and_the_good_page_of_the_run_loads(tmp_path):
    """Served beside a good page, each pathological page is a ParseError row in `fetches`
    (the binary one a NotTextError: refused before parsing), and the good page lands with
    its facts."""
    bad = {
        "/nested.html": nested(5_000),
        "/binary.html": binary(),
        "/unclosed.html": unclosed_everywhere(),
    }
    routes = {p: Reply(body=html) for p, html in bad.items()}
    routes["/good.html"] = Reply(body=GOOD)
    routes["/robots.txt"] = Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")
    settings = Settings(tmp_path / "w.duckdb", tmp_path / "raw", tmp_path / "none.toml")
    with serve(routes) as srv:
        urls = [srv.url(p) for p in (*bad, "/good.html")]
        sources = pipeline.resolve_sources(settings, urls=urls, delay=0.0)
        summary = sequencer.run_ingest(settings, sources, urls=urls, delay=0.0)
    wh = Warehouse(settings.warehouse)
    _, rows = wh.query("SELECT url, error_class, error_message FROM fetches")
    errors = {url: (cls, msg) for url, cls, msg in rows}
    expected = {"/binary.html": "NotTextError"}
    for path in bad:
        cls, message = errors[srv.url(path)]
        assert cls == expected.get(path, "ParseError") and message
    assert errors[srv.url("/nested.html")][1].endswith("HTML nested too deeply to read")
    _, rows = wh.query(
        "SELECT count(*) FROM facts JOIN articles USING (article_id) WHERE url = ?",
        [srv.url("/good.html")],
    )
    assert rows[0][0] >= 4 and summary.articles == 1 and summary.failed == len(bad)


def test_random_pages_never_raise_anything_but_parse_error():
    """200 random mixes of tags, text, bytes and entities: Article or ParseError, nothing else."""
    rng = random.Random(11)
    pieces = ["<div>", "</div>", "<p>", "</p>", "<table>", "<td>", "<!--", "-->", "<script>",
              "</script>", "&amp;", "&#0;", "&#xD800;", "<![CDATA[", "]]>", "<a href='", "'>",
              PROSE, "\x00", "\ufffd", "<meta charset=gbk>", "<title>", "</title>", "<h1>",
              "2020年5月18日", "<br>", "<br/>", "<?xml version='1.0'?>", "<!DOCTYPE x [", "]>"]  # fmt: skip
    for _ in range(200):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 400)))
        data: str | bytes = html if rng.random() < 0.5 else html.encode("utf-8") + os.urandom(50)
        result = parse_within(data, seconds=60)
        assert isinstance(result, ParseError) or isinstance(result.body, str)
