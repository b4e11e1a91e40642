"""How long fetching may take: per connection, per attempt, per URL and per host in a run.

Every number is settable in sources.toml, under [defaults] or per [[source]]:

    connect_timeout = 10      # seconds to open the connection
    first_byte_timeout = 30   # from sending the request to the last header line
    read_timeout = 30         # the longest silence between two bytes
    attempt_timeout = 60      # one attempt, headers and body, whatever the server does
    url_budget = 150          # one URL's attempts and the waits between them, in total
    host_budget = 300         # what failing attempts on one host may cost a run; past it the
                              # host's remaining URLs are recorded as failed, not requested
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from typing import Any

from aidetl.errors import ConfigError

# sources.toml key → Budgets field
KEYS = {
    "connect_timeout": "connect",
    "first_byte_timeout": "first_byte",
    "read_timeout": "between_bytes",
    "attempt_timeout": "attempt",
    "url_budget": "per_url",
    "host_budget": "per_host",
}


@dataclass(frozen=True, slots=True)
class Budgets:
    """Seconds fetching may spend (news-site defaults; see the module docstring)."""

    connect: float = 10.0
    first_byte: float = 30.0
    between_bytes: float = 30.0
    attempt: float = 60.0
    per_url: float = 150.0
    per_host: float = 300.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if not getattr(self, f.name) > 0:
                raise ConfigError(f"budget {f.name} must be a positive number of seconds")


def budgets_from_table(table: dict[str, Any], base: Budgets | None = None) -> Budgets:
    """The Budgets a sources.toml table sets, the rest from `base` (or the defaults)."""
    given = {field: table[key] for key, field in KEYS.items() if key in table}
    base = base or Budgets()
    try:
        values = {f.name: float(given.get(f.name, getattr(base, f.name))) for f in fields(base)}
        return Budgets(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"time budgets: {exc}") from exc


class HostLedger:
    """Seconds each host has cost the run in failed attempts and the waits after them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spent: dict[str, float] = {}

    def charge(self, host: str, seconds: float) -> None:
        with self._lock:
            self._spent[host] = self._spent.get(host, 0.0) + max(0.0, seconds)

    def spent(self, host: str) -> float:
        with self._lock:
            return self._spent.get(host, 0.0)
