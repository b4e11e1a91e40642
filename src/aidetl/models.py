"""The nouns every stage shares: small frozen records.

Source (a configured site) → Page (what came back over HTTP) → Article (what the page
says) → Fact (one figure in the article). FetchAttempt records every HTTP try.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def stable_id(*parts: object) -> str:
    """A deterministic 16-hex-digit id from its parts (same parts, same id, every run)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ListPage:
    """An HTML list page whose links matching `link_pattern` are articles."""

    url: str
    link_pattern: str
    next_pattern: str | None = None  # regex for the "next page" link's href
    max_pages: int = 5


@dataclass(frozen=True, slots=True)
class Source:
    """One configured news site (a table of sources.toml)."""

    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    list_pages: tuple[ListPage, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    delay: float = 1.0  # minimum seconds between requests to one host
    max_in_flight: int = 1  # concurrent requests to one host
    profile: str | None = None  # site profile name (profiles/NAME.toml)
    organisation: str | None = None  # main organisation, the fallback subject
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class DiscoveredUrl:
    """A candidate article URL and what the source said about it."""

    url: str
    source: str
    newest_date: datetime | None = None  # the newest date any document gives (for --since):
    # <lastmod>, news:publication_date, a feed's pubDate
    modified: datetime | None = None  # when the source says the page last changed (<lastmod>)


@dataclass(frozen=True, slots=True)
class Page:
    """What came back over HTTP for one URL."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    text: str
    encoding: str
    fetched_at: datetime
    source: str = ""
    archive_key: str | None = None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass(frozen=True, slots=True)
class FetchAttempt:
    """One HTTP attempt, successful or not. Every attempt lands in `fetches`."""

    url: str
    attempt: int
    fetched_at: datetime
    status: int | None = None
    error_class: str | None = None
    error_message: str | None = None
    bytes: int = 0
    elapsed_ms: int = 0
    encoding: str | None = None
    archive_key: str | None = None
    final_url: str | None = None
    source: str = ""
    etag: str | None = None
    last_modified: str | None = None
    warc: str | None = None  # a page read from a web archive (backfill): the WARC file …
    warc_offset: int | None = None  # … and where its record starts in it

    @property
    def ok(self) -> bool:
        return self.error_class is None and self.status is not None and self.status < 400


@dataclass(frozen=True, slots=True)
class Article:
    """The article a page carries. Body paragraphs are separated by blank lines."""

    url: str
    canonical_url: str
    site: str
    title: str | None
    published_at: datetime | None
    author: str | None
    outlet: str | None
    body: str
    editor: str | None = None
    source: str = ""
    archive_key: str | None = None
    page_type: str = "article"  # article | multi_post | forum (list, non_article: not loaded)

    @property
    def article_id(self) -> str:
        return stable_id("article", self.canonical_url)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()

    @property
    def version_id(self) -> str:
        return stable_id("version", self.article_id, self.content_hash)


# How parse words a page it does not load as an article; fetches.page_type reads the type back
# from it: "http://x/list/: list page (12 link entries, ...), not loaded as an article"
NOT_ARTICLE_MESSAGE = "{url}: {kind} page ({why}), not loaded as an article"
NOT_ARTICLE_KIND = re.compile(r": ([a-z_]+) page \(")  # the message may be cut short when stored


def not_article_message(url: str, kind: str, why: str) -> str:
    """The one-line reason a list, index or non-article page is recorded and not loaded."""
    return NOT_ARTICLE_MESSAGE.format(url=url, kind=kind, why=why)


def not_article_kind(message: str | None) -> str | None:
    """The page type named by a not_article_message, else None (any other failure)."""
    found = NOT_ARTICLE_KIND.search(message or "")
    return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as written in text: where it is, its value in base units, its bound."""

    text: str
    start: int
    end: int
    value: Decimal
    unit: str
    kind: str
    qualifier: str = "exact"  # exact | over | under | about | range
    value_max: Decimal | None = None
    cumulative: bool = False


# Where a context field of a fact came from, nearest first: the figure's own clause, its
# sentence, the sentence before it in the paragraph, or the article as a whole.
SCOPES = ("clause", "sentence", "previous_sentence", "article")


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure with its context: the row the warehouse stores and `aidetl extract` prints."""

    text: str
    start: int
    end: int
    value: Decimal
    unit: str
    kind: str
    qualifier: str
    value_max: Decimal | None = None
    cumulative: bool = False
    metric: str | None = None
    subject: str | None = None
    subject_parent: str | None = None
    place: str | None = None
    place_code: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    planned: bool = False
    parent_start: int | None = None  # start offset of the figure this one is a subset of
    per: str | None = None  # a rate or price: what it is per (kWh, m2, person, year …)
    summable: bool = False  # may be added into its subject's total for its period
    subject_from: str | None = None  # where subject came from: clause | sentence | …
    place_from: str | None = None  # … previous_sentence | article (see SCOPES)
    period_from: str | None = None
    sentence: str = ""
    extractor_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def fact_id(self, version_id: str) -> str:
        return stable_id("fact", version_id, self.start, self.end, self.extractor_version)

    def to_json(self) -> dict[str, Any]:
        """The fact contract as JSON-ready values (numbers as int when whole)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value": json_value(self.value),
            "value_max": json_value(self.value_max),
            "unit": self.unit,
            "kind": self.kind,
            "qualifier": self.qualifier,
            "metric": self.metric,
            "subject": self.subject,
            "subject_parent": self.subject_parent,
            "place": self.place,
            "place_code": self.place_code,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "cumulative": self.cumulative,
            "planned": self.planned,
            "parent_start": self.parent_start,
            "per": self.per,
            "summable": self.summable,
            "subject_from": self.subject_from,
            "place_from": self.place_from,
            "period_from": self.period_from,
            "sentence": self.sentence,
            "extractor_version": self.extractor_version,
        }


def json_value(value: Any, moment: Callable[[date], Any] | None = None) -> Any:
    """`value` as JSON holds it: a Decimal as an int when whole (5亿元 is 500000000, not
    5E+8), else a float; a date or a time as `moment` writes it (default: ISO 8601 as
    stored; the report writes readers' local time); anything else unchanged. The one
    converter of every JSON, CSV and artifact aidetl writes."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat() if moment is None else moment(value)
    return value
