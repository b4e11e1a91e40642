"""A plain run's parse + extract (aidetl.workers.Processing): the same batches whether a batch
went to a worker or not, log records back here, a short run starting no worker, and a page that
kills its worker costing that page alone."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime

import pytest

from aidetl import pipeline, workers
from aidetl.models import FetchAttempt, Page, Source
from bench.sitegen import render_article

SOURCE = Source(
    name="generated", sitemaps=("http://127.0.0.1/s.xml",), allowed_domains=("127.0.0.1",),
    delay=0.0, organisation="扶贫日报",
)  # fmt: skip
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class Poison(bytes):
    """Bytes that end the process that unpickles them, as a crash in native code would."""

    def __reduce__(self):
        return os._exit, (3,)


def fetched_batch(
    number: int, pages: int = 3, broken: bool = False, poisoned: int | None = None
) -> pipeline.FetchedBatch:
    """A batch of generated articles (pages without a body if `broken`; the page at index
    `poisoned` kills the worker that receives it)."""
    found, attempts = [], []
    for i, n in enumerate(range(number * pages, (number + 1) * pages)):
        html = "<html><body></body></html>" if broken else render_article(n)
        raw = Poison(html.encode()) if i == poisoned else html.encode()
        url = f"http://127.0.0.1/news/{n}.html"
        found.append(Page(url, url, 200, {"content-type": "text/html; charset=utf-8"},
                          raw, html, "utf-8", T0, SOURCE.name, f"key{n}"))  # fmt: skip
        attempts.append(FetchAttempt(url=url, attempt=1, fetched_at=T0, status=200,
                                     archive_key=f"key{n}", source=SOURCE.name))  # fmt: skip
    return pipeline.FetchedBatch(SOURCE, tuple(found), tuple(attempts), 0, number)


@pytest.fixture
def processing():
    done = workers.Processing(workers=1)
    yield done
    done.shutdown()


def worker_pids() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def warm_up(processing: workers.Processing) -> set[int]:
    """Batches submitted until one goes to the worker (one processed here comes back as a
    Done), so the worker is up; its pid."""
    deadline = time.monotonic() + 60
    while isinstance(future := processing.submit(fetched_batch(5)), workers.Done):
        assert time.monotonic() < deadline, "the worker never took a batch"
        time.sleep(0.1)
    future.result(timeout=120)
    pids = worker_pids()
    assert len(pids) == 1
    return pids


def test_batches_come_back_the_same_wherever_they_are_processed(processing) -> None:
    warm_up(processing)
    batches = [fetched_batch(k) for k in range(4)]
    futures = [processing.submit(b) for b in batches]
    # the first to the idle worker, the next here while the worker has it
    assert not isinstance(futures[0], workers.Done) and isinstance(futures[1], workers.Done)
    results = [f.result(timeout=120) for f in futures]
    assert results == [pipeline.process_batch(b) for b in batches]
    assert all(r.simhashes and set(r.simhashes) == {a.version_id for a in r.articles}
               for r in results)  # fmt: skip


def test_one_core_or_a_short_run_starts_no_worker() -> None:
    for count, batches in ((1, workers.INLINE_BATCHES), (0, 5)):
        processing = workers.Processing(workers=count)
        for k in range(batches):
            assert processing.submit(fetched_batch(k)).result().articles
        assert worker_pids() == set()
        processing.shutdown()


def test_a_workers_log_records_reach_this_process(processing, caplog) -> None:
    warm_up(processing)
    caplog.set_level(logging.WARNING, logger="aidetl")
    result = processing.submit(fetched_batch(9, broken=True)).result(timeout=120)
    assert not result.articles and all(a.error_class for a in result.attempts)
    assert any("could not process" in r.getMessage() for r in caplog.records)


def test_a_page_that_kills_its_worker_is_failed_and_the_run_goes_on(processing) -> None:
    warm_up(processing)
    result = processing.submit(fetched_batch(6, poisoned=1)).result(timeout=120)
    failed = {a.url: a.error_class for a in result.attempts if a.error_class}
    assert failed == {"http://127.0.0.1/news/19.html": "WorkerDied"}
    assert [a.url for a in result.articles] == [
        "http://127.0.0.1/news/18.html", "http://127.0.0.1/news/20.html",
    ]  # fmt: skip
    after = fetched_batch(7)
    assert processing.submit(after).result(timeout=120) == pipeline.process_batch(after)


def test_a_worker_killed_between_batches_costs_nothing(processing) -> None:
    (pid,) = warm_up(processing)
    os.kill(pid, signal.SIGKILL)  # an OOM kill, say
    for k in (6, 7):
        batch = fetched_batch(k)
        assert processing.submit(batch).result(timeout=120) == pipeline.process_batch(batch)
    assert pid not in worker_pids()


def test_ctrl_c_is_the_parents_to_handle_not_the_workers(processing) -> None:
    pids = warm_up(processing)
    for pid in pids:
        os.kill(pid, signal.SIGINT)  # what Ctrl-C sends the whole process group
    time.sleep(0.5)
    assert processing.submit(fetched_batch(6)).result(timeout=120).articles
    assert worker_pids() == pids  # the same worker, alive and working
