"""The `reprocess` flow: re-extract facts from archived raw pages with the current extractor.

Used after the parser or extractor improves. No network: each article version's raw bytes
come from the archive (Settings.archive) under the archive_key the warehouse recorded. The
pages are parsed and extracted again by the same process task as `ingest`, and loaded; facts
of a new extractor version get new fact ids, so they land beside the old ones (the
`current_facts` view picks the newest).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from aidetl import pipeline
from aidetl.archive import Archive
from aidetl.config import Settings, load_settings, load_sources
from aidetl.encoding import decode_html
from aidetl.errors import ConfigError
from aidetl.models import Page, Source
from aidetl.warehouse import Warehouse
from flows import runners
from flows.artifacts import ProgressMeter, library_logs_to_prefect, publish_summary
from flows.ingest import current_flow_run_id, load_task, process_task

log = logging.getLogger(__name__)

# Archived versions that have no facts from extractor `$current` yet; `$only` (optional)
# narrows them to versions whose facts came from that older extractor version.
VERSIONS_SQL = """
SELECT v.version_id, v.archive_key, a.url, coalesce(a.source, '') AS source
FROM article_versions v JOIN articles a ON a.article_id = v.article_id
WHERE v.archive_key IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM facts f
                  WHERE f.version_id = v.version_id AND f.extractor_version = $current)
  AND ($only IS NULL OR EXISTS (SELECT 1 FROM facts f
                  WHERE f.version_id = v.version_id AND f.extractor_version = $only))
ORDER BY v.version_id
"""
PROCESS_WINDOW = 3


def current_extractor_version() -> str:
    from aidetl.extract import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def list_versions_task(warehouse: Warehouse, only: str | None, limit: int | None) -> list[tuple]:
    """(version_id, archive_key, url, source) of every archived version to re-extract."""
    if not warehouse.path.exists():
        return []
    rows = warehouse.query(VERSIONS_SQL, {"current": current_extractor_version(), "only": only})[1]
    return rows[:limit] if limit else rows


def known_sources(settings: Settings) -> dict[str, Source]:
    """Configured sources by name (for their parse profiles); none when there is no file."""
    try:
        return {s.name: s for s in load_sources(settings.sources_file)}
    except ConfigError:
        return {}


def read_batch(
    archive: Archive, rows: list[tuple], sources: dict[str, Source], number: int
) -> pipeline.FetchedBatch:
    """Rebuild the pages of a batch of archived versions (one source's profile per batch)."""
    source = sources.get(rows[0][3]) or Source(name=rows[0][3] or "archive")
    pages = []
    for _version_id, key, url, _source in rows:
        try:
            content = archive.get(key)
        except KeyError:
            log.warning("archived page %s for %s is missing; skipped", key, url)
            continue
        text, encoding = decode_html(content)
        pages.append(Page(url=url, final_url=url, status=200, headers={}, content=content,
                          text=text, encoding=encoding, fetched_at=datetime.now(UTC),
                          source=source.name, archive_key=key))  # fmt: skip
    return pipeline.FetchedBatch(source, tuple(pages), (), 0, number)


def plan(rows: list[tuple], size: int = pipeline.BATCH_SIZE) -> list[list[tuple]]:
    """Batches of at most `size` rows, each from one source."""
    batches: list[list[tuple]] = []
    for row in sorted(rows, key=lambda r: r[3]):
        if not batches or len(batches[-1]) >= size or batches[-1][0][3] != row[3]:
            batches.append([])
        batches[-1].append(row)
    return batches


@flow(name="reprocess", task_runner=runners.fetch_runner(), log_prints=True)
def reprocess(
    extractor_version: str | None = None,
    limit: int | None = None,
    task_runner: str = runners.DEFAULT_RUNNER,
    dask_address: str | None = None,
) -> dict:
    """Re-extract archived article versions lacking facts from the current extractor.

    extractor_version: only versions whose facts came from this (older) extractor version;
    limit: at most N versions; task_runner/dask_address: as for `ingest`.
    """
    runners.check_runner(task_runner)
    settings = load_settings()
    run_id = pipeline.new_run_id()
    summary = pipeline.RunSummary(run_id=run_id)
    params = {
        "reprocess": True,
        "extractor_version": extractor_version,
        "limit": limit,
        "current_extractor": current_extractor_version(),
    }
    with library_logs_to_prefect(), Warehouse(settings.warehouse) as warehouse:
        rows = list_versions_task(warehouse, extractor_version, limit)
        summary.discovered = len(rows)
        warehouse.start_run(run_id, params, current_flow_run_id())
        status = "failed"
        try:
            with runners.process_runner(task_runner, dask_address) as processor:
                reprocess_batches(rows, settings, processor, warehouse, summary)
            status = "completed"
        finally:
            warehouse.finish_run(run_id, status, summary.as_dict())
        publish_summary(summary, settings.warehouse, title="reprocess")
    return summary.as_dict()


def reprocess_batches(rows, settings: Settings, processor, warehouse, summary) -> None:
    """Read, process and load batch by batch, a few batches processing at once."""
    archive, sources = Archive(settings.archive), known_sources(settings)
    batches = plan(rows)
    meter = ProgressMeter(len(batches), key="reprocess-progress")
    processing: list = []
    for number, batch in enumerate(batches):
        fetched = read_batch(archive, batch, sources, number)
        processing.append(runners.submit(processor, process_task, fetched=quote(fetched)))
        if len(processing) >= PROCESS_WINDOW:
            load_next(processing, warehouse, summary, meter)
    while processing:
        load_next(processing, warehouse, summary, meter)
    meter.finish(summary)


def load_next(processing: list, warehouse, summary, meter) -> None:
    processed = processing.pop(0).result()
    result = load_task(quote(warehouse), summary.run_id, quote(processed))
    pipeline.fold_batch(summary, processed, result)
    meter.step(summary)
