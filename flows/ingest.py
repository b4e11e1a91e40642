"""The `ingest` flow: discover → fetch → parse + extract → load, as tasks over aidetl.pipeline.

The flow only sequences library functions; retries, the window of batches in flight, where
tasks run, and the artifacts live here, never in the library.

Shape of a run:
- every source is discovered at once (one task each, threads), and its discovery attempts
  are loaded as they come;
- the sources' batches (pipeline.BATCH_SIZE URLs each) are interleaved round-robin, so the
  fetch threads work on several hosts at once while the Fetcher's per-host gate keeps each
  host polite (one Fetcher per flow run, shared by every fetch thread);
- at most FETCH_WINDOW batches are being fetched and PROCESS_WINDOW processed at any time,
  so memory stays bounded however many pages a run covers; parse + extract run in worker
  processes by default (runners.py), so they do not take the GIL from fetching and loading;
- batches move on in the order they finish, not the order they were submitted: a batch
  waiting on a slow page (bounded by the Fetcher's time budgets) holds up no other batch;
- loads run one at a time in the flow's own thread; across processes the Warehouse's file
  lock serialises writers (and stages a batch when the file is busy);
- a run ends `completed`, `failed`, or `interrupted` (Ctrl-C or SIGTERM).

Large task parameters (pages, facts, the Fetcher) are passed wrapped in prefect's `quote`,
which stops Prefect from walking every element looking for futures: that walk cost tens of
milliseconds per batch. Nothing passed between these tasks is a future, so nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.utilities.annotations import quote

from aidetl import pipeline
from aidetl.config import Settings, load_settings
from aidetl.interrupt import sigterm_interrupts
from aidetl.models import Source
from aidetl.pipeline import interleave
from aidetl.warehouse import Batch, Warehouse
from flows import runners, workers
from flows.artifacts import ProgressMeter, library_logs_to_prefect, publish_summary, write_report

log = logging.getLogger(__name__)

FETCH_WINDOW = runners.FETCH_THREADS  # batches fetched at once (≤ 8 × BATCH_SIZE pages held)
PROCESS_WINDOW = 3  # fetched batches being parsed/extracted at once
VALIDATOR_BATCHES = 20  # batches whose validators one warehouse query reads
ATTEMPTS_PER_LOAD = 1000  # attempt-only batches (all unchanged/failed) are loaded together
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def discover_task(source: Source, fetcher, since: datetime | None, urls: list[str] | None):
    """Candidate URLs of one source; one Prefect retry covers a feed server's bad minute."""
    return pipeline.discover_source(source, fetcher, since, urls)


# No Prefect retries here: the Fetcher already retries each request (backoff, Retry-After)
# and records every attempt; a task-level retry would refetch the whole batch, hit hosts
# again outside their politeness budget and double-count attempts in `fetches`.
@task(cache_policy=NO_CACHE)
def fetch_task(fetcher, batch: pipeline.UrlBatch, validators: dict) -> pipeline.FetchedBatch:
    """Fetch one batch of URLs (conditional requests where the warehouse has validators)."""
    return pipeline.fetch_batch(fetcher, batch, validators)


@task(cache_policy=NO_CACHE)
def process_task(
    fetched: pipeline.FetchedBatch, pool: runners.ProcessPool | None = None
) -> pipeline.ProcessedBatch:
    """Parse and extract one fetched batch, here or in a worker process of `pool`.

    Pure and picklable, so it may also run on Dask. From a worker, the batch's library log
    records come back with it and are logged here, inside this task run.
    """
    if pool is None:
        return pipeline.process_batch(fetched)
    processed, records = pool.process(fetched)
    workers.replay(records)
    return processed


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_task(warehouse: Warehouse, run_id: str, processed: pipeline.ProcessedBatch) -> object:
    """Load one batch (one short all-or-nothing transaction); a retry is safe, loads are idempotent."""
    return warehouse.load_batch(
        Batch(
            run_id=run_id,
            attempts=list(processed.attempts),
            articles=list(processed.articles),
            facts=list(processed.facts),
        )
    )


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_attempts_task(warehouse: Warehouse, run_id: str, attempts: list) -> object:
    """Load a source's discovery attempts (feeds, sitemaps, list pages, robots.txt)."""
    return warehouse.load_batch(
        Batch(run_id=run_id, attempts=list(attempts), articles=[], facts=[])
    )


def parse_since(since: str | None) -> datetime | None:
    """An ISO date or datetime; a naive one is taken in Asia/Shanghai time."""
    if not since:
        return None
    when = datetime.fromisoformat(since)
    return when if when.tzinfo else when.replace(tzinfo=DEFAULT_TZ)


def current_flow_run_id() -> str | None:
    ctx = get_run_context()
    return str(ctx.flow_run.id) if getattr(ctx, "flow_run", None) else None


@flow(name="ingest", task_runner=runners.fetch_runner(), log_prints=True)
def ingest(
    sources: list[str] | None = None,
    urls: list[str] | None = None,
    since: str | None = None,
    limit: int | None = None,
    delay: float | None = None,
    sources_file: str | None = None,
    task_runner: str = runners.DEFAULT_RUNNER,
    dask_address: str | None = None,
    report: str | None = None,
) -> dict:
    """Discover, fetch, parse, extract and load; returns the run summary as a dict.

    sources: source names from the sources file (all when empty); urls: fetch exactly these
    article URLs instead; since: ISO date, only articles the source dates on or after it;
    limit: at most N articles per source; delay: seconds between requests to one host;
    task_runner: where parse + extract run: "process" (worker processes on this machine, one
    per spare core), "thread" (the flow thread) or "dask" (on Dask at dask_address, or
    AIDETL_DASK_ADDRESS, or a LocalCluster); report: also write the HTML report there
    (a relative path is beside the warehouse file).
    """
    runners.check_runner(task_runner)
    settings = load_settings()
    chosen = pipeline.resolve_sources(settings, sources, urls, sources_file, delay)
    params = {
        "sources": sources,
        "urls": urls,
        "since": since,
        "limit": limit,
        "delay": delay,
        "sources_file": sources_file,
        "task_runner": task_runner,
    }
    with library_logs_to_prefect():
        summary = run_ingest(
            settings, chosen, params, parse_since(since), task_runner, dask_address
        )
        # a relative report path is taken beside the warehouse file, where the run writes
        report_path = (
            write_report(settings.warehouse, settings.warehouse.parent / report) if report else None
        )
        publish_summary(summary, settings.warehouse, report_path)
    return summary.as_dict()


def run_ingest(
    settings: Settings,
    chosen: list[Source],
    params: dict,
    since: datetime | None,
    task_runner: str,
    dask_address: str | None,
) -> pipeline.RunSummary:
    """One run's record in the warehouse around discovering and loading every batch."""
    run_id = pipeline.new_run_id()
    summary = pipeline.RunSummary(run_id=run_id)
    fetcher = pipeline.make_fetcher(settings, params.get("delay"), params.get("sources_file"))
    with Warehouse(settings.warehouse) as warehouse:
        warehouse.start_run(run_id, params, current_flow_run_id())
        status = "failed"
        try:
            with sigterm_interrupts():
                pipeline.note_unfinished(warehouse, summary)
                batches = discover_all(chosen, fetcher, since, params, summary, warehouse, run_id)
                with runners.process_runner(task_runner, dask_address) as processor:
                    run_batches(batches, fetcher, processor, warehouse, summary)
            status = "completed"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            fetcher.stop()  # fetches still in flight end at their next attempt
            warehouse.finish_run(run_id, status, summary.as_dict())
    log.info("run %s %s: %s", run_id, status, summary.as_dict())
    return summary


def discover_all(
    chosen: list[Source],
    fetcher,
    since: datetime | None,
    params: dict,
    summary: pipeline.RunSummary,
    warehouse: Warehouse,
    run_id: str,
) -> list[pipeline.UrlBatch]:
    """Discover every source concurrently; the batches of all sources, interleaved."""
    futures = [discover_task.submit(s, quote(fetcher), since, params.get("urls")) for s in chosen]
    per_source = []
    for source, future in zip(chosen, futures, strict=True):
        found, attempts = future.result()
        summary.discovered += len(found)
        found, fresh = pipeline.drop_fresh(found, warehouse)
        summary.unchanged += fresh
        if attempts:
            load_attempts_task(quote(warehouse), run_id, quote(attempts))
            summary.add_failures(attempts)
        per_source.append(pipeline.plan_batches(source, found, params.get("limit")))
    return list(interleave(per_source))


def run_batches(
    batches: list[pipeline.UrlBatch],
    fetcher,
    processor,
    warehouse: Warehouse,
    summary: pipeline.RunSummary,
) -> None:
    """Fetch a window of batches at once; process a smaller window; load one at a time, each
    batch moving on as soon as it is ready."""
    loop = BatchLoop(processor, warehouse, summary, ProgressMeter(len(batches)))
    for batch, validators in with_validators(warehouse, batches):
        loop.fetching.append(fetch_task.submit(quote(fetcher), quote(batch), quote(validators)))
        if len(loop.fetching) >= FETCH_WINDOW:
            loop.advance()
    while loop.fetching or loop.processing:
        loop.advance()
    loop.flush_attempts()
    loop.meter.finish(summary)


def with_validators(
    warehouse: Warehouse, batches: list[pipeline.UrlBatch], per_query: int = VALIDATOR_BATCHES
) -> Iterator[tuple[pipeline.UrlBatch, dict]]:
    """Each batch with the (etag, last_modified) of its URLs, read for several batches per query."""
    for start in range(0, len(batches), per_query):
        group = batches[start : start + per_query]
        known = warehouse.validators([url for batch in group for url in batch.urls])
        for batch in group:
            yield batch, {url: known[url] for url in batch.urls if url in known}


class BatchLoop:
    """The batches in flight: fetch futures, process futures, and attempts waiting to load.

    A batch whose pages all came back unchanged (304) or failed has nothing to parse and
    only attempts to record: it skips the process task, and its attempts are loaded together
    with others (up to ATTEMPTS_PER_LOAD) rather than one warehouse write per batch, which
    keeps a rerun over an unchanged site cheap.
    """

    def __init__(self, processor, warehouse: Warehouse, summary, meter: ProgressMeter) -> None:
        self.processor, self.warehouse, self.summary, self.meter = (
            processor,
            warehouse,
            summary,
            meter,
        )
        self.fetching: list = []
        self.processing: list = []
        self.attempts: list = []

    def advance(self) -> None:
        """Wait for the first batch ready anywhere and move it on: a fetched one to
        processing, a processed one to its load. While PROCESS_WINDOW batches are being
        processed, only a processed one may move (memory stays bounded)."""
        full = len(self.processing) >= PROCESS_WINDOW
        ready = first_done(self.processing if full else [*self.processing, *self.fetching])
        if any(ready is f for f in self.processing):
            self.processing = [f for f in self.processing if f is not ready]
            self.load(ready.result())
            return
        self.fetching = [f for f in self.fetching if f is not ready]
        fetched = ready.result()
        if fetched.pages:
            future = runners.submit(self.processor, process_task, fetched=quote(fetched))
        else:
            future = runners.Done(pipeline.process_batch(fetched))
        self.processing.append(future)

    def load(self, processed: pipeline.ProcessedBatch) -> None:
        if processed.articles or processed.facts:
            result = load_task(quote(self.warehouse), self.summary.run_id, quote(processed))
        else:
            self.attempts.extend(processed.attempts)
            result = None
            if len(self.attempts) >= ATTEMPTS_PER_LOAD:
                self.flush_attempts()
        pipeline.fold_batch(self.summary, processed, result)
        self.meter.step(self.summary)

    def flush_attempts(self) -> None:
        if self.attempts:
            result = load_attempts_task(
                quote(self.warehouse), self.summary.run_id, quote(self.attempts)
            )
            self.summary.staged_batches += bool(getattr(result, "staged", False))
            self.attempts = []


def first_done(futures: list):
    """The first of `futures` to finish (one already done, or a Done, comes back at once)."""
    for future in futures:
        if isinstance(future, runners.Done):
            return future
    return next(as_completed(futures))
