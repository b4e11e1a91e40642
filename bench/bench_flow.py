"""Orchestration overhead: the Prefect ingest flow against the plain pipeline, side by side.

A generated newsroom of PAGES article pages (Chinese text with figures, built in memory from
templates) is served on loopback with ETag/Last-Modified and 304 answers; a sitemap lists
every page. Each contender ingests it into a fresh warehouse: pipeline.run_ingest (plain,
sequential), the `ingest` flow on threads, and the flow with parse + extract on a Dask
LocalCluster. Then the flow runs again over the unchanged site (conditional requests).
Targets: flow/plain ≤ 1.25×; the unchanged rerun ≤ 10% of the first run.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = 2000
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
ORGS = ("中国电信", "国家电网", "中国石化", "京东集团", "阿里巴巴", "中国移动", "华润集团")
PLACES = (
    "甘肃省东乡县",
    "四川省凉山州",
    "宁夏西吉县",
    "贵州省毕节市",
    "河北省张北县",
    "湖南省凤凰县",
)
PARAGRAPHS = (
    "{year}年以来，{org}在{place}累计投入帮扶资金{money}亿元，实施产业项目{n}个。",
    "截至{year}年底，当地建档立卡贫困户{households}户全部脱贫，贫困发生率由{p1}%降至{p2}%。",
    "{org}还组织消费帮扶，采购和帮助销售农产品超{sales}万元，带动{people}名群众增收。",
    "全县新建高标准农田{mu}万亩，修建农村公路{km}公里，自然村通硬化路比例达到{p3}%。",
    "据介绍，今年上半年该县接待游客约{visitors}万人次，旅游收入同比增长{p4}%。",
    "当地负责人表示，下一步将继续巩固拓展脱贫攻坚成果，推动乡村全面振兴。",
)
PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_惠农新闻网</title>
<meta name="publishdate" content="{date} 09:30:00"></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/list/1.html">要闻</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">{date} 09:30　来源：惠农日报　记者 李{n}</div>
<div class="content">{body}</div></div>
<div class="footer">版权所有 惠农新闻网 联系电话 010-12345678</div></body></html>
"""


def make_page(number: int) -> bytes:
    rng = random.Random(number)
    org, place = rng.choice(ORGS), rng.choice(PLACES)
    values = {
        "year": rng.randint(2016, 2023), "org": org, "place": place,
        "money": rng.randint(2, 90) / 2, "n": rng.randint(3, 400),
        "households": rng.randint(500, 90000), "p1": rng.randint(10, 40), "p2": rng.randint(0, 3),
        "sales": rng.randint(100, 9000), "people": rng.randint(100, 50000),
        "mu": rng.randint(1, 30), "km": rng.randint(20, 900), "p3": rng.randint(80, 100),
        "visitors": rng.randint(10, 500), "p4": rng.randint(1, 60),
    }  # fmt: skip
    body = "".join(f"<p>{p.format(**values)}</p>\n" for p in PARAGRAPHS)
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    title = f"{org}帮扶{place}第{number}篇报道"
    return PAGE.format(title=title, date=date, body=body, n=number).encode("utf-8")


def make_site(pages: int) -> dict[str, bytes]:
    site = {f"/news/{i:05d}.html": make_page(i) for i in range(pages)}
    return site


def sitemap(base: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>2024-01-01</lastmod></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


STATUSES = (200, 304, 404)


def make_handler(site: dict[str, bytes], counts) -> type:
    etags = {path: '"' + hashlib.sha1(body).hexdigest()[:16] + '"' for path, body in site.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real sites
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            body = site.get(path)
            if body is None:
                self.reply(404, b"not found", "text/plain")
            elif etags.get(path) and self.headers.get("If-None-Match") == etags[path]:
                self.reply(304, b"", None, etags[path])
            else:
                ctype = "application/xml" if path.endswith(".xml") else "text/html; charset=utf-8"
                if path == "/robots.txt":
                    ctype = "text/plain"
                self.reply(200, body, ctype, etags.get(path))

        def reply(self, status: int, body: bytes, ctype: str | None, etag: str | None = None):
            with counts.get_lock():
                counts[STATUSES.index(status)] += 1
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def run_server(pages: int, conn, counts) -> None:
    """The server process: build the site, report the base URL, serve until terminated."""
    site = make_site(pages)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, counts))
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site["/sitemap.xml"] = sitemap(base, sorted(site))
    site["/robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()
    conn.send(base)
    server.serve_forever()


@contextmanager
def serve_site(pages: int = PAGES) -> Iterator[tuple[str, object]]:
    """The generated newsroom on a loopback port, served by its own process (as a remote site
    would be: its CPU is not ours). Yields the base URL and response counts (200, 304, 404)."""
    ctx = multiprocessing.get_context("spawn")
    counts = ctx.Array("l", len(STATUSES))
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=run_server, args=(pages, child, counts), daemon=True)
    proc.start()
    try:
        if not parent.poll(120):
            raise RuntimeError("the bench newsroom did not start")
        yield parent.recv(), counts
    finally:
        proc.terminate()
        proc.join(10)


def sources_toml(base: str) -> str:
    return f"""[[source]]
name = "bench"
sitemaps = ["{base}/sitemap.xml"]
allowed_domains = ["127.0.0.1"]
delay = 0.0
max_in_flight = 8
"""


def use_warehouse(root: Path, name: str) -> None:
    os.environ["AIDETL_WAREHOUSE"] = str(root / f"{name}.duckdb")
    os.environ["AIDETL_ARCHIVE"] = str(root / f"{name}-raw")


def timed(label: str, fn, pages: int) -> float:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    counts = result if isinstance(result, dict) else result.as_dict()
    print(f"{label:<28} {seconds:7.2f} s  {pages / seconds:8.1f} pages/s  "
          f"(fetched {counts['fetched']}, unchanged {counts['unchanged']}, "
          f"articles {counts['articles']}, new facts {counts['new_facts']})", flush=True)  # fmt: skip
    return seconds


def main(pages: int = PAGES) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from aidetl import pipeline
    from aidetl.config import load_settings
    from flows.ingest import ingest

    print(f"ingest of a generated {pages}-page newsroom on loopback (delay 0, max_in_flight 8)")
    with tempfile.TemporaryDirectory() as tmp, serve_site(pages) as (base, counts):
        root = Path(tmp)
        sources = root / "sources.toml"
        sources.write_text(sources_toml(base), encoding="utf-8")
        use_warehouse(root, "plain")
        settings = load_settings()
        chosen = pipeline.resolve_sources(settings, sources_file=sources)
        plain = timed(
            "plain pipeline.run_ingest", lambda: pipeline.run_ingest(settings, chosen), pages
        )
        with prefect_test_harness(server_startup_timeout=120):
            use_warehouse(root, "flow")
            flow = timed("flow, thread runner", lambda: ingest(sources_file=str(sources)), pages)
            before = counts[STATUSES.index(304)]
            again = timed("flow, unchanged rerun", lambda: ingest(sources_file=str(sources)), pages)
            not_modified = counts[STATUSES.index(304)] - before
            use_warehouse(root, "dask")
            dask = timed(
                "flow, dask runner (2 procs)",
                lambda: ingest(sources_file=str(sources), task_runner="dask"), pages,
            )  # fmt: skip
    print(f"flow/plain time ratio: {flow / plain:.2f}x (target <= 1.25x)")
    print(f"dask flow/plain time ratio: {dask / plain:.2f}x (includes LocalCluster start)")
    print(f"unchanged rerun / first flow run: {100 * again / flow:.1f}% "
          f"(target <= 10%; {not_modified} answered 304)")  # fmt: skip


if __name__ == "__main__":
    main()
