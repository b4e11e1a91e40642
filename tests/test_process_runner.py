"""The default `process` runner: parse + extract in worker processes, logs back in the flow."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

import pytest

from aidetl import batches, pipeline
from aidetl.demo import demo_sources_toml, serve_newsroom
from aidetl.models import FetchAttempt, Page, Source
from aidetl.warehouse import Warehouse
from aidetl.workers import ProcessPool, replay, worker_count
from aidetl_flows import runners
from aidetl_flows.ingest import ingest

SOURCE = Source("local", allowed_domains=("127.0.0.1",))
GOOD = "<html><head><title>帮扶</title></head><body><p>2020年累计投入帮扶资金5亿元，带动3000户增收。</p></body></html>"


def page(url: str, html: str) -> Page:
    return Page(url, url, 200, {}, html.encode(), html, "utf-8", datetime(2024, 1, 1, tzinfo=UTC))


class Poison(bytes):
    """Bytes that end the process that unpickles them, as a crash in native code would."""

    def __reduce__(self):
        return os._exit, (3,)


def fetched_batch(*extra: Page) -> pipeline.FetchedBatch:
    pages = (page("http://127.0.0.1/good", GOOD), page("http://127.0.0.1/empty", "   "), *extra)
    attempts = tuple(
        FetchAttempt(url=p.url, attempt=1, status=200, fetched_at=p.fetched_at) for p in pages
    )
    return pipeline.FetchedBatch(SOURCE, pages, attempts, 0, 0)


@pytest.mark.parametrize(("cores", "flow", "plain"), [(1, 0, 0), (2, 1, 1), (3, 2, 2), (64, 4, 2)])
def test_one_worker_per_spare_core_capped(cores: int, flow: int, plain: int) -> None:
    """A run keeps a core for fetching and loading; a one-core machine processes in the run's
    own process. A plain run's process window is smaller than the flow's."""
    assert worker_count(cores, most=runners.MAX_WORKER_PROCESSES) == flow
    assert worker_count(cores) == plain


def test_no_spare_core_means_processing_in_the_flow_thread() -> None:
    with runners.process_runner("process", workers=0) as processor:
        assert processor is None


def test_a_daemon_process_processes_in_the_flow_thread(monkeypatch) -> None:
    """A flow run inside a daemon process (which may not have children) does not fail."""

    class Daemon:
        daemon = True

    monkeypatch.setattr(runners.multiprocessing, "current_process", Daemon)
    with runners.process_runner("process", workers=2) as processor:
        assert processor is None


def test_a_worker_process_returns_the_batch_and_its_log_records(caplog) -> None:
    """A page that cannot be parsed is marked in its attempt, and the worker's warning about it
    is logged again in this process (so the flow's Prefect log handler sees it)."""
    pool = ProcessPool(1)
    try:
        processed, records = pool.process(fetched_batch())
    finally:
        pool.shutdown()
    assert [a.url for a in processed.articles] == ["http://127.0.0.1/good"]
    assert processed.facts and processed.facts == pipeline.process_batch(fetched_batch()).facts
    failed = {a.url: a.error_class for a in processed.attempts}
    assert failed == {"http://127.0.0.1/good": None, "http://127.0.0.1/empty": "ParseError"}
    assert [r.levelno for r in records] == [logging.WARNING]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="aidetl"):
        replay(records)
    (logged,) = [r for r in caplog.records if "empty" in r.getMessage()]
    assert logged.name == "aidetl.batches" and "could not process" in logged.getMessage()


def test_an_unexpected_error_on_one_page_fails_that_page_only(monkeypatch, caplog) -> None:
    """A bug that meets one odd page is that page's recorded failure, not the batch's."""
    real = batches.parse_article

    def parse(p, source=None):
        if p.url.endswith("/odd"):
            raise KeyError("surprise")
        return real(p, source)

    monkeypatch.setattr(batches, "parse_article", parse)
    processed = pipeline.process_batch(fetched_batch(page("http://127.0.0.1/odd", GOOD)))
    assert [a.url for a in processed.articles] == ["http://127.0.0.1/good"]
    failed = {a.url: a.error_class for a in processed.attempts if a.error_class}
    assert failed == {"http://127.0.0.1/empty": "ParseError", "http://127.0.0.1/odd": "KeyError"}
    assert any("unexpected KeyError" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_page_that_kills_its_worker_fails_alone_and_the_pool_goes_on() -> None:
    """The worker dies unpickling the poisoned page: the batch is redone page by page in a new
    worker, the poisoned page is recorded as WorkerDied, and the next batch is processed."""
    poisoned = Page(
        "http://127.0.0.1/poison", "http://127.0.0.1/poison", 200, {}, Poison(b"<p>x</p>"),
        "<p>x</p>", "utf-8", datetime(2024, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    pool = ProcessPool(1)
    try:
        processed, _ = pool.process(fetched_batch(poisoned))
        after, _ = pool.process(fetched_batch())
    finally:
        pool.shutdown()
    assert [a.url for a in processed.articles] == ["http://127.0.0.1/good"]
    failed = {a.url: a.error_class for a in processed.attempts if a.error_class}
    assert failed == {
        "http://127.0.0.1/empty": "ParseError",
        "http://127.0.0.1/poison": "WorkerDied",
    }
    assert processed.fetched == 3 and len(processed.attempts) == 3
    assert [a.url for a in after.articles] == ["http://127.0.0.1/good"]


@pytest.mark.slow
def test_process_runner_run_matches_thread_run(harness, tmp_path, monkeypatch) -> None:
    """The demo newsroom gives the same facts with worker processes as in the flow thread."""
    pools = []
    original = runners.worker_pool

    def spy(count: int):
        pools.append(count)
        return original(count)

    monkeypatch.setattr(runners, "worker_pool", spy)
    monkeypatch.setattr(runners, "worker_count", lambda cores=None, most=0: 1)  # even on one core
    with serve_newsroom() as served:
        sources = tmp_path / "sources.toml"
        sources.write_text(demo_sources_toml(served.base), encoding="utf-8")
        runs = {}
        for kind in ("process", "thread"):
            monkeypatch.setenv("AIDETL_WAREHOUSE", str(tmp_path / f"{kind}.duckdb"))
            monkeypatch.setenv("AIDETL_ARCHIVE", str(tmp_path / f"{kind}-raw"))
            runs[kind] = ingest(sources_file=str(sources), task_runner=kind)
    assert pools == [1]
    assert runs["process"]["new_articles"] == runs["thread"]["new_articles"] > 5
    facts = {kind: fact_rows(tmp_path / f"{kind}.duckdb") for kind in runs}
    assert facts["process"] == facts["thread"] and len(facts["process"]) > 20


def fact_rows(path) -> list[tuple]:
    return Warehouse(path).query("SELECT fact_id, text, value FROM facts ORDER BY fact_id")[1]
