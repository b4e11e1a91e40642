"""The `ingest` flow: discover → fetch → parse + extract → load, as tasks over aidetl.pipeline.

The shape of the run (what is in flight, in what order batches move, which loads go
together) is the library's sequencer (aidetl.sequencer), the same one a plain run drives;
this flow only says how each step is submitted (`TaskSteps`): fetching on the flow's
threads (one Fetcher per flow run, shared by every fetch thread, so each host's politeness
gate holds), parse + extract on the process runner (runners.py: worker processes by
default, so they do not take the GIL from fetching and loading), loads in the flow thread.
Retries, where tasks run, and the artifacts live here, never in the library.

Large task parameters (pages, facts, the Fetcher) are passed wrapped in prefect's `quote`,
which stops Prefect from walking every element looking for futures: that walk cost tens of
milliseconds per batch. Nothing passed between these tasks is a future, so nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed

from aidetl import pipeline, sequencer
from aidetl.config import Settings, load_settings
from aidetl.localtime import parse_input_time
from aidetl.models import Source
from aidetl.warehouse import Batch, Warehouse
from aidetl_flows import runners, workers
from aidetl_flows.artifacts import (
    ProgressMeter,
    library_logs_to_prefect,
    publish_summary,
    write_report,
)

log = logging.getLogger(__name__)

# batches fetched at once (≤ 8 × BATCH_SIZE pages held), and being parsed/extracted at once
WINDOWS = sequencer.Windows(fetch=runners.FETCH_THREADS, process=3)


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
def load_task(warehouse: Warehouse, batch: Batch) -> object:
    """Load one batch (one short all-or-nothing transaction); a retry is safe, loads are idempotent."""
    return warehouse.load_batch(batch)


def current_flow_run_id() -> str | None:
    flow_run = getattr(get_run_context(), "flow_run", None)
    return str(flow_run.id) if flow_run is not None else None


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
            settings, chosen, params, parse_input_time(since), task_runner, dask_address
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
    """One crawl through the library's sequencer, each step submitted as a Prefect task."""
    summary = pipeline.RunSummary(run_id=pipeline.new_run_id())
    fetcher = pipeline.make_fetcher(settings, params.get("delay"), params.get("sources_file"))
    with Warehouse(settings.warehouse) as warehouse:
        with sequencer.recorded_run(
            warehouse, summary, params, current_flow_run_id(), on_end=fetcher.stop
        ):
            with runners.process_runner(task_runner, dask_address) as processor:
                steps = TaskSteps(fetcher, warehouse, processor, summary.run_id)
                sequencer.crawl(
                    steps,
                    chosen,
                    warehouse,
                    summary,
                    since=since,
                    limit=params.get("limit"),
                    urls=params.get("urls"),
                    windows=WINDOWS,
                )
                if steps.meter is not None:
                    steps.meter.finish(summary)
    return summary


class TaskSteps:
    """The crawl's steps as Prefect tasks: discovery and fetching on the flow's threads,
    processing on the process runner (worker processes, the flow thread, or Dask), loads in
    the flow thread with retries."""

    def __init__(self, fetcher, warehouse: Warehouse, processor, run_id: str) -> None:
        self.fetcher, self.warehouse, self.processor = fetcher, warehouse, processor
        self.meter: ProgressMeter | None = None

    def discover(self, source: Source, since: datetime | None, urls: list[str] | None):
        return discover_task.submit(source, runners.unwalked(self.fetcher), since, urls)

    def fetch(self, batch: pipeline.UrlBatch, validators: dict):
        return fetch_task.submit(
            runners.unwalked(self.fetcher), runners.unwalked(batch), runners.unwalked(validators)
        )

    def process(self, fetched: pipeline.FetchedBatch):
        return runners.submit(self.processor, process_task, fetched=runners.unwalked(fetched))

    def load(self, batch: Batch) -> object:
        return load_task(runners.unwalked(self.warehouse), runners.unwalked(batch))

    def first_done(self, futures: list):
        return first_done(futures)

    def progress(self, summary: pipeline.RunSummary, total_batches: int) -> None:
        if self.meter is None:
            self.meter = ProgressMeter(total_batches)
        self.meter.step(summary)


def first_done(futures: list):
    """The first of `futures` to finish (a Done, already finished, comes back at once)."""
    for future in futures:
        if isinstance(future, sequencer.Done):
            return future
    return next(as_completed(futures))
