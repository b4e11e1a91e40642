"""The retry policy: whether another try comes is the failure's to say, how long to wait is
the server's Retry-After, else backoff doubled per try; the settings bound the tries."""

from __future__ import annotations

import pytest

from aidetl.errors import BadStatusError, ConnectTimeout, DisallowedError, TruncatedError
from aidetl.fetch_retry import RetryPolicy, status_error
from aidetl.fetch_settings import FetchSettings

SETTINGS = FetchSettings(retries=2, backoff=1.0)


@pytest.mark.parametrize(
    "error",
    [DisallowedError("u", "robots.txt disallows it"), BadStatusError("u", "HTTP 404", 404)],
)
def test_a_final_failure_gets_no_further_try(error):
    assert RetryPolicy().next_pause(error, 1, SETTINGS) is None


def test_tries_stop_once_the_retries_are_used_up():
    policy, error = RetryPolicy(), TruncatedError("u", "short")
    assert policy.next_pause(error, 2, SETTINGS) is not None
    assert policy.next_pause(error, 3, SETTINGS) is None


def test_backoff_doubles_per_try_within_its_jitter():
    policy, error = RetryPolicy(seed=1), ConnectTimeout("u", "no connection")
    first, second = (policy.next_pause(error, n, SETTINGS) for n in (1, 2))
    assert first is not None and 0.5 <= first <= 1.5
    assert second is not None and 1.0 <= second <= 3.0


def test_the_servers_retry_after_wins_capped_by_the_settings():
    busy = status_error("u", 503, {"retry-after": "120"}, cap=60.0)
    assert (busy.retryable, busy.retry_after) == (True, 60.0)
    assert RetryPolicy().next_pause(busy, 1, SETTINGS) == 60.0


def test_only_429_and_503_carry_a_retry_after():
    assert status_error("u", 500, {"retry-after": "5"}, cap=60.0).retry_after is None
    assert status_error("u", 500, {}, cap=60.0).retryable
    assert not status_error("u", 403, {}, cap=60.0).retryable
