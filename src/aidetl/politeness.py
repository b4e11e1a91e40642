"""Per-host politeness: at most N requests in flight and a minimum gap between requests.

The gap is kept both between request starts and from the end of one request to the next
start, so the server sees at least `interval` seconds between arrivals.

One HostGate is shared by every thread of a Fetcher. A thread reserves the next start
time for its host under a lock and sleeps outside it, so hosts never wait for each other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class HostGate:
    """Spaces the requests to each host and bounds how many run at once."""

    def __init__(
        self,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def slot(self, host: str, interval: float, max_in_flight: int = 1) -> Iterator[None]:
        """Hold one of the host's in-flight slots, starting no sooner than its next turn."""
        semaphore = self._semaphore(host, max_in_flight)
        with semaphore:
            self._wait_turn(host, interval)
            try:
                yield
            finally:
                self.defer(host, interval)  # the gap also follows the end of this request

    def defer(self, host: str, seconds: float) -> None:
        """Start nothing on `host` for `seconds` from now (Retry-After, backoff)."""
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            self._next_start[host] = max(self._next_start.get(host, 0.0), until)

    def _semaphore(self, host: str, max_in_flight: int) -> threading.BoundedSemaphore:
        with self._lock:
            semaphore = self._slots.get(host)
            if semaphore is None:
                semaphore = threading.BoundedSemaphore(max(1, max_in_flight))
                self._slots[host] = semaphore
            return semaphore

    def _wait_turn(self, host: str, interval: float) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + max(0.0, interval)
        if start > now:
            self._sleep(start - now)
