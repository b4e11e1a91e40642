"""When to try a URL again, and after how long.

Whether another try may help is a property of the failure (FetchError.retryable, errors.py);
how long to wait is the server's Retry-After when it sent one (FetchError.retry_after),
else exponential backoff with jitter. The Fetcher's loop asks next_pause() and nothing else.
"""

from __future__ import annotations

import email.utils
import random
import threading
from datetime import UTC, datetime

from aidetl.errors import RETRY_AFTER_STATUSES, BadStatusError, FetchError
from aidetl.fetch_settings import FetchSettings


class RetryPolicy:
    """Pauses between tries; one per Fetcher (its jitter is shared by its threads)."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def next_pause(self, error: FetchError, tries: int, settings: FetchSettings) -> float | None:
        """Seconds to wait before try number tries + 1, or None when there is none: the
        failure is final, or the settings' retries are used up."""
        if not error.retryable or tries > settings.retries:
            return None
        if error.retry_after is not None:
            return error.retry_after
        with self._lock:
            jitter = self._random.uniform(0.5, 1.5)
        return settings.backoff * (2 ** (tries - 1)) * jitter


def status_error(url: str, status: int, headers: dict[str, str], cap: float) -> BadStatusError:
    """The failure for a non-2xx answer, with the server's Retry-After (capped) when it may
    send one."""
    wait = None
    if status in RETRY_AFTER_STATUSES:
        wait = parse_retry_after(headers.get("retry-after"), cap)
    return BadStatusError(url, f"HTTP {status}", status, retry_after=wait)


def parse_retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), cap)
