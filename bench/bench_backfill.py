"""Backfill throughput: pages/s of `aidetl backfill` over generated WARC files.

Also the WARC writer the backfill tests use: records built by hand (WARC/1.0, one gzip
member per record, as Common Crawl writes them), so nothing beyond the runtime pins is needed.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Capture:
    """One record to write: a response (HTTP status, headers, body) or another WARC type."""

    url: str
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    when: datetime = datetime(2021, 6, 1, 8, 0, tzinfo=UTC)
    warc_type: str = "response"
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def http_block(c: Capture) -> bytes:
    reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(c.status, "Status")
    lines = [f"HTTP/1.1 {c.status} {reason}", f"Content-Type: {c.content_type}",
             f"Content-Length: {len(c.body)}", *(f"{k}: {v}" for k, v in c.headers)]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + c.body


def warc_record(c: Capture) -> bytes:
    """One WARC/1.0 record, uncompressed."""
    block = http_block(c) if c.warc_type == "response" else c.body
    kind = "application/http; msgtype=response" if c.warc_type == "response" else "text/plain"
    head = [
        "WARC/1.0",
        f"WARC-Type: {c.warc_type}",
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, c.url + c.when.isoformat())}>",
        f"WARC-Date: {c.when.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"WARC-Target-URI: {c.url}",
        f"Content-Type: {kind}",
        f"Content-Length: {len(block)}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + block + b"\r\n\r\n"


def write_warc(path: Path, captures: Iterable[Capture], compress: bool = True) -> Path:
    """A WARC file of the captures (.warc.gz: each record its own gzip member)."""
    with open(path, "wb") as out:
        for c in captures:
            record = warc_record(c)
            out.write(gzip.compress(record, compresslevel=6, mtime=0) if compress else record)
    return path


def main() -> None:
    raise SystemExit("bench_backfill: not written yet")
