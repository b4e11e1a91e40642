"""Prefect flows over the aidetl pipeline: `ingest` and `reprocess`.

The flows only sequence library functions (aidetl.pipeline) as tasks; retries, batching
windows, concurrency and artifacts live here, never in the library.
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.task_runners import ThreadPoolTaskRunner

from aidetl import pipeline
from aidetl.config import load_settings
from aidetl.warehouse import Warehouse

# Batches fetched at once; each holds at most pipeline.BATCH_SIZE pages in memory.
FETCH_WINDOW = 4


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def discover_task(source, fetcher, since, urls):
    """Discovery reads feeds and sitemaps; one Prefect retry covers a flaky feed server."""
    return pipeline.discover_source(source, fetcher, since, urls)


@task(cache_policy=NO_CACHE)
def fetch_task(fetcher, batch, validators):
    # No Prefect retries: the Fetcher retries each request itself and records every attempt.
    return pipeline.fetch_batch(fetcher, batch, validators)


@task(cache_policy=NO_CACHE)
def process_task(fetched):
    return pipeline.process_batch(fetched)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_task(warehouse, run_id, processed, summary):
    """Loads run one at a time in the flow; the warehouse's own lock serialises processes."""
    pipeline.load_batch(warehouse, run_id, processed, summary)


def parse_since(since: str | None) -> datetime | None:
    return datetime.fromisoformat(since) if since else None


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def ingest(
    sources: list[str] | None = None,
    urls: list[str] | None = None,
    since: str | None = None,
    limit: int | None = None,
    delay: float | None = None,
    sources_file: str | None = None,
) -> dict:
    """Discover, fetch, parse, extract and load; returns the run summary."""
    logger = get_run_logger()
    settings = load_settings()
    chosen = pipeline.resolve_sources(settings, sources, urls, sources_file, delay)
    run_id = pipeline.new_run_id()
    summary = pipeline.RunSummary(run_id=run_id)
    fetcher = pipeline.make_fetcher(settings, delay)
    params = {"sources": sources, "urls": urls, "since": since, "limit": limit, "delay": delay}
    flow_run_id = str(get_run_context().flow_run.id)
    with Warehouse(settings.warehouse) as warehouse:
        warehouse.start_run(run_id, params, flow_run_id)
        status = "failed"
        try:
            run_batches(chosen, fetcher, parse_since(since), limit, urls, summary, warehouse, run_id)
            status = "completed"
        finally:
            warehouse.finish_run(run_id, status, summary.as_dict())
    logger.info("run %s: %s", run_id, summary.as_dict())
    publish_summary(summary, settings.warehouse)
    return summary.as_dict()


def run_batches(sources, fetcher, since, limit, urls, summary, warehouse, run_id) -> None:
    """Fetch a window of batches concurrently; process and load them in order as they finish."""
    batches = pipeline.iter_batches(sources, fetcher, since, limit, urls, summary, warehouse, run_id)
    window: deque = deque()
    for batch in batches:
        window.append(fetch_task.submit(fetcher, batch, warehouse.validators(list(batch.urls))))
        if len(window) >= FETCH_WINDOW:
            drain_one(window, warehouse, run_id, summary)
    while window:
        drain_one(window, warehouse, run_id, summary)


def drain_one(window: deque, warehouse, run_id, summary) -> None:
    fetched = window.popleft().result()
    processed = process_task.submit(fetched).result()
    load_task(warehouse, run_id, processed, summary)


def publish_summary(summary: pipeline.RunSummary, warehouse_path: Path) -> None:
    """The run's markdown summary and a table of its largest new facts, as artifacts."""
    create_markdown_artifact(key="ingest-summary", markdown=summary_markdown(summary),
                             description=f"aidetl run {summary.run_id}")
    with Warehouse(warehouse_path) as warehouse:
        rows = warehouse.largest_facts(run_id=summary.run_id, limit=20)
    create_table_artifact(key="ingest-largest-facts", table=rows,
                          description="Largest facts this run loaded")


def summary_markdown(summary: pipeline.RunSummary) -> str:
    kinds = "\n".join(f"| {k} | {n} |" for k, n in sorted(summary.facts_by_kind.items()))
    failures = "\n".join(f"- {url}: {why}" for url, why in summary.failures) or "none"
    return f"""# aidetl ingest run `{summary.run_id}`

| pages discovered | fetched | unchanged | failed | articles | new articles | new facts |
|---|---|---|---|---|---|---|
| {summary.discovered} | {summary.fetched} | {summary.unchanged} | {summary.failed} | {summary.articles} | {summary.new_articles} | {summary.new_facts} |

## Facts by kind
| kind | facts |
|---|---|
{kinds}

## Failures
{failures}
"""


logging.getLogger("aidetl").setLevel(logging.INFO)
