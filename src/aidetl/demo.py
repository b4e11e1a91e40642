"""The bundled demo newsroom, served on loopback, and the demo run around it."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

NEWSROOM = Path(str(resources.files("aidetl") / "newsroom"))
PLACEHOLDER = b"{{BASE}}"
# Files whose names end like this are GBK bytes served with no charset (as many sites do).
GBK_SUFFIX = ".gbk.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


@dataclass(frozen=True, slots=True)
class Served:
    """A running newsroom: its base URL and every request it answered."""

    base: str
    requests: list[str]

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")


def content_type(path: Path) -> str:
    if path.name.endswith(GBK_SUFFIX):
        return "text/html"
    if path.name == "rss.xml":
        return "application/rss+xml"
    return (
        CONTENT_TYPES.get(path.suffix)
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


def read_file(root: Path, url_path: str, base: str) -> tuple[bytes, str] | None:
    """The bytes and content type for a request path, or None when there is no such file."""
    relative = url_path.split("?", 1)[0].lstrip("/") or "index.html"
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    body = path.read_bytes()
    if path.suffix in (".xml", ".txt"):
        body = body.replace(PLACEHOLDER, base.encode("ascii"))
    return body, content_type(path)


def make_handler(root: Path, log_list: list[str], base_ref: list[str]) -> type:
    class NewsroomHandler(BaseHTTPRequestHandler):
        server_version = "aidetl-newsroom/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            log_list.append(self.path)
            found = read_file(root, self.path, base_ref[0])
            if found is None:
                self.send_error(404)
                return
            body, ctype = found
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("newsroom: " + format, *args)

    return NewsroomHandler


@contextmanager
def serve_newsroom(root: Path = NEWSROOM, host: str = "127.0.0.1") -> Iterator[Served]:
    """Serve `root` on an ephemeral loopback port for the duration of the block."""
    requests: list[str] = []
    base_ref = [""]
    server = ThreadingHTTPServer((host, 0), make_handler(root, requests, base_ref))
    base_ref[0] = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="newsroom")
    thread.start()
    try:
        yield Served(base=base_ref[0], requests=requests)
    finally:
        server.shutdown()
        server.server_close()


def demo_sources_toml(base: str) -> str:
    """The sources file describing the served newsroom (no politeness delay: it is ours)."""
    host = base.split("//", 1)[1].split(":", 1)[0]
    return f"""# The bundled demo newsroom, served at {base}
[[source]]
name = "demo"
feeds = ["{base}/rss.xml"]
sitemaps = ["{base}/sitemap.xml"]
allowed_domains = ["{host}"]
delay = 0.0
max_in_flight = 4
profile = "demo"

[[source.list_pages]]
url = "{base}/list/1.html"
link_pattern = '/(articles|private)/[^"#?]+[.]html$'
next_pattern = '/list/[0-9]+[.]html$'
max_pages = 10
"""
