"""The `reprocess` flow: re-extract facts from archived raw pages with the current extractor.

Used after the parser or extractor improves. No network: each article version's raw bytes
come from the archive (Settings.archive) under the archive_key the warehouse recorded. The
pages are parsed and extracted again by the same process task as `ingest`, and loaded; facts
of a new extractor version get new fact ids, so they land beside the old ones (the
`current_facts` view picks the newest).
"""

from __future__ import annotations

import logging

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from aidetl import pipeline, sequencer
from aidetl.archive import Archive
from aidetl.config import Settings, load_settings
from aidetl.reextract import current_extractor_version, known_sources, plan, read_batch
from aidetl.warehouse import Warehouse
from aidetl_flows import runners
from aidetl_flows.artifacts import ProgressMeter, library_logs_to_prefect, publish_summary
from aidetl_flows.ingest import current_flow_run_id, first_done, load_task, process_task

log = logging.getLogger(__name__)

PROCESS_WINDOW = 3  # batches being parsed and extracted at once


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def list_versions_task(warehouse: Warehouse, only: str | None, limit: int | None) -> list[tuple]:
    """(version_id, archive_key, url, source) of every archived version to re-extract."""
    return warehouse.versions_to_reextract(current_extractor_version(), only, limit)


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
        with sequencer.recorded_run(warehouse, summary, params, current_flow_run_id()):
            with runners.process_runner(task_runner, dask_address) as processor:
                reprocess_batches(rows, settings, processor, warehouse, summary)
        publish_summary(summary, settings.warehouse, title="reprocess")
    return summary.as_dict()


def reprocess_batches(rows, settings: Settings, processor, warehouse, summary) -> None:
    """Read each batch of archived versions, process a few at once, load each as it is ready."""
    archive, sources = Archive(settings.archive), known_sources(settings)
    batches = plan(rows)
    meter = ProgressMeter(len(batches), key="reprocess-progress")

    def start(numbered: tuple[int, list[tuple]]):
        fetched = read_batch(archive, numbered[1], sources, numbered[0])
        return runners.submit(processor, process_task, fetched=runners.unwalked(fetched))

    def load(processed: pipeline.ProcessedBatch) -> None:
        result = load_task(
            runners.unwalked(warehouse),
            runners.unwalked(pipeline.batch_of(summary.run_id, processed)),
        )
        pipeline.fold_batch(summary, processed, result)
        meter.step(summary)

    stages = [sequencer.Stage(start, PROCESS_WINDOW)]
    sequencer.drive(enumerate(batches), stages, load, first_done)
    meter.finish(summary)
