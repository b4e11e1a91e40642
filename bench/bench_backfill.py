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
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
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
    """Start `dask scheduler` and `workers` × `dask worker` (one thread each, aidetl.backfill
    preloaded) on 127.0.0.1 with the venv's dask CLI; stop them all (SIGTERM, then SIGKILL)
    on leaving."""
    dask = str(Path(sys.executable).with_name("dask"))
    info = workdir / "scheduler.json"
    info.unlink(missing_ok=True)
    procs = [quiet([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(info)])]  # fmt: skip
    try:
        address = wait_for_scheduler(info, timeout)
        for _ in range(workers):
            # --preload: a long-lived worker imports the parser and extractor once, when it
            # starts (as docs/backfill.md advises), not on a backfill's first task
            procs.append(quiet([dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                "--no-dashboard", "--memory-limit", "0",
                                "--preload", "aidetl.backfill"]))  # fmt: skip
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


PAGES = int(os.environ.get("BENCH_BACKFILL_PAGES", "20000"))
FILES = 8  # the unit of work on Dask is a file: enough of them for two workers to share
HOST = "news.bench.test"


def generate(root: Path, pages: int, files: int = FILES) -> list[Path]:
    """`pages` generated articles (bench.sitegen's) over `files` .warc.gz files."""
    from bench.sitegen import render_article

    per = -(-pages // files)
    paths = []
    for k in range(files):
        numbers = range(k * per, min(pages, (k + 1) * per))
        captures = (
            Capture(f"http://{HOST}/news/{n}.html", render_article(n).encode()) for n in numbers
        )
        paths.append(write_warc(root / f"gen-{k}.warc.gz", captures))
    return paths


def floor_fastwarc(paths: list[Path]) -> int:
    """Every response record's payload read with fastwarc alone: what reading costs."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    count = 0
    for path in paths:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream, record_types=WarcRecordType.response):
                record.reader.read()
                count += 1
    return count


def floor_warcio(paths: list[Path]) -> int | None:
    """The same with warcio (requirements-bench), the library fastwarc was chosen over."""
    try:
        from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
    except ImportError:
        return None
    count = 0
    for path in paths:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    record.content_stream().read()
                    count += 1
    return count


class PeakRss:
    """The largest RSS seen of each process in a set, sampled every `every` seconds."""

    def __init__(self, pids: Callable[[], set[int]], every: float = 0.25) -> None:
        self.pids, self.every = pids, every
        self.peak: dict[tuple[int, str], int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self) -> None:
        while not self.done.wait(self.every):
            for pid in self.pids():
                try:
                    proc = psutil.Process(pid)
                    rss, name = proc.memory_info().rss, " ".join(proc.cmdline()[1:3])
                except psutil.Error:
                    continue
                self.peak[(pid, name)] = max(self.peak.get((pid, name), 0), rss)

    def __enter__(self) -> PeakRss:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU seconds the processes have used so far (those still alive)."""
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


@dataclass
class Timing:
    """One backfill command: wall seconds, its CPU seconds and peak RSS (bytes)."""

    seconds: float
    cpu: float
    rss: int


def backfill_cli(root: Path, paths: list[Path], name: str, address: str | None) -> Timing:
    """`aidetl backfill --plain` (on `address` when given) into a fresh warehouse; wall
    seconds, the command's own CPU seconds and peak RSS. CPU is steadier than wall time
    on a machine other work shares."""
    argv = [str(Path(sys.executable).with_name("aidetl")), "backfill", *map(str, paths),
            "--domain", HOST, "--plain", "--warehouse", str(root / f"{name}.duckdb"),
            "--archive", str(root / f"{name}-raw"), "--sources", str(root / "none.toml")]  # fmt: skip
    if address:
        argv += ["--dask-address", address]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: aidetl backfill exited {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return Timing(time.perf_counter() - started, cpu, usage.ru_maxrss * 1024)


def main(pages: int = PAGES) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-backfill-") as tmp:
        root = Path(tmp)
        paths = generate(root, pages)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{pages} pages in {len(paths)} .warc.gz files ({size:.0f} MB)")
        rows: list[tuple[str, float, str]] = []
        for label, floor in (
            ("fastwarc alone (floor)", floor_fastwarc),
            ("warcio alone", floor_warcio),
        ):
            started = time.perf_counter()
            if floor(paths) is not None:
                rows.append((label, pages / (time.perf_counter() - started), ""))
        single = backfill_cli(root, paths, "single", None)
        rows.append(("backfill, one process", pages / single.seconds,
                     f"CPU {1e3 * single.cpu / pages:.1f} ms/page; "
                     f"peak RSS {single.rss / 1e6:.0f} MB"))  # fmt: skip
        for workers in (1, 2):
            with dask_cluster(workers, root) as cluster, PeakRss(cluster.pids) as meter:
                before = cpu_seconds(cluster.pids())
                run = backfill_cli(root, paths, f"dask{workers}", cluster.address)
                used = cpu_seconds(cluster.pids()) - before
            worst = max(meter.peak.values(), default=0)  # a worker's: the scheduler is small
            rows.append((f"backfill, Dask {workers} worker(s)", pages / run.seconds,
                         f"CPU flow {1e3 * run.cpu / pages:.1f} + cluster "
                         f"{1e3 * used / pages:.1f} ms/page; peak RSS flow "
                         f"{run.rss / 1e6:.0f} MB, largest cluster process {worst / 1e6:.0f} MB"))  # fmt: skip
        floor_rate = rows[0][1]
        one = next(r[1] for r in rows if "Dask 1" in r[0])
        for label, rate, note in rows:
            print(f"{label:32s} {rate:10.0f} pages/s  {rate / floor_rate:7.4f}x floor  {note}")
        two = next(r[1] for r in rows if "Dask 2" in r[0])
        print(f"Dask 2 workers / 1 worker: {two / one:.2f}x")
