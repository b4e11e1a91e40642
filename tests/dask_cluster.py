"""A real Dask cluster on loopback for tests: `dask scheduler` and `dask worker` processes.

    with dask_cluster(workers=2) as cluster:
        cluster.address          # tcp://127.0.0.1:PORT
        cluster.descendants()    # every process the workers started, alive now

Each command runs in its own session with no PREFECT_* variables, as on a machine where an
operator started the cluster by hand. On exit the workers and the scheduler get SIGTERM (then
SIGKILL after a grace period); a clean exit asserts that nothing of theirs is still alive
(`leftovers()` names it), whoever uses the cluster.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent


@dataclass
class Cluster:
    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def descendants(self) -> list[psutil.Process]:
        """Every live process started (directly or not) by the scheduler or the workers."""
        found = []
        for popen in self.processes:
            try:
                found.extend(psutil.Process(popen.pid).children(recursive=True))
            except psutil.NoSuchProcess:
                continue
        self.seen.update(p.pid for p in found)
        return found

    def leftovers(self) -> list[str]:
        """Command lines of the cluster's processes (and any they started) still running."""
        alive = []
        for pid in self.seen | {p.pid for p in self.processes}:
            try:
                proc = psutil.Process(pid)
                if proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(" ".join(proc.cmdline()))
            except psutil.NoSuchProcess:
                continue
        return alive


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_workers(address: str, count: int, timeout: float = 60) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        client.wait_for_workers(count, timeout=timeout)


@contextmanager
def dask_cluster(workers: int = 2, threads: int = 1) -> Iterator[Cluster]:
    """A scheduler and one `dask worker` command with `workers` worker processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    cluster = Cluster(address)
    common = {"env": env, "start_new_session": True, "stdout": subprocess.DEVNULL}
    try:
        cluster.processes.append(
            subprocess.Popen(
                [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                 "--no-dashboard"],
                stderr=subprocess.DEVNULL, **common,
            )
        )  # fmt: skip
        cluster.processes.append(
            subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers", str(workers),
                 "--nthreads", str(threads), "--no-dashboard", "--host", "127.0.0.1"],
                stderr=subprocess.DEVNULL, **common,
            )
        )  # fmt: skip
        wait_for_workers(address, workers)
        assert len(cluster.descendants()) >= workers, "the worker processes did not start"
        yield cluster
    except BaseException:
        stop(cluster)
        raise
    stop(cluster)
    left = cluster.leftovers()
    assert not left, f"still running after the cluster stopped: {left}"


def stop(cluster: Cluster, grace: float = 20) -> None:
    """SIGTERM to the workers, then the scheduler; SIGKILL to whatever outlives the grace."""
    cluster.descendants()
    for popen in reversed(cluster.processes):
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for popen in cluster.processes:
        try:
            popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(popen.pid, signal.SIGKILL)
            popen.wait()
    for pid in cluster.seen:  # children reparented away from a killed worker
        try:
            psutil.Process(pid).wait(timeout=max(0.1, deadline - time.monotonic()))
        except (psutil.NoSuchProcess, psutil.TimeoutExpired):
            continue
