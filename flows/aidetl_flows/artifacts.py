"""What a run shows in Prefect: its summary, its largest facts, its progress, the library's logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast
from uuid import UUID

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from aidetl import pipeline
from aidetl.models import json_value
from aidetl.warehouse import Warehouse

log = logging.getLogger(__name__)

SUMMARY_KEY = "ingest-summary"
LARGEST_KEY = "ingest-largest-facts"
PROGRESS_KEY = "ingest-progress"
LIBRARY_LOGGER = "aidetl"
LARGEST_LIMIT = 20


@contextmanager
def library_logs_to_prefect() -> Iterator[None]:
    """Send the library's `aidetl.*` log records to the run's Prefect logs while the block runs.

    A worker-started run gets this from PREFECT_LOGGING_EXTRA_LOGGERS=aidetl (deploy/prefect.yaml
    job variables), which Prefect reads once when it configures logging at import. An in-process
    run (tests, `aidetl demo`) may have imported prefect before that variable was set, so we do
    what Prefect does for an extra logger: attach the `prefect.extra` logger's handlers (the API
    log handler) to `aidetl`. They are removed afterwards, so library code run outside a flow
    does not warn about a missing flow run.
    """
    logger = logging.getLogger(LIBRARY_LOGGER)
    added = [h for h in logging.getLogger("prefect.extra").handlers if h not in logger.handlers]
    for handler in added:
        logger.addHandler(handler)
    previous = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for handler in added:
            logger.removeHandler(handler)
        logger.setLevel(previous)


class ProgressMeter:
    """A progress artifact updated as batches land (percent of planned batches loaded)."""

    def __init__(self, total: int, key: str = PROGRESS_KEY, every: float = 1.0) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.every = every  # seconds between updates: one API call per batch adds up
        self.last = time.monotonic()
        # called from a sync flow, Prefect's sync-compatible function returns the id itself
        self.artifact_id = cast(
            UUID,
            create_progress_artifact(progress=0.0, key=key, description=f"{total} batches planned"),
        )

    def step(self, summary: pipeline.RunSummary) -> None:
        self.done += 1
        if time.monotonic() - self.last < self.every:
            return
        self.last = time.monotonic()
        update_progress_artifact(
            self.artifact_id,
            progress=min(100.0, 100.0 * self.done / self.total),
            description=f"{self.done}/{self.total} batches; {summary.fetched} pages fetched, "
            f"{summary.new_facts} new facts",
        )

    def finish(self, summary: pipeline.RunSummary) -> None:
        update_progress_artifact(
            self.artifact_id,
            progress=100.0,
            description=f"done: {summary.fetched} fetched, {summary.unchanged} unchanged, "
            f"{summary.failed} failed",
        )


def write_report(warehouse_path: Path, out: str | Path) -> Path | None:
    """The HTML report hook: aidetl.report.write_report when that stage exists, else None."""
    try:
        from aidetl.report import write_report as write_html
    except ImportError:
        log.warning("no report stage in this version of aidetl; skipping the HTML report")
        return None
    return Path(write_html(Path(warehouse_path), Path(out))).resolve()


def publish_summary(
    summary: pipeline.RunSummary,
    warehouse_path: Path,
    report: Path | None = None,
    title: str = "ingest",
) -> None:
    """The run's markdown summary and a table of its largest new facts, as keyed artifacts."""
    with Warehouse(warehouse_path) as warehouse:
        kinds, columns, rows = warehouse.run_facts(summary.run_id, LARGEST_LIMIT)
    create_markdown_artifact(
        key=SUMMARY_KEY,
        markdown=summary_markdown(summary, kinds, report, title),
        description=f"aidetl {title} run {summary.run_id}",
    )
    create_table_artifact(
        key=LARGEST_KEY,
        table=[dict(zip(columns, map(json_value, row), strict=True)) for row in rows],
        description=f"Largest new facts of run {summary.run_id}, with their articles",
    )


def summary_markdown(
    summary: pipeline.RunSummary,
    new_by_kind: list[tuple],
    report: Path | None = None,
    title: str = "ingest",
) -> str:
    s = summary
    kinds = "\n".join(f"| {kind} | {n} |" for kind, n in new_by_kind) or "| (none) | 0 |"
    failures = "\n".join(f"- {url} — {why}" for url, why in s.failures) or "none"
    if s.failed > len(s.failures):
        failures += f"\n- … and {s.failed - len(s.failures)} more (see the `fetches` table)"
    link = f"\n[HTML report]({report.as_uri()})\n" if report else ""
    return f"""# aidetl {title} run `{s.run_id}`
{link}
| discovered | fetched | unchanged | failed | disallowed | articles | new articles | new facts | staged batches |
|---|---|---|---|---|---|---|---|---|
| {s.discovered} | {s.fetched} | {s.unchanged} | {s.failed} | {getattr(s, "disallowed", 0)} | {s.articles} | {s.new_articles} | {s.new_facts} | {s.staged_batches} |

## New facts by kind
| kind | new facts |
|---|---|
{kinds}

## Failures
{failures}
"""
