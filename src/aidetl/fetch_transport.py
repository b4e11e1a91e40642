"""HTTP for the Fetcher: one pooled session, requests and body reads bounded by the time
budgets, and every low-level failure turned into the FetchError subclass that names it.

Time is bounded by Budgets (budgets.py): connect and between-bytes through the socket,
first byte and the whole attempt through a watchdog that cuts the connection (deadline.py).
A timeout's class says which budget ran out (FirstByteTimeout, StallTimeout, …), and every
error says whether another try may help (errors.py): nothing here decides about retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from aidetl.budgets import Budgets
from aidetl.deadline import POOL_CLASSES, WATCHDOG, Watch
from aidetl.errors import (
    AttemptTimeout,
    ConnectTimeout,
    FetchConnectionError,
    FetchError,
    FetchTimeout,
    FirstByteTimeout,
    RunStopped,
    StallTimeout,
    TooLargeError,
    TruncatedError,
)

CHUNK = 64 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified) of the copy we hold


class Transport:
    """The session and the attempts in flight of one Fetcher, shared by its threads."""

    def __init__(
        self, user_agent: str, session: requests.Session | None = None, pool_size: int = 32
    ) -> None:
        self.session = session or make_session(pool_size)
        self._headers = {"User-Agent": user_agent, "Accept": ACCEPT}
        self._stopped = threading.Event()
        self._watches: set[Watch] = set()  # attempts in flight, cut by stop()
        self._watches_lock = threading.Lock()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def check_running(self, url: str) -> None:
        """Raise RunStopped once stop() was called: no new request goes out."""
        if self._stopped.is_set():
            raise RunStopped(url, "not requested: the run was stopped")

    def stop(self) -> None:
        """Start no more requests and cut those in flight (an interrupted run)."""
        self._stopped.set()
        with self._watches_lock:
            watches = list(self._watches)
        for watch in watches:
            watch.cut("stopped")

    def close(self) -> None:
        self.session.close()

    @contextmanager
    def watched(self) -> Iterator[Watch]:
        """A Watch for one attempt (deadline.py), known to stop() while it lasts."""
        with WATCHDOG.watch() as watch:
            with self._watches_lock:
                self._watches.add(watch)
            try:
                yield watch
            finally:
                with self._watches_lock:
                    self._watches.discard(watch)

    def headers(self, validators: Validators | None) -> dict[str, str]:
        """The request headers, conditional when we hold a copy (ETag, Last-Modified)."""
        if not validators or not any(validators):
            return self._headers
        etag, last_modified = validators
        headers = dict(self._headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def send(
        self, url: str, headers: dict[str, str], budgets: Budgets, seconds: float, watch: Watch
    ) -> requests.Response:
        """The response (body unread), its headers in within the first-byte budget and the
        attempt's `seconds`; redirects are the caller's to follow."""
        self.check_running(url)
        watch.expect_headers(budgets.first_byte, seconds)
        try:
            response = self.session.get(
                url, headers=headers, timeout=(budgets.connect, budgets.between_bytes),
                stream=True, allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            raise request_error(url, exc, watch, budgets) from exc
        watch.headers_done()
        return response

    def get_small(self, url: str, budgets: Budgets, limit: int) -> tuple[int, bytes]:
        """(status, body) of a small document (robots.txt): at most `limit` bytes, redirects
        followed, within the budgets like any page; the body only on a 2xx answer."""
        try:
            with self.watched() as watch:
                watch.expect_headers(budgets.first_byte, budgets.attempt)
                try:
                    response = self.session.get(
                        url, headers=self._headers,
                        timeout=(budgets.connect, budgets.between_bytes), stream=True,
                    )  # fmt: skip
                except requests.RequestException as exc:
                    raise request_error(url, exc, watch, budgets) from exc
                watch.headers_done()
                try:
                    ok = response.status_code < 300
                    body = response.raw.read(limit, decode_content=True) if ok else b""
                    if watch.fired:
                        raise cut_off(url, watch)
                    return response.status_code, body
                finally:
                    response.close()
        except FetchError:
            raise  # ours, already named (and an OSError when a timeout or a broken connection)
        except (requests.Timeout, ReadTimeoutError) as exc:
            raise FetchTimeout(url, type(exc).__name__) from exc
        except (requests.RequestException, ProtocolError, DecodeError, OSError) as exc:
            raise FetchError(url, type(exc).__name__) from exc


def read_body(
    url: str,
    response: requests.Response,
    headers: dict[str, str],
    max_bytes: int,
    budgets: Budgets,
    watch: Watch,
    received: Callable[[int], None],
) -> bytes:
    """At most max_bytes of decoded body; raise on overflow, stall, deadline or truncation.
    The watchdog cuts the connection at the attempt's deadline, so a read never outlives
    it. `received` hears the running byte count, so a failed try still records it."""
    declared = parse_length(headers.get("content-length"))
    if declared is not None and declared > max_bytes and "content-encoding" not in headers:
        raise TooLargeError(url, f"Content-Length {declared} passes the {max_bytes}-byte limit")
    chunks, total = [], 0
    try:
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            total += len(chunk)
            received(total)
            if total > max_bytes:
                raise TooLargeError(url, f"body passed the {max_bytes}-byte limit (decoded)")
            chunks.append(chunk)
    except ReadTimeoutError as exc:
        raise StallTimeout(
            url, f"silent past the read budget ({budgets.between_bytes:g} s) after {total} bytes"
        ) from exc
    except (ProtocolError, OSError) as exc:
        if watch.fired:
            raise cut_off(url, watch, total) from exc
        got = f"got {response.raw.tell()} of {declared} announced bytes" if declared else ""
        raise TruncatedError(url, f"connection broke: {got or exc}") from exc
    except DecodeError as exc:
        raise FetchError(url, f"body could not be decompressed: {exc}") from exc
    if watch.fired:  # the cut ended a body that runs until the connection closes
        raise cut_off(url, watch, total)
    wire = response.raw.tell()  # bytes as sent on the wire, before decompression
    if declared is not None and wire < declared:
        raise TruncatedError(url, f"got {wire} of {declared} announced bytes")
    return b"".join(chunks)


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
        return FetchConnectionError(url, f"connection failed: {exc}")
    return FetchError(url, f"request failed: {exc}")


def cut_off(url: str, watch: Watch, got: int | None = None) -> FetchError:
    """The error for an attempt the watchdog cut: which deadline passed, and its seconds."""
    seconds = watch.seconds.get(watch.fired or "attempt", 0.0)
    read = f" after {got} bytes" if got is not None else ""
    if watch.fired == "stopped":
        return RunStopped(url, f"cut: the run was stopped{read}")
    if watch.fired == "first_byte":
        return FirstByteTimeout(
            url, f"headers not in within the first-byte budget ({seconds:.3g} s)"
        )
    return AttemptTimeout(url, f"attempt cut at its {seconds:.3g} s deadline{read}")


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
