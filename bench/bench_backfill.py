"""Backfill throughput: pages/s of `aidetl backfill` over generated WARC files.

Also the WARC writer the backfill tests use: records built by hand (WARC/1.0, one gzip
member per record, as Common Crawl writes them), so nothing beyond the runtime pins is needed.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil


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


@dataclass
class Cluster:
    """A real Dask cluster on loopback: a `dask scheduler` and `dask worker` processes."""

    address: str
    processes: list[subprocess.Popen]

    def pids(self) -> set[int]:
        """Every live process of the cluster (workers' nannies start children)."""
        found = set()
        for proc in self.processes:
            try:
                parent = psutil.Process(proc.pid)
                found |= {parent.pid} | {c.pid for c in parent.children(recursive=True)}
            except psutil.NoSuchProcess:
                continue
        return found


@contextmanager
def dask_cluster(workers: int, workdir: Path, timeout: float = 120.0) -> Iterator[Cluster]:
    """Start `dask scheduler` and `workers` × `dask worker` (one thread each) on 127.0.0.1
    with the venv's dask CLI; stop them all (SIGTERM, then SIGKILL) on leaving."""
    dask = str(Path(sys.executable).with_name("dask"))
    info = workdir / "scheduler.json"
    info.unlink(missing_ok=True)
    procs = [quiet([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(info)])]  # fmt: skip
    try:
        address = wait_for_scheduler(info, timeout)
        for _ in range(workers):
            procs.append(quiet([dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                "--no-dashboard", "--memory-limit", "0"]))  # fmt: skip
        wait_for_workers(address, workers, timeout)
        yield Cluster(address, procs)
    finally:
        stop(procs)


def quiet(argv: list[str]) -> subprocess.Popen:
    """A cluster process in a session of its own (stopped with its children), silent."""
    return subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def wait_for_scheduler(info: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if info.exists():
            try:
                return str(json.loads(info.read_text())["address"])
            except (ValueError, KeyError):
                pass
        time.sleep(0.2)
    raise TimeoutError("dask scheduler did not start")


def wait_for_workers(address: str, count: int, timeout: float) -> None:
    from distributed import Client

    with Client(address, timeout=timeout, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=timeout)


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):  # workers first, the scheduler last
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in reversed(procs):
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def main() -> None:
    raise SystemExit("bench_backfill: not written yet")
