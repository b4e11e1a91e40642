"""Fetcher overhead against a bare requests.Session().get loop, same 500 loopback pages, same run.

python -m bench fetch   (or: .venv/bin/python -c "import bench.bench_fetch as b; b.main()")
"""

from __future__ import annotations

import multiprocessing
import socket
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from aidetl.archive import Archive
from aidetl.fetch import Fetcher, FetchSettings
from aidetl.models import Source

PAGES = 500
ROUNDS = 5
PARAGRAPH = "<p>2018年以来，累计投入扶贫专项捐赠资金超5亿元，帮助12.3万户贫困户稳定脱贫。</p>\n"


def page_body(i: int) -> bytes:
    return (
        f"<html><head><title>第{i}篇</title></head><body>{PARAGRAPH * 200}</body></html>".encode()
    )


def serve_pages(port_queue) -> None:
    """The page server, run in a child process so it does not share the client's GIL."""
    bodies = {f"/news/{i}.html": page_body(i) for i in range(PAGES)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()  # no Nagle: headers and body go out as written, no 40 ms stalls
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever(0.05)


def start_server() -> tuple[Any, int]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=serve_pages, args=(queue,), daemon=True)
    process.start()
    return process, queue.get(timeout=30)


def run_plain(urls: list[str]) -> tuple[float, float]:
    session = requests.Session()
    started, cpu = time.perf_counter(), time.process_time()
    for url in urls:
        response = session.get(url, timeout=(5.0, 20.0))
        response.raise_for_status()
        assert response.text  # decoded, as a page must be (charset from the header)
    return time.perf_counter() - started, time.process_time() - cpu


def run_fetcher(urls: list[str], archive: Archive | None = None) -> tuple[float, float]:
    fetcher = Fetcher("aidetl-bench", FetchSettings(delay_override=0.0), archive=archive)
    source = Source("bench", allowed_domains=("127.0.0.1",), delay=0.0)
    started, cpu = time.perf_counter(), time.process_time()
    for url in urls:
        outcome = fetcher.fetch(url, source)
        assert outcome.page is not None, outcome.error
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    process, port = start_server()
    urls = [f"http://127.0.0.1:{port}/news/{i}.html" for i in range(PAGES)]
    try:
        plain, fetched = [], []
        for _ in range(ROUNDS):  # interleaved, best of each: machine noise hits both alike
            plain.append(run_plain(urls))
            fetched.append(run_fetcher(urls))
        with tempfile.TemporaryDirectory() as tmp:
            archived, _ = run_fetcher(urls, Archive(tmp))
    finally:
        process.terminate()
        process.join(5)
    (wall_plain, cpu_plain), (wall_fetch, cpu_fetch) = min(plain), min(fetched)
    cpu_plain, cpu_fetch = min(c for _, c in plain), min(c for _, c in fetched)
    print(f"{PAGES} pages of {len(page_body(0)) / 1024:.0f} KiB from a loopback server process,")
    print(f"best of {ROUNDS} interleaved rounds (client CPU in µs/page)")
    print(
        f"Session().get(...).text loop: {PAGES / wall_plain:7.0f} pages/s  {cpu_plain / PAGES * 1e6:6.0f} µs CPU/page"
    )
    print(
        f"Fetcher.fetch (delay 0)     : {PAGES / wall_fetch:7.0f} pages/s  {cpu_fetch / PAGES * 1e6:6.0f} µs CPU/page"
    )
    print(f"Fetcher.fetch + Archive     : {PAGES / archived:7.0f} pages/s  (one round)")
    print(
        f"overhead ratio Fetcher/plain: {wall_fetch / wall_plain:.2f}x wall, {cpu_fetch / cpu_plain:.2f}x CPU (target <= 1.2x)"
    )


if __name__ == "__main__":
    main()
