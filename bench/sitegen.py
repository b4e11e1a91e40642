"""A generated news site on loopback, served from its own process: as many pages as asked.

    python -m bench.sitegen --pages 20000        # prints "PORT 43121" once listening

    with serve_site(600) as site:                 # the same, started as a subprocess
        site.base, site.sitemap                   # http://127.0.0.1:PORT, …/sitemap_index.xml

The site has /robots.txt (allow all), /sitemap_index.xml listing /sitemaps/K.xml, each a
urlset of up to SITEMAP_SIZE article URLs, and /news/N.html for N in 0..pages-1: an
article rendered on the fly from a few templates with figures that vary with N, so every
page has its own body and its own facts. Nothing is stored: memory does not grow with
`pages`. The server is threaded, keeps connections alive and answers in well under a
millisecond, so the client's cost is what a benchmark measures. It runs in a separate
process so the client's RSS is measured alone.
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITEMAP_SIZE = 1000
FIRST_DAY = date(2016, 1, 1)
ORGS = (
    "中国电信",
    "国家电网",
    "中国石化",
    "中国移动",
    "招商银行",
    "中国农业银行",
    "京东集团",
    "阿里巴巴",
)
PLACES = (
    "云南省怒江州",
    "贵州省毕节市",
    "甘肃省临夏州",
    "四川省凉山州",
    "河北省张北县",
    "宁夏西吉县",
)
# Paragraph templates; {a}…{f} are filled with numbers that vary with the page number.
PARAGRAPHS = (
    "{year}年以来，{org}在{place}累计投入扶贫专项资金超{a}亿元，实施帮扶项目{b}个，"
    "惠及建档立卡贫困户{c}户。",
    "据统计，当地已有{d}个贫困村全部出列，贫困发生率从{e}%下降到{f}%，"
    "农村居民人均可支配收入达到{g}元。",
    "{org}还通过消费扶贫采购农产品{h}万元，带动{i}名贫困群众就业，"
    "新建高标准农田{j}亩，硬化道路{k}公里。",
    "在教育帮扶方面，{org}设立助学基金{l}万元，资助学生{m}人次，"
    "培训乡村教师约{n}名，新建希望小学{o}所。",
    "下一步，{org}计划再投入{p}亿元，力争在{q}个村实现宽带网络全覆盖，覆盖率提高到{r}%以上。",
)
PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_扶贫日报</title></head>
<body><div class="topbar"><a href="/">首页</a> <a href="/sitemap_index.xml">网站地图</a></div>
<div class="main"><div class="article"><h1 class="title">{title}</h1>
<div class="meta"><span class="source">来源：扶贫日报</span><span class="author">作者：{author}</span>
<span class="time">{day} 09:{minute:02d}</span></div>
<div class="content" id="article-body">
{body}
<p class="editor">（责任编辑：王{author}）</p>
</div></div>
<aside class="sidebar"><h3>热点新闻</h3><ol>{related}</ol></aside></div>
<footer class="footer"><p>Copyright 2016-2024 扶贫日报 版权所有</p></footer>
</body></html>
"""


def page_day(n: int) -> date:
    return FIRST_DAY + timedelta(days=n % 3000)


def render_article(n: int) -> str:
    """The HTML of article `n` (deterministic: the same n always gives the same page)."""
    rnd = random.Random(n)
    org, place = ORGS[n % len(ORGS)], PLACES[n % len(PLACES)]
    numbers = {
        "year": 2014 + n % 6, "org": org, "place": place, "a": rnd.randint(2, 90),
        "b": rnd.randint(10, 900), "c": rnd.randint(1000, 90000), "d": rnd.randint(5, 300),
        "e": rnd.randint(10, 40), "f": rnd.randint(1, 9), "g": rnd.randint(6000, 16000),
        "h": rnd.randint(100, 9000), "i": rnd.randint(100, 5000), "j": rnd.randint(500, 20000),
        "k": rnd.randint(10, 800), "l": rnd.randint(50, 900), "m": rnd.randint(100, 9000),
        "n": rnd.randint(10, 500), "o": rnd.randint(1, 30), "p": rnd.randint(1, 20),
        "q": rnd.randint(10, 500), "r": rnd.randint(90, 99),
    }  # fmt: skip
    count = 3 + n % 3
    start = n % len(PARAGRAPHS)
    paragraphs = [PARAGRAPHS[(start + i) % len(PARAGRAPHS)] for i in range(count)]
    body = "\n".join(f"<p>{p.format(**numbers)}</p>" for p in paragraphs)
    related = "".join(
        f'<li><a href="/news/{(n + k) % 997}.html">相关报道{(n + k) % 997}</a></li>'
        for k in (1, 2, 3)
    )
    title = f"{org}助力{place}脱贫攻坚 第{n}号报道"
    return PAGE.format(
        title=title, author=f"记者{n % 97}", day=page_day(n).isoformat(), minute=n % 60,
        body=body, related=related,
    )  # fmt: skip


def sitemap_index(base: str, pages: int) -> str:
    parts = [
        f"<sitemap><loc>{base}/sitemaps/{k}.xml</loc></sitemap>"
        for k in range(sitemap_count(pages))
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(parts)
        + "</sitemapindex>"
    )


def sitemap(base: str, pages: int, k: int) -> str:
    first, last = k * SITEMAP_SIZE, min(pages, (k + 1) * SITEMAP_SIZE)
    parts = [
        f"<url><loc>{base}/news/{n}.html</loc><lastmod>{page_day(n).isoformat()}</lastmod></url>"
        for n in range(first, last)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(parts)
        + "</urlset>"
    )


def sitemap_count(pages: int) -> int:
    return max(1, -(-pages // SITEMAP_SIZE))


def answer_for(path: str, base: str, pages: int) -> tuple[int, str, str]:
    """(status, content type, body) for a request path."""
    path = path.split("?", 1)[0]
    if path == "/robots.txt":
        return 200, "text/plain", "User-agent: *\nAllow: /\n"
    if path == "/sitemap_index.xml":
        return 200, "application/xml", sitemap_index(base, pages)
    if path.startswith("/sitemaps/") and path.endswith(".xml"):
        k = number_in(path, "/sitemaps/", ".xml")
        if k is not None and k < sitemap_count(pages):
            return 200, "application/xml", sitemap(base, pages, k)
    if path.startswith("/news/") and path.endswith(".html"):
        n = number_in(path, "/news/", ".html")
        if n is not None and n < pages:
            return 200, "text/html; charset=utf-8", render_article(n)
    return 404, "text/plain", "not found"


def number_in(path: str, prefix: str, suffix: str) -> int | None:
    middle = path[len(prefix) : -len(suffix)]
    return int(middle) if middle.isdigit() else None


def make_handler(pages: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802 - the http.server naming
            host, port = self.server.server_address[:2]  # type: ignore[index,misc,str-unpack]
            status, ctype, text = answer_for(self.path, f"http://{host}:{port}", pages)
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def run_server(pages: int, port: int = 0) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", port), make_handler(pages))
    httpd.daemon_threads = True
    print(f"PORT {httpd.server_address[1]}", flush=True)
    httpd.serve_forever(poll_interval=0.1)


@dataclass(frozen=True, slots=True)
class Site:
    """A running generated site."""

    base: str
    pages: int
    process: subprocess.Popen

    @property
    def sitemap(self) -> str:
        return self.base + "/sitemap_index.xml"

    def article_url(self, n: int) -> str:
        return f"{self.base}/news/{n}.html"


@contextmanager
def serve_site(pages: int) -> Iterator[Site]:
    """Start the generated site in a child process; stop it when the block ends."""
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sitegen", "--pages", str(pages)],
        cwd=root, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"site generator did not start: {line!r}")
        yield Site(f"http://127.0.0.1:{int(line.split()[1])}", pages, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="serve a generated news site on 127.0.0.1")
    parser.add_argument("--pages", type=int, default=2000, help="number of articles")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free one)")
    args = parser.parse_args(argv)
    run_server(args.pages, args.port)


if __name__ == "__main__":
    main()
