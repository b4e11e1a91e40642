"""End to end on a real Prefect server: deploy deploy/prefect.yaml, run a worker, trigger runs.

Starts `prefect server start` on a free loopback port with its own PREFECT_HOME, creates the
`aidetl-process` pool, deploys every deployment from the checkout, starts a process worker
(its environment names a temporary warehouse and archive, which flow runs inherit), then
triggers the ad-hoc deployment with the demo newsroom's article URLs (served by this test on
127.0.0.1) and checks the warehouse rows and the run's artifacts and logs through the API.
Every process started here is ended in `finally`, with its children.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from aidetl.demo import serve_newsroom
from aidetl.warehouse import Warehouse

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 120
RUN_TIMEOUT = 150


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article_paths() -> list[str]:
    """The demo newsroom's public article paths (from its manifest)."""
    manifest = json.loads((ROOT / "src/aidetl/newsroom/manifest.json").read_text("utf-8"))
    return [a["path"] for a in manifest["articles"] if not a.get("disallowed")]


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A subprocess in its own process group, output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    """End a process, its group and every descendant (flow runs may start their own groups)."""
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        for child in family:
            try:
                child.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        try:
            proc.wait(timeout=15)
            psutil.wait_procs(family, timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


def run_cli(args: list[str], env: dict) -> str:
    done = subprocess.run([str(BIN / "prefect"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_healthy(api: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"prefect server exited:\n{log.read_text()[-3000:]}"
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"prefect server not healthy in time:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict]:
    """A Prefect server, the deployments and a worker; yields the env and paths."""
    tmp = tmp_path_factory.mktemp("prefect-e2e")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp / "prefect-home"),
        PREFECT_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="5",
        PREFECT_LOGGING_LEVEL="INFO",
        AIDETL_WAREHOUSE=str(tmp / "warehouse" / "aidetl.duckdb"),
        AIDETL_ARCHIVE=str(tmp / "warehouse" / "raw"),
        PWD=str(ROOT),  # `{{ $PWD }}` in prefect.yaml: the checkout the runs start in
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    procs: list[subprocess.Popen] = []
    try:
        server_log = tmp / "server.log"
        procs.append(start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                            "--port", str(port)], env, server_log))  # fmt: skip
        wait_healthy(api, procs[0], server_log)
        run_cli(["work-pool", "create", "aidetl-process", "--type", "process", "--overwrite"], env)
        run_cli(["--no-prompt", "deploy", "--all", "--prefect-file", "deploy/prefect.yaml"], env)
        worker_log = tmp / "worker.log"
        procs.append(start([str(BIN / "prefect"), "worker", "start", "--pool", "aidetl-process",
                            "--limit", "4"], env, worker_log))  # fmt: skip
        yield {"env": env, "api": api, "tmp": tmp, "worker_log": worker_log}
    finally:
        for proc in reversed(procs):
            stop(proc)


def in_api(api: str, coro_fn):
    """Run an async function with a client on the test server."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    async def call():
        with temporary_settings(updates={PREFECT_API_URL: api}):
            async with get_client() as client:
                return await coro_fn(client)

    return asyncio.run(call())


def trigger(api: str, deployment: str, parameters: list[dict]) -> list[str]:
    async def go(client):
        dep = await client.read_deployment_by_name(deployment)
        runs = [
            await client.create_flow_run_from_deployment(dep.id, parameters=p) for p in parameters
        ]
        return [str(r.id) for r in runs]

    return in_api(api, go)


def wait_final(api: str, run_ids: list[str], worker_log: Path) -> dict[str, str]:
    async def states(client):
        return {i: (await client.read_flow_run(i)).state for i in run_ids}

    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        found = in_api(api, states)
        if all(s is not None and s.is_final() for s in found.values()):
            return {i: s.type.value for i, s in found.items()}
        time.sleep(1)
    raise AssertionError(f"runs not final in time: {found}\n{worker_log.read_text()[-4000:]}")


def artifacts_and_logs(api: str, run_id: str) -> tuple[dict, list[str]]:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )

    async def go(client):
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id]))
        )
        return {a.key: a for a in found if a.key}, [log.name for log in logs]

    return in_api(api, go)


def rows(path: Path, sql: str) -> list[tuple]:
    return Warehouse(path).query(sql)[1]


def test_scheduled_deployment_has_its_cron_and_timezone(stack):
    """deploy/prefect.yaml's daily ingest is on the server with cron and Asia/Shanghai."""

    async def go(client):
        return await client.read_deployment_by_name("ingest/ingest-daily")

    dep = in_api(stack["api"], go)
    crons = [(s.schedule.cron, s.schedule.timezone) for s in dep.schedules]
    assert ("30 6 * * *", "Asia/Shanghai") in crons
    assert dep.work_pool_name == "aidetl-process"
    assert dep.job_variables["env"]["AIDETL_ROOT"] == str(ROOT)

    async def others(client):
        return [
            await client.read_deployment_by_name(n)
            for n in ("ingest/ingest-adhoc", "reprocess/reprocess")
        ]

    adhoc, reprocess = in_api(stack["api"], others)
    assert (
        not adhoc.schedules and reprocess.entrypoint == "flows/aidetl_flows/reprocess.py:reprocess"
    )


def test_adhoc_run_on_worker_loads_rows_and_artifacts(stack):
    """An ad-hoc run with article URLs completes on the worker; rows, artifacts and logs show it."""
    warehouse = Path(stack["env"]["AIDETL_WAREHOUSE"])
    paths = article_paths()[:4]
    with serve_newsroom() as served:
        urls = [served.url(p) for p in paths]
        (run_id,) = trigger(stack["api"], "ingest/ingest-adhoc", [{"urls": urls, "delay": 0.0}])
        states = wait_final(stack["api"], [run_id], stack["worker_log"])
        assert states[run_id] == "COMPLETED", stack["worker_log"].read_text()[-4000:]
        assert sorted(served.requests) == sorted(["/robots.txt", *paths])
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(len(paths),)]
    assert rows(warehouse, "SELECT count(*) FROM facts")[0][0] > 5
    assert rows(warehouse, "SELECT flow_run_id, status FROM runs") == [(run_id, "completed")]
    found, log_names = artifacts_and_logs(stack["api"], run_id)
    assert {"ingest-summary", "ingest-largest-facts", "ingest-progress"} <= set(found)
    assert "new facts" in found["ingest-summary"].data
    assert any(name.startswith("aidetl") for name in log_names)  # the library's own logs


def test_two_adhoc_runs_at_once_both_complete_without_duplicates(stack):
    """Two runs triggered together both complete (writers take turns) and add no duplicate rows."""
    warehouse = Path(stack["env"]["AIDETL_WAREHOUSE"])
    paths = article_paths()
    with serve_newsroom() as served:
        first = [served.url(p) for p in paths[: len(paths) // 2 + 2]]
        second = [served.url(p) for p in paths[len(paths) // 2 - 2 :]]
        run_ids = trigger(stack["api"], "ingest/ingest-adhoc",
                          [{"urls": first, "delay": 0.0}, {"urls": second, "delay": 0.0}])  # fmt: skip
        states = wait_final(stack["api"], run_ids, stack["worker_log"])
        base = served.base
    assert set(states.values()) == {"COMPLETED"}, stack["worker_log"].read_text()[-4000:]
    ((articles, distinct),) = rows(
        warehouse, "SELECT count(*), count(DISTINCT article_id) FROM articles"
    )
    assert articles == distinct
    assert rows(warehouse, f"SELECT count(*) FROM articles WHERE url LIKE '{base}/%'") == [
        (len(paths),)
    ]
    ((facts, distinct_facts),) = rows(
        warehouse, "SELECT count(*), count(DISTINCT fact_id) FROM facts"
    )
    assert facts == distinct_facts > 0
    statuses = rows(warehouse, f"SELECT status FROM runs WHERE flow_run_id IN {tuple(run_ids)}")
    assert sorted(statuses) == [("completed",), ("completed",)]
