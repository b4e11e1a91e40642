"""`aidetl run --task-runner dask --dask-address` on a real cluster started by hand: a
`dask scheduler` and a `dask worker --nworkers 2` on loopback, with no Prefect settings.

The workers must report to the flow's Prefect server (here the run's temporary one): they
never start a server of their own, and nothing of theirs outlives the cluster.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aidetl.demo import demo_sources_toml, serve_newsroom
from aidetl.warehouse import Warehouse
from tests.dask_cluster import dask_cluster

pytestmark = pytest.mark.slow
AIDETL = str(Path(sys.executable).parent / "aidetl")
SERVER_MARKS = ("uvicorn", "prefect.server", "prefect server")


def run_cli(tmp_path: Path, sources: Path, name: str, *runner: str) -> list[tuple]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    warehouse = tmp_path / f"{name}.duckdb"
    done = subprocess.run(
        [AIDETL, "run", "--sources", str(sources), "--warehouse", str(warehouse),
         "--archive", str(tmp_path / f"{name}-raw"), *runner],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    query = "SELECT fact_id, text, value FROM facts ORDER BY fact_id"
    return Warehouse(warehouse).query(query)[1]


def servers_among(processes) -> list[str]:
    found = []
    for proc in processes:
        try:
            line = " ".join(proc.cmdline())
        except Exception:  # gone since it was listed
            continue
        if any(mark in line for mark in SERVER_MARKS):
            found.append(line)
    return found


def test_run_on_a_real_cluster_matches_threads_and_starts_no_server(tmp_path):
    with serve_newsroom() as served:
        sources = tmp_path / "sources.toml"
        sources.write_text(demo_sources_toml(served.base), encoding="utf-8")
        with dask_cluster(workers=2) as cluster:
            on_dask = run_cli(
                tmp_path, sources, "dask", "--task-runner", "dask", "--dask-address",
                cluster.address,
            )  # fmt: skip
            assert servers_among(cluster.descendants()) == []
        assert cluster.leftovers() == []
        on_threads = run_cli(tmp_path, sources, "threads", "--task-runner", "thread")
    assert on_dask == on_threads and len(on_dask) > 20
