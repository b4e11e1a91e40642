"""Where each stage's tasks run: fetch on threads in the flow process, process on threads or Dask.

Fetching shares one Fetcher per flow run (its per-host politeness gate and connection pool
live in memory and hold locks), so fetch tasks must stay in the flow process: they go to the
flow's ThreadPoolTaskRunner. Parse + extract are CPU-bound pure functions of picklable
records (FetchedBatch → ProcessedBatch), so they can go to a Dask cluster through
prefect-dask's DaskTaskRunner, opened beside the flow's own runner for the length of the run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task
from prefect.utilities.annotations import quote

log = logging.getLogger(__name__)

RUNNERS = ("thread", "dask")
DASK_ADDRESS_ENV = "AIDETL_DASK_ADDRESS"  # e.g. tcp://10.0.0.5:8786; unset → a LocalCluster
FETCH_THREADS = 8  # fetch tasks at once; the Fetcher's per-host gate keeps each host polite
LOCAL_CLUSTER = {
    "n_workers": 2,
    "threads_per_worker": 1,
    "processes": True,
    "dashboard_address": None,
}


def fetch_runner(max_workers: int = FETCH_THREADS) -> ThreadPoolTaskRunner:
    """The flow's own task runner: threads in the flow process (fetch, discovery, loads)."""
    return ThreadPoolTaskRunner(max_workers=max_workers)


def check_runner(kind: str) -> str:
    if kind not in RUNNERS:
        raise ValueError(f"task_runner must be one of {RUNNERS}, not {kind!r}")
    return kind


def dask_runner(address: str | None = None, cluster_kwargs: dict | None = None) -> TaskRunner:
    """A DaskTaskRunner on `address` (or AIDETL_DASK_ADDRESS), else on a new LocalCluster."""
    from prefect_dask import DaskTaskRunner  # imported here: a thread-only run never needs Dask

    address = address or os.environ.get(DASK_ADDRESS_ENV) or None
    if address:
        log.info("processing on the Dask cluster at %s", address)
        return DaskTaskRunner(address=address)
    kwargs = {**LOCAL_CLUSTER, **(cluster_kwargs or {})}
    log.info("processing on a local Dask cluster %s", kwargs)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=kwargs)


@contextmanager
def process_runner(kind: str, address: str | None = None) -> Iterator[TaskRunner | None]:
    """The runner for the process stage: None means the flow thread itself."""
    if check_runner(kind) == "thread":
        yield None
        return
    with dask_runner(address) as runner:
        yield runner


class Done:
    """An already-computed result, shaped like a future."""

    def __init__(self, value: object) -> None:
        self.value = value

    def result(self) -> object:
        return self.value


def submit(runner: TaskRunner | None, task: Task, **parameters: Any) -> PrefectFuture | Done:
    """Submit `task` to `runner`; with no runner, run it now in the calling (flow) thread.

    Running parse + extract in the flow thread, between loads, rather than on the pool is
    deliberate: both are CPU-bound Python, and on pool threads they fight the loads for the
    GIL (a load makes many short DuckDB calls, each waiting to get the GIL back), which made
    the serial loads, the flow's critical path, three times slower. Fetch threads mostly wait
    on sockets, so they still overlap with both.
    """
    if runner is None:
        return Done(task(**parameters))
    # prefect's `quote` is a namedtuple: Dask's serialisation would hand the task a bare
    # 1-tuple, so the values go unwrapped (Dask walks them itself either way).
    plain = {k: v.unquote() if isinstance(v, quote) else v for k, v in parameters.items()}
    return runner.submit(task, plain)
