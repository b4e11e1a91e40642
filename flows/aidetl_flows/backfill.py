"""The `backfill` flow: load pages from WARC files (web archives) as if they had been crawled.

A thin adapter over aidetl.backfill.run_backfill, which does the work with the run's
sequencer: on a Dask cluster (`dask_address`, else AIDETL_DASK_ADDRESS) the workers run
plain library functions, never Prefect tasks, so no worker starts a Prefect server of its
own; only this flow reports to Prefect and writes the warehouse.
"""

from __future__ import annotations

import os

from prefect import flow

from aidetl import backfill as library
from aidetl.config import load_settings
from aidetl.pipeline import new_run_id
from aidetl_flows.artifacts import library_logs_to_prefect, publish_summary
from aidetl_flows.ingest import current_flow_run_id
from aidetl_flows.runners import DASK_ADDRESS_ENV


@flow(name="backfill", log_prints=True)
def backfill(
    warcs: list[str],
    domains: list[str] | None = None,
    sources_file: str | None = None,
    dask_address: str | None = None,
) -> dict:
    """Load every WARC file (path or URL) not loaded before, resuming partly loaded ones.

    domains: keep only pages on these hosts (and their subdomains), else those inside the
    sources' allowed_domains; dask_address: a Dask scheduler (tcp://host:8786) to spread
    the files over, else AIDETL_DASK_ADDRESS, else this process.
    """
    settings = load_settings()
    address = dask_address or os.environ.get(DASK_ADDRESS_ENV) or None
    params = {"backfill": True, "warcs": warcs, "domains": domains, "dask_address": address}
    with library_logs_to_prefect():
        summary = library.run_backfill(
            settings, warcs, domains=tuple(domains or ()), sources_file=sources_file,
            dask_address=address, run_id=new_run_id(), params=params,
            flow_run_id=current_flow_run_id(),
        )  # fmt: skip
        publish_summary(summary, settings.warehouse, title="backfill")
    return summary.as_dict()
