"""URLs: one canonical spelling, a dedup key, and the checks a URL must pass before a request.

canonicalize() keeps the scheme it was given; dedup_key() also folds http/https and a
trailing slash, so "http://a.cn/x/" and "https://A.cn:443/x?utm_source=y" are one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from aidetl.errors import DisallowedError
from aidetl.models import Source

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say where a click came from, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "spm", "from", "share", "share_token", "shareid", "share_from", "share_source",
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "isappinstalled", "scene",
        "clicktime", "enterid", "wxshare_count", "from_source", "sharer_shareid",
        "sharer_sharetime", "srcid", "ref", "ref_src", "_hsenc", "_hsmi", "mc_cid", "mc_eid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)

# Any C0 control character or DEL, e.g. "http://a.cn/\r\nHost: evil"
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")

# Characters left as they are when re-quoting a path: RFC 3986 reserved + unreserved + "%"
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
QUERY_SAFE = "/:@!$'()*,;-._~"


def host_of(url: str) -> str:
    """The lower-case ASCII (punycode) host of a URL, without port: "http://例子.cn:81/" → "xn--fsqu00a.cn"."""
    hostname = urlsplit(url.strip()).hostname or ""
    return to_ascii_host(hostname)


def to_ascii_host(hostname: str) -> str:
    """Lower-case a host name and turn an internationalised one into punycode."""
    hostname = hostname.strip().rstrip(".").lower()
    if hostname.isascii():
        return hostname
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise DisallowedError(hostname, f"host is not a valid IDN: {exc}") from exc


def canonicalize(url: str) -> str:
    """One spelling per page: no fragment or tracking parameters, sorted query, lower host, no default port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = to_ascii_host(parts.hostname or "")
    port = parts.port
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = quote(parts.path, safe=PATH_SAFE) or "/"
    # "+" is escaped: in a query it means a space, so "%2B" must stay "%2B" (idempotence)
    query = urlencode(sorted(kept_params(parts.query)), quote_via=quote, safe=QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def kept_params(query: str) -> list[tuple[str, str]]:
    """The query parameters that identify the page (tracking ones dropped)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return [(k, v) for k, v in pairs if not is_tracking(k)]


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def dedup_key(url: str) -> str:
    """The key under which two URLs are the same page: canonical, scheme-less, no trailing slash.

    A URL too malformed to canonicalise (bad port, bad IDN) is its own key: it will be
    refused, with its reason, when someone tries to fetch it.
    """
    try:
        parts = urlsplit(canonicalize(url))
    except (ValueError, DisallowedError):
        return url.strip()
    path = parts.path.rstrip("/")
    return urlunsplit(("", parts.netloc, path, parts.query, ""))


def check_url(url: str, allowed_domains: Iterable[str] = ()) -> None:
    """Raise DisallowedError unless the URL is a plain http(s) URL on an allowed host.

    An empty `allowed_domains` allows any host; otherwise the host must equal an allowed
    domain or be one of its subdomains.
    """
    if len(url) > MAX_URL_LENGTH:
        raise DisallowedError(url[:100] + "…", f"URL longer than {MAX_URL_LENGTH} characters")
    if CONTROL_CHARS.search(url):
        raise DisallowedError(url, "URL contains control characters")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise DisallowedError(url, f"malformed URL: {exc}") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise DisallowedError(url, f"scheme {parts.scheme or '(none)'!r} is not http(s)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise DisallowedError(url, "URL carries user info")
    host = to_ascii_host(parts.hostname or "")
    if not host:
        raise DisallowedError(url, "URL has no host")
    if not host_allowed(host, allowed_domains):
        raise DisallowedError(url, f"host {host} is outside the allowed domains")


def host_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    """True when `host` is an allowed domain or a subdomain of one (any host when none given)."""
    domains = ascii_domains(tuple(allowed_domains))
    if not domains:
        return True
    return any(host == d or host.endswith("." + d) for d in domains)


@lru_cache(maxsize=256)
def ascii_domains(allowed_domains: tuple[str, ...]) -> tuple[str, ...]:
    """Allowed domains in punycode, computed once per Source."""
    return tuple(to_ascii_host(d) for d in allowed_domains if d.strip())


def adhoc_source(urls: Iterable[str], delay: float | None = None, name: str = "adhoc") -> Source:
    """A Source for explicit URLs: the allowed domains are exactly the URLs' hosts.

    `delay` None keeps the Source default (1 s between requests to a host).
    """
    # ".invalid" can never resolve (RFC 2606): with no usable host, no host is allowed
    # (an empty tuple would mean "any host").
    hosts = sorted({h for h in map(safe_host, urls) if h}) or ["invalid"]
    if delay is None:
        return Source(name=name, allowed_domains=tuple(hosts))
    return Source(name=name, allowed_domains=tuple(hosts), delay=delay)


def safe_host(url: str) -> str:
    """host_of, or "" for a URL with no usable host (it is refused when fetched)."""
    try:
        return host_of(url)
    except (ValueError, DisallowedError):
        return ""
