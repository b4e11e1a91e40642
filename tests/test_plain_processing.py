"""A plain run's parse + extract in worker processes: the same batches as in this thread, their
log records back here, and a worker's death costing nothing but the time to redo its batch."""

from __future__ import annotations

import logging
import os
import signal
import time
from datetime import UTC, datetime

import pytest

from aidetl import pipeline
from aidetl.models import FetchAttempt, Page, Source
from bench.sitegen import render_article

SOURCE = Source(
    name="generated", sitemaps=("http://127.0.0.1/s.xml",), allowed_domains=("127.0.0.1",),
    delay=0.0, organisation="扶贫日报",
)  # fmt: skip
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def fetched_batch(number: int, pages: int = 3, broken: bool = False) -> pipeline.FetchedBatch:
    found, attempts = [], []
    for n in range(number * pages, (number + 1) * pages):
        html = "<html><body></body></html>" if broken else render_article(n)
        url = f"http://127.0.0.1/news/{n}.html"
        found.append(Page(url, url, 200, {"content-type": "text/html; charset=utf-8"},
                          html.encode(), html, "utf-8", T0, SOURCE.name, f"key{n}"))  # fmt: skip
        attempts.append(FetchAttempt(url=url, attempt=1, fetched_at=T0, status=200,
                                     archive_key=f"key{n}", source=SOURCE.name))  # fmt: skip
    return pipeline.FetchedBatch(SOURCE, tuple(found), tuple(attempts), 0, number)


@pytest.fixture
def processing():
    done = pipeline.Processing(workers=1)
    yield done
    done.shutdown()


def test_batches_after_the_first_go_to_a_worker_and_come_back_the_same(processing) -> None:
    batches = [fetched_batch(k) for k in range(pipeline.INLINE_BATCHES + 2)]
    results = [processing.submit(b).result(timeout=120) for b in batches]
    assert processing._pool is not None  # the later batches went to the worker
    assert results == [pipeline.process_batch(b) for b in batches]
    assert all(r.simhashes and set(r.simhashes) == {a.version_id for a in r.articles}
               for r in results)  # fmt: skip


def test_a_short_run_starts_no_worker() -> None:
    processing = pipeline.Processing(workers=1)
    processing.submit(fetched_batch(0)).result()
    assert processing._pool is None
    processing.shutdown()


def test_a_workers_log_records_reach_this_process(processing, caplog) -> None:
    for k in range(pipeline.INLINE_BATCHES):
        processing.submit(fetched_batch(k)).result()
    caplog.set_level(logging.WARNING, logger="aidetl")
    result = processing.submit(fetched_batch(9, broken=True)).result(timeout=120)
    assert not result.articles and all(a.error_class for a in result.attempts)
    assert any("could not process" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("wait_for_broken", [False, True])
def test_a_worker_that_dies_costs_only_the_time_to_redo_its_batch(
    processing, wait_for_broken: bool
) -> None:
    for k in range(pipeline.INLINE_BATCHES):
        processing.submit(fetched_batch(k)).result()
    assert processing._pool is not None
    processing.submit(fetched_batch(5)).result(timeout=120)  # the worker is up
    for pid in list(processing._pool._processes):  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
    if wait_for_broken:  # the pool may notice before or after the next batch is handed over
        deadline = time.monotonic() + 30
        while not processing._pool._broken and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.05)
    batch = fetched_batch(6)
    assert processing.submit(batch).result(timeout=120) == pipeline.process_batch(batch)
    assert processing.submit(fetched_batch(7)).result(timeout=120).articles  # here, from now on


def test_ctrl_c_is_the_parents_to_handle_not_the_workers(processing) -> None:
    for k in range(pipeline.INLINE_BATCHES):
        processing.submit(fetched_batch(k)).result()
    processing.submit(fetched_batch(5)).result(timeout=120)  # the worker is up
    for pid in list(processing._pool._processes):  # type: ignore[union-attr]
        os.kill(pid, signal.SIGINT)  # what Ctrl-C sends the whole process group
    time.sleep(0.5)
    assert not processing._broken and not processing._pool._broken  # type: ignore[union-attr]
    assert processing.submit(fetched_batch(6)).result(timeout=120).articles
