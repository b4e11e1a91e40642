"""The one door from the library to the flows: the CLI (aidetl.cli) imports this module and
nothing else of aidetl_flows, so Prefect stays out of the library. Each function runs a flow
in this process (reporting to the configured Prefect API, or to a temporary local server).
"""

from __future__ import annotations

from typing import Any


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active profile; None when Prefect will
    start a temporary server for the run."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def run_ingest(**params: Any) -> dict:
    """The `ingest` flow (aidetl_flows.ingest.ingest) with these parameters; its summary."""
    from aidetl_flows.ingest import ingest

    return ingest(**params)


def run_reprocess(**params: Any) -> dict:
    """The `reprocess` flow (aidetl_flows.reprocess.reprocess); its summary."""
    from aidetl_flows.reprocess import reprocess

    return reprocess(**params)


def run_backfill(**params: Any) -> dict:
    """The `backfill` flow (aidetl_flows.backfill.backfill); its summary."""
    from aidetl_flows.backfill import backfill

    return backfill(**params)
