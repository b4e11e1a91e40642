"""One exception root, with children that carry the context needed to act on them."""

from __future__ import annotations


class AidetlError(Exception):
    """Root of every error aidetl raises on purpose."""


class ConfigError(AidetlError):
    """The sources file or an environment setting is wrong."""


class FetchError(AidetlError):
    """A page could not be fetched. `url` names it; the message says why."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.status = status


class DisallowedError(FetchError):
    """robots.txt, the URL scheme or the allowed domains forbid the request."""


class FetchTimeout(FetchError):
    """The server did not connect or answer within a time budget; `budget` names which
    (the subclasses below), and the message says how long it was."""

    budget = "timeout"


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


class TooLargeError(FetchError):
    """The body (or its decompressed form) passed the size limit."""


class BadStatusError(FetchError):
    """The server answered with a status that is not a page (4xx/5xx after retries)."""


class ContentTypeError(FetchError):
    """The response is not HTML or XML."""


class NotTextError(ContentTypeError):
    """The body claims to be a page but is not text (binary signature, control characters,
    undecodable bytes); refused before parsing."""


class RedirectError(FetchError):
    """Too many redirects, a loop, or a redirect outside the allowed domains."""


class TruncatedError(FetchError):
    """The connection closed before the announced body arrived."""


class DiscoveryError(AidetlError):
    """A feed, sitemap or list page could not be read."""


class ParseError(AidetlError):
    """A page could not be turned into an article."""


class ExtractError(AidetlError):
    """Text could not be scanned for figures (for example: not text at all)."""


class WarehouseError(AidetlError):
    """The DuckDB warehouse cannot be used as asked. `path` names the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse for writing longer than we may wait."""


class WarehouseCorrupt(WarehouseError):
    """The file is not a readable DuckDB database."""


class SchemaTooNew(WarehouseError):
    """The file was written by a newer aidetl than this one."""


class MigrationError(WarehouseError):
    """A migration failed; it was rolled back."""
