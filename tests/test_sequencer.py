"""The sequencer: items move in completion order, each stage's window bounds what it holds,
skipped steps pass items on, and every item reaches the sink exactly once; a crawl's loads
group processed batches, and load at once what is held when nothing else is on its way."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aidetl.models import FetchAttempt
from aidetl.pipeline import ProcessedBatch, RunSummary
from aidetl.sequencer import Done, Loads, Stage, Windows, drive, first_done_threads
from aidetl.warehouse import LoadResult


class Counting:
    """A step run on a thread pool that records how many items it holds at once."""

    def __init__(self, pool: ThreadPoolExecutor, delay_of, name: str) -> None:
        self.pool, self.delay_of, self.name = pool, delay_of, name
        self.lock = threading.Lock()
        self.held = 0
        self.most = 0

    def submit(self, item):
        with self.lock:
            self.held += 1
            self.most = max(self.most, self.held)
        return self.pool.submit(self.run, item)

    def run(self, item):
        time.sleep(self.delay_of(item))
        return (*item, self.name) if isinstance(item, tuple) else (item, self.name)

    def release(self, _value) -> None:
        with self.lock:
            self.held -= 1


def test_every_item_reaches_the_sink_once_in_completion_order() -> None:
    # item 0 is slow: the others must overtake it
    with ThreadPoolExecutor(8) as pool:
        step = Counting(pool, lambda i: 0.3 if i == 0 else 0.01, "a")
        out: list = []

        def sink(value) -> None:
            step.release(value)
            out.append(value)

        drive(range(6), [Stage(step.submit, 3)], sink, first_done_threads)
    assert sorted(out) == [(i, "a") for i in range(6)]
    assert out[-1] == (0, "a")
    assert step.most <= 3


def test_windows_bound_each_stage() -> None:
    with ThreadPoolExecutor(16) as pool:
        first = Counting(pool, lambda i: 0.005, "fetch")
        second = Counting(pool, lambda item: 0.02, "process")
        held_second = []

        def submit_second(item):
            first.release(item)
            held_second.append(item)
            return second.submit(item)

        done: list = []

        def sink(value) -> None:
            second.release(value)
            done.append(value)

        drive(range(20), [Stage(first.submit, 4), Stage(submit_second, 2)], sink,
              first_done_threads)  # fmt: skip
    assert len(done) == 20
    assert first.most <= 4 + 2  # finished fetches wait where they are until processing has room
    assert second.most <= 2


def test_a_step_an_item_does_not_need_is_skipped() -> None:
    calls = []

    def process(item):
        calls.append(item)
        return Done(item * 10)

    out: list = []
    drive(
        range(5),
        [Stage(Done, 2), Stage(process, 1, needed=lambda i: i % 2 == 0)],
        out.append,
        first_done_threads,
    )
    assert sorted(out) == [0, 1, 3, 20, 40]
    assert calls == [0, 2, 4]


def test_an_error_in_a_step_reaches_the_caller() -> None:
    def boom(item):
        raise ValueError(f"bad item {item}")

    with pytest.raises(ValueError, match="bad item 0"):
        drive(range(3), [Stage(boom, 1)], lambda _: None, first_done_threads)


def test_no_items_is_no_work() -> None:
    out: list = []
    drive([], [Stage(Done, 2), Stage(Done, 2)], out.append, first_done_threads)
    assert out == []


def test_idle_runs_only_while_no_result_is_on_its_way() -> None:
    events: list = []
    with ThreadPoolExecutor(4) as pool:

        def slow_first(item):  # item 0 is done at once, item 1 takes a while
            return pool.submit(time.sleep, 0.2) if item else Done(None)

        def quick(_value):
            return Done("done")

        idle = lambda: events.append("idle")  # noqa: E731
        drive(range(2), [Stage(slow_first, 2), Stage(quick, 2)],
              lambda v: events.append(v), first_done_threads, idle)  # fmt: skip
        # not while item 0 could move on; once it is handed on, while item 1 is on its way
        assert events == ["done", "idle", "done"]
        events.clear()
        # a single stage: whatever is in flight is in the last stage, on its way to the sink
        drive(range(3), [Stage(slow_first, 3)], lambda v: events.append("sink"),
              first_done_threads, idle)  # fmt: skip
        assert events == ["sink"] * 3


class RecordingSteps:
    """Loads' side of the Steps: each load recorded, a result as a warehouse would give."""

    def __init__(self) -> None:
        self.loads: list = []
        self.progress_calls = 0

    def load(self, batch):
        self.loads.append(batch)
        return LoadResult(new_articles=len(batch.articles), new_facts=len(batch.facts))

    def progress(self, summary, total_batches) -> None:
        self.progress_calls += 1


def processed(number: int, pages: int) -> ProcessedBatch:
    """A processed batch of `pages` pages (stand-ins: Loads only groups and counts them)."""
    attempts = tuple(
        FetchAttempt(url=f"http://x/{number}/{i}", attempt=1, fetched_at=None, status=200)  # type: ignore[arg-type]
        for i in range(pages)
    )
    articles = tuple(f"article {number}.{i}" for i in range(pages))
    return ProcessedBatch(attempts, articles, (), 0, number, pages, {})  # type: ignore[arg-type]


def test_loads_group_processed_batches_up_to_pages_per_load() -> None:
    steps, summary = RecordingSteps(), RunSummary(run_id="r")
    loads = Loads(steps, summary, Windows(pages_per_load=4))  # type: ignore[arg-type]
    loads.hold_attempts([FetchAttempt(url="http://x/sitemap.xml", attempt=1, fetched_at=None)])  # type: ignore[arg-type]
    for number in range(3):
        loads.take(processed(number, 2))
    assert [len(b.articles) for b in steps.loads] == [4]  # batches 0 and 1 in one write
    assert steps.loads[0].attempts[0].url == "http://x/sitemap.xml"  # discovery's rode along
    loads.flush()
    assert [len(b.articles) for b in steps.loads] == [4, 2]
    assert summary.articles == summary.new_articles == 6  # each load's result counted once
    assert steps.progress_calls == 3  # progress still moves batch by batch


def test_loads_load_held_pages_when_nothing_else_is_coming() -> None:
    steps = RecordingSteps()
    loads = Loads(steps, RunSummary(run_id="r"), Windows(pages_per_load=100))  # type: ignore[arg-type]
    loads.take(processed(0, 0))  # attempts only: counted now, loaded with the next pages
    loads.ready()
    assert steps.loads == [] and steps.progress_calls == 1
    loads.take(processed(1, 2))
    loads.ready()
    assert [(len(b.articles), len(b.attempts)) for b in steps.loads] == [(2, 2)]
