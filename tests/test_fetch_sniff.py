"""Bodies that claim to be pages but are not text are refused before parsing, saying why;
real pages (UTF-8, GBK, a stray control character) pass."""

from __future__ import annotations

import os
import random

import pytest
from servers import Reply, serve

from aidetl.encoding import decode_html
from aidetl.errors import NotTextError
from aidetl.fetch import Fetcher, FetchSettings
from aidetl.models import Source
from aidetl.sniff import check_text

LOCAL = Source("local", allowed_domains=("127.0.0.1",), delay=0.0)
PAGE = (
    "<html><head><title>某公司助力脱贫</title></head><body>"
    + "<p>2018年以来，该公司累计投入扶贫资金超5亿元，帮扶132个村。</p>" * 20
    + "</body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randrange(256) for _ in range(4000))
NOISE = random.Random(7).randbytes(20_000)


def judge(content: bytes, charset: str | None = "utf-8") -> None:
    text, _ = decode_html(content, charset)
    check_text("http://x/p", content, text)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (PNG, "PNG image"),
        (b"%PDF-1.7\n" + NOISE, "PDF document"),
        (b"PK\x03\x04" + NOISE, "ZIP archive"),
        (b"\x00\x00\x00\x18ftypmp42" + NOISE, "MP4"),
        (NOISE, "control characters"),
        (b"<html><body>" + NOISE + b"</body></html>", "control characters"),
    ],
)
def test_binary_is_refused_with_the_reason(content, why):
    with pytest.raises(NotTextError, match=why):
        judge(content)


def test_text_that_is_mostly_undecodable_is_refused():
    text = "<html>" + "\ufffd" * 500 + "正文" * 100 + "</html>"
    with pytest.raises(NotTextError, match="could not be decoded"):
        check_text("http://x/p", text.encode(), text)


@pytest.mark.parametrize(
    ("content", "charset"),
    [
        (PAGE.encode("utf-8"), "utf-8"),
        (PAGE.encode("gbk"), "gbk"),
        (PAGE.encode("gbk"), None),
        (PAGE.replace("助力", "助\x08力", 1).encode("utf-8"), "utf-8"),  # one stray control
        (b"<p>ok</p>", "utf-8"),  # too short to judge by ratios
    ],
)
def test_real_pages_pass(content, charset):
    judge(content, charset)


def test_fetcher_refuses_binary_served_as_html_and_records_why():
    """An image and random bytes served as text/html; charset=utf-8: no page, a NotTextError
    attempt saying why, no retry; the real page beside them is fetched."""
    routes = {
        "/robots.txt": Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/img.html": Reply(body=PNG),
        "/noise.html": Reply(body=os.urandom(30_000)),
        "/page.html": Reply(body=PAGE),
    }
    with serve(routes) as srv:
        f = Fetcher("aidetl-test", FetchSettings(retries=2))
        img, noise, page = (
            f.fetch(srv.url(p), LOCAL) for p in ("/img.html", "/noise.html", "/page.html")
        )
        assert len(srv.hits("/img.html")) == 1
    for outcome, why in ((img, "PNG image"), (noise, "control characters")):
        assert outcome.page is None and type(outcome.error).__name__ == "NotTextError"
        last = outcome.attempts[-1]
        assert last.error_class == "NotTextError" and why in last.error_message
    assert page.ok and "扶贫资金" in page.page.text
