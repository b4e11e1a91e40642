"""Deadlines a slow server cannot escape: a watchdog that cuts the connection when one passes.

A socket timeout only bounds the silence between two bytes, so a server that sends its
headers or body one byte at a time escapes it forever. Each attempt therefore runs under a
Watch: the connection registers itself with the Watch of the thread that sends the request
(WatchedHTTPConnection), and one watchdog thread shuts that connection's socket down when
the Watch's deadline passes. The blocked read then returns at once, and the Fetcher asks the
Watch which budget it ran out of (`fired`).

    with WATCHDOG.watch() as watch:
        watch.expect_headers(first_byte=30, attempt=60)
        response = session.get(url, stream=True, timeout=(10, 30))
        watch.headers_done()
        ... read the body; if watch.fired: it was cut
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()  # the Watch of the attempt this thread is making


class Watch:
    """One attempt's deadline, and the connection to cut when it passes."""

    def __init__(self, watchdog: Watchdog) -> None:
        self._watchdog = watchdog
        self._lock = threading.Lock()
        self.deadline = float("inf")  # time.monotonic() when the connection is cut
        self.attempt_deadline = float("inf")
        self.phase = "first_byte"  # the budget the current deadline belongs to
        self.fired: str | None = None  # the budget that cut the connection, once it did
        self.conn: Any = None
        self.sock: Any = None
        self.active = True
        self.seconds: dict[str, float] = {}  # each budget's length, for the error message

    def expect_headers(self, first_byte: float, attempt: float) -> None:
        """A request is about to go out: its headers are due within `first_byte` seconds,
        and the attempt (set by its first request) ends `attempt` seconds after it began."""
        now = time.monotonic()
        with self._lock:
            if self.attempt_deadline == float("inf"):
                self.attempt_deadline = now + attempt
                self.seconds["attempt"] = attempt
            self.seconds["first_byte"] = first_byte
            headers_due = now + first_byte
            self.phase = "first_byte" if headers_due < self.attempt_deadline else "attempt"
            self.deadline = min(headers_due, self.attempt_deadline)
        self._watchdog.schedule(self)

    def headers_done(self) -> None:
        """The headers are in: from now only the attempt's deadline applies."""
        with self._lock:
            self.phase, self.deadline = "attempt", self.attempt_deadline
        self._watchdog.schedule(self)

    def attach(self, conn: Any) -> None:
        """Watch this connection (its socket may not be open yet)."""
        with self._lock:
            self.conn, self.sock = conn, getattr(conn, "sock", None)

    def hold(self, sock: Any) -> None:
        """Keep the socket itself: http.client drops it from a connection that will close
        after this response (the response reads on through its own file object)."""
        with self._lock:
            self.sock = sock

    def fire(self, now: float) -> None:
        """Cut the connection if the deadline has passed (called by the watchdog)."""
        if now >= self.deadline:
            self.cut(None)

    def cut(self, reason: str | None = "stopped") -> None:
        """Cut the connection now, for `reason` (None: the current phase's deadline)."""
        with self._lock:
            if not self.active or self.fired:
                return
            self.fired = reason or self.phase
            sock = self.sock or getattr(self.conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the blocked recv() returns at once

    def close(self) -> None:
        with self._lock:
            self.active, self.conn, self.sock = False, None, None


class Watchdog:
    """One daemon thread firing Watches at their deadlines (a heap; no thread per request)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watch(self) -> Iterator[Watch]:
        """A Watch for one attempt, current in this thread until the block ends."""
        watch = Watch(self)
        previous = getattr(_current, "watch", None)
        _current.watch = watch
        try:
            yield watch
        finally:
            watch.close()
            _current.watch = previous

    def schedule(self, watch: Watch) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="aidetl-watchdog", daemon=True
                )
                self._thread.start()
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                _, _, watch = heapq.heappop(self._heap)
            watch.fire(
                time.monotonic()
            )  # a stale entry (deadline moved, watch closed) does nothing


WATCHDOG = Watchdog()


class WatchedMixin:
    """Registers the connection, and once the request is sent its socket, with the sending
    thread's Watch."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = getattr(_current, "watch", None)
        if watch is not None:
            watch.attach(self)
        super().request(*args, **kwargs)  # type: ignore[misc]
        if watch is not None:  # the request is out, so the socket is open
            watch.hold(self.sock)  # type: ignore[attr-defined]


class WatchedHTTPConnection(WatchedMixin, HTTPConnection):
    pass


class WatchedHTTPSConnection(WatchedMixin, HTTPSConnection):
    pass


class WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


POOL_CLASSES = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}
