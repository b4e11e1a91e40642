"""A misbehaving site on two loopback hosts, for whole runs (tests and the wall-time check).

Host A (127.0.0.1) has three good pages, a PNG and random bytes served as HTML, a page whose
body drips forever, one whose headers drip, and a sitemap index that lists itself. Host B
(127.0.0.2) has two good pages. The sources file gives the budgets (short ones for tests).
"""

from __future__ import annotations

import os
import random
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from servers import FixtureServer, Reply, serve

XML = "application/xml"
ROBOTS = Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")
SHORT_BUDGETS = """connect_timeout = 1
first_byte_timeout = 1
read_timeout = 1
attempt_timeout = 2
url_budget = 3
host_budget = 20
"""
COMPANIES = ["中国电信", "国家电网", "中国移动", "建设银行", "中国石化"]
PLACES = ["凉山州", "延川县", "镇雄县", "东乡县", "凤凰县"]


def good_page(i: int) -> str:
    """A distinct article with figures: company, place and numbers differ page to page."""
    who, where = COMPANIES[i], PLACES[i]
    paragraphs = "".join(
        f"<p>{2015 + i}年以来，{who}在{where}累计投入扶贫资金{i * 7 + 3}亿元，帮扶{100 + i * 13}个村，"
        f"惠及贫困户{9000 + i * 977}户，第{j}期项目新建道路{40 + j + i}公里。</p>"
        for j in range(1, 4)
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{who}助力{where}脱贫</title>'
        f'</head><body><div class="article"><h1>{who}助力{where}脱贫攻坚</h1>'
        f'<div class="meta"><span class="time">2020-0{i + 1}-18 10:00</span></div>'
        f'<div class="content">{paragraphs}</div></div></body></html>'
    )


def urlset(*locs: str) -> str:
    items = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'


def index(*locs: str) -> str:
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    )


@dataclass
class Site:
    a: FixtureServer
    b: FixtureServer
    sources: Path

    @property
    def good(self) -> list[str]:
        return [self.a.url(f"/g{i}.html") for i in range(3)] + [
            self.b.url(f"/h{i}.html") for i in range(2)
        ]

    @property
    def bad(self) -> dict[str, str]:
        """URL → the error class its last attempt must carry."""
        return {
            self.a.url("/img.html"): "NotTextError",
            self.a.url("/noise.html"): "NotTextError",
            self.a.url("/drip.html"): "AttemptTimeout",
            self.a.url("/slowhead.html"): "FirstByteTimeout",
        }


def routes_a(base: str) -> dict:
    pages = [f"{base}/g{i}.html" for i in range(3)]
    pages += [f"{base}/{p}.html" for p in ("img", "noise", "drip", "slowhead")]
    png = b"\x89PNG\r\n\x1a\n" + random.Random(3).randbytes(5000)
    return {
        "/robots.txt": ROBOTS,
        "/index.xml": Reply(body=index(f"{base}/index.xml", f"{base}/pages.xml"), content_type=XML),
        "/pages.xml": Reply(body=urlset(*pages), content_type=XML),
        **{f"/g{i}.html": Reply(body=good_page(i)) for i in range(3)},
        "/img.html": Reply(body=png),
        "/noise.html": Reply(body=os.urandom(40_000)),
        # 256 bytes every 0.2 s, 2 MB in all: never silent, never over the size limit, ~30 min
        "/drip.html": Reply(
            body=b"<html>", stream_bytes=2_000_000, chunk_size=256, chunk_delay=0.2
        ),
        # a header line every 0.5 s (http.client takes at most 100): 50 s for the headers
        "/slowhead.html": Reply(body=good_page(4), header_drip=0.5, header_lines=99),
    }


def routes_b(base: str) -> dict:
    pages = [f"{base}/h{i}.html" for i in range(2)]
    return {
        "/robots.txt": ROBOTS,
        "/sitemap.xml": Reply(body=urlset(*pages), content_type=XML),
        **{
            f"/h{i}.html": Reply(body=good_page(3 + i).replace("2020-0", "2021-0"))
            for i in range(2)
        },
    }


def sources_toml(a: str, b: str, budgets: str) -> str:
    return f"""[defaults]
delay = 0.0
{budgets}
[[source]]
name = "hostile-a"
sitemaps = ["{a}/index.xml"]
allowed_domains = ["127.0.0.1"]

[[source]]
name = "calm-b"
sitemaps = ["{b}/sitemap.xml"]
allowed_domains = ["127.0.0.2"]
"""


@contextmanager
def hostile_site(tmp: Path, budgets: str = SHORT_BUDGETS):
    with ExitStack() as stack:
        a = stack.enter_context(serve({}))
        b = stack.enter_context(serve({}, host="127.0.0.2"))
        # politeness and budgets are per host: the site is worth nothing on a single host
        assert urlsplit(a.base).hostname != urlsplit(b.base).hostname, "needs two hosts"
        a.routes.update(routes_a(a.base))
        b.routes.update(routes_b(b.base))
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(a.base, b.base, budgets), encoding="utf-8")
        yield Site(a, b, sources)
