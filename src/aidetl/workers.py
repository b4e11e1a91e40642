"""Worker processes for parse + extract: the one pool of every run, plain (Processing, below)
and the Prefect flows' `process` runner (aidetl_flows.runners, which waits on it from task
threads).

Parse + extract is most of a run's CPU and holds the GIL; in the run's own process it keeps
the fetch threads and the loads waiting, so it goes to worker processes when a core is spare.
They are spawned, not forked: the parent runs threads (the fetchers', Prefect's) whose locks
a forked child would inherit in whatever state they were. A spawned worker takes a second or
so to import the stages, so every worker starts with the pool, not with its first batch.

A page that kills its worker (a crash in native code, an OOM kill) breaks the whole
executor, failing every batch in flight. The executor is then replaced, and each of those
batches is processed again one page per submission: only a page that kills a worker again is
lost, recorded as failed (WorkerDied) like any page that cannot be parsed. The run goes on.
The library's log records of a batch come back with it and are logged again in the parent.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from aidetl.batches import (
    FetchedBatch,
    ProcessedBatch,
    fail_pages,
    join_pages,
    process_batch,
    split_pages,
)
from aidetl.errors import WorkerDied
from aidetl.extract import extract_facts

log = logging.getLogger(__name__)

LIBRARY_LOGGER = "aidetl"
MAX_WORKERS = 2  # a plain run's process window is small; more workers would only wait
INLINE_BATCHES = 2  # a plain run's first batches, in the caller's thread: a run of no more
# starts no worker (a spawned worker costs ~0.5 s of CPU before its first batch)


def worker_count(cores: int | None = None, most: int = MAX_WORKERS) -> int:
    """Worker processes for a run: one per core beyond the run's own, at most `most`."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(0, min(most, cores - 1))


class Done:
    """An already-computed result, shaped like a future (a step run on the spot)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def result(self, timeout: float | None = None) -> object:
        return self.value

    def done(self) -> bool:
        return True


class ProcessPool:
    """`workers` worker processes that outlive a worker's death (see the module's doc).
    `process` blocks; several threads may call it at once."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._level = logging.getLogger(LIBRARY_LOGGER).getEffectiveLevel()
        self._lock = threading.Lock()
        self._started: list[Future] = []
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=start_worker, initargs=(self._level,)
        )
        # start every worker now, not when its first batch comes
        self._started = [executor.submit(int) for _ in range(self.workers)]
        return executor

    def ready(self) -> bool:
        """Whether every worker has started (imported the stages): a batch handed over now
        is not kept waiting for that."""
        return all(started.done() for started in self._started)

    def process(self, fetched: FetchedBatch) -> tuple[ProcessedBatch, list[logging.LogRecord]]:
        """process_batch in a worker: the batch and the log records it produced."""
        try:
            return self._run(fetched)
        except BrokenProcessPool as exc:
            log.error("a worker process died on batch %d (%s); its pages go one by one",
                      fetched.number, exc)  # fmt: skip
        parts, records = [], []
        for single in split_pages(fetched):
            part, logged = self._run_page(single)
            parts.append(part)
            records.extend(logged)
        return join_pages(fetched, parts), records

    def _run_page(self, single: FetchedBatch) -> tuple[ProcessedBatch, list[logging.LogRecord]]:
        """One page alone; twice, since another batch's page may have broken the pool."""
        for _ in range(2):
            try:
                return self._run(single)
            except BrokenProcessPool:
                continue
        url = single.pages[0].url
        log.error("a worker process died processing %s; page recorded as failed", url)
        return fail_pages(single, WorkerDied("worker process died")), []

    def _run(self, fetched: FetchedBatch) -> tuple[ProcessedBatch, list[logging.LogRecord]]:
        with self._lock:
            executor = self._executor
        try:
            return executor.submit(process_logged, fetched).result()
        except BrokenProcessPool:
            with self._lock:
                if self._executor is executor:  # the first to notice replaces it
                    executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = self._start()
            raise

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._executor.shutdown(wait=wait, cancel_futures=True)


class Processing:
    """Where a plain run parses and extracts: the caller's thread for its first
    INLINE_BATCHES batches, then a ProcessPool's workers (started with the batch after
    those), each waited on by a thread here. While the workers start, and whenever every
    worker already has a batch, the caller's thread processes the next batch itself: it
    would otherwise only wait for them."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count() if workers is None else workers
        self._pool: ProcessPool | None = None
        self._waiters: ThreadPoolExecutor | None = None
        self._submitted = 0
        self._busy = 0  # batches with the workers
        self._lock = threading.Lock()

    def submit(self, fetched: FetchedBatch) -> Future | Done:
        self._submitted += 1
        if self.workers and self._submitted == INLINE_BATCHES + 1:
            self._pool = ProcessPool(self.workers)
            self._waiters = ThreadPoolExecutor(self.workers, "aidetl-worker-wait")
        if self._take_worker():
            assert self._waiters is not None
            return self._waiters.submit(self._in_worker, fetched)
        return Done(process_batch(fetched))

    def _take_worker(self) -> bool:
        """Whether a worker is up and free for one more batch (then counted as its)."""
        with self._lock:
            if self._pool is None or not self._pool.ready() or self._busy >= self.workers:
                return False
            self._busy += 1
            return True

    def _in_worker(self, fetched: FetchedBatch) -> ProcessedBatch:
        assert self._pool is not None
        try:
            processed, records = self._pool.process(fetched)
        finally:
            with self._lock:
                self._busy -= 1
        replay(records)
        return processed

    def shutdown(self, wait: bool = True) -> None:
        if self._waiters is not None:
            self._waiters.shutdown(wait=wait, cancel_futures=True)
        if self._pool is not None:
            self._pool.shutdown(wait=wait)


class Collect(logging.Handler):
    """The library's records of one batch in a worker, made picklable."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def start_worker(level: int) -> None:
    """Worker initializer: the parent's log level, and the stages imported and warmed up
    now (the first batch does not pay for it). Ctrl-C reaches the whole process group: the
    parent ends the run and its workers, which must not print a traceback of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logger = logging.getLogger(LIBRARY_LOGGER)
    logger.setLevel(level)
    logger.propagate = False  # records go back to the parent, not to this stderr
    extract_facts("2020年投入资金5亿元。")


def process_logged(fetched: FetchedBatch) -> tuple[ProcessedBatch, list[logging.LogRecord]]:
    """process_batch in a worker, with the library's log records it produced."""
    handler = Collect()
    logger = logging.getLogger(LIBRARY_LOGGER)
    logger.addHandler(handler)
    try:
        return process_batch(fetched), handler.records
    finally:
        logger.removeHandler(handler)


def replay(records: list[logging.LogRecord]) -> None:
    """A worker's records, handed to this process's loggers."""
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
