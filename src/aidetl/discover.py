"""Candidate article URLs from a source's feeds, sitemaps and list pages.

discover() returns a DiscoveryResult: the URLs found (canonical, deduplicated, within the
allowed domains, not older than `since` where the source dates them), every fetch attempt
made on the way, and one message per document that could not be read. Iterating over the
result yields the URLs, so `for found in discover(...)` works. A broken feed never stops
the others.

Every document is fetched by the Fetcher (robots.txt, politeness and size limits apply)
and parsed from the bytes it returned: feedparser never fetches, XML goes through
defusedxml, which refuses entity declarations (billion laughs, external entities).
"""

from __future__ import annotations

import calendar
import gzip
import html
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from aidetl.errors import DisallowedError, DiscoveryError
from aidetl.fetch import DOCUMENT_TYPES, Fetcher
from aidetl.models import DiscoveredUrl, FetchAttempt, ListPage, Source
from aidetl.urls import adhoc_source, canonicalize, check_url, dedup_key

__all__ = ["DiscoveryResult", "discover", "adhoc_source"]

log = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 3  # index → index → urlset
MAX_SITEMAPS = 200  # documents read per source, all indexes together
MAX_DECOMPRESSED = 50_000_000  # the sitemap protocol caps an uncompressed sitemap at 50 MB
GZIP_MAGIC = b"\x1f\x8b"
MAX_REJECTED_RECORDED = 200  # refused links recorded as attempts per source; all are counted
MAX_URL_KEPT = 4096  # a refused link is recorded this long at most

# <a class="t" href="/news/2024/0101/123.html"> → "/news/2024/0101/123.html"
HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I | re.S)


@dataclass(slots=True)
class DiscoveryResult:
    """URLs found, every attempt made, and the documents that failed (one message each)."""

    urls: list[DiscoveredUrl] = field(default_factory=list)
    attempts: list[FetchAttempt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # links outside the allowed domains
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _visited: set[str] = field(default_factory=set, repr=False)  # feeds and sitemaps read

    def first_visit(self, url: str, kind: str) -> bool:
        """True the first time a feed or sitemap URL comes up as `kind` (an index listing
        itself, a cycle of indexes, a feed listed twice: each is read once per run)."""
        key = f"{kind} {dedup_key(url)}"
        if key in self._visited:
            log.info("discovery: %s already read in this run; not again", url)
            return False
        self._visited.add(key)
        return True

    def __iter__(self) -> Iterator[DiscoveredUrl]:
        return iter(self.urls)

    def __len__(self) -> int:
        return len(self.urls)

    def add(
        self,
        url: str,
        source: Source,
        newest: datetime | None,
        since: datetime | None,
        modified: datetime | None = None,
    ) -> None:
        """Keep a URL once (canonical form), if allowed and not older than `since`."""
        try:
            check_url(url, source.allowed_domains)
        except DisallowedError as exc:
            self.reject(url, exc, source)
            return
        if since is not None and newest is not None and newest < since:
            return
        key = dedup_key(url)
        known = self._index.get(key)
        if known is None:
            self._index[key] = len(self.urls)
            self.urls.append(DiscoveredUrl(canonicalize(url), source.name, newest, modified))
        else:  # seen before (a feed and the sitemap, say): keep the dates either one gave
            old = self.urls[known]
            if (old.newest_date is None and newest) or (old.modified is None and modified):
                self.urls[known] = DiscoveredUrl(
                    old.url, source.name, old.newest_date or newest, old.modified or modified
                )

    def reject(self, url: str, exc: DisallowedError, source: Source) -> None:
        """Keep a refused link, and (for the first MAX_REJECTED_RECORDED) an attempt saying why."""
        self.rejected.append(url[:MAX_URL_KEPT])
        if len(self.rejected) <= MAX_REJECTED_RECORDED:
            self.attempts.append(
                FetchAttempt(
                    url=url[:MAX_URL_KEPT],
                    attempt=1,
                    fetched_at=datetime.now(UTC),
                    error_class=type(exc).__name__,
                    error_message=str(exc)[:1000],
                    source=source.name,
                )
            )


def discover(source: Source, fetcher: Fetcher, since: datetime | None = None) -> DiscoveryResult:
    """Read every feed, sitemap and list page of `source`; never raises for a broken document."""
    since = aware(since, source.timezone) if since is not None else None
    result = DiscoveryResult()
    for feed in source.feeds:
        guarded(result, feed, lambda u: read_feed(u, source, fetcher, since, result))
    budget = [MAX_SITEMAPS]
    for sitemap in source.sitemaps:
        guarded(
            result, sitemap, lambda u: read_sitemap(u, source, fetcher, since, result, 0, budget)
        )
    for list_page in source.list_pages:
        guarded(
            result, list_page.url, lambda _u, lp=list_page: read_list(lp, source, fetcher, result)
        )
    log.info(
        "%s: %d urls, %d errors, %d rejected",
        source.name,
        len(result.urls),
        len(result.errors),
        len(result.rejected),
    )
    return result


def guarded(result: DiscoveryResult, url: str, read) -> None:
    """Read one document; a failure is kept as an error and on the document's attempt."""
    try:
        read(url)
    except DiscoveryError as exc:
        fail_document(result, url, exc)
    except ValueError as exc:  # a malformed link the URL helpers could not take apart
        fail_document(result, url, DiscoveryError(f"{url}: unreadable document: {exc}"))


def fail_document(result: DiscoveryResult, url: str, exc: DiscoveryError) -> None:
    """Record why a document gave nothing: in `errors`, and in `attempts` so that the
    warehouse's `fetches` says it too (its fetch may have succeeded; the content did not)."""
    log.warning("discovery: %s", exc)
    result.errors.append(str(exc))
    message = str(exc)[:1000]
    for i in range(len(result.attempts) - 1, -1, -1):
        attempt = result.attempts[i]
        if attempt.url == url:
            if attempt.error_class is None:
                result.attempts[i] = replace(
                    attempt, error_class=type(exc).__name__, error_message=message
                )
            return  # a failed fetch already says why
    result.attempts.append(
        FetchAttempt(
            url=url,
            attempt=1,
            fetched_at=datetime.now(UTC),
            error_class=type(exc).__name__,
            error_message=message,
        )
    )


def fetch_document(url: str, source: Source, fetcher: Fetcher, result: DiscoveryResult) -> bytes:
    """The document's bytes, its attempts recorded; DiscoveryError when it cannot be had."""
    outcome = fetcher.fetch(
        url, source, content_types=DOCUMENT_TYPES, archive=False, text_only=False
    )  # a sitemap may be gzip: its parser judges it
    result.attempts.extend(outcome.attempts)
    if outcome.error is not None or outcome.page is None:
        raise DiscoveryError(str(outcome.error))
    return outcome.page.content


# -- feeds ---------------------------------------------------------------------------------


def read_feed(url: str, source: Source, fetcher: Fetcher, since, result: DiscoveryResult) -> None:
    if not result.first_visit(url, "feed"):
        return
    content = fetch_document(url, source, fetcher, result)
    refuse_entities(url, content)
    parsed = feedparser.parse(content)  # bytes: feedparser parses, it never fetches
    if parsed.bozo and not parsed.entries:
        raise DiscoveryError(f"{url}: not a readable feed: {parsed.get('bozo_exception')}")
    for entry in parsed.entries:
        link = entry.get("link")
        absolute = join_link(url, link) if link else None
        if absolute:
            result.add(absolute, source, entry_time(entry), since)


def entry_time(entry) -> datetime | None:
    """A feed entry's published (else updated) time, timezone-aware UTC."""
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC)


def refuse_entities(url: str, content: bytes) -> None:
    """Raise DiscoveryError if the XML declares entities (XML bombs, external entities)."""
    try:
        SafeET.fromstring(content)
    except DefusedXmlException as exc:
        raise DiscoveryError(
            f"{url}: XML with entity declarations refused (possible XML bomb): {exc!r}"
        ) from exc
    except ParseError:
        pass  # not well-formed: feedparser's lenient parser may still read it


# -- sitemaps ------------------------------------------------------------------------------


def read_sitemap(
    url, source, fetcher, since, result: DiscoveryResult, depth: int, budget: list[int]
) -> None:
    """Read a sitemap, sitemap index or text sitemap (gzipped or not), following indexes a few levels deep."""
    if not result.first_visit(url, "sitemap"):
        return
    if budget[0] <= 0:
        raise DiscoveryError(f"{url}: skipped, more than {MAX_SITEMAPS} sitemaps for {source.name}")
    budget[0] -= 1
    content = gunzip(url, fetch_document(url, source, fetcher, result))
    if not content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        for line in content.decode("utf-8", errors="replace").splitlines():
            if line.strip().startswith(("http://", "https://")):
                result.add(line.strip(), source, None, since)  # a text sitemap: one URL a line
        return
    root = parse_xml(url, content)
    kind = local_name(root.tag)
    if kind == "sitemapindex":
        if depth >= MAX_SITEMAP_DEPTH:
            raise DiscoveryError(f"{url}: sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH}")
        for child, newest, _ in sitemap_entries(root, "sitemap", source.timezone):
            if since is not None and newest is not None and newest < since:
                continue  # nothing in an older sitemap is new
            guarded(
                result,
                child,
                lambda u: read_child(u, source, fetcher, since, result, depth, budget),
            )
    elif kind == "urlset":
        for loc, newest, modified in sitemap_entries(root, "url", source.timezone):
            result.add(loc, source, newest, since, modified)
    else:
        raise DiscoveryError(f"{url}: not a sitemap (root element {kind!r})")


def read_child(url, source, fetcher, since, result, depth, budget) -> None:
    try:
        check_url(url, source.allowed_domains)
    except DisallowedError as exc:
        raise DiscoveryError(f"child sitemap refused: {exc}") from exc
    read_sitemap(url, source, fetcher, since, result, depth + 1, budget)


def gunzip(url: str, content: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress a .gz sitemap, refusing one that inflates past `limit` (a gzip bomb)."""
    if not content.startswith(GZIP_MAGIC):
        return content
    out, total = [], 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as gz:
            while chunk := gz.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise DiscoveryError(
                        f"{url}: gzipped sitemap inflates past {limit} bytes (gzip bomb?)"
                    )
                out.append(chunk)
    except (OSError, EOFError) as exc:
        raise DiscoveryError(f"{url}: broken gzip data: {exc}") from exc
    return b"".join(out)


def parse_xml(url: str, content: bytes) -> Element:
    try:
        return SafeET.fromstring(content)
    except DefusedXmlException as exc:
        raise DiscoveryError(
            f"{url}: XML with entity declarations refused (possible XML bomb): {exc!r}"
        ) from exc
    except ParseError as exc:
        raise DiscoveryError(f"{url}: not well-formed XML: {exc}") from exc


def sitemap_entries(
    root: Element, tag: str, tz: str
) -> Iterator[tuple[str, datetime | None, datetime | None]]:
    """(loc, newest date, <lastmod>) of each <url> or <sitemap>; a news:publication_date
    counts as a date (for `since`) but not as a modification time."""
    for item in root:
        if local_name(item.tag) != tag:
            continue
        loc, stamps, modified = None, [], None
        for node in item.iter():
            name = local_name(node.tag)
            if name == "loc" and loc is None and node.text:
                loc = html.unescape(node.text.strip())
            elif name in ("lastmod", "publication_date") and node.text:
                stamp = parse_w3c(node.text, tz)
                stamps.append(stamp)
                modified = stamp if name == "lastmod" else modified
        if loc:
            known = [s for s in stamps if s is not None]
            yield loc, max(known) if known else None, modified


def parse_w3c(value: str, tz: str) -> datetime | None:
    """A W3C datetime ("2024-03-01", "2024-03-01T08:00:00+08:00", "…Z"); naive ones in `tz`."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return aware(parsed, tz)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# -- list pages ----------------------------------------------------------------------------


def read_list(
    list_page: ListPage, source: Source, fetcher: Fetcher, result: DiscoveryResult
) -> None:
    """Follow a list page and its "next" links, collecting links that match link_pattern."""
    link_re = re.compile(list_page.link_pattern)
    next_re = re.compile(list_page.next_pattern) if list_page.next_pattern else None
    url, visited = list_page.url, set()
    for _ in range(max(1, list_page.max_pages)):
        visited.add(dedup_key(url))
        page_html = decode_list(url, source, fetcher, result)
        next_url = None
        for href, link in links_in(page_html, url):
            if next_re and (next_re.search(href) or next_re.search(link)):
                if next_url is None and dedup_key(link) not in visited:
                    next_url = link
            elif link_re.search(href) or link_re.search(link):
                result.add(link, source, None, None)
        if next_url is None:
            return
        url = next_url


def decode_list(url: str, source: Source, fetcher: Fetcher, result: DiscoveryResult) -> str:
    outcome = fetcher.fetch(url, source, archive=False)
    result.attempts.extend(outcome.attempts)
    if outcome.error is not None or outcome.page is None:
        raise DiscoveryError(str(outcome.error))
    return outcome.page.text


def links_in(page_html: str, base: str) -> Iterator[tuple[str, str]]:
    """(href as written, absolute URL) of the page's <a href> links, in page order."""
    for match in HREF.finditer(page_html):
        href = html.unescape(next(g for g in match.groups() if g is not None)).strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            link = join_link(base, href)
            if link is not None:
                yield href, link


def join_link(base: str, href: str) -> str | None:
    """urljoin, or None for a link too malformed to resolve ("http://[::1")."""
    try:
        return urljoin(base, href)
    except ValueError:
        log.debug("skipped malformed link %r", href[:200])
        return None


def aware(value: datetime, tz: str) -> datetime:
    """`value` with a timezone: naive values are read in the source's zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(tz))
