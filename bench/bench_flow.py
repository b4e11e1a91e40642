"""Orchestration overhead: the Prefect ingest flow against the plain pipeline, side by side.

A generated newsroom of PAGES article pages (Chinese text with figures, built in memory from
templates) is served on loopback, by its own process, with ETag/Last-Modified and 304
answers; a sitemap lists every page (a second one lists them without <lastmod>). After a
50-page warm-up of each, the contenders ingest it into fresh warehouses in alternating
rounds: pipeline.run_ingest (plain, sequential) and the `ingest` flow with its default
runner. Then the flow reruns over the unchanged site twice: as it is (sitemap <lastmod> says
nothing changed, so nothing is requested) and through the sitemap without <lastmod>
(every page asked again with If-None-Match: conditional requests alone). Last, once each,
the thread runner and the Dask runner. Wall seconds and CPU seconds (ours, the Prefect
server's and worker processes'; not the newsroom's) are printed for each.
Targets: flow/plain ≤ 1.25×; the unchanged rerun ≤ 10% of the first run.

    .venv/bin/python -m bench flow        # or: make bench
    BENCH_FLOW_PAGES=500 BENCH_FLOW_ROUNDS=1 .venv/bin/python -m bench flow   # quicker
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAGES = int(os.environ.get("BENCH_FLOW_PAGES", "2000"))
ROUNDS = int(os.environ.get("BENCH_FLOW_ROUNDS", "2"))
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


def sitemap(base: str, paths: list[str], lastmod: bool = True) -> bytes:
    stamp = "<lastmod>2024-01-01</lastmod>" if lastmod else ""
    urls = "".join(f"<url><loc>{base}{p}</loc>{stamp}</url>" for p in paths)
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
    articles = sorted(site)
    site["/sitemap.xml"] = sitemap(base, articles)
    site["/sitemap-no-lastmod.xml"] = sitemap(base, articles, lastmod=False)
    site["/robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()
    conn.send(base)
    server.serve_forever()


@contextmanager
def serve_site(pages: int = PAGES) -> Iterator[tuple[str, Any, int]]:
    """The generated newsroom on a loopback port, served by its own process (as a remote site
    would be: its CPU is not ours). Yields the base URL, response counts (200, 304, 404) and
    the server's pid."""
    ctx = multiprocessing.get_context("spawn")
    counts = ctx.Array("l", len(STATUSES))
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=run_server, args=(pages, child, counts), daemon=True)
    proc.start()
    try:
        if not parent.poll(120):
            raise RuntimeError("the bench newsroom did not start")
        yield parent.recv(), counts, proc.pid or 0
    finally:
        proc.terminate()
        proc.join(10)


def sources_toml(base: str, sitemap_path: str = "/sitemap.xml") -> str:
    return f"""[[source]]
name = "bench"
sitemaps = ["{base}{sitemap_path}"]
allowed_domains = ["127.0.0.1"]
delay = 0.0
max_in_flight = 8
"""


def use_warehouse(root: Path, name: str) -> None:
    os.environ["AIDETL_WAREHOUSE"] = str(root / f"{name}.duckdb")
    os.environ["AIDETL_ARCHIVE"] = str(root / f"{name}-raw")


def cpu_seconds(exclude: set[int]) -> float:
    """CPU of this process, its finished children, and its live descendants (the Prefect
    server, worker processes) except `exclude` (the newsroom: a remote site's CPU is not ours)."""
    import psutil

    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    for child in psutil.Process().children(recursive=True):
        if child.pid in exclude:
            continue
        try:
            times = child.cpu_times()
        except psutil.Error:  # ended while we looked
            continue
        total += times.user + times.system
    return total


@dataclass
class Timing:
    label: str
    seconds: float
    cpu: float
    counts: dict


def timed(label: str, fn, pages: int, exclude: frozenset[int] | set[int] = frozenset()) -> Timing:
    cpu, started = cpu_seconds(set(exclude)), time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(set(exclude)) - cpu
    counts = result if isinstance(result, dict) else result.as_dict()
    print(f"{label:<34} {seconds:7.2f} s  {pages / seconds:7.1f} pages/s  CPU {cpu:6.2f} s  "
          f"(fetched {counts['fetched']}, unchanged {counts['unchanged']}, "
          f"articles {counts['articles']}, new facts {counts['new_facts']})", flush=True)  # fmt: skip
    return Timing(label, seconds, cpu, counts)


def main(pages: int = PAGES, rounds: int = ROUNDS) -> None:
    """Warm both contenders up, then time them in alternating rounds on fresh warehouses.

    Warm-up: a 50-page run of each first, so neither pays first-use costs (imports, the
    Prefect server's first requests, DuckDB's first file) inside the timing. Alternating
    rounds spread the machine's noise over both; the ratio is of the summed times.
    """
    from prefect.testing.utilities import prefect_test_harness

    from aidetl import pipeline, sequencer
    from aidetl.config import load_settings
    from aidetl_flows.ingest import ingest

    print(f"ingest of a generated {pages}-page newsroom on loopback (delay 0, max_in_flight 8), "
          f"{rounds} alternating rounds after a warm-up; {os.cpu_count()} cores")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, serve_site(pages) as (base, counts, site_pid):
        root = Path(tmp)
        sources = root / "sources.toml"
        sources.write_text(sources_toml(base), encoding="utf-8")
        no_lastmod = root / "sources-no-lastmod.toml"
        no_lastmod.write_text(sources_toml(base, "/sitemap-no-lastmod.xml"), encoding="utf-8")
        site = {site_pid}

        def plain(name: str, limit: int | None = None):
            use_warehouse(root, name)
            settings = load_settings()
            chosen = pipeline.resolve_sources(settings, sources_file=sources)
            return sequencer.run_ingest(settings, chosen, limit=limit)

        def flow(name: str, file: Path = sources, **params):
            use_warehouse(root, name)
            return ingest(sources_file=str(file), **params)

        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no calls out
        with prefect_test_harness(server_startup_timeout=120):
            plain("warm-plain", limit=50)
            flow("warm-flow", limit=50)
            plains, flows = [], []
            for n in range(rounds):
                run_plain = functools.partial(plain, f"plain{n}")
                run_flow = functools.partial(flow, f"flow{n}")
                plains.append(timed(f"plain pipeline.run_ingest #{n + 1}", run_plain, pages, site))
                flows.append(timed(f"flow, default runner #{n + 1}", run_flow, pages, site))
            before = counts[STATUSES.index(304)]
            again = timed("flow, unchanged rerun (lastmod)", lambda: flow("flow0"), pages, site)
            skipped_requests = counts[STATUSES.index(304)] - before
            before = counts[STATUSES.index(304)]
            conditional = timed(
                "flow, unchanged rerun (304s)", lambda: flow("flow0", no_lastmod), pages, site
            )
            not_modified = counts[STATUSES.index(304)] - before
            thread = timed(
                "flow, thread runner", lambda: flow("thread", task_runner="thread"), pages, site
            )
            dask = timed(
                "flow, dask runner (2 procs)", lambda: flow("dask", task_runner="dask"), pages, site
            )
    plain_s, flow_s = sum(t.seconds for t in plains), sum(t.seconds for t in flows)
    plain_cpu, flow_cpu = sum(t.cpu for t in plains), sum(t.cpu for t in flows)
    per_round = ", ".join(
        f"{f.seconds / p.seconds:.2f}x" for p, f in zip(plains, flows, strict=True)
    )
    print(f"flow/plain time ratio: {flow_s / plain_s:.2f}x (target <= 1.25x; rounds {per_round})")
    print(f"flow/plain CPU ratio:  {flow_cpu / plain_cpu:.2f}x (flow CPU includes the Prefect "
          f"server's and the worker processes')")  # fmt: skip
    print(f"thread runner/plain:   {thread.seconds / (plain_s / rounds):.2f}x; "
          f"dask runner/plain: {dask.seconds / (plain_s / rounds):.2f}x (includes LocalCluster start)")  # fmt: skip
    first = flows[0].seconds
    print(f"unchanged rerun / first flow run: {100 * again.seconds / first:.1f}% with sitemap "
          f"lastmod ({skipped_requests} requests answered 304: unchanged pages are not requested); "
          f"{100 * conditional.seconds / first:.1f}% by conditional requests alone "
          f"({not_modified} answered 304) (target <= 10%)")  # fmt: skip


if __name__ == "__main__":
    main()
