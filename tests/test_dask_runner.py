"""ingest with task_runner="dask": parse + extract on a Dask LocalCluster, fetch on threads."""

from __future__ import annotations

import pytest

from aidetl.demo import demo_sources_toml, serve_newsroom
from aidetl.warehouse import Warehouse
from aidetl_flows import runners
from aidetl_flows.ingest import ingest

pytestmark = pytest.mark.slow


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("AIDETL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("AIDETL_ARCHIVE", str(tmp_path / "raw"))
    return tmp_path / "wh.duckdb"


def test_dask_run_matches_thread_run(harness, tmp_path, env, monkeypatch):
    """The same newsroom gives the same articles and facts on Dask (2 worker processes) as on threads."""
    seen_runners = []
    original = runners.dask_runner

    def spy(address=None, cluster_kwargs=None):
        runner = original(address, cluster_kwargs)
        seen_runners.append(runner)
        return runner

    monkeypatch.setattr(runners, "dask_runner", spy)
    with serve_newsroom() as served:
        sources = tmp_path / "sources.toml"
        sources.write_text(demo_sources_toml(served.base), encoding="utf-8")
        on_dask = ingest(sources_file=str(sources), task_runner="dask")
        facts_on_dask = fact_rows(env)
        monkeypatch.setenv("AIDETL_WAREHOUSE", str(tmp_path / "threads.duckdb"))
        on_threads = ingest(sources_file=str(sources), task_runner="thread")
        facts_on_threads = fact_rows(tmp_path / "threads.duckdb")
    assert len(seen_runners) == 1 and seen_runners[0].cluster_kwargs["processes"] is True
    assert seen_runners[0].cluster_kwargs["n_workers"] == 2
    assert on_dask["new_articles"] == on_threads["new_articles"] > 5
    assert facts_on_dask == facts_on_threads and len(facts_on_dask) > 20


def fact_rows(path) -> list[tuple]:
    return Warehouse(path).query("SELECT fact_id, text, value FROM facts ORDER BY fact_id")[1]


def test_dask_address_comes_from_the_environment(monkeypatch):
    """AIDETL_DASK_ADDRESS points the runner at an existing cluster instead of a LocalCluster."""
    monkeypatch.setenv(runners.DASK_ADDRESS_ENV, "tcp://127.0.0.1:8786")
    assert runners.dask_runner().address == "tcp://127.0.0.1:8786"
    monkeypatch.delenv(runners.DASK_ADDRESS_ENV)
    assert runners.dask_runner().address is None
    with pytest.raises(ValueError):
        runners.check_runner("processes")
