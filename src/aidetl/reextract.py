"""Re-extraction from the archive: archived article versions rebuilt as fetched pages.

Used after the parser or extractor improves. No network: each version's raw bytes come
from the archive under the archive_key the warehouse recorded; the pages then go through
the same process step and load as crawled ones (the sequencer drives them).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aidetl.archive import Archive
from aidetl.config import Settings, load_sources
from aidetl.encoding import decode_html
from aidetl.errors import ConfigError
from aidetl.models import Page, Source
from aidetl.pipeline import BATCH_SIZE, FetchedBatch

log = logging.getLogger(__name__)


def current_extractor_version() -> str:
    from aidetl.extract import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def known_sources(settings: Settings) -> dict[str, Source]:
    """Configured sources by name (for their parse profiles); none when there is no file."""
    try:
        return {s.name: s for s in load_sources(settings.sources_file)}
    except ConfigError:
        return {}


def read_batch(
    archive: Archive, rows: list[tuple], sources: dict[str, Source], number: int
) -> FetchedBatch:
    """Rebuild the pages of a batch of archived versions (one source's profile per batch)."""
    source = sources.get(rows[0][3]) or Source(name=rows[0][3] or "archive")
    pages = []
    for _version_id, key, url, _source in rows:
        try:
            content = archive.get(key)
        except KeyError:
            log.warning("archived page %s for %s is missing; skipped", key, url)
            continue
        text, encoding = decode_html(content)
        pages.append(Page(url=url, final_url=url, status=200, headers={}, content=content,
                          text=text, encoding=encoding, fetched_at=datetime.now(UTC),
                          source=source.name, archive_key=key))  # fmt: skip
    return FetchedBatch(source, tuple(pages), (), 0, number)


def plan(rows: list[tuple], size: int = BATCH_SIZE) -> list[list[tuple]]:
    """Batches of at most `size` rows, each from one source."""
    batches: list[list[tuple]] = []
    for row in sorted(rows, key=lambda r: r[3]):
        if not batches or len(batches[-1]) >= size or batches[-1][0][3] != row[3]:
            batches.append([])
        batches[-1].append(row)
    return batches
