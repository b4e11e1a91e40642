"""One exception root, with children that carry the context needed to act on them.

Every class also subclasses the builtin it refines (a bad input is a ValueError, a timeout
a TimeoutError, a broken connection a ConnectionError), so code that knows only Python's
exceptions still catches ours. Every class takes *args/**kwargs and survives a pickle round
trip with its attributes, so a worker process (Dask, multiprocessing) can raise one.

A fetch failure says itself whether another try may help (`retryable`) and after how long
(`retry_after`, seconds, when the server said so): the Fetcher's retry loop reads these
instead of deciding by what it saw along the way.
"""

from __future__ import annotations

from typing import Any

# HTTP statuses worth another try: the server asks us to come back (429, 503), or failed
# on its side in a way that often passes (500, 502, 504).
RETRY_AFTER_STATUSES = frozenset({429, 503})
TRANSIENT_STATUSES = frozenset({500, 502, 504})


def _rebuild(cls: type[AidetlError], args: tuple, kwargs: dict[str, Any]) -> AidetlError:
    """Unpickle: call the constructor with what it was first given (see AidetlError)."""
    return cls(*args, **kwargs)


class AidetlError(Exception):
    """Root of every error aidetl raises on purpose.

    The constructor's arguments are kept (in __new__, so no subclass can forget) and replayed
    on unpickling; plain Exception pickling replays `self.args`, which a subclass that
    formats its message (FetchError, WarehouseError) has changed, and which OSError-based
    classes rewrite.
    """

    _given: tuple[tuple, dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> AidetlError:
        # no arguments up: OSError.__new__ would read (url, message, status) as (errno,
        # strerror, filename) and the CLI would then print "cannot read <status>"
        self = super().__new__(cls)
        self._given = (args, kwargs)
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword(s) {sorted(kwargs)}")
        super().__init__(*args)
        self.args = args  # OSError-based classes would otherwise keep ()

    def __reduce__(self) -> tuple[Any, ...]:
        args, kwargs = self._given
        return _rebuild, (type(self), args, kwargs), self.__dict__


class ConfigError(AidetlError, ValueError):
    """The sources file or an environment setting is wrong."""


class MissingFromArchive(AidetlError, KeyError):
    """No page is archived under the key (or the key is not an archive key)."""

    def __str__(self) -> str:  # KeyError would print the key with quotes around it
        return str(self.args[0]) if self.args else ""


class FetchError(AidetlError):
    """A page could not be fetched. `url` names it; the message says why.

    `retryable`: whether another try may succeed; `retry_after`: seconds the server asked
    us to wait first (None: the retry policy's own backoff).
    """

    retryable: bool = False

    def __init__(
        self,
        url: str = "",
        message: str = "",
        status: int | None = None,
        *args: Any,
        retry_after: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url, message, status, *args, **kwargs)
        self.url = url
        self.message = message
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.url}: {self.message}" if self.message else self.url


class FetchConnectionError(FetchError, ConnectionError):
    """The connection could not be opened or broke before the answer's headers."""

    retryable = True


class RunStopped(FetchError):
    """The run was stopped (Ctrl-C, a signal) before or while the page was fetched."""


class DisallowedError(FetchError):
    """robots.txt, the URL scheme or the allowed domains forbid the request."""


class FetchTimeout(FetchError, TimeoutError):
    """The server did not connect or answer within a time budget; `budget` names which
    (the subclasses below), and the message says how long it was."""

    budget = "timeout"
    retryable = True


class ConnectTimeout(FetchTimeout):
    """No connection within the connect budget."""

    budget = "connect"


class FirstByteTimeout(FetchTimeout):
    """The status line and headers did not all arrive within the first-byte budget."""

    budget = "first_byte"


class StallTimeout(FetchTimeout):
    """Nothing arrived for longer than the between-bytes budget."""

    budget = "between_bytes"


class AttemptTimeout(FetchTimeout):
    """One attempt (headers and body) ran past its whole-attempt deadline."""

    budget = "attempt"


class BudgetSpent(FetchTimeout):
    """The URL's or the host's retry budget for this run is spent: not tried (again)."""

    budget = "retry"
    retryable = False


class TooLargeError(FetchError):
    """The body (or its decompressed form) passed the size limit."""


class BadStatusError(FetchError):
    """The server answered with a status that is not a page (4xx/5xx after retries).
    Retryable for the statuses that often pass; 429 and 503 may carry a Retry-After."""

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status in RETRY_AFTER_STATUSES or self.status in TRANSIENT_STATUSES


class ContentTypeError(FetchError):
    """The response is not HTML or XML."""


class NotTextError(ContentTypeError):
    """The body claims to be a page but is not text (binary signature, control characters,
    undecodable bytes); refused before parsing."""


class RedirectError(FetchError):
    """Too many redirects, a loop, or a redirect outside the allowed domains."""


class TruncatedError(FetchError, ConnectionError):
    """The connection closed before the announced body arrived."""

    retryable = True


class DiscoveryError(AidetlError, ValueError):
    """A feed, sitemap or list page could not be read."""


class ParseError(AidetlError, ValueError):
    """A page could not be turned into an article."""


class NotArticleError(ParseError):
    """The page is a list, an index or carries no article; the message says which and why."""


class ExtractError(AidetlError, ValueError):
    """Text could not be scanned for figures (for example: not text at all)."""


class WorkerDied(AidetlError, RuntimeError):
    """A worker process ended while processing a page (a crash in native code, an OOM kill)."""


class WarehouseError(AidetlError):
    """The DuckDB warehouse cannot be used as asked. `path` names the file."""

    def __init__(self, path: str = "", message: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(path, message, *args, **kwargs)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class WarehouseLocked(WarehouseError, TimeoutError):
    """Another process holds the warehouse for writing longer than we may wait."""


class WarehouseCorrupt(WarehouseError):
    """The file is not a readable DuckDB database."""


class SchemaTooNew(WarehouseError):
    """The file was written by a newer aidetl than this one."""


class MigrationError(WarehouseError):
    """A migration failed; it was rolled back."""


def recorded_as(error_class: str | None, kind: type[BaseException]) -> bool:
    """Whether a failure recorded by class name (FetchAttempt.error_class, the `fetches`
    table) is a `kind`, subclasses included: stored failures are classified by type too."""
    if not error_class:
        return False
    todo: list[type[BaseException]] = [AidetlError]
    while todo:
        cls = todo.pop()
        if cls.__name__ == error_class:
            return issubclass(cls, kind)
        todo.extend(cls.__subclasses__())
    return False
