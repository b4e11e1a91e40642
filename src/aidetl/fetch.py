"""The Fetcher: polite, bounded, resilient fetching of one URL that records every attempt.

Fetcher.fetch() never raises for a page that cannot be had: the FetchOutcome carries the
error and one FetchAttempt per try (robots.txt fetches included), so the warehouse can
record everything. This module is the order of things for one URL: permission (robots.py,
urls.py), the host's turn (politeness.py), the request (fetch_transport.py), what the answer
means, the archive copy (archive.py), and another try when the failure says it may help
(fetch_retry.py). Every knob is in one FetchSettings (fetch_settings.py), per source.

A URL's and a host's total time are bounded by what their failed attempts have cost so far
(budgets.py); each attempt's own time by the transport's deadlines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import requests

from aidetl.archive import Archive
from aidetl.budgets import Budgets, HostLedger
from aidetl.deadline import Watch
from aidetl.encoding import decode_html
from aidetl.errors import (
    BudgetSpent,
    ContentTypeError,
    DisallowedError,
    FetchError,
    RedirectError,
)
from aidetl.fetch_retry import RetryPolicy, parse_retry_after, status_error
from aidetl.fetch_settings import FetchSettings
from aidetl.fetch_transport import Transport, Validators, read_body, split_content_type
from aidetl.models import FetchAttempt, Page, Source
from aidetl.politeness import HostGate
from aidetl.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsRules, load_robots
from aidetl.sniff import check_text
from aidetl.urls import adhoc_source, check_url, dedup_key, host_of

__all__ = [
    "Fetcher", "FetchOutcome", "FetchSettings", "adhoc_source", "parse_retry_after",
    "PAGE_TYPES", "DOCUMENT_TYPES",
]  # fmt: skip

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = (
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
)
PAGE_TYPES = frozenset(HTML_TYPES + XML_TYPES)
# Feeds, sitemaps and robots.txt also arrive as plain text or raw gzip files.
DOCUMENT_TYPES = PAGE_TYPES | {
    "text/plain",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
}
TEXT_TYPES = PAGE_TYPES | {"text/plain", ""}

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What fetching one URL came to: a page, or not-modified, or an error; and every attempt."""

    page: Page | None
    attempts: list[FetchAttempt]
    not_modified: bool = False
    error: FetchError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Progress:
    """What one try has learned so far; it becomes the FetchAttempt however the try ends."""

    final_url: str
    status: int | None = None
    bytes: int = 0
    encoding: str | None = None
    archive_key: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    side_attempts: list[FetchAttempt] = field(default_factory=list)  # robots.txt fetches
    sent: float | None = None  # time.perf_counter() when its first request went out

    def cost(self) -> float:
        """Seconds since the first request went out (waiting for the host's turn is free)."""
        return 0.0 if self.sent is None else time.perf_counter() - self.sent

    def received(self, total: int) -> None:
        self.bytes = total


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one try of a URL asks for, and how long it may take (`seconds`, ≤ budgets.attempt
    and ≤ what is left of the URL's budget)."""

    validators: Validators | None
    content_types: frozenset[str]
    archive: bool
    text_only: bool
    settings: FetchSettings
    seconds: float


class Fetcher:
    """Fetches pages politely for many threads at once, one pooled requests.Session inside.

    `settings` apply to every source without its own in `by_source` (by source name); the
    run-wide ones (pool_size, delay_override) are read from `settings`. `session`, `sleep`
    and `archive` are collaborators, not settings: tests and the pipeline pass their own."""

    def __init__(
        self,
        user_agent: str,
        settings: FetchSettings | None = None,
        *,
        by_source: Mapping[str, FetchSettings] | None = None,
        archive: Archive | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user_agent = user_agent
        self.settings = settings or FetchSettings()
        self.by_source = dict(by_source or {})
        self.archive = archive
        self.transport = Transport(user_agent, session, self.settings.pool_size)
        self.retry = RetryPolicy()
        self._gate = HostGate(sleep=sleep)
        self._ledger = HostLedger()  # what failed attempts cost each host in this run
        self._robots = RobotsCache()

    @property
    def session(self) -> requests.Session:
        return self.transport.session

    # -- public --------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        source: Source,
        validators: Validators | None = None,
        *,
        content_types: frozenset[str] = PAGE_TYPES,
        archive: bool = True,
        text_only: bool = True,
    ) -> FetchOutcome:
        """Fetch one URL with retries within its budgets; never raises for a page failure.
        text_only: refuse a body that is not text (sniff.py) before anyone parses it."""
        attempts: list[FetchAttempt] = []
        settings, host, spent = self.settings_for(source), safe_host(url), 0.0
        budgets = settings.budgets
        for number in range(1, settings.retries + 2):
            progress = Progress(final_url=url)
            fetched_at, started = datetime.now(UTC), time.perf_counter()
            page, not_modified, error = None, False, None
            try:
                self.transport.check_running(url)
                self._check_host(url, host, budgets)  # before waiting for the host's turn
                attempt = Attempt(validators, content_types, archive, text_only, settings,
                                  min(budgets.attempt, budgets.per_url - spent))  # fmt: skip
                page, not_modified = self._try(url, source, attempt, progress)
            except FetchError as exc:
                error = exc
            attempts.extend(progress.side_attempts)
            attempts.append(to_attempt(url, number, fetched_at, started, source, progress, error))
            if error is None:
                return FetchOutcome(page, attempts, not_modified, None)
            spent += progress.cost()
            self._ledger.charge(host, progress.cost())
            pause = self.retry.next_pause(error, number, settings)
            if pause is None:
                break
            if spent + pause >= budgets.per_url:
                log.info("%s: url budget (%g s) spent after %d attempt(s)", url, budgets.per_url,
                         number)  # fmt: skip
                break
            spent += pause
            self._ledger.charge(host, pause)
            self._gate.defer(host_of(progress.final_url), pause)
        log.info("fetch failed after %d attempt(s): %s", len(attempts), error)
        return FetchOutcome(None, attempts, False, error)

    def settings_for(self, source: Source) -> FetchSettings:
        return self.by_source.get(source.name, self.settings)

    def budgets_for(self, source: Source) -> Budgets:
        return self.settings_for(source).budgets

    def fetch_text(self, url: str, source: Source) -> Page:
        """Fetch a feed, sitemap or other discovery document; raise FetchError on failure."""
        outcome = self.fetch(
            url, source, content_types=DOCUMENT_TYPES, archive=False, text_only=False
        )
        if outcome.error is not None:
            raise outcome.error
        assert outcome.page is not None  # no validators were sent, so never not-modified
        return outcome.page

    def stop(self) -> None:
        """Start no more attempts and cut those in flight (an interrupted run)."""
        self.transport.stop()

    def close(self) -> None:
        """Close the session's pooled connections."""
        self.transport.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one try: redirects, robots, politeness ------------------------------------------

    def _try(
        self, url: str, source: Source, attempt: Attempt, progress: Progress
    ) -> tuple[Page | None, bool]:
        headers = self.transport.headers(attempt.validators)
        current, seen = url, set[str]()  # filled on the first redirect only: no cost otherwise
        budgets, hops = attempt.settings.budgets, attempt.settings.max_redirects
        with self.transport.watched() as watch:
            for _hop in range(hops + 1):
                progress.final_url = current
                rules = self._permit(current, source, progress)
                interval = max(self._delay(source), rules.crawl_delay(self.user_agent))
                host = host_of(current)
                with self._gate.slot(host, interval, source.max_in_flight):
                    self._check_host(url, host, budgets)  # it may have failed meanwhile
                    if progress.sent is None:
                        progress.sent = time.perf_counter()
                    response = self.transport.send(current, headers, budgets, attempt.seconds,
                                                   watch)  # fmt: skip
                    try:
                        progress.status = response.status_code
                        if (
                            response.status_code in REDIRECT_STATUSES
                            and "location" in response.headers
                        ):
                            current = self._follow(url, current, response, seen, source)
                            continue
                        return self._complete(
                            url, current, response, source, attempt, progress, watch
                        )
                    finally:
                        response.close()
        raise RedirectError(url, f"more than {hops} redirects", progress.status)

    def _delay(self, source: Source) -> float:
        override = self.settings.delay_override
        return source.delay if override is None else override

    def _check_host(self, url: str, host: str, budgets: Budgets) -> None:
        """Raise BudgetSpent once the host's failures have cost the run its host budget."""
        cost = self._ledger.spent(host)
        if cost >= budgets.per_host:
            raise BudgetSpent(
                url, f"not requested: failed attempts on {host} already cost this run {cost:.0f} s, "
                f"past its host budget of {budgets.per_host:g} s",
            )  # fmt: skip

    def _permit(self, url: str, source: Source, progress: Progress) -> RobotsRules:
        """Raise DisallowedError unless the URL's scheme, host and robots.txt allow it."""
        check_url(url, source.allowed_domains)
        rules, attempts = self._robots.rules_for(
            url, lambda origin: self._load_robots(origin, source)
        )
        progress.side_attempts.extend(attempts)
        if not rules.allows(url, self.user_agent):
            reason = rules.unavailable or "robots.txt disallows it"
            raise DisallowedError(url, reason)
        return rules

    def _load_robots(self, origin: str, source: Source) -> tuple[RobotsRules, list[FetchAttempt]]:
        """The origin's robots.txt, fetched in the host's turn within the source's budgets;
        its Crawl-delay then holds back the host's first page too."""
        budgets = self.budgets_for(source)

        def get(url: str) -> tuple[int, bytes]:
            with self._gate.slot(host_of(url), self._delay(source), source.max_in_flight):
                return self.transport.get_small(url, budgets, ROBOTS_MAX_BYTES)

        rules, attempts = load_robots(origin, get, source.name)
        self._gate.defer(host_of(origin), rules.crawl_delay(self.user_agent))
        return rules, attempts

    def _follow(self, url: str, current: str, response, seen: set[str], source: Source) -> str:
        target = urljoin(current, response.headers["location"].strip())
        try:
            check_url(target, source.allowed_domains)
        except DisallowedError as exc:
            raise RedirectError(
                url, f"redirect to a disallowed URL: {exc}", response.status_code
            ) from exc
        if not seen:
            seen.add(dedup_key(current))
        key = dedup_key(target)
        if key in seen:
            raise RedirectError(url, f"redirect loop at {target}", response.status_code)
        seen.add(key)
        return target

    # -- the answer ----------------------------------------------------------------------

    def _complete(
        self, url, current, response, source, attempt: Attempt, progress: Progress, watch: Watch
    ) -> tuple[Page | None, bool]:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        progress.etag, progress.last_modified = headers.get("etag"), headers.get("last-modified")
        if status == 304 and attempt.validators:
            # a 304 has no body (http.client reads none); consuming the empty rest returns the
            # connection to the pool instead of closing it
            _ = response.content
            return None, True
        settings = attempt.settings
        if not 200 <= status < 300:
            raise status_error(current, status, headers, settings.max_retry_after)
        mime, charset = split_content_type(headers.get("content-type", ""))
        if mime and mime not in attempt.content_types:
            raise ContentTypeError(current, f"content type {mime!r} is not HTML or XML", status)
        content = read_body(current, response, headers, settings.max_bytes, settings.budgets,
                            watch, progress.received)  # fmt: skip
        text, encoding = decode_html(content, charset) if mime in TEXT_TYPES else ("", "binary")
        progress.encoding = encoding
        if attempt.text_only:
            check_text(current, content, text, status)
        if attempt.archive and self.archive is not None:
            progress.archive_key = self.archive.put(content)
        page = Page(
            url=url, final_url=current, status=status, headers=headers, content=content, text=text,
            encoding=encoding, fetched_at=datetime.now(UTC), source=source.name,
            archive_key=progress.archive_key,
        )  # fmt: skip
        return page, False


def safe_host(url: str) -> str:
    """host_of, or "" for a URL too malformed to have one (check_url will refuse it)."""
    try:
        return host_of(url)
    except ValueError:
        return ""


def to_attempt(
    url, number, fetched_at, started, source: Source, progress: Progress, error
) -> FetchAttempt:
    return FetchAttempt(
        url=url, attempt=number, fetched_at=fetched_at, status=progress.status,
        error_class=type(error).__name__ if error else None,
        error_message=str(error) if error else None, bytes=progress.bytes,
        elapsed_ms=int((time.perf_counter() - started) * 1000), encoding=progress.encoding,
        archive_key=progress.archive_key, final_url=progress.final_url, source=source.name,
        etag=progress.etag, last_modified=progress.last_modified,
    )  # fmt: skip
