"""The steps of the ingest pipeline as plain functions: discover → fetch → parse → extract → load.

Work moves in batches of URLs from one source, so memory stays bounded however many pages
a run covers; within a batch, hosts are fetched side by side. The order the steps run in,
and how many batches are in flight, is the sequencer's (aidetl.sequencer), which the plain
run, the Prefect flows and the backfill all drive. The batch records and the parse + extract
step live in aidetl.batches, all a worker process imports; they are named here too.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aidetl.archive import Archive
from aidetl.batches import FetchedBatch as FetchedBatch
from aidetl.batches import ProcessedBatch as ProcessedBatch
from aidetl.batches import UrlBatch as UrlBatch
from aidetl.batches import process_batch as process_batch
from aidetl.budgets import Budgets
from aidetl.config import Settings, load_fetch_settings, load_sources, select_sources
from aidetl.discover import discover
from aidetl.errors import DisallowedError, recorded_as
from aidetl.fetch import Fetcher, adhoc_source, safe_host
from aidetl.models import DiscoveredUrl, FetchAttempt, Source
from aidetl.urls import dedup_key

if TYPE_CHECKING:  # DuckDB and Arrow are imported by a load, not by every user of the steps
    from aidetl.warehouse import Batch, Warehouse

log = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_FAILURES_KEPT = 50  # failures listed in a summary; all of them are in `fetches`
HOST_THREADS = 8  # hosts of one batch fetched at once (each host's own gate keeps it polite)


@dataclass
class RunSummary:
    """Counts of one run, filled as batches land."""

    run_id: str
    discovered: int = 0
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    disallowed: int = 0  # refused by robots.txt or the allowed domains: never requested
    articles: int = 0
    new_articles: int = 0
    new_facts: int = 0
    staged_batches: int = 0
    unfinished_runs: list[str] = field(default_factory=list)  # earlier runs still "running"
    facts_by_kind: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add_failures(self, attempts: Iterable[FetchAttempt]) -> None:
        for a in final_attempts(attempts):
            if recorded_as(a.error_class, DisallowedError):
                self.disallowed += 1
            elif a.error_class:
                self.failed += 1
                if len(self.failures) < MAX_FAILURES_KEPT:
                    self.failures.append((a.url, f"{a.error_class}: {a.error_message}"))

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["facts_by_kind"] = dict(self.facts_by_kind)
        return data


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]


def resolve_sources(
    settings: Settings,
    names: list[str] | None = None,
    urls: list[str] | None = None,
    sources_file: str | Path | None = None,
    delay: float | None = None,
) -> list[Source]:
    """Sources for a run: an ad-hoc source for explicit URLs, else the configured ones."""
    if urls:
        return [adhoc_source(urls) if delay is None else adhoc_source(urls, delay)]
    configured = load_sources(Path(sources_file) if sources_file else settings.sources_file)
    chosen = select_sources(configured, names)
    if delay is not None:
        chosen = [dataclasses.replace(s, delay=delay) for s in chosen]
    return chosen


def discover_source(
    source: Source, fetcher: Fetcher, since: datetime | None = None, urls: list[str] | None = None
) -> tuple[list[DiscoveredUrl], list[FetchAttempt]]:
    """Candidate article URLs of one source, deduplicated, and the attempts it took."""
    if urls:
        found = [DiscoveredUrl(url=u, source=source.name) for u in urls]
        attempts: list[FetchAttempt] = []
    else:
        result = discover(source, fetcher, since=since)
        found, attempts = list(result.urls), list(result.attempts)
    seen: set[str] = set()
    unique = []
    for item in found:
        key = dedup_key(item.url)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique, attempts


def drop_fresh(found: list[DiscoveredUrl], warehouse: Warehouse) -> tuple[list[DiscoveredUrl], int]:
    """Leave out URLs whose sitemap <lastmod> is no later than our last good fetch of them:
    the site says they have not changed, so they need no request at all (publication dates
    do not count: a page can change after it was published). Returns the URLs still to
    fetch and how many were left out."""
    dated = [d.url for d in found if d.modified is not None]
    last = warehouse.last_fetched(dated) if dated else {}
    keep = [d for d in found if not (d.modified and d.url in last and d.modified <= last[d.url])]
    return keep, len(found) - len(keep)


def plan_batches(
    source: Source, found: list[DiscoveredUrl], limit: int | None = None, size: int = BATCH_SIZE
) -> list[UrlBatch]:
    """Split a source's URLs into batches of `size` (after `limit`)."""
    urls = [d.url for d in found][:limit] if limit else [d.url for d in found]
    return [
        UrlBatch(source=source, urls=tuple(urls[i : i + size]), number=i // size)
        for i in range(0, len(urls), size)
    ]


def fetch_batch(
    fetcher: Fetcher,
    batch: UrlBatch,
    validators: dict[str, tuple[str | None, str | None]],
    threads: int = HOST_THREADS,
) -> FetchedBatch:
    """Fetch every URL of a batch, its hosts side by side (a slow one holds up only itself);
    failures are kept as attempts, never raised. Pages and attempts come in batch order."""
    lanes = host_lanes(batch.urls, batch.source.max_in_flight)

    def fetch_lane(lane: list[str]) -> list:
        return [fetcher.fetch(url, batch.source, validators=validators.get(url)) for url in lane]

    if len(lanes) == 1:
        done = fetch_lane(lanes[0])
        outcomes = dict(zip(lanes[0], done, strict=True))
    else:
        with ThreadPoolExecutor(min(threads, len(lanes)), "aidetl-host") as pool:
            done_lanes = list(pool.map(fetch_lane, lanes))
        outcomes = {
            u: o
            for lane, d in zip(lanes, done_lanes, strict=True)
            for u, o in zip(lane, d, strict=True)
        }
    pages, attempts, unchanged = [], [], 0
    for url in dict.fromkeys(batch.urls):
        outcome = outcomes[url]
        attempts.extend(outcome.attempts)
        if outcome.not_modified:
            unchanged += 1
        elif outcome.page is not None:
            pages.append(outcome.page)
    return FetchedBatch(batch.source, tuple(pages), tuple(attempts), unchanged, batch.number)


def host_lanes(urls: Iterable[str], per_host: int = 1) -> list[list[str]]:
    """The URLs as lanes fetched side by side: each host's URLs dealt over `per_host` lanes
    (its max_in_flight), in order. An empty batch is one empty lane."""
    by_host: dict[str, list[list[str]]] = {}
    for url in dict.fromkeys(urls):
        lanes = by_host.setdefault(safe_host(url), [[] for _ in range(max(1, per_host))])
        min(lanes, key=len).append(url)
    return [lane for lanes in by_host.values() for lane in lanes if lane] or [[]]


def batch_of(
    run_id: str,
    processed: ProcessedBatch | Iterable[ProcessedBatch],
    attempts: Iterable[FetchAttempt] = (),
) -> Batch:
    """The warehouse batch (one all-or-nothing write) for one or several processed batches
    loaded together, plus `attempts` of no batch (discovery's)."""
    from aidetl.warehouse import Batch

    parts = [processed] if isinstance(processed, ProcessedBatch) else list(processed)
    simhashes = {k: v for part in parts for k, v in (part.simhashes or {}).items()}
    return Batch(
        run_id=run_id,
        attempts=[*attempts, *(a for part in parts for a in part.attempts)],
        articles=[a for part in parts for a in part.articles],
        facts=[f for part in parts for f in part.facts],
        simhashes=simhashes if all(part.simhashes is not None for part in parts) else None,
    )


def fold_batch(summary: RunSummary, processed: ProcessedBatch, result: object = None) -> None:
    """A processed batch's counts into the summary, and its load's `result` if given."""
    summary.fetched += processed.fetched
    summary.unchanged += processed.unchanged
    summary.articles += len(processed.articles)
    summary.add_failures(processed.attempts)
    summary.facts_by_kind.update(f.kind for _, f in processed.facts)
    fold_load(summary, result)


def fold_load(summary: RunSummary, result: object) -> None:
    """What one load (a LoadResult, of one or several batches) added, into the summary."""
    summary.new_articles += getattr(result, "new_articles", 0)
    summary.new_facts += getattr(result, "new_facts", 0)
    summary.staged_batches += bool(getattr(result, "staged", False))


def final_attempts(attempts: Iterable[FetchAttempt]) -> list[FetchAttempt]:
    """The last attempt per URL: the one that says how fetching that URL ended."""
    last: dict[str, FetchAttempt] = {}
    for a in attempts:
        if a.url not in last or a.attempt >= last[a.url].attempt:
            last[a.url] = a
    return list(last.values())


def make_fetcher(
    settings: Settings,
    delay: float | None = None,
    sources_file: str | Path | None = None,
    budgets: Budgets | None = None,
) -> Fetcher:
    """The run's Fetcher, with the fetch settings of the sources file (`budgets` overrides
    every source's time budgets: tests and benchmarks use short ones)."""
    default, by_source = load_fetch_settings(Path(sources_file or settings.sources_file))
    if budgets:
        default, by_source = dataclasses.replace(default, budgets=budgets), {}
    return Fetcher(
        settings.user_agent,
        dataclasses.replace(default, delay_override=delay),
        by_source=by_source,
        archive=Archive(settings.archive),
    )


def interleave(lists: list[list]) -> Iterator:
    """Round-robin over lists: a1 b1 c1 a2 b2 a3 … so consecutive batches hit different hosts."""
    for group in itertools.zip_longest(*lists):
        yield from (item for item in group if item is not None)


def note_unfinished(warehouse: Warehouse, summary: RunSummary) -> None:
    """Say which earlier runs never finished (killed outright, or still running elsewhere)."""
    summary.unfinished_runs = warehouse.unfinished_runs(summary.run_id)
    if summary.unfinished_runs:
        log.warning(
            "%d earlier run(s) never finished (killed, or still running): %s",
            len(summary.unfinished_runs),
            ", ".join(summary.unfinished_runs[:10]),
        )
