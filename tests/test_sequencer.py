"""The sequencer: items move in completion order, each stage's window bounds what it holds,
skipped steps pass items on, and every item reaches the sink exactly once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aidetl.sequencer import Done, Stage, drive, first_done_threads


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
