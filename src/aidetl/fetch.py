"""The HTTP seam: polite, bounded, resilient fetching that records every attempt.

Fetcher.fetch() never raises for a page that cannot be had: the FetchOutcome carries the
error and one FetchAttempt per try (robots.txt fetches included), so the warehouse can
record everything. Retries are done here rather than by urllib3's Retry so that each try
is visible as an attempt and Retry-After waits go through the per-host gate.

Time is bounded by Budgets (budgets.py): connect and between-bytes through the socket,
first byte and the whole attempt through a watchdog that cuts the connection (deadline.py),
and a URL's and a host's total through what their failed attempts have cost so far. A
timeout's class says which budget ran out (FirstByteTimeout, StallTimeout, …).
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from aidetl.budgets import Budgets, HostLedger
from aidetl.deadline import POOL_CLASSES, WATCHDOG, Watch
from aidetl.encoding import decode_html
from aidetl.errors import (
    AttemptTimeout,
    BadStatusError,
    BudgetSpent,
    ConnectTimeout,
    ContentTypeError,
    DisallowedError,
    FetchError,
    FetchTimeout,
    FirstByteTimeout,
    RedirectError,
    StallTimeout,
    TooLargeError,
    TruncatedError,
)
from aidetl.models import FetchAttempt, Page, Source
from aidetl.politeness import HostGate
from aidetl.robots import ALLOW_ALL, ROBOTS_MAX_BYTES, RobotsCache, RobotsRules
from aidetl.sniff import check_text
from aidetl.urls import adhoc_source, check_url, dedup_key, host_of

if TYPE_CHECKING:  # archive is a later stage; the Fetcher only needs its put()
    from aidetl.archive import Archive

__all__ = ["Fetcher", "FetchOutcome", "adhoc_source", "PAGE_TYPES", "DOCUMENT_TYPES"]

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
RETRY_AFTER_STATUSES = frozenset({429, 503})
TRANSIENT_STATUSES = frozenset({500, 502, 504})
CHUNK = 64 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"


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
    retryable: bool = False
    retry_after: float | None = None
    side_attempts: list[FetchAttempt] = field(default_factory=list)  # robots.txt fetches
    sent: float | None = None  # time.perf_counter() when its first request went out

    def cost(self) -> float:
        """Seconds since the first request went out (waiting for the host's turn is free)."""
        return 0.0 if self.sent is None else time.perf_counter() - self.sent


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one try of a URL asks for, and how long it may take (`seconds`, ≤ budgets.attempt
    and ≤ what is left of the URL's budget)."""

    validators: tuple[str | None, str | None] | None
    content_types: frozenset[str]
    archive: bool
    text_only: bool
    budgets: Budgets
    seconds: float


class Fetcher:
    """Fetches pages politely for many threads at once, one pooled requests.Session inside."""

    def __init__(
        self,
        user_agent: str,
        *,
        session: requests.Session | None = None,
        budgets: Budgets | None = None,
        source_budgets: dict[str, Budgets] | None = None,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        retries: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = 60.0,
        delay_override: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        archive: Archive | None = None,
        pool_size: int = 32,
    ) -> None:
        self.user_agent = user_agent
        self.session = session or make_session(pool_size)
        self.budgets = budgets or Budgets()
        self.source_budgets = dict(source_budgets or {})  # by source name; else self.budgets
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.delay_override = delay_override
        self.archive = archive
        self._sleep = sleep
        self._gate = HostGate(sleep=sleep)
        self._ledger = HostLedger()  # what failed attempts cost each host in this run
        self._stopped = threading.Event()
        self._watches: set[Watch] = set()  # attempts in flight, cut by stop()
        self._watches_lock = threading.Lock()
        self._robots = RobotsCache()
        self._headers = {"User-Agent": user_agent, "Accept": ACCEPT}
        self._random = random.Random()
        self._random_lock = threading.Lock()

    # -- public --------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        source: Source,
        validators: tuple[str | None, str | None] | None = None,
        *,
        content_types: frozenset[str] = PAGE_TYPES,
        archive: bool = True,
        text_only: bool = True,
    ) -> FetchOutcome:
        """Fetch one URL with retries within its budgets; never raises for a page failure.
        text_only: refuse a body that is not text (sniff.py) before anyone parses it."""
        attempts: list[FetchAttempt] = []
        error: FetchError | None = None
        budgets, host, spent = self.budgets_for(source), safe_host(url), 0.0
        for number in range(1, self.retries + 2):
            progress = Progress(final_url=url)
            fetched_at = datetime.now(UTC)
            started = time.perf_counter()
            page, not_modified, error = None, False, None
            try:
                if self._stopped.is_set():
                    raise FetchError(url, "not requested: the run was stopped")
                self._check_host(url, host, budgets)  # before waiting for the host's turn
                attempt = Attempt(validators, content_types, archive, text_only, budgets,
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
            if not progress.retryable or number > self.retries:
                break
            pause = self._pause_for(progress, number)
            if spent + pause >= budgets.per_url:
                log.info("%s: url budget (%g s) spent after %d attempt(s)", url, budgets.per_url,
                         number)  # fmt: skip
                break
            spent += pause
            self._ledger.charge(host, pause)
            self._gate.defer(host_of(progress.final_url), pause)
        log.info("fetch failed after %d attempt(s): %s", len(attempts), error)
        return FetchOutcome(None, attempts, False, error)

    def budgets_for(self, source: Source) -> Budgets:
        return self.source_budgets.get(source.name, self.budgets)

    def _check_host(self, url: str, host: str, budgets: Budgets) -> None:
        """Raise BudgetSpent once the host's failures have cost the run its host budget."""
        cost = self._ledger.spent(host)
        if cost >= budgets.per_host:
            raise BudgetSpent(
                url, f"not requested: failed attempts on {host} already cost this run {cost:.0f} s, "
                f"past its host budget of {budgets.per_host:g} s",
            )  # fmt: skip

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
        self._stopped.set()
        with self._watches_lock:
            watches = list(self._watches)
        for watch in watches:
            watch.cut("stopped")

    @contextmanager
    def _watched(self) -> Iterator[Watch]:
        """A Watch for one attempt (deadline.py), known to stop() while it lasts."""
        with WATCHDOG.watch() as watch:
            with self._watches_lock:
                self._watches.add(watch)
            try:
                yield watch
            finally:
                with self._watches_lock:
                    self._watches.discard(watch)

    def close(self) -> None:
        """Close the session's pooled connections."""
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one try: redirects, robots, politeness ------------------------------------------

    def _try(
        self, url: str, source: Source, attempt: Attempt, progress: Progress
    ) -> tuple[Page | None, bool]:
        headers = self._request_headers(attempt.validators)
        current, seen = url, set[str]()  # filled on the first redirect only: no cost otherwise
        with self._watched() as watch:
            for _hop in range(self.max_redirects + 1):
                progress.final_url = current
                rules = self._permit(current, source, progress)
                delay = source.delay if self.delay_override is None else self.delay_override
                interval = max(delay, rules.crawl_delay(self.user_agent))
                host = host_of(current)
                with self._gate.slot(host, interval, source.max_in_flight):
                    self._check_host(url, host, attempt.budgets)  # it may have failed meanwhile
                    response = self._send(current, headers, progress, attempt, watch)
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
        raise RedirectError(url, f"more than {self.max_redirects} redirects", progress.status)

    def _permit(self, url: str, source: Source, progress: Progress) -> RobotsRules:
        """Raise DisallowedError unless the URL's scheme, host and robots.txt allow it."""
        check_url(url, source.allowed_domains)
        rules, attempts = self._robots.rules_for(url, partial(self._load_robots, source=source))
        progress.side_attempts.extend(attempts)
        if not rules.allows(url, self.user_agent):
            reason = rules.unavailable or "robots.txt disallows it"
            raise DisallowedError(url, reason)
        return rules

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

    def _send(
        self, url: str, headers: dict[str, str], progress: Progress, attempt: Attempt, watch: Watch
    ) -> requests.Response:
        """The response, its headers read within the first-byte and attempt deadlines."""
        b = attempt.budgets
        if self._stopped.is_set():
            raise FetchError(url, "not requested: the run was stopped")
        if progress.sent is None:
            progress.sent = time.perf_counter()
        watch.expect_headers(b.first_byte, attempt.seconds)
        try:
            response = self.session.get(
                url, headers=headers, timeout=(b.connect, b.between_bytes), stream=True,
                allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            progress.retryable = isinstance(exc, requests.ConnectionError | requests.Timeout)
            raise request_error(url, exc, watch, b) from exc
        watch.headers_done()
        return response

    # -- the answer ----------------------------------------------------------------------

    def _complete(
        self, url, current, response, source, attempt: Attempt, progress: Progress, watch: Watch
    ):
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        progress.etag, progress.last_modified = headers.get("etag"), headers.get("last-modified")
        if status == 304 and attempt.validators:
            # a 304 has no body (http.client reads none); consuming the empty rest returns the
            # connection to the pool instead of closing it
            _ = response.content
            return None, True
        check_status(current, status, headers, progress, self.max_retry_after)
        mime, charset = split_content_type(headers.get("content-type", ""))
        if mime and mime not in attempt.content_types:
            raise ContentTypeError(current, f"content type {mime!r} is not HTML or XML", status)
        content = self._read_body(current, response, headers, progress, attempt, watch)
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

    def _read_body(
        self,
        url: str,
        response,
        headers: dict[str, str],
        progress: Progress,
        attempt: Attempt,
        watch: Watch,
    ) -> bytes:
        """Read at most max_bytes of decoded body; raise on overflow, stall, deadline or
        truncation. The watchdog cuts the connection at the attempt's deadline, so a read
        never outlives it."""  # fmt: skip
        declared = parse_length(headers.get("content-length"))
        if declared is not None and declared > self.max_bytes and "content-encoding" not in headers:
            raise TooLargeError(
                url, f"Content-Length {declared} passes the {self.max_bytes}-byte limit"
            )
        chunks, total = [], 0
        try:
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                total += len(chunk)
                progress.bytes = total
                if total > self.max_bytes:
                    raise TooLargeError(
                        url, f"body passed the {self.max_bytes}-byte limit (decoded)"
                    )
                chunks.append(chunk)
        except ReadTimeoutError as exc:
            progress.retryable = True
            raise StallTimeout(
                url, f"silent past the read budget ({attempt.budgets.between_bytes:g} s) "
                f"after {total} bytes",
            ) from exc  # fmt: skip
        except (ProtocolError, OSError) as exc:
            progress.retryable = True
            if watch.fired:
                raise cut_off(url, watch, total) from exc
            got = f"got {response.raw.tell()} of {declared} announced bytes" if declared else ""
            raise TruncatedError(url, f"connection broke: {got or exc}") from exc
        except DecodeError as exc:
            raise FetchError(url, f"body could not be decompressed: {exc}") from exc
        if watch.fired:  # the cut ended a body that runs until the connection closes
            progress.retryable = True
            raise cut_off(url, watch, total)
        received = response.raw.tell()  # bytes as sent on the wire, before decompression
        if declared is not None and received < declared:
            progress.retryable = True
            raise TruncatedError(url, f"got {received} of {declared} announced bytes")
        return b"".join(chunks)

    # -- helpers -------------------------------------------------------------------------

    def _request_headers(self, validators: tuple[str | None, str | None] | None) -> dict[str, str]:
        if not validators or not any(validators):
            return self._headers
        etag, last_modified = validators
        headers = dict(self._headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _pause_for(self, progress: Progress, number: int) -> float:
        """Before the next try: the server's Retry-After, else exponential backoff with jitter."""
        if progress.retry_after is not None:
            return progress.retry_after
        with self._random_lock:
            jitter = self._random.uniform(0.5, 1.5)
        return self.backoff * (2 ** (number - 1)) * jitter

    def _load_robots(self, origin: str, source: Source) -> tuple[RobotsRules, list[FetchAttempt]]:
        """Fetch origin/robots.txt once; 4xx allows all, 5xx or no answer disallows all."""
        url = origin + "/robots.txt"
        fetched_at, started = datetime.now(UTC), time.perf_counter()
        status: int | None = None
        error: FetchError | None = None
        try:
            status, body = self._get_robots(url, source)
            rules = robots_rules(url, status, body)
        except FetchError as exc:
            error = exc
            rules = RobotsRules(unavailable=str(exc), fetched_at=time.monotonic())
        self._gate.defer(
            host_of(url), rules.crawl_delay(self.user_agent)
        )  # the first page waits too
        attempt = FetchAttempt(
            url=url, attempt=1, fetched_at=fetched_at, status=status,
            error_class=type(error).__name__ if error else None,
            error_message=str(error) if error else None,
            elapsed_ms=int((time.perf_counter() - started) * 1000), final_url=url, source=source.name,
        )  # fmt: skip
        return rules, [attempt]

    def _get_robots(self, url: str, source: Source) -> tuple[int, bytes]:
        """(status, body) of a robots.txt, read up to ROBOTS_MAX_BYTES, redirects followed,
        within the source's budgets like any page."""
        delay = source.delay if self.delay_override is None else self.delay_override
        b = self.budgets_for(source)
        try:
            with (
                self._gate.slot(host_of(url), delay, source.max_in_flight),
                self._watched() as watch,
            ):
                watch.expect_headers(b.first_byte, b.attempt)
                try:
                    response = self.session.get(
                        url, headers=self._headers, timeout=(b.connect, b.between_bytes),
                        stream=True,
                    )  # fmt: skip
                except requests.RequestException as exc:
                    raise request_error(url, exc, watch, b) from exc
                watch.headers_done()
                try:
                    ok = response.status_code < 300
                    body = response.raw.read(ROBOTS_MAX_BYTES, decode_content=True) if ok else b""
                    if watch.fired:
                        raise cut_off(url, watch)
                    return response.status_code, body
                finally:
                    response.close()
        except FetchError as exc:
            why = str(exc).removeprefix(f"{url}: ")
            raise type(exc)(
                url, f"robots.txt unavailable ({why}): host treated as disallowed"
            ) from exc
        except (requests.Timeout, ReadTimeoutError) as exc:
            raise FetchTimeout(
                url, f"robots.txt unavailable ({type(exc).__name__}): host treated as disallowed"
            ) from exc
        except (requests.RequestException, ProtocolError, DecodeError, OSError) as exc:
            raise FetchError(
                url, f"robots.txt unavailable ({type(exc).__name__}): host treated as disallowed"
            ) from exc


def request_error(url: str, exc: requests.RequestException, watch: Watch, b: Budgets) -> FetchError:
    """What a failed request means: which budget ran out, or how the connection failed."""
    if isinstance(exc, requests.ConnectTimeout):
        return ConnectTimeout(url, f"no connection within the connect budget ({b.connect:g} s)")
    if watch.fired:
        return cut_off(url, watch)
    if isinstance(exc, requests.Timeout):
        return StallTimeout(
            url, f"silent past the read budget ({b.between_bytes:g} s) before its headers were in"
        )
    if isinstance(exc, requests.ConnectionError):
        return FetchError(url, f"connection failed: {exc}")
    return FetchError(url, f"request failed: {exc}")


def cut_off(url: str, watch: Watch, got: int | None = None) -> FetchError:
    """The error for an attempt the watchdog cut: which deadline passed, and its seconds."""
    seconds = watch.seconds.get(watch.fired or "attempt", 0.0)
    read = f" after {got} bytes" if got is not None else ""
    if watch.fired == "stopped":
        return FetchError(url, f"cut: the run was stopped{read}")
    if watch.fired == "first_byte":
        return FirstByteTimeout(
            url, f"headers not in within the first-byte budget ({seconds:.3g} s)"
        )
    return AttemptTimeout(url, f"attempt cut at its {seconds:.3g} s deadline{read}")


def safe_host(url: str) -> str:
    """host_of, or "" for a URL too malformed to have one (check_url will refuse it)."""
    try:
        return host_of(url)
    except ValueError:
        return ""


HostKey = tuple[str, str | None, int | None]


def host_key(url: str) -> HostKey:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


class NoAuth(requests.auth.AuthBase):
    """Explicitly no credentials (so requests does not look in ~/.netrc again)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


class EnvOncePerHost(requests.Session):
    """A Session that reads its settings from the environment once per host, not per request.

    requests looks up proxies (walking os.environ twice, checking NO_PROXY), the CA bundle
    and ~/.netrc on every request: together more than a millisecond, half of what answering
    a conditional request with 304 costs us. The settings still come from the same places,
    so HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE and .netrc work as with plain requests; a
    change to them is seen by the next Fetcher (one per run).
    """

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[HostKey, dict] = {}
        self._netrc: dict[HostKey, requests.auth.AuthBase | tuple[str, str]] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies or verify is not None or cert is not None:  # explicit settings: as requests does
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        key = host_key(url)
        settings = self._settings.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, {}, None, None, None)
            self._settings[key] = settings
        return {**settings, "stream": self.stream if stream is None else stream}

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        url = request.url
        if self.trust_env and isinstance(url, str) and not request.auth and not self.auth:
            key = host_key(url)
            auth = self._netrc.get(key)
            if auth is None:
                auth = requests.utils.get_netrc_auth(url) or NoAuth()
                self._netrc[key] = auth
            request.auth = auth
        return super().prepare_request(request)


class PooledAdapter(HTTPAdapter):
    """HTTPAdapter that works out each host's pool key once (requests stats the CA bundle
    path on every request to learn whether it is a directory)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pool_keys: dict[tuple, tuple[dict, dict]] = {}

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES  # deadlines: deadline.py

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = POOL_CLASSES
        return manager

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        key = (
            host_key(request.url),
            verify if isinstance(verify, bool | str) else id(verify),
            cert,
        )
        found = self._pool_keys.get(key)
        if found is None:
            found = super().build_connection_pool_key_attributes(request, verify, cert)
            self._pool_keys[key] = found
        return dict(found[0]), dict(found[1])  # copies: callers may change them


def make_session(pool_size: int = 32) -> requests.Session:
    """One session with a pooled adapter; retries are the Fetcher's, not urllib3's."""
    session = EnvOncePerHost()
    adapter = PooledAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


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


def check_status(
    url: str, status: int, headers: dict[str, str], progress: Progress, cap: float
) -> None:
    """Raise BadStatusError for anything but 2xx, marking which failures are worth a retry."""
    if 200 <= status < 300:
        return
    if status in RETRY_AFTER_STATUSES:
        progress.retryable = True
        progress.retry_after = parse_retry_after(headers.get("retry-after"), cap)
    elif status in TRANSIENT_STATUSES:
        progress.retryable = True
    raise BadStatusError(url, f"HTTP {status}", status)


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


def split_content_type(value: str) -> tuple[str, str | None]:
    """("text/html", "gbk") from "text/html; charset=GBK"."""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def parse_length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


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
