"""robots.txt: fetching it, reading its rules, and keeping them per origin for a Fetcher.

A 4xx answer (404 included) allows everything; a 5xx answer, a timeout or a connection
failure disallows the whole origin and is recorded as the reason. A failure is retried
after `failure_ttl` seconds so a brief outage does not close a host for a whole run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from protego import Protego

from aidetl.errors import BadStatusError, FetchError
from aidetl.models import FetchAttempt

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks parsers to read at least 500 KiB


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says: parsed rules, allow-all, or unavailable (reason)."""

    parser: Protego | None = None
    unavailable: str | None = None  # why the whole origin is off limits
    fetched_at: float = 0.0

    def allows(self, url: str, agent: str) -> bool:
        if self.unavailable is not None:
            return False
        return self.parser is None or self.parser.can_fetch(url, agent)

    def crawl_delay(self, agent: str) -> float:
        if self.parser is None:
            return 0.0
        return float(self.parser.crawl_delay(agent) or 0.0)


ALLOW_ALL = RobotsRules()

RobotsLoader = Callable[[str], tuple[RobotsRules, list[FetchAttempt]]]


def origin_of(url: str) -> str:
    """scheme://host[:port], the unit robots.txt applies to."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rsplit('@', 1)[-1]}"


class RobotsCache:
    """Loads each origin's rules once (one loader call even under concurrent callers)."""

    def __init__(self, failure_ttl: float = 300.0) -> None:
        self._failure_ttl = failure_ttl
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rules_for(self, url: str, loader: RobotsLoader) -> tuple[RobotsRules, list[FetchAttempt]]:
        """The origin's rules, and the attempts `loader` made to fetch them now (none when cached)."""
        origin = origin_of(url)
        rules = self._fresh(origin)
        if rules is not None:
            return rules, []
        with self._origin_lock(origin):
            rules = self._fresh(origin)
            if rules is not None:
                return rules, []
            rules, attempts = loader(origin)
            with self._lock:
                self._rules[origin] = rules
            return rules, attempts

    def _fresh(self, origin: str) -> RobotsRules | None:
        with self._lock:
            rules = self._rules.get(origin)
        if rules is None:
            return None
        if rules.unavailable and time.monotonic() - rules.fetched_at > self._failure_ttl:
            return None
        return rules

    def _origin_lock(self, origin: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(origin, threading.Lock())


def load_robots(
    origin: str, get: Callable[[str], tuple[int, bytes]], source: str
) -> tuple[RobotsRules, list[FetchAttempt]]:
    """Fetch origin/robots.txt once with `get` (url → status, body; FetchError on failure):
    the rules, and the attempt to record. 4xx allows all, 5xx or no answer disallows all."""
    url = origin + "/robots.txt"
    fetched_at, started = datetime.now(UTC), time.perf_counter()
    status: int | None = None
    error: FetchError | None = None
    try:
        try:
            status, body = get(url)
        except FetchError as exc:
            raise unavailable(url, exc) from exc
        rules = robots_rules(url, status, body)
    except FetchError as exc:
        error = exc
        rules = RobotsRules(unavailable=str(exc), fetched_at=time.monotonic())
    attempt = FetchAttempt(
        url=url, attempt=1, fetched_at=fetched_at, status=status,
        error_class=type(error).__name__ if error else None,
        error_message=str(error) if error else None,
        elapsed_ms=int((time.perf_counter() - started) * 1000), final_url=url, source=source,
    )  # fmt: skip
    return rules, [attempt]


def unavailable(url: str, exc: FetchError) -> FetchError:
    """The same failure (same class, so the same retry and budget meaning), saying that it
    closes the host."""
    why = exc.message or str(exc)
    return type(exc)(
        url, f"robots.txt unavailable ({why}): host treated as disallowed", exc.status,
        retry_after=exc.retry_after,
    )  # fmt: skip


def robots_rules(url: str, status: int, body: bytes) -> RobotsRules:
    """Rules from a robots.txt answer: parsed on 2xx, allow-all on 4xx; BadStatusError on 5xx."""
    if status >= 500:
        raise BadStatusError(
            url, f"robots.txt answered HTTP {status}: host treated as disallowed", status
        )
    if status >= 300:
        return ALLOW_ALL
    return RobotsRules(
        parser=Protego.parse(body.decode("utf-8", errors="replace")), fetched_at=time.monotonic()
    )
