"""The batches a run moves between its steps, and the one step that needs neither network
nor warehouse: parse + extract of a fetched batch.

A worker process (aidetl.workers) unpickles these records and runs process_batch, so it
imports this module, the parser and the extractor, and nothing of fetching, discovery or
the warehouse (a spawned worker's imports are its start-up time).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from aidetl.dedup import simhash64
from aidetl.errors import AidetlError, ParseError
from aidetl.extract import extract_facts
from aidetl.models import Article, Fact, FetchAttempt, Page, Source
from aidetl.parse import parse_article

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UrlBatch:
    """URLs of one source fetched together (one host's politeness applies within)."""

    source: Source
    urls: tuple[str, ...]
    number: int


@dataclass(frozen=True, slots=True)
class FetchedBatch:
    """What fetching a UrlBatch gave: pages to parse, plus every attempt."""

    source: Source
    pages: tuple[Page, ...]
    attempts: tuple[FetchAttempt, ...]
    unchanged: int
    number: int


@dataclass(frozen=True, slots=True)
class ProcessedBatch:
    """Articles and facts ready to load, with the attempts (parse failures marked)."""

    attempts: tuple[FetchAttempt, ...]
    articles: tuple[Article, ...]
    facts: tuple[tuple[str, Fact], ...]
    unchanged: int
    number: int
    fetched: int = 0  # pages that came back (robots.txt and other side requests excluded)
    # version_id -> simhash64 of its body, for the load's repost check: computed with the
    # body, where processing runs (a worker process, when there is one), not at load time
    simhashes: dict[str, int] | None = None


def process_batch(fetched: FetchedBatch) -> ProcessedBatch:
    """Parse and extract every page of a batch; a page that fails is marked in its attempt."""
    articles: list[Article] = []
    facts: list[tuple[str, Fact]] = []
    failed: dict[str, Exception] = {}
    for page in fetched.pages:
        try:
            article = parse_article(page, fetched.source)
            found = extract_facts(article.body, article.published_at, fetched.source.organisation)
        except (ParseError, AidetlError) as exc:
            failed[page.url] = exc
            log.warning("could not process %s: %s", page.url, exc)
            continue
        except Exception as exc:  # a bug meeting one odd page must not sink its batch and run
            failed[page.url] = exc
            log.exception("unexpected %s processing %s", type(exc).__name__, page.url)
            continue
        articles.append(article)
        facts.extend((article.version_id, f) for f in found)
    attempts = tuple(mark_failed(a, failed) for a in fetched.attempts)
    return ProcessedBatch(
        attempts,
        tuple(articles),
        tuple(facts),
        fetched.unchanged,
        fetched.number,
        len(fetched.pages),
        {a.version_id: simhash64(a.body) for a in articles if a.body},  # as Warehouse would
    )


def split_pages(fetched: FetchedBatch) -> list[FetchedBatch]:
    """The batch as one batch per page, each with that page's attempts."""
    return [
        FetchedBatch(
            fetched.source, (page,), tuple(a for a in fetched.attempts if a.url == page.url), 0,
            fetched.number,
        )
        for page in fetched.pages
    ]  # fmt: skip


def join_pages(fetched: FetchedBatch, parts: list[ProcessedBatch]) -> ProcessedBatch:
    """What processing `fetched` gives, from the processed one-page parts of split_pages."""
    urls = {page.url for page in fetched.pages}
    attempts = [a for a in fetched.attempts if a.url not in urls]
    for part in parts:
        attempts.extend(part.attempts)
    articles = tuple(a for part in parts for a in part.articles)
    facts = tuple(f for part in parts for f in part.facts)
    simhashes = {k: v for part in parts for k, v in (part.simhashes or {}).items()}
    return ProcessedBatch(
        tuple(attempts), articles, facts, fetched.unchanged, fetched.number, len(fetched.pages),
        simhashes if all(part.simhashes is not None for part in parts) else None,
    )  # fmt: skip


def fail_pages(fetched: FetchedBatch, error: Exception) -> ProcessedBatch:
    """The batch with every page failed for `error` (nothing to load but the attempts)."""
    failed = dict.fromkeys((page.url for page in fetched.pages), error)
    attempts = tuple(mark_failed(a, failed) for a in fetched.attempts)
    return ProcessedBatch(attempts, (), (), fetched.unchanged, fetched.number, len(fetched.pages))


def mark_failed(attempt: FetchAttempt, failed: dict[str, Exception]) -> FetchAttempt:
    """The page's successful attempt, rewritten to say why its page could not be used."""
    exc = failed.get(attempt.url)
    if exc is None or not attempt.ok:
        return attempt
    return dataclasses.replace(
        attempt, error_class=type(exc).__name__, error_message=str(exc)[:1000]
    )
