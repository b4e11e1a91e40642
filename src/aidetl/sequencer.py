"""The shape of a run, written once: what moves when, how much is in flight, what loads together.

Every way aidetl runs — plain (no Prefect), the Prefect `ingest` flow, the backfill — goes
through this module. They differ only in *how a step is submitted* (a thread pool, a Prefect
task, a worker process, a Dask worker), which they supply as a `Steps`; the order of work,
the windows that bound memory, the interleaving of sources and the grouping of loads are
decided here and nowhere else.

Shape of a crawl (`crawl`):
- every source is discovered at once, and its discovery attempts are loaded as they come;
- the sources' batches are interleaved round-robin, so consecutive batches go to different
  hosts (each host's own politeness gate in the Fetcher keeps it polite);
- at most `Windows.fetch` batches are being fetched and `Windows.process` processed at any
  time, so memory stays bounded however many pages a run covers;
- batches move on in the order they finish, not the order they were submitted: one slow
  host holds up no other batch;
- loads run one at a time in the caller's thread (across processes the Warehouse's file
  lock serialises writers). A load costs about the same up to a few hundred pages, so
  processed batches are loaded several at once (`Windows.pages_per_load`), and at once
  when nothing else is being processed (a slow host must not keep a finished batch out of
  the warehouse); a batch with nothing to parse (all unchanged or failed) only has attempts
  to record, which ride along, or load alone past `Windows.attempts_per_load`.

`drive` is the general form (items through stages into a sink) that the backfill uses with
its own single stage; `recorded_run` is the run's record around either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from aidetl.budgets import Budgets
from aidetl.config import Settings
from aidetl.fetch import Fetcher
from aidetl.interrupt import sigterm_interrupts
from aidetl.models import DiscoveredUrl, FetchAttempt, Source
from aidetl.pipeline import (
    FetchedBatch,
    ProcessedBatch,
    RunSummary,
    UrlBatch,
    batch_of,
    drop_fresh,
    fold_batch,
    fold_load,
    interleave,
    make_fetcher,
    new_run_id,
    note_unfinished,
    plan_batches,
    process_batch,
)
from aidetl.warehouse import Batch, Warehouse
from aidetl.workers import Done, Processing

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Windows:
    """How much of a run is in flight at once."""

    fetch: int = 4  # batches being fetched
    process: int = 3  # fetched batches being parsed and extracted
    validator_batches: int = 20  # batches whose validators one warehouse query reads
    # Pages of processed batches loaded together in one write. A load's cost is mostly
    # fixed (attach, ~10 merge statements, detach): 1,000 pages in 20 loads of 50 took
    # 1.7-2.4 s, in 5 loads of 200 0.5-0.7 s, each load's span ~100-130 ms either way.
    pages_per_load: int = 200
    attempts_per_load: int = 1000  # attempts held for a load, past which they load alone


class Future(Protocol):
    def result(self) -> Any: ...


class Steps(Protocol):
    """How each step of a crawl is submitted; the caller decides where it runs."""

    def discover(
        self, source: Source, since: datetime | None, urls: list[str] | None
    ) -> Future: ...  # → (list[DiscoveredUrl], list[FetchAttempt])

    def fetch(self, batch: UrlBatch, validators: dict) -> Future: ...  # → FetchedBatch

    def process(self, fetched: FetchedBatch) -> Future: ...  # → ProcessedBatch

    def load(self, batch: Batch) -> object: ...  # → LoadResult; runs in the caller's thread

    def first_done(self, futures: list[Future]) -> Future: ...  # one of them, finished

    def progress(self, summary: RunSummary, total_batches: int) -> None: ...


def first_done_threads(futures: list[Future]) -> Future:
    """The first of `futures` to finish, for concurrent.futures futures (and Done)."""
    for future in futures:
        if isinstance(future, Done):
            return future
    done, _ = wait(futures, return_when=FIRST_COMPLETED)  # type: ignore[arg-type]
    return next(f for f in futures if f in done)


@dataclass(frozen=True)
class Stage:
    """One step items go through: how it is submitted, and how many items it holds at once.
    An item `needed` says False for skips the step (it moves on as it is)."""

    submit: Callable[[Any], Future]
    window: int
    needed: Callable[[Any], bool] | None = None


def drive(
    items: Iterable[Any],
    stages: Sequence[Stage],
    sink: Callable[[Any], None],
    first_done: Callable[[list[Future]], Future],
    idle: Callable[[], None] | None = None,
) -> None:
    """Move every item through `stages` in order and hand each result to `sink`.

    Items move in the order they finish. A stage takes an item only while it holds fewer
    than its window; a finished item waits where it is until the next stage has room, so
    each stage's window bounds what is held there. The sink runs in the calling thread;
    `idle` too, whenever drive is about to wait while the last stage holds nothing (no
    result is on its way, nor finished elsewhere): a sink that holds results back hands
    them on there.
    """
    todo = iter(items)
    flight: list[list[Future]] = [[] for _ in stages]
    exhausted = False
    while True:
        while not exhausted and len(flight[0]) < stages[0].window:
            item = next(todo, _END)
            if item is _END:
                exhausted = True
                break
            flight[0].append(_start(stages[0], item))
        movable = [
            f
            for i, fs in enumerate(flight)
            if i == len(stages) - 1 or len(flight[i + 1]) < stages[i + 1].window
            for f in fs
        ]
        if not movable:
            if not any(flight):
                return
            raise RuntimeError("sequencer stalled: every stage full and none may move")
        if idle is not None and not flight[-1] and not any(_finished(f) for f in movable):
            idle()
        ready = first_done(movable)
        level = next(i for i, fs in enumerate(flight) if any(f is ready for f in fs))
        flight[level] = [f for f in flight[level] if f is not ready]
        value = ready.result()
        if level == len(stages) - 1:
            sink(value)
        else:
            flight[level + 1].append(_start(stages[level + 1], value))


_END = object()


def _finished(future: Future) -> bool:
    """Whether `future` is known to have finished (Prefect's futures cannot say: never)."""
    done = getattr(future, "done", None)
    return bool(done is not None and done())


def _start(stage: Stage, item: Any) -> Future:
    if stage.needed is not None and not stage.needed(item):
        return Done(item)
    return stage.submit(item)


@contextmanager
def recorded_run(
    warehouse: Warehouse,
    summary: RunSummary,
    params: dict,
    flow_run_id: str | None = None,
    on_end: Callable[[], None] | None = None,
) -> Iterator[None]:
    """The run's row in `runs` around its work: `completed`, `failed` (an error escaped) or
    `interrupted` (Ctrl-C or SIGTERM, re-raised), with the summary's counts. `on_end` runs
    before the row is finished (stop fetches still in flight, close pools)."""
    warehouse.start_run(summary.run_id, params, flow_run_id)
    status = "failed"
    try:
        with sigterm_interrupts():
            note_unfinished(warehouse, summary)
            yield
        status = "completed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if on_end is not None:
            on_end()
        warehouse.finish_run(summary.run_id, status, summary.as_dict())
    log.info("run %s %s: %s", summary.run_id, status, summary.as_dict())


def crawl(
    steps: Steps,
    sources: list[Source],
    warehouse: Warehouse,
    summary: RunSummary,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    urls: list[str] | None = None,
    windows: Windows = Windows(),
) -> None:
    """Discover, fetch, process and load every source's articles, in the shape above."""
    loads = Loads(steps, summary, windows)
    batches = discover_all(steps, sources, warehouse, summary, since, limit, urls, loads)
    loads.total = len(batches)
    stages = [
        Stage(lambda pair: steps.fetch(*pair), windows.fetch),
        Stage(steps.process, windows.process, needed=lambda fetched: bool(fetched.pages)),
    ]
    paired = with_validators(warehouse, batches, windows.validator_batches)
    try:
        drive(paired, stages, loads.take, steps.first_done, loads.ready)
    except KeyboardInterrupt:  # what is processed already is kept: one short load
        loads.flush()
        raise
    loads.flush()


def discover_all(
    steps: Steps,
    sources: list[Source],
    warehouse: Warehouse,
    summary: RunSummary,
    since: datetime | None,
    limit: int | None,
    urls: list[str] | None,
    loads: Loads,
) -> list[UrlBatch]:
    """Discover every source at once; hand each one's discovery attempts to `loads`; every
    source's batches (after leaving out URLs the sitemap says are unchanged), interleaved."""
    futures = [steps.discover(source, since, urls) for source in sources]
    per_source = []
    for source, future in zip(sources, futures, strict=True):
        found: list[DiscoveredUrl]
        attempts: list[FetchAttempt]
        found, attempts = future.result()
        summary.discovered += len(found)
        found, fresh = drop_fresh(found, warehouse)
        summary.unchanged += fresh
        if attempts:
            loads.hold_attempts(attempts)
            summary.add_failures(attempts)
        per_source.append(plan_batches(source, found, limit))
    return list(interleave(per_source))


def with_validators(
    warehouse: Warehouse, batches: list[UrlBatch], per_query: int
) -> Iterator[tuple[UrlBatch, dict]]:
    """Each batch with the (etag, last_modified) of its URLs, read for several batches per
    query, just before the batches are fetched."""
    for start in range(0, len(batches), per_query):
        group = batches[start : start + per_query]
        known = warehouse.validators([url for batch in group for url in batch.urls])
        for batch in group:
            yield batch, {url: known[url] for url in batch.urls if url in known}


class Loads:
    """The sink of a crawl: processed batches held and loaded together, in one write and
    one all-or-nothing merge, once `pages_per_load` of their pages (or `attempts_per_load`
    attempts) are held, when `ready` says nothing more is on its way, and at the end. A
    batch counts in the summary and the progress once loaded; one with attempts only (all
    unchanged or failed) at once, its attempts riding with the next load."""

    def __init__(self, steps: Steps, summary: RunSummary, windows: Windows) -> None:
        self.steps, self.summary, self.windows = steps, summary, windows
        self.total = 0  # batches planned, for progress
        self.held: list[ProcessedBatch] = []
        self.attempts: list[FetchAttempt] = []  # of batches without pages, and discovery's
        self.pages = 0

    def hold_attempts(self, attempts: Iterable[FetchAttempt]) -> None:
        """Attempts that belong to no batch (discovery's), counted in the summary already."""
        self.attempts.extend(attempts)

    def take(self, done: FetchedBatch | ProcessedBatch) -> None:
        processed = done if isinstance(done, ProcessedBatch) else process_batch(done)
        if processed.articles or processed.facts:
            self.held.append(processed)
            self.pages += len(processed.articles)
        else:
            self.attempts.extend(processed.attempts)
            fold_batch(self.summary, processed)
            self.steps.progress(self.summary, self.total)
        held_attempts = len(self.attempts) + sum(len(p.attempts) for p in self.held)
        if (
            self.pages >= self.windows.pages_per_load
            or held_attempts >= self.windows.attempts_per_load
        ):
            self.flush()

    def ready(self) -> None:
        """Nothing else is on its way: load the pages held now rather than later."""
        if self.pages:
            self.flush()

    def flush(self) -> None:
        if not self.held and not self.attempts:
            return
        held, attempts = self.held, self.attempts
        self.held, self.attempts, self.pages = [], [], 0
        result = self.steps.load(batch_of(self.summary.run_id, held, attempts))
        fold_load(self.summary, result)
        for processed in held:
            fold_batch(self.summary, processed)
            self.steps.progress(self.summary, self.total)


class ThreadSteps:
    """Steps without Prefect: discovery and fetching on a thread pool, processing in the
    caller's thread or in worker processes (`process_pool`), loads straight to the warehouse."""

    def __init__(
        self,
        fetcher: Fetcher,
        warehouse: Warehouse,
        pool: Any,
        process_pool: Any = None,
        on_batch: Callable[[RunSummary], None] | None = None,
    ) -> None:
        self.fetcher, self.warehouse, self.pool = fetcher, warehouse, pool
        self.process_pool, self.on_batch = process_pool, on_batch

    def discover(self, source: Source, since: datetime | None, urls: list[str] | None) -> Future:
        from aidetl.pipeline import discover_source

        return self.pool.submit(discover_source, source, self.fetcher, since, urls)

    def fetch(self, batch: UrlBatch, validators: dict) -> Future:
        from aidetl.pipeline import fetch_batch

        return self.pool.submit(fetch_batch, self.fetcher, batch, validators)

    def process(self, fetched: FetchedBatch) -> Future:
        if self.process_pool is None:
            return Done(process_batch(fetched))
        return self.process_pool.submit(fetched)

    def load(self, batch: Batch) -> object:
        return self.warehouse.load_batch(batch)

    def first_done(self, futures: list[Future]) -> Future:
        return first_done_threads(futures)

    def progress(self, summary: RunSummary, total_batches: int) -> None:
        if self.on_batch is not None:
            self.on_batch(summary)


# plain runs process in the caller's thread, plus one batch per worker process (run_ingest)
PLAIN_WINDOWS = Windows(fetch=4, process=1)


def run_ingest(
    settings: Settings,
    sources: list[Source],
    *,
    urls: list[str] | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    delay: float | None = None,
    run_id: str | None = None,
    params: dict | None = None,
    flow_run_id: str | None = None,
    on_batch: Callable[[RunSummary], None] | None = None,
    budgets: Budgets | None = None,
) -> RunSummary:
    """A whole crawl without Prefect: discovery and fetching on threads, parse + extract
    in this thread for the first batches and then in worker processes if a core is spare
    (workers.Processing), loads in this thread. Ends `completed`, `failed` or
    `interrupted` (Ctrl-C or SIGTERM, re-raised) in `runs`."""
    summary = RunSummary(run_id=run_id or new_run_id())
    fetcher = make_fetcher(settings, delay, (params or {}).get("sources_file"), budgets)
    pool = ThreadPoolExecutor(PLAIN_WINDOWS.fetch, "aidetl-fetch")
    processing = Processing()  # worker processes after the first batches, if a core is spare
    windows = replace(PLAIN_WINDOWS, process=PLAIN_WINDOWS.process + processing.workers)

    def stop() -> None:
        fetcher.stop()  # fetches still in flight end at their next attempt
        pool.shutdown(wait=False, cancel_futures=True)
        processing.shutdown(wait=False)

    with Warehouse(settings.warehouse) as warehouse:
        steps = ThreadSteps(fetcher, warehouse, pool, processing, on_batch=on_batch)
        with recorded_run(warehouse, summary, params or {}, flow_run_id, on_end=stop):
            crawl(steps, sources, warehouse, summary, since=since, limit=limit, urls=urls,
                  windows=windows)  # fmt: skip
    return summary
