"""The bundled demo newsroom, served on loopback, and the demo run around it.

The demo's URLs must be the same on every run, or a second `aidetl demo` would find 16
"new" articles under a new port. The server binds an ephemeral loopback port (a fixed one
could be taken, by another checkout's demo or a test), but the pages are published under
one canonical origin, DEMO_ORIGIN, on a `.test` host that never resolves (RFC 6761). The
same server answers as an HTTP proxy for that origin, and `proxy_environment` points the
run's HTTP clients at it through the standard `http_proxy` variable, which requests honours:
the pipeline and the flow need no demo-specific code, and nothing reaches the network.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

NEWSROOM = Path(str(resources.files("aidetl") / "newsroom"))
# Where the demo's pages live, whatever port serves them: http://newsroom.aidetl.test/rss.xml
DEMO_ORIGIN = "http://newsroom.aidetl.test"
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY")
NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")
# Loopback stays direct: Prefect's temporary API server listens there.
DIRECT_HOSTS = ("127.0.0.1", "localhost", "::1")
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
    """A running newsroom: its base URL, the loopback address serving it, every request."""

    base: str
    requests: list[str]
    address: str = ""

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


def local_path(request_target: str, base: str) -> str | None:
    """The path of a request: as sent to a server, or in absolute form as sent to a proxy.

    A proxy request for any origin but `base` gets None (this is no open proxy).
    """
    if not request_target.startswith(("http://", "https://")):
        return request_target
    parts, ours = urlsplit(request_target), urlsplit(base)
    if (parts.scheme, parts.netloc) != (ours.scheme, ours.netloc):
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def make_handler(root: Path, log_list: list[str], base_ref: list[str]) -> type:
    class NewsroomHandler(BaseHTTPRequestHandler):
        server_version = "aidetl-newsroom/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = local_path(self.path, base_ref[0])
            if path is None:
                self.send_error(403, "only the demo newsroom is served here")
                return
            log_list.append(path)
            found = read_file(root, path, base_ref[0])
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
def serve_newsroom(
    root: Path = NEWSROOM, host: str = "127.0.0.1", origin: str | None = None
) -> Iterator[Served]:
    """Serve `root` on an ephemeral loopback port for the duration of the block.

    With `origin`, pages are published under that origin (Served.base) and the server also
    answers proxy requests for it; without, the base is the loopback address itself.
    """
    requests: list[str] = []
    base_ref = [""]
    server = ThreadingHTTPServer((host, 0), make_handler(root, requests, base_ref))
    address = f"http://{host}:{server.server_address[1]}"
    base_ref[0] = origin.rstrip("/") if origin else address
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="newsroom")
    thread.start()
    try:
        yield Served(base=base_ref[0], requests=requests, address=address)
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def proxy_environment(proxy: str, direct: tuple[str, ...] = ()) -> Iterator[None]:
    """Send this process's (and its children's) plain-HTTP requests through `proxy`.

    Loopback and the `direct` hosts (a configured Prefect server's) stay direct; the
    variables are restored when the block ends.
    """
    saved = {name: os.environ.get(name) for name in PROXY_VARIABLES + NO_PROXY_VARIABLES}
    existing = [h for h in (saved["no_proxy"] or saved["NO_PROXY"] or "").split(",") if h]
    bypass = ",".join(dict.fromkeys([*DIRECT_HOSTS, *direct, *existing]))
    os.environ.update({name: proxy for name in PROXY_VARIABLES})
    os.environ.update({name: bypass for name in NO_PROXY_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
