"""Backfill: pages from web archives (WARC files) through the same parse → extract → load
path as crawled pages, resumable, on this machine or spread over a Dask cluster.

A WARC record stands in for an HTTP fetch: an HTML `response` with status 200 on an allowed
host becomes a Page (decoded by encoding.decode_html, as fetching does) and a FetchAttempt
naming the WARC file and the record's offset, with WARC-Date as when it was fetched and its
raw bytes in the archive. From there it is a crawled page: pipeline.process_batch, then
one all-or-nothing load per chunk of records.

A file is read as a stream (a local file or an http(s) URL, from an offset), never whole,
in chunks of at most PAGES_PER_CHUNK pages or RECORDS_PER_CHUNK records. Each chunk's load
carries a row of the `backfill_files` ledger (warehouse/008_backfill.sql) saying where the
next unread record starts, in the same transaction: a killed backfill resumes there, a
finished file is skipped, and loading a chunk twice adds nothing (a record's fetch_id is a
function of file and offset, versions and facts of their content).

On Dask a file is the unit of work: a worker reads, parses and extracts it and sends back
Arrow tables, one set per chunk; only the calling process writes the warehouse. Work goes
to the cluster as plain functions of this module (no Prefect on the workers), submitted and
collected through sequencer.drive like every other run.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import brotli  # type: ignore[import-untyped]
import pyarrow as pa
import requests
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from aidetl.archive import Archive
from aidetl.config import Settings, load_settings, load_sources
from aidetl.encoding import decode_html
from aidetl.errors import AidetlError, ConfigError, NotTextError
from aidetl.fetch import HTML_TYPES
from aidetl.fetch_transport import split_content_type
from aidetl.models import FetchAttempt, Page, Source
from aidetl.pipeline import FetchedBatch, RunSummary, new_run_id, process_batch
from aidetl.sequencer import Done, Future, Stage, drive, first_done_threads, recorded_run
from aidetl.sniff import check_text
from aidetl.urls import host_allowed, safe_host
from aidetl.warehouse import Batch, Warehouse, batch_tables

log = logging.getLogger(__name__)

PAGES_PER_CHUNK = 200  # pages kept per load (and per Arrow set a worker sends back)
RECORDS_PER_CHUNK = 5000  # records read per load, kept or not: the ledger moves on anyway
CHUNKS_PER_TASK = 5  # chunks of one file a Dask task reads before handing the file back
HTTP_TIMEOUT = (10.0, 60.0)  # connect, and the longest silence while reading a URL
LEDGER_SCHEMA = pa.schema(
    [("warc", pa.string()), ("next_offset", pa.int64()), ("records", pa.int64()),
     ("pages", pa.int64()), ("complete", pa.bool_()), ("error", pa.string())]
)  # fmt: skip


class WarcError(AidetlError, ValueError):
    """A WARC file that cannot be read at all: missing, unreachable, or not a WARC."""

    def __init__(self, warc: str, message: str = "cannot be read") -> None:
        super().__init__(f"{warc}: {message}")
        self.warc = warc


@dataclass(frozen=True, slots=True)
class Start:
    """Where reading one file begins, and what the ledger already counted before it."""

    warc: str
    offset: int = 0
    records: int = 0
    pages: int = 0


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive records of one file, its kept pages grouped by source; `next_offset`
    is where the first record after them starts (the file's end when `complete`)."""

    warc: str
    batches: tuple[FetchedBatch, ...]
    next_offset: int
    records: int  # records read from the file so far (cumulative, like the ledger)
    pages: int
    complete: bool
    error: str | None = None


@dataclass(frozen=True)
class Loadable:
    """A processed chunk as Arrow tables ready for Warehouse.load_tables, with what the run
    summary needs: what a worker sends back."""

    warc: str
    tables: dict[str, pa.Table]
    pages: int
    articles: int
    kinds: dict[str, int]
    failures: tuple[tuple[str, str], ...]
    error: str | None


@dataclass(frozen=True)
class Job:
    """One file for a worker: everything it needs, nothing of the warehouse."""

    start: Start
    run_id: str
    sources: tuple[Source, ...]
    domains: tuple[str, ...]
    archive: str | None
    user_agent: str  # aidetl's (Settings.user_agent), sent when a WARC is read over HTTP
    pages_per_chunk: int = PAGES_PER_CHUNK
    chunks_per_task: int = CHUNKS_PER_TASK


# -- reading ---------------------------------------------------------------------------


def location(warc: str) -> str:
    """The ledger's name for a WARC: a URL as given, a local file as its absolute path."""
    if warc.startswith(("http://", "https://")):
        return warc
    return str(Path(warc).expanduser().resolve())


def check_locations(warcs: list[str]) -> list[str]:
    """The files as ledger names; a local one that is missing is one clear error now."""
    names = []
    for warc in warcs:
        name = location(warc)
        if not name.startswith(("http://", "https://")) and not Path(name).is_file():
            raise WarcError(warc, "no such WARC file")
        names.append(name)
    return list(dict.fromkeys(names))


def check_readable(warcs: list[str]) -> list[str]:
    """check_locations, and each local file's first record read: a file that is not a WARC
    is one clear error before any run starts (a URL is found out when it is read)."""
    names = check_locations(warcs)
    for name in names:
        if name.startswith(("http://", "https://")):
            continue
        stream = open_warc(name, 0)
        try:
            first = next(iter_records(stream), None)
            problem = "it is empty" if first is None else None
            if isinstance(first, Exception):
                problem = str(first)
            elif first is not None:
                problem = damage(first)
        finally:
            stream.close()
        if problem is not None:
            raise WarcError(name, f"not a WARC file ({problem})")
    return names


class HttpStream:
    """A WARC at a URL as a forward-only stream from `offset` (a Range request; a server
    that ignores Range has the bytes before it skipped), with the position fastwarc asks.
    It introduces itself as aidetl does when crawling, not as python-requests."""

    def __init__(self, url: str, offset: int, user_agent: str) -> None:
        headers = {"User-Agent": user_agent}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            self.response = requests.get(url, headers=headers, stream=True, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            raise WarcError(url, f"cannot be fetched: {exc}") from exc
        if self.response.status_code not in (200, 206):
            self.response.close()
            raise WarcError(url, f"HTTP status {self.response.status_code}")
        self.pos = 0 if self.response.status_code == 200 else offset
        while self.pos < offset and self.read(min(1 << 20, offset - self.pos)):
            pass

    def read(self, size: int = -1) -> bytes:
        data = self.response.raw.read(None if size < 0 else size, decode_content=False)
        self.pos += len(data)
        return bytes(data)

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if (whence, offset) in ((0, self.pos), (1, 0)):
            return self.pos
        raise OSError("a WARC read over HTTP cannot seek")

    def close(self) -> None:
        self.response.close()


def open_warc(warc: str, offset: int, user_agent: str | None = None) -> Any:
    """The file as a stream positioned at `offset` (tell() gives offsets in the file); a
    URL is asked for with `user_agent` (by default that of the environment's settings)."""
    if warc.startswith(("http://", "https://")):
        return HttpStream(warc, offset, user_agent or load_settings().user_agent)
    try:
        stream: BinaryIO = open(warc, "rb")  # noqa: SIM115 - closed by read_chunks
    except OSError as exc:
        raise WarcError(warc, f"cannot be opened: {exc.strerror}") from exc
    stream.seek(offset)
    return stream


class Picker:
    """Which source a host's pages belong to: the configured source whose allowed domains
    hold it; with `domains` given, only hosts inside them (a host no source covers gets a
    source named after its domain)."""

    def __init__(self, sources: tuple[Source, ...], domains: tuple[str, ...] = ()) -> None:
        self.sources = tuple(s for s in sources if s.allowed_domains)
        self.domains = domains
        self.by_name = {s.name: s for s in self.sources}
        self.cache: dict[str, Source | None] = {}

    def __call__(self, host: str) -> Source | None:
        if host not in self.cache:
            self.cache[host] = self.choose(host)
        return self.cache[host]

    def choose(self, host: str) -> Source | None:
        if not host:
            return None
        configured = next((s for s in self.sources if host_allowed(host, s.allowed_domains)), None)
        if not self.domains:
            return configured
        domain = next((d for d in self.domains if host_allowed(host, (d,))), None)
        if domain is None:
            return None
        if configured is None:
            configured = self.by_name.setdefault(
                domain, Source(name=domain, allowed_domains=(domain,))
            )
        return configured


def read_chunks(
    start: Start,
    pick: Picker,
    archive: Archive | None,
    pages_per_chunk: int = PAGES_PER_CHUNK,
    records_per_chunk: int = RECORDS_PER_CHUNK,
    user_agent: str | None = None,
) -> Generator[Chunk, None, None]:
    """The file from `start` as chunks; the last is `complete`, or carries the `error` of
    a damaged record (a truncated tail) at its next_offset."""
    stream = open_warc(start.warc, start.offset, user_agent)
    try:
        reader = Reader(start, pick, archive)
        records = iter_records(stream)
        while True:
            chunk = reader.chunk(records, pages_per_chunk, records_per_chunk, stream)
            yield chunk
            if chunk.complete or chunk.error:
                return
    finally:
        stream.close()


def iter_records(stream: Any) -> Iterator[WarcRecord | Exception]:
    """The file's records; an unreadable one ends it, given as the exception (fastwarc
    raises OSError, or a Rust panic, which is a BaseException)."""
    try:
        yield from ArchiveIterator(stream, parse_http=True)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - fastwarc's panics are BaseExceptions
        yield OSError(f"unreadable record: {exc}")


class Reader:
    """Reads one file's records into chunks, keeping the counts the ledger carries.

    `offset` is always where the first record not yet in a chunk starts: a chunk ends by
    looking at the next record (its start is the chunk's next_offset) and carrying it over
    to the next chunk unread."""

    def __init__(self, start: Start, pick: Picker, archive: Archive | None) -> None:
        self.warc, self.pick, self.archive = start.warc, pick, archive
        self.records, self.pages, self.offset = start.records, start.pages, start.offset
        self.carried: WarcRecord | None = None

    def chunk(self, records: Iterator, max_pages: int, max_records: int, stream: Any) -> Chunk:
        kept: list[tuple[Page, FetchAttempt]] = []
        read = 0
        while True:
            record, self.carried = self.carried or next(records, None), None
            if record is None:
                self.offset = max(self.offset, stream.tell())
                return self.done(kept, complete=True)
            if not isinstance(record, Exception):
                self.offset = record.stream_pos
            if len(kept) >= max_pages or read >= max_records:
                self.carried = record
                return self.done(kept)
            try:
                page = self.take(record)
            except Truncated as exc:
                if self.records == 0:
                    raise WarcError(self.warc, f"not a WARC file ({exc})") from None
                return self.done(kept, error=f"damaged record at offset {self.offset}: {exc}")
            read += 1
            self.records += 1
            if page is not None:
                kept.append(page)
                self.pages += 1

    def take(self, record: WarcRecord | Exception) -> tuple[Page, FetchAttempt] | None:
        if isinstance(record, Exception):
            raise Truncated(str(record))
        problem = damage(record)
        if problem is not None:
            raise Truncated(problem)
        return self.page(record)

    def done(
        self,
        kept: list[tuple[Page, FetchAttempt]],
        complete: bool = False,
        error: str | None = None,
    ) -> Chunk:
        by_source: dict[str, list[tuple[Page, FetchAttempt]]] = {}
        for page, attempt in kept:
            by_source.setdefault(page.source, []).append((page, attempt))
        batches = tuple(
            FetchedBatch(self.pick.by_name[name], tuple(p for p, _ in pairs),
                         tuple(a for _, a in pairs), 0, number)
            for number, (name, pairs) in enumerate(by_source.items())
        )  # fmt: skip
        return Chunk(self.warc, batches, self.offset, self.records, self.pages, complete, error)

    def page(self, record: WarcRecord) -> tuple[Page, FetchAttempt] | None:
        """The record as a fetched page and its attempt; None when it is not one to keep.
        Raises Truncated when its block ends early (a file cut short)."""
        raw = record.reader.read()
        if len(raw) < record.content_length:
            raise Truncated(f"{len(raw)} of its {record.content_length} bytes are there")
        if record.record_type != WarcRecordType.response or not record.is_http:
            return None
        headers = {k.lower(): v for k, v in record.http_headers.items()}
        mime, charset = split_content_type(headers.get("content-type", ""))
        url = (record.headers.get("WARC-Target-URI") or "").strip("<> ")
        source = self.pick(safe_host(url))
        if record.http_headers.status_code != 200 or mime not in HTML_TYPES or source is None:
            return None
        offset = record.stream_pos
        content = decoded_body(raw, headers)
        text, encoding = decode_html(content, charset)
        try:
            check_text(url, content, text, 200)
        except NotTextError as exc:
            log.info("%s at %s:%d skipped: %s", url, self.warc, offset, exc)
            return None
        key = self.archive.put(content) if self.archive is not None else None
        when = record_date(record)
        page = Page(url=url, final_url=url, status=200, headers=headers, content=content,
                    text=text, encoding=encoding, fetched_at=when, source=source.name,
                    archive_key=key)  # fmt: skip
        attempt = FetchAttempt(url=url, attempt=1, fetched_at=when, status=200,
                               bytes=len(content), encoding=encoding, archive_key=key,
                               final_url=url, source=source.name, etag=headers.get("etag"),
                               last_modified=headers.get("last-modified"), warc=self.warc,
                               warc_offset=offset)  # fmt: skip
        return page, attempt


class Truncated(Exception):
    """A record whose block ends before its Content-Length: the file was cut short."""


def damage(record: WarcRecord) -> str | None:
    """Why a record cannot be trusted (a truncated tail), before its body is read."""
    if record.headers.get("Content-Length") is None or record.headers.get("WARC-Type") is None:
        return "its WARC headers are incomplete"
    if record.is_http and record.http_headers.status_code is None:
        return "its HTTP headers are incomplete"
    return None


def decoded_body(raw: bytes, headers: dict[str, str]) -> bytes:
    """The payload as the page's bytes: chunked transfer and gzip/deflate/br content
    encodings (kept by crawlers that archive what they received) undone."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raw = dechunk(raw)
    coding = headers.get("content-encoding", "").strip().lower()
    try:
        if coding in ("gzip", "x-gzip"):
            return gzip.decompress(raw)
        if coding == "deflate":
            return zlib.decompress(raw, -zlib.MAX_WBITS if raw[:1] != b"\x78" else zlib.MAX_WBITS)
        if coding == "br":
            return bytes(brotli.decompress(raw))
    except (OSError, EOFError, zlib.error, brotli.error):
        return raw  # the archive kept it decoded but the header as received
    return raw


def dechunk(raw: bytes) -> bytes:
    """A chunked-transfer body's data; bytes that are not chunked come back as they are."""
    out, pos = bytearray(), 0
    while True:
        end = raw.find(b"\r\n", pos)
        try:
            size = int(raw[pos:end].split(b";")[0], 16)
        except ValueError:
            return raw if pos == 0 else bytes(out)
        if size == 0:
            return bytes(out)
        out += raw[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


def record_date(record: WarcRecord) -> datetime:
    """WARC-Date: when the page was captured, which the load path reads as its fetch time."""
    when = record.record_date
    if when is None:
        return datetime.now(UTC)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# -- processing (where a worker ends) ------------------------------------------------------


def chunk_tables(chunk: Chunk, run_id: str) -> Loadable:
    """Parse and extract a chunk's pages (pipeline.process_batch, as for crawled pages) and
    turn them, with the chunk's ledger row, into the Arrow tables of one load."""
    processed = [process_batch(batch) for batch in chunk.batches]
    attempts = [a for p in processed for a in p.attempts]
    articles = [a for p in processed for a in p.articles]
    facts = [f for p in processed for f in p.facts]
    simhashes = {k: v for p in processed for k, v in (p.simhashes or {}).items()}
    batch = Batch(run_id, attempts, articles, facts, simhashes=simhashes)  # computed once
    tables = batch_tables(batch)
    tables["backfill_files"] = ledger_table(chunk)
    failures = tuple(
        (a.url, f"{a.error_class}: {a.error_message}") for a in attempts if a.error_class
    )
    kinds = Counter(f.kind for _, f in facts)
    pages = sum(len(b.pages) for b in chunk.batches)
    return Loadable(chunk.warc, tables, pages, len(articles), dict(kinds), failures, chunk.error)


def ledger_table(chunk: Chunk) -> pa.Table:
    row = {"warc": chunk.warc, "next_offset": chunk.next_offset, "records": chunk.records,
           "pages": chunk.pages, "complete": chunk.complete, "error": chunk.error}  # fmt: skip
    return pa.Table.from_pylist([row], schema=LEDGER_SCHEMA)


@dataclass(frozen=True)
class Part:
    """What one task on a worker gives back: the tables of up to CHUNKS_PER_TASK chunks of
    one file, in order, and where the file goes on when they did not reach its end."""

    loadables: list[Loadable]
    rest: Start | None


def file_part(job: Job) -> Part:
    """What a Dask worker runs: a file from `job.start`, read, parsed and extracted, for at
    most `chunks` chunks (so what a worker holds and sends back is bounded however large
    the file). Needs the file (a path it can open, or a URL) and the archive directory,
    never the warehouse."""
    archive = Archive(job.archive) if job.archive else None
    pick = Picker(job.sources, job.domains)
    loadables: list[Loadable] = []
    chunks = job.chunks_per_task
    file_chunks = read_chunks(
        job.start, pick, archive, job.pages_per_chunk, user_agent=job.user_agent
    )
    with closing(file_chunks):
        for chunk in file_chunks:
            loadables.append(chunk_tables(chunk, job.run_id))
            if chunk.complete or chunk.error:
                break
            if len(loadables) >= chunks:
                rest = Start(chunk.warc, chunk.next_offset, chunk.records, chunk.pages)
                return Part(loadables, rest)
    return Part(loadables, None)


# -- the run --------------------------------------------------------------------------------


@dataclass
class Loads:
    """The sink: each chunk loaded in order (pages, facts and ledger row in one transaction)."""

    warehouse: Warehouse
    summary: RunSummary
    on_chunk: Callable[[RunSummary], None] | None = None

    def take(self, loadables: list[Loadable]) -> None:
        for item in loadables:
            result = self.warehouse.load_tables(self.summary.run_id, item.tables)
            s = self.summary
            s.fetched += item.pages
            s.articles += item.articles
            s.new_articles += result.new_articles
            s.new_facts += result.new_facts
            s.staged_batches += bool(result.staged)
            s.facts_by_kind.update(item.kinds)
            s.failed += len(item.failures)
            s.failures.extend(item.failures[: max(0, 20 - len(s.failures))])
            if item.error:
                log.warning("%s: %s; the records before it are loaded", item.warc, item.error)
                s.failed += 1
                s.failures.append((item.warc, item.error))
            if self.on_chunk is not None:
                self.on_chunk(s)


def backfill_sources(
    settings: Settings, domains: tuple[str, ...], sources_file: str | None
) -> tuple[Source, ...]:
    """The configured sources (their allowed domains and profiles); with --domain and no
    sources file, none (the domains alone decide)."""
    path = Path(sources_file) if sources_file else settings.sources_file
    if domains and not path.exists():
        return ()
    return tuple(load_sources(path))


def run_backfill(
    settings: Settings,
    warcs: list[str],
    *,
    domains: tuple[str, ...] = (),
    sources_file: str | None = None,
    dask_address: str | None = None,
    run_id: str | None = None,
    params: dict | None = None,
    flow_run_id: str | None = None,
    on_chunk: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Load every WARC file not loaded yet, resuming a partly loaded one, in this process
    or (with `dask_address`) on a Dask cluster; recorded in `runs` like any run. Files that
    end in a damaged record have what precedes it loaded and are listed in failures."""
    names = check_locations(warcs)
    sources = backfill_sources(settings, domains, sources_file)
    if not sources and not domains:
        where = sources_file or settings.sources_file
        raise ConfigError(f"{where}: no source has allowed_domains to keep pages of: give --domain")
    summary = RunSummary(run_id=run_id or new_run_id())
    with Warehouse(settings.warehouse) as warehouse:
        loads = Loads(warehouse, summary, on_chunk=on_chunk)
        with recorded_run(warehouse, summary, params or {}, flow_run_id):
            starts = pending_starts(warehouse, names, summary)
            archive = str(Path(settings.archive).resolve())  # workers may run elsewhere
            job = Job(Start(""), summary.run_id, sources, domains, archive,
                      settings.user_agent, PAGES_PER_CHUNK, CHUNKS_PER_TASK)  # fmt: skip
            if dask_address:
                on_dask(dask_address, starts, job, loads)
            else:
                in_process(starts, job, loads)
    return summary


def pending_starts(warehouse: Warehouse, names: list[str], summary: RunSummary) -> list[Start]:
    """Where each file not yet fully loaded starts; files loaded to the end count as
    unchanged and are not read again."""
    progress = warehouse.backfill_progress(names)
    starts = []
    for name in names:
        offset, records, pages, complete = progress.get(name, (0, 0, 0, False))
        if complete:
            summary.unchanged += 1
            log.info("%s was loaded to its end before: skipped", name)
            continue
        starts.append(Start(name, offset, records, pages))
    return starts


def in_process(starts: list[Start], job: Job, loads: Loads) -> None:
    """Read, process and load chunk after chunk in this process."""
    archive = Archive(job.archive) if job.archive else None
    pick = Picker(job.sources, job.domains)
    size = job.pages_per_chunk
    chunks = (
        c
        for start in starts
        for c in read_chunks(start, pick, archive, size, user_agent=job.user_agent)
    )
    stage = Stage(lambda chunk: Done([chunk_tables(chunk, job.run_id)]), window=1)
    drive(chunks, [stage], loads.take, first_done_threads)


DASK_TASKS_PER_THREAD = 2  # tasks in flight per worker thread: the next waits while one loads


def on_dask(address: str, starts: list[Start], job: Job, loads: Loads) -> None:
    """Each file a series of tasks on the cluster at `address` (plain functions: no Prefect
    on the workers), CHUNKS_PER_TASK chunks each; parts loaded here as they finish. A file's
    next part is submitted once its previous one is loaded, so its chunks load in order."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        threads = sum(client.nthreads().values()) or 1
        stage = Stage(
            lambda start: client.submit(file_part, replace(job, start=start), pure=False),
            window=threads * DASK_TASKS_PER_THREAD,
        )
        paused = client.run(pause_profiler)
        try:
            pending = starts
            while pending:  # a round: every unfinished file's next part
                pending = dask_round(client, stage, pending, loads)
        finally:
            restore_profilers(client, paused)


def restore_profilers(client: Any, paused: dict[str, list[str]]) -> None:
    """Restart the profilers the run paused. A cluster that died mid-run cannot answer:
    that is logged, so the error that ended the run is the one the caller sees."""
    for worker, names in paused.items():
        if not names:
            continue
        try:
            client.run(resume_profiler, names, workers=[worker])
        except Exception as exc:  # the worker or scheduler is gone: nothing left to restore
            log.warning("could not restart the profiler of Dask worker %s: %s", worker, exc)


PROFILER = ("profile", "profile-cycle")  # a Dask worker's periodic callbacks that sample


def pause_profiler(dask_worker: Any) -> list[str]:
    """Stop a worker's statistical profiler, which samples every thread's stack 100 times
    a second: on parse-and-extract stacks it cost a worker ~25% more CPU per page than the
    same function in a plain process, and half its idle CPU. The names it stopped."""
    stopped = []
    for name in PROFILER:
        callback = dask_worker.periodic_callbacks.get(name)
        if callback is not None and callback.is_running():
            callback.stop()
            stopped.append(name)
    return stopped


def resume_profiler(names: list[str], dask_worker: Any) -> None:
    """Restart what pause_profiler stopped: the cluster is left as the backfill found it."""
    for name in names:
        callback = dask_worker.periodic_callbacks.get(name)
        if callback is not None:
            callback.start()


def dask_round(client: Any, stage: Stage, pending: list[Start], loads: Loads) -> list[Start]:
    """Submit a part of every file in `pending`, load the parts as they finish; where each
    file not finished goes on."""
    rest: list[Start] = []

    def take(part: Part) -> None:
        loads.take(part.loadables)
        if part.rest is not None:
            rest.append(part.rest)

    with client.as_current():  # distributed.wait finds the client here
        drive(pending, [stage], take, first_done_dask)
    return rest


def first_done_dask(futures: list[Future]) -> Future:
    """The first of `futures` (Dask futures, or Done) to finish."""
    from distributed import wait

    for future in futures:
        if getattr(future, "done", lambda: False)():
            return future
    wait(futures, return_when="FIRST_COMPLETED")  # type: ignore[arg-type]
    return next(f for f in futures if f.done())  # type: ignore[attr-defined]
