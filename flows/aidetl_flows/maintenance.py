"""The `maintenance` flow: what a long-lived warehouse file needs now and then, on a
schedule (deploy/prefect.yaml): Warehouse.compact, the same work as `aidetl compact`."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow

from aidetl.config import load_settings
from aidetl.warehouse import Warehouse
from aidetl_flows.artifacts import library_logs_to_prefect


@flow(name="maintenance", log_prints=True)
def maintenance(vacuum_superseded: bool = False) -> dict:
    """Checkpoint the warehouse, refresh its statistics and, with vacuum_superseded, delete
    the facts of article versions no article points at any more. Waits for running loads
    (one writer at a time) like any write."""
    settings = load_settings()
    with library_logs_to_prefect(), Warehouse(settings.warehouse) as warehouse:
        done = warehouse.compact(vacuum_superseded=vacuum_superseded)
    print(
        f"{settings.warehouse}: deleted {done.deleted_facts} facts of superseded versions; "
        f"{done.bytes_before / 2**20:.1f} MB -> {done.bytes_after / 2**20:.1f} MB"
    )
    return asdict(done)
