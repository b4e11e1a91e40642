"""Every knob of fetching in one frozen object, settable in sources.toml.

Under [defaults] (every source, ad-hoc URLs too) or per [[source]]:

    connect_timeout, first_byte_timeout, read_timeout, attempt_timeout,
    url_budget, host_budget     # seconds: see budgets.py
    retries = 3                 # tries after the first, for failures that may pass
    backoff = 0.5               # seconds before the first retry, doubled for each next one
    max_retry_after = 60        # longest Retry-After wait honoured, in seconds
    max_bytes = 10000000        # largest body read (decompressed)
    max_redirects = 5

and, under [defaults] only (one per run): pool_size = 32 (pooled connections per host).
A source's `delay` and `max_in_flight` are its own (models.Source), not fetch settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from aidetl.budgets import KEYS as BUDGET_KEYS
from aidetl.budgets import Budgets, budgets_from_table
from aidetl.errors import ConfigError

RUN_WIDE = frozenset({"pool_size"})  # read from the run's default settings only


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How one source is fetched: time budgets, retries, size and redirect limits.

    `delay_override` (aidetl run --delay) replaces every source's delay, robots.txt fetches
    included; it and `pool_size` are run-wide: the Fetcher reads them from its default
    settings."""

    budgets: Budgets = field(default_factory=Budgets)
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    pool_size: int = 32
    delay_override: float | None = None

    def __post_init__(self) -> None:
        for name, low in LOWEST.items():
            value = getattr(self, name)
            kind = int if name in INTEGERS else (int, float)
            if isinstance(value, bool) or not isinstance(value, kind) or value < low:
                what = "a whole number" if name in INTEGERS else "a number"
                raise ConfigError(f"{name} must be {what} ≥ {low}, not {value!r}")


LOWEST: dict[str, float] = {
    "retries": 0,
    "backoff": 0,
    "max_retry_after": 0,
    "max_bytes": 1,
    "max_redirects": 0,
    "pool_size": 1,
}
INTEGERS = frozenset({"retries", "max_bytes", "max_redirects", "pool_size"})
# the sources.toml keys that set FetchSettings (the time budgets' keys included)
KEYS = frozenset(LOWEST) | frozenset(BUDGET_KEYS)


def settings_from_table(table: dict[str, Any], base: FetchSettings | None = None) -> FetchSettings:
    """The FetchSettings a sources.toml table sets, the rest from `base` (or the defaults)."""
    base = base or FetchSettings()
    given = {key: as_number(key, table[key]) for key in LOWEST if key in table}
    return replace(base, budgets=budgets_from_table(table, base.budgets), **given)


def as_number(key: str, value: Any) -> Any:
    """TOML's 2 for a float setting is 2.0; anything else is checked by FetchSettings."""
    if key not in INTEGERS and type(value) is int:
        return float(value)
    return value
