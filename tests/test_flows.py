"""The Prefect flows end to end under prefect_test_harness, on the demo newsroom served locally."""

from __future__ import annotations

import logging

import pytest
from prefect.client.orchestration import get_client

from aidetl.demo import demo_sources_toml, serve_newsroom
from aidetl.localtime import parse_input_time
from aidetl.pipeline import interleave
from aidetl.warehouse import Warehouse
from aidetl_flows import artifacts
from aidetl_flows.ingest import ingest
from aidetl_flows.reprocess import reprocess


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A warehouse and archive in tmp; returns the warehouse path."""
    monkeypatch.setenv("AIDETL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("AIDETL_ARCHIVE", str(tmp_path / "raw"))
    return tmp_path / "wh.duckdb"


@pytest.fixture
def newsroom(tmp_path):
    with serve_newsroom() as served:
        sources = tmp_path / "sources.toml"
        sources.write_text(demo_sources_toml(served.base), encoding="utf-8")
        yield served, sources


def count(path, table: str) -> int:
    return Warehouse(path).query(f"SELECT count(*) FROM {table}")[1][0][0]


async def artifacts_of(flow_run_id: str) -> dict[str, object]:
    """The run's artifacts by key."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a.data for a in found if a.key}


def test_demo_ingest_loads_articles_skips_private_and_is_idempotent(harness, env, newsroom):
    """The demo chain lands articles and facts, never requests /private/, and a rerun adds no rows."""
    served, sources = newsroom
    first = ingest(sources_file=str(sources))
    assert first["new_articles"] > 5 and first["new_facts"] > 20
    # The disallowed page is counted apart from failures (robots.txt) and never requested.
    assert first["disallowed"] == 1 and first["failed"] == 0
    assert not [p for p in served.requests if p.startswith("/private/")]
    articles, facts = count(env, "articles"), count(env, "facts")
    assert articles == first["new_articles"] and facts == first["new_facts"]

    second = ingest(sources_file=str(sources))
    assert second["new_articles"] == 0 and second["new_facts"] == 0
    assert (count(env, "articles"), count(env, "facts")) == (articles, facts)
    runs = Warehouse(env).query("SELECT status, flow_run_id FROM runs")[1]
    assert len(runs) == 2 and {s for s, _ in runs} == {"completed"}
    assert all(flow_run_id for _, flow_run_id in runs)


def test_ingest_publishes_summary_largest_facts_progress_and_report(
    harness, env, newsroom, tmp_path
):
    """A run leaves summary, largest-facts and progress artifacts; the summary links the report."""
    import asyncio

    _, sources = newsroom
    report = tmp_path / "report.html"
    ingest(sources_file=str(sources), report=str(report))
    ((flow_run_id,),) = Warehouse(env).query("SELECT flow_run_id FROM runs")[1]
    found = asyncio.run(artifacts_of(flow_run_id))
    assert {artifacts.SUMMARY_KEY, artifacts.LARGEST_KEY, artifacts.PROGRESS_KEY} <= set(found)
    assert report.exists() and report.resolve().as_uri() in found[artifacts.SUMMARY_KEY]
    assert "## New facts by kind" in found[artifacts.SUMMARY_KEY]
    assert "article" in found[artifacts.LARGEST_KEY] or "url" in found[artifacts.LARGEST_KEY]


def test_adhoc_urls_fetch_only_those_pages(harness, env, newsroom):
    """Explicit URLs are fetched as given, with no discovery of feeds or sitemaps."""
    served, _ = newsroom
    urls = [served.url("/articles/2021/0302-minning-xiji.html")]
    summary = ingest(urls=urls)  # no delay given: the ad-hoc source keeps the default
    assert summary["discovered"] == 1 and summary["new_articles"] == 1
    assert not [p for p in served.requests if "sitemap" in p or "rss" in p]


def test_reprocess_reextracts_archived_pages_without_network(harness, env, newsroom, monkeypatch):
    """reprocess reads the archive, not the network, and a new extractor version adds new facts."""
    served, sources = newsroom
    ingest(sources_file=str(sources))
    before = count(env, "facts")
    current_before = count(env, "current_facts")
    requests_before = len(served.requests)
    same = reprocess()
    assert same["new_facts"] == 0  # every version already has facts from this extractor
    # the patches below live in this process: the flow's thread runner sees them, worker
    # processes (the default runner) would not
    monkeypatch.setattr("aidetl.extract.EXTRACTOR_VERSION", "test-next", raising=False)
    monkeypatch.setattr("aidetl_flows.reprocess.current_extractor_version", lambda: "test-next")
    monkeypatch.setattr("aidetl.batches.extract_facts", relabelled_extract("test-next"))
    newer = reprocess(task_runner="thread")
    assert newer["articles"] > 0 and newer["new_facts"] == before
    assert len(served.requests) == requests_before
    versions = Warehouse(env).query("SELECT DISTINCT extractor_version FROM facts")[1]
    assert ("test-next",) in versions
    # the views show the re-extracted facts instead of the old ones, not beside them
    assert count(env, "current_facts") == current_before
    current = Warehouse(env).query("SELECT DISTINCT extractor_version FROM current_facts")[1]
    assert current == [("test-next",)]


def relabelled_extract(version: str):
    import dataclasses

    from aidetl.extract import extract_facts

    def extract(*args, **kwargs):
        return [
            dataclasses.replace(f, extractor_version=version)
            for f in extract_facts(*args, **kwargs)
        ]

    return extract


def test_library_logs_reach_prefect_handlers_only_during_the_block():
    """The aidetl logger gets Prefect's API handlers inside the block and loses them after."""
    extra = logging.getLogger("prefect.extra").handlers
    logger = logging.getLogger("aidetl")
    with artifacts.library_logs_to_prefect():
        assert all(h in logger.handlers for h in extra)
        assert logger.getEffectiveLevel() <= logging.INFO
    assert not [h for h in logger.handlers if h in extra] or "aidetl" in _extra_loggers()


def _extra_loggers() -> str:
    import os

    return os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "")


def test_interleave_alternates_sources_and_since_defaults_to_shanghai():
    """Batches of several sources alternate; a naive --since is read as Asia/Shanghai time."""
    assert list(interleave([[1, 2, 3], ["a"], ["x", "y"]])) == [1, "a", "x", 2, "y", 3]
    assert parse_input_time("2024-01-01").utcoffset().total_seconds() == 8 * 3600
    assert parse_input_time(None) is None


def test_unknown_task_runner_is_refused(harness, env, newsroom):
    """A task_runner other than process/thread/dask fails the run before any work."""
    _, sources = newsroom
    with pytest.raises(ValueError, match="task_runner"):
        ingest(sources_file=str(sources), task_runner="ray")
