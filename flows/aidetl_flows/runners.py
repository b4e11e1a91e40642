"""Where each stage's tasks run: fetch on threads in the flow process; process in worker
processes on this machine (the default), in the flow thread, or on Dask.

Fetching shares one Fetcher per flow run (its per-host politeness gate and connection pool
live in memory and hold locks), so fetch tasks must stay in the flow process: they go to the
flow's ThreadPoolTaskRunner. Parse + extract are CPU-bound pure functions of picklable
records (FetchedBatch → ProcessedBatch), so they can leave the flow process:
- "process" (default): the library's pool of worker processes on this machine
  (aidetl.workers.ProcessPool: one per spare core, a worker's death costing only the page
  that killed it), each process task run waiting on its batch in a thread of its own.
  Parse + extract then use another core instead of taking the GIL from the fetch threads
  and the loads;
- "thread": in the flow thread itself, between loads (for one-core machines and debugging);
- "dask": prefect-dask's DaskTaskRunner, opened beside the flow's own runner for the run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task
from prefect.utilities.annotations import quote

from aidetl.errors import ConfigError
from aidetl.workers import Done, ProcessPool, worker_count

log = logging.getLogger(__name__)
T = TypeVar("T")

RUNNERS = ("process", "thread", "dask")
DEFAULT_RUNNER = "process"
DASK_ADDRESS_ENV = "AIDETL_DASK_ADDRESS"  # e.g. tcp://10.0.0.5:8786; unset → a LocalCluster
FETCH_THREADS = 8  # fetch tasks at once; the Fetcher's per-host gate keeps each host polite
MAX_WORKER_PROCESSES = 4  # the process window is small; more workers would only wait
LOCAL_CLUSTER = {
    "n_workers": 2,
    "threads_per_worker": 1,
    "processes": True,
    "dashboard_address": None,
}


def unwalked(value: T) -> T:
    """`value` as a task parameter Prefect passes on without walking it for futures (prefect's
    `quote`): that walk costs tens of milliseconds on a batch of pages and facts, and nothing
    passed between our tasks is a future. Typed as the value, which the task receives."""
    return cast(T, quote(value))


def fetch_runner(max_workers: int = FETCH_THREADS) -> Any:
    """The flow's own task runner: threads in the flow process (fetch, discovery, loads)."""
    return ThreadPoolTaskRunner(max_workers=max_workers)


def check_runner(kind: str) -> str:
    if kind not in RUNNERS:
        raise ConfigError(f"task_runner must be one of {RUNNERS}, not {kind!r}")
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


@dataclass(frozen=True)
class WorkerPool:
    """Worker processes for parse + extract, and the threads whose task runs wait on them.

    The waiting thread holds a Prefect task run for its batch (states, timing and logs stay
    in Prefect as for any task) while a worker process does the CPU work off the flow's GIL.
    """

    threads: ThreadPoolTaskRunner
    processes: ProcessPool

    def submit(self, task: Task, parameters: dict[str, Any]) -> PrefectFuture:
        return self.threads.submit(task, {**parameters, "pool": quote(self.processes)})


@contextmanager
def worker_pool(workers: int) -> Iterator[WorkerPool]:
    processes = ProcessPool(workers)
    log.info("processing in %d worker process(es)", workers)
    try:
        threads: ThreadPoolTaskRunner[Any]
        with ThreadPoolTaskRunner(max_workers=workers + 2) as threads:
            yield WorkerPool(threads, processes)
    finally:
        processes.shutdown()


@contextmanager
def process_runner(
    kind: str, address: str | None = None, workers: int | None = None
) -> Iterator[TaskRunner | WorkerPool | None]:
    """The runner for the process stage: None means the flow thread itself.

    "process" on a machine with no spare core (or workers=0) is the flow thread too: a worker
    would only compete with the flow for the one core. So it is in a daemon process, which
    may not start children.
    """
    kind = check_runner(kind)
    workers = worker_count(most=MAX_WORKER_PROCESSES) if workers is None else workers
    if kind == "process" and workers and multiprocessing.current_process().daemon:
        log.warning("a daemon process cannot start workers; processing in the flow thread")
        workers = 0
    if kind == "thread" or (kind == "process" and workers < 1):
        yield None
    elif kind == "process":
        with worker_pool(workers) as pool:
            yield pool
    else:
        with server_named_for_workers(), dask_runner(address) as runner:
            yield runner


@contextmanager
def server_named_for_workers() -> Iterator[None]:
    """Within it, the settings a task run carries to a Dask worker name the server this flow
    reports to.

    A Dask worker runs each task run with the flow's serialised settings. When the flow runs on
    Prefect's temporary local server those settings name no API, and every worker process
    started a temporary server of its own (left running when a worker was killed). Naming the
    flow's server makes the workers report to it; on a configured server this changes nothing.
    """
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield
        return
    with get_client(sync_client=True) as client:
        url = str(client.api_url).rstrip("/")
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def submit(
    runner: TaskRunner | WorkerPool | None, task: Task, **parameters: Any
) -> PrefectFuture | Done:
    """Submit `task` to `runner`; with no runner, run it now in the calling (flow) thread.

    Parse + extract never run on the flow's own thread pool: both are CPU-bound Python, and
    on pool threads they fight the loads for the GIL (a load makes many short DuckDB calls,
    each waiting to get the GIL back), which made the serial loads, the flow's critical path,
    three times slower. In the flow thread they at least take turns with the loads; in a
    worker process (WorkerPool) they leave the GIL to the fetch threads and the loads.
    """
    if runner is None:
        return Done(task(**parameters))
    if isinstance(runner, WorkerPool):
        return runner.submit(task, parameters)
    # prefect's `quote` is a namedtuple: Dask's serialisation would hand the task a bare
    # 1-tuple, so the values go unwrapped (Dask walks them itself either way).
    plain = {k: v.unquote() if isinstance(v, quote) else v for k, v in parameters.items()}
    return runner.submit(task, plain)
