"""Turn a Batch's frozen records into Arrow tables, column by column (no row-by-row SQL).

fact_id, a pure function of four fact columns, is computed here too (for a big batch
vectorised in an in-memory DuckDB, where sha256 costs far less than per row in Python): the
tables are then the rows as they will be stored, and the loader, which runs this for the
next batch while the current one merges, hashes nothing while it holds the file.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from operator import attrgetter

import duckdb
import pyarrow as pa

from aidetl.errors import NotArticleError, recorded_as
from aidetl.models import Article, Fact, FetchAttempt, not_article_kind, stable_id

# models.stable_id("fact", version_id, start, end, extractor_version) in SQL
FACT_ID_SQL = (
    "substr(sha256(concat_ws(chr(31), 'fact', version_id, CAST(start AS VARCHAR), "
    "CAST(\"end\" AS VARCHAR), coalesce(extractor_version, ''))), 1, 16)"
)
# Below this many facts, hashing each in Python (~1.5 µs) beats opening an in-memory DuckDB
# (~25 ms); pipeline batches (hundreds of facts) stay below it, bulk loads above.
SQL_HASH_MIN = 20_000
VALUE_TYPE = pa.decimal128(38, 4)  # facts.value / value_max: exact, 4 decimal places
TS_TYPE = pa.timestamp("us", tz="UTC")
SCALE = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Batch:
    """One unit of loading: all-or-nothing, idempotent.

    facts pairs each Fact with the version_id (Article.version_id) of the article it was
    extracted from. simhashes optionally maps version_id -> 64-bit simhash of its body.
    """

    run_id: str
    attempts: list[FetchAttempt] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    facts: list[tuple[str, Fact]] = field(default_factory=list)
    simhashes: dict[str, int] | None = None


FETCH_FIELDS = (
    "url", "attempt", "status", "error_class", "error_message", "bytes", "elapsed_ms",
    "encoding", "archive_key", "etag", "last_modified", "final_url", "source", "warc",
    "warc_offset",
)  # fmt: skip
FETCH_SCHEMA = pa.schema(
    [("fetch_id", pa.string()), ("run_id", pa.string()), ("url", pa.string()),
     ("attempt", pa.int32()), ("status", pa.int32()), ("error_class", pa.string()),
     ("error_message", pa.string()), ("bytes", pa.int64()), ("elapsed_ms", pa.int64()),
     ("encoding", pa.string()), ("archive_key", pa.string()), ("etag", pa.string()),
     ("last_modified", pa.string()), ("final_url", pa.string()), ("source", pa.string()),
     ("fetched_at", TS_TYPE), ("warc", pa.string()), ("warc_offset", pa.int64()),
     ("page_type", pa.string())]
)  # fmt: skip

ARTICLE_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("version_id", pa.string()), ("content_hash", pa.string()),
     ("url", pa.string()), ("canonical_url", pa.string()), ("site", pa.string()),
     ("source", pa.string()), ("title", pa.string()), ("published_at", TS_TYPE),
     ("author", pa.string()), ("editor", pa.string()), ("outlet", pa.string()),
     ("body", pa.string()), ("archive_key", pa.string()), ("simhash", pa.uint64()),
     ("ord", pa.int64()), ("published_utc_offset", pa.int32())]
)  # fmt: skip

FACT_FIELDS = (
    "text", "start", "end", "value", "value_max", "unit", "kind", "qualifier", "metric",
    "subject", "subject_parent", "place", "place_code", "period_start", "period_end",
    "cumulative", "planned", "parent_start", "per", "summable", "subject_from", "place_from",
    "period_from", "sentence", "extractor_version",
)  # fmt: skip
FACT_TYPES = {
    "start": pa.int32(), "end": pa.int32(), "value": VALUE_TYPE, "value_max": VALUE_TYPE,
    "period_start": pa.date32(), "period_end": pa.date32(), "cumulative": pa.bool_(),
    "planned": pa.bool_(), "parent_start": pa.int32(), "summable": pa.bool_(),
}  # fmt: skip
FACT_SCHEMA = pa.schema(
    [("fact_id", pa.string()), ("version_id", pa.string())]
    + [(f, FACT_TYPES.get(f, pa.string())) for f in FACT_FIELDS]
)

EMPTY_TABLES = {
    "fetches": FETCH_SCHEMA.empty_table(),
    "articles": ARTICLE_SCHEMA.empty_table(),
    "facts": FACT_SCHEMA.empty_table(),
}


def to_utc(value: datetime | None) -> datetime | None:
    """Timezone-aware UTC; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def fetch_table(
    run_id: str, attempts: list[FetchAttempt], articles: Sequence[Article] = ()
) -> pa.Table:
    data: dict[str, list] = {name: list(map(attrgetter(name), attempts)) for name in FETCH_FIELDS}
    data["fetch_id"] = [fetch_id(run_id, a) for a in attempts]
    data["run_id"] = [run_id] * len(attempts)
    data["fetched_at"] = [to_utc(a.fetched_at) for a in attempts]
    data["page_type"] = page_types(attempts, articles)
    return pa.table({f.name: pa.array(data[f.name], f.type) for f in FETCH_SCHEMA})


def fetch_id(run_id: str, attempt: FetchAttempt) -> str:
    """An HTTP attempt is one per (run, url, attempt); a record read from a WARC is the same
    record whichever run reads it, so reading it again (a resumed backfill) adds no row."""
    if attempt.warc is not None:
        return stable_id("warc", attempt.warc, attempt.warc_offset)
    return stable_id(run_id, attempt.url, attempt.attempt)


def page_types(attempts: list[FetchAttempt], articles: Sequence[Article]) -> list[str | None]:
    """What parse decided each fetched page is: the type of the article loaded from it, or
    the list / non-article type its NotArticleError names; None when it was not parsed (a
    failed fetch, an unchanged page) or failed otherwise."""
    loaded: dict[str, str] = {}
    for article in articles:
        loaded[article.url] = article.page_type
        if article.archive_key:
            loaded[article.archive_key] = article.page_type
    out: list[str | None] = []
    for a in attempts:
        if recorded_as(a.error_class, NotArticleError):
            out.append(not_article_kind(a.error_message))
        elif a.ok:
            keys = (a.archive_key, a.final_url, a.url)
            out.append(next((loaded[k] for k in keys if k and k in loaded), None))
        else:
            out.append(None)
    return out


ARTICLE_FIELDS = (
    "article_id", "content_hash", "url", "canonical_url", "site", "source", "title", "author",
    "editor", "outlet", "body", "archive_key",
)  # fmt: skip


def utc_offset_minutes(value: datetime | None) -> int | None:
    """Minutes east of UTC of an aware datetime (480 for 2020-06-01 12:00+08:00), else None."""
    offset = value.utcoffset() if value is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)


def article_table(articles: list[Article], simhashes: dict[str, int] | None) -> pa.Table:
    """One row per article of the batch, column by column (ord = its position)."""
    cols: dict[str, list] = {name: list(map(attrgetter(name), articles)) for name in ARTICLE_FIELDS}
    # Article.version_id's recipe from the two columns above: the property would hash the
    # body and the URL again (tests hold the two equal)
    cols["version_id"] = [
        stable_id("version", aid, digest)
        for aid, digest in zip(cols["article_id"], cols["content_hash"], strict=True)
    ]
    cols["published_at"] = [to_utc(a.published_at) for a in articles]
    cols["published_utc_offset"] = [utc_offset_minutes(a.published_at) for a in articles]
    cols["simhash"] = list(map((simhashes or {}).get, cols["version_id"]))
    cols["ord"] = list(range(len(articles)))
    return pa.table({f.name: pa.array(cols[f.name], f.type) for f in ARTICLE_SCHEMA})


def decimal_array(values: list) -> pa.Array:
    """Exact decimals; values with more than 4 decimal places are rounded half-even."""
    try:
        return pa.array(values, VALUE_TYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        fixed = [None if v is None else Decimal(v).quantize(SCALE) for v in values]
        return pa.array(fixed, VALUE_TYPE)


# Long non-ASCII text repeated across facts (every figure of a sentence carries it): each
# distinct value is UTF-8 encoded once instead of once per fact.
SHARED_TEXT = frozenset({"sentence"})


def fact_table(facts: list[tuple[str, Fact]]) -> pa.Table:
    if not facts:
        return FACT_SCHEMA.empty_table()
    with gc_paused():  # millions of short-lived tuples make the cyclic GC thrash
        objs = [pair[1] for pair in facts]
        arrays = [pa.array([pair[0] for pair in facts], pa.string())]
        for name in FACT_FIELDS:
            col = list(map(attrgetter(name), objs))
            kind = FACT_TYPES.get(name, pa.string())
            if kind == VALUE_TYPE:
                arrays.append(decimal_array(col))
            elif name in SHARED_TEXT:
                arrays.append(shared_string_array(col))
            else:
                arrays.append(pa.array(col, kind))
    unnamed = pa.Table.from_arrays(arrays, schema=FACT_SCHEMA.remove(0))
    if len(facts) < SQL_HASH_MIN:
        ids = pa.array([f.fact_id(version) for version, f in facts], pa.string())
    else:
        ids = fact_ids(unnamed)
    return unnamed.add_column(0, FACT_SCHEMA.field(0), ids)


def fact_ids(facts: pa.Table) -> pa.ChunkedArray:
    """The fact_id of every row, in row order, hashed in an in-memory DuckDB."""
    with duckdb.connect() as con:
        con.register("f", facts)
        return con.sql(f"SELECT {FACT_ID_SQL} AS fact_id FROM f").to_arrow_table()["fact_id"]


def shared_string_array(values: list) -> pa.Array:
    """A string array built from each distinct value once (a dict lookup per row instead
    of a UTF-8 encode per row), then expanded with one vectorised take."""
    position = {v: i for i, v in enumerate(dict.fromkeys(values))}
    index = pa.array(list(map(position.__getitem__, values)), pa.int32())
    return pa.array(list(position), pa.string()).take(index)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def batch_tables(batch: Batch) -> dict[str, pa.Table]:
    """The batch as three Arrow tables: fetches, articles (one row per version), facts."""
    return {
        "fetches": fetch_table(batch.run_id, batch.attempts, batch.articles),
        "articles": article_table(batch.articles, batch.simhashes),
        "facts": fact_table(batch.facts),
    }
