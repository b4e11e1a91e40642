"""Merge one batch's Arrow tables into the warehouse in ONE transaction.

Every INSERT is an anti-join over the Arrow tables registered in the connection, so
re-loading a batch adds nothing. The stored rows an anti-join compares with are first
narrowed by a semi-join on the batch's own keys: DuckDB pushes a small join's keys into the
scan of the stored table as an IN filter, so only the key column is scanned and the wide
rows are read for the keys that match (an anti-join alone cannot push its keys down and
reads whole rows). The keys carry no index (migration 010 says why); the articles' one has a
narrow stand-in, article_keys (migration 011), so a batch of new articles reads none of
them. Fact rows come with their fact_id (batch_tables computes it); a unit staged by an
older version without one gets it here, in SQL, with the same recipe as models.stable_id.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from aidetl.errors import WarehouseError
from aidetl.warehouse import _rollups
from aidetl.warehouse._rows import ARTICLE_SCHEMA, FACT_ID_SQL

# Is each key unique within the batch (the usual case)? Then the inserts below read the
# Arrow rows as they are instead of hashing whole wide rows for DISTINCT ON.
UNIQUE_KEYS = """
SELECT (SELECT count(DISTINCT fetch_id) = count(*) FROM b_fetches),
       (SELECT count(DISTINCT version_id) = count(*) FROM b_articles)
"""

# Up to this many distinct keys, a join's keys are pushed into the other side's scan as
# an IN filter (DuckDB's default is 50: a batch's 60 fetches would not be, and its 200
# simhash bands would not be pushed into version_bands' scan).
LOOKUP_SETTINGS = "SET dynamic_or_filter_threshold = 5000"

# A stored fetch with a batch fetch's id came from the same run (an HTTP attempt's id
# hashes its run) or the same WARC file (a record's id hashes file and offset; _rows.fetch_id),
# so only those runs' and files' rows are compared. Run ids begin with their start time and
# fetches land run after run, so zone maps skip the row groups of other runs: an ordinary
# batch reads the newest row groups, not the whole fetch_id column.
INSERT_FETCHES = """
INSERT INTO fetches BY NAME
SELECT *, id_key(url) AS url_key, id_key(archive_key) AS archive_id_key FROM {fetches} AS s
ANTI JOIN (SELECT fetch_id FROM fetches SEMI JOIN (SELECT DISTINCT run_id FROM {fetches}) USING (run_id)
           UNION ALL
           SELECT fetch_id FROM fetches
           SEMI JOIN (SELECT DISTINCT warc FROM {fetches} WHERE warc IS NOT NULL) USING (warc)) AS t
USING (fetch_id)
"""
DISTINCT_FETCHES = "(SELECT DISTINCT ON (fetch_id) * FROM b_fetches)"

# the last row of the batch for each article wins (ord = position in Batch.articles)
# seen_at: when this batch fetched the version (its page's archived bytes); NULL when the
# batch carries no fetch of it (a re-extraction from the archive, or a batch without attempts)
LATEST_ARTICLES = """
CREATE TEMP TABLE b_latest AS
SELECT a.article_id, a.version_id, a.url, a.canonical_url, a.site, a.source, a.title,
       a.published_at, a.published_utc_offset, a.author, a.editor, a.outlet, f.seen_at
FROM b_articles AS a
LEFT JOIN (SELECT archive_key, max(fetched_at) AS seen_at FROM b_fetches
           WHERE archive_key IS NOT NULL GROUP BY archive_key) AS f USING (archive_key)
QUALIFY row_number() OVER (PARTITION BY a.article_id ORDER BY a.ord DESC) = 1
"""

# Does the batch bring articles stored before? Asked of article_keys (migration 011), a
# 64-bit key per stored article: 8 bytes a row scanned instead of the article_id column.
# Usually none hits (a batch of new articles), and articles is not read at all.
KNOWN_ARTICLES = """
SELECT count(*) FROM article_keys SEMI JOIN (SELECT id_key(article_id) AS key FROM b_latest) USING (key)
"""

# The batch's articles stored before, with their current version: the one scan of the
# article_id column a batch makes, and only when a key hit (a version's id hashes its
# article's, so a stored version of the batch belongs to one of these; see OLD_VERSIONS).
STORED_ARTICLES = """
CREATE TEMP TABLE b_stored AS
SELECT article_id, current_version_id FROM articles SEMI JOIN b_latest USING (article_id)
"""
NO_STORED_ARTICLES = """
CREATE TEMP TABLE b_stored AS
SELECT article_id, current_version_id FROM articles LIMIT 0
"""

INSERT_ARTICLES = """
INSERT INTO articles BY NAME
SELECT article_id, url, canonical_url, site, source, title, published_at,
       published_utc_offset, author, editor, outlet, version_id AS current_version_id, $run AS first_seen_run,
       $run AS last_seen_run, now() AS first_seen_at, now() AS updated_at
FROM b_latest AS s
ANTI JOIN b_stored AS t USING (article_id)
"""
INSERT_ARTICLE_KEYS = """
INSERT INTO article_keys SELECT id_key(article_id) FROM b_latest ANTI JOIN b_stored USING (article_id)
"""

# The batch's version becomes current unless the warehouse knows better: a version stored
# before and not fetched by this batch (re-extracting archived pages) does not displace the
# current one, nor does a version fetched before the current one was (a staged batch
# merged late, after a newer run). A page that went back to an old text, fetched anew, does.
UPDATE_ARTICLES = """
UPDATE articles AS t
SET url = s.url, site = s.site, source = s.source, title = s.title,
    published_at = s.published_at, published_utc_offset = s.published_utc_offset,
    author = s.author, editor = s.editor, outlet = s.outlet,
    current_version_id = s.version_id, last_seen_run = $run, updated_at = now()
FROM b_latest AS s
WHERE t.article_id = s.article_id
  AND (t.current_version_id IS DISTINCT FROM s.version_id OR t.last_seen_run IS DISTINCT FROM $run)
  AND (t.current_version_id IS NOT DISTINCT FROM s.version_id OR NOT (
        (s.seen_at IS NULL AND s.version_id IN (SELECT version_id FROM b_old_versions))
        OR coalesce(s.seen_at < (SELECT c.seen_at FROM b_current_seen AS c
                                 WHERE c.article_id = t.article_id), false)))
"""

# When each stored article of the batch had its current version fetched last: a staged
# batch fetched before that does not displace it. Runs only when the batch brings articles
# stored before. Their pages' fetches are found by the narrow archive_id_key (migration
# 011), then confirmed on archive_key: joined on both at once, DuckDB would push the
# VARCHAR keys into the scan too and compare them on every row.
CURRENT_SEEN = """
CREATE TEMP TABLE b_current_seen AS
WITH cur AS (SELECT article_id, current_version_id AS version_id FROM b_stored),
keys AS (
    SELECT cur.article_id, v.archive_key
    FROM cur JOIN article_versions AS v USING (version_id)
    WHERE v.archive_key IS NOT NULL
),
seen AS MATERIALIZED (
    SELECT archive_key, fetched_at FROM fetches
    SEMI JOIN (SELECT id_key(archive_key) AS archive_id_key FROM keys) USING (archive_id_key)
)
SELECT keys.article_id, max(f.fetched_at) AS seen_at
FROM keys JOIN seen AS f USING (archive_key)
GROUP BY keys.article_id
"""

INSERT_VERSIONS = """
INSERT INTO article_versions BY NAME
SELECT version_id, article_id, content_hash, body, title, published_at, archive_key, simhash,
       NULL AS duplicate_of, $run AS run_id, now() AS loaded_at
FROM {versions} AS s
ANTI JOIN b_old_versions AS t USING (version_id)
"""

# The new versions' simhash bands, for later batches' repost checks.
INSERT_BANDS = """
INSERT INTO version_bands
SELECT unnest(simhash_bands(simhash)) AS band,
       version_id, article_id, simhash
FROM {versions} AS s
ANTI JOIN b_old_versions AS t USING (version_id)
WHERE s.simhash IS NOT NULL
"""
DISTINCT_VERSIONS = "(SELECT DISTINCT ON (version_id) * FROM b_articles ORDER BY version_id, ord)"

# Near-duplicate bodies: a new version and a stored one are candidates when they share one
# of four 16-bit bands of the simhash (version_bands, migration 007), and near when their
# hamming distance is <= $maxd (pairs with another article only; a version is never a
# repost of its own article).
# The batch's versions come from its own rows where it just inserted them (stored exactly
# so, duplicate_of still NULL) and from article_versions only for those stored before:
# reading every batch version back from article_versions scanned its version_id column.
# It runs before the batch's bands land: stored bands are scanned two integer columns wide
# and only the near ones' rows read (by rowid); the batch's versions pair among themselves
# in memory (a bulk batch's own bands would all have come back through the rowid join).
NEAR_PAIRS = """
CREATE TEMP TABLE b_near AS
WITH batch_old AS (SELECT version_id FROM b_old_versions SEMI JOIN b_articles USING (version_id)),
new AS (
    SELECT s.version_id, s.article_id, s.simhash,
           coalesce(s.published_at, TIMESTAMPTZ '9999-12-31') AS pub,
           unnest(simhash_bands(s.simhash)) AS band
    FROM {versions} AS s ANTI JOIN b_old_versions USING (version_id)
    WHERE s.simhash IS NOT NULL
    UNION ALL
    SELECT v.version_id, v.article_id, v.simhash,
           coalesce(v.published_at, TIMESTAMPTZ '9999-12-31') AS pub,
           unnest(simhash_bands(v.simhash)) AS band
    FROM article_versions AS v SEMI JOIN batch_old USING (version_id)
    WHERE v.simhash IS NOT NULL AND v.duplicate_of IS NULL
),
near AS (  -- stored bands of near simhashes: two integer columns scanned, and the rowid
    SELECT DISTINCT n.version_id, n.article_id, n.pub, b.rowid AS band_row
    FROM new AS n JOIN version_bands AS b ON b.band = n.band
    WHERE bit_count(xor(n.simhash, b.simhash)) <= $maxd
),
pairs AS (  -- their versions, read for these few rows only; and the batch's near each other
    SELECT n.version_id AS n_version, n.article_id AS n_article, n.pub AS n_pub,
           b.version_id AS o_version
    FROM near AS n JOIN version_bands AS b ON b.rowid = n.band_row
    WHERE b.article_id <> n.article_id
    UNION
    SELECT n.version_id, n.article_id, n.pub, m.version_id
    FROM new AS n JOIN new AS m ON m.band = n.band
    WHERE m.article_id <> n.article_id AND bit_count(xor(n.simhash, m.simhash)) <= $maxd
)
SELECT p.n_version, p.n_article, p.n_pub, o.version_id AS o_version,
       o.article_id AS o_article, coalesce(o.published_at, TIMESTAMPTZ '9999-12-31') AS o_pub,
       coalesce(o.duplicate_of, o.article_id) AS o_canon, o.duplicate_of AS o_dup
FROM pairs AS p JOIN article_versions AS o ON o.version_id = p.o_version
"""

# A new version near an earlier-published article becomes its repost: duplicate_of = the
# earliest such article (or the canonical that one already points to).
MARK_REPOSTS = """
UPDATE article_versions AS t SET duplicate_of = p.canon
FROM (SELECT n_version, arg_min(o_canon, (o_pub, o_article)) AS canon FROM b_near
      WHERE (o_pub, o_article) < (n_pub, n_article) GROUP BY n_version) AS p
WHERE t.version_id = p.n_version
"""

# The other way round: an article stored as an original (a repost crawled before the story
# it copies) that a new, earlier-published version is near becomes a repost of that
# version's canonical; so do the versions that pointed at it. Views then count the story
# once whichever of its copies was loaded first.
SUPERSEDED = """
CREATE TEMP TABLE b_superseded AS
SELECT p.o_article AS article_id,
       arg_min(coalesce(v.duplicate_of, v.article_id), (p.n_pub, p.n_article)) AS canon
FROM b_near AS p JOIN article_versions AS v ON v.version_id = p.n_version
WHERE p.o_dup IS NULL AND (p.n_pub, p.n_article) < (p.o_pub, p.o_article)
  AND p.o_version NOT IN (SELECT version_id FROM b_articles)
GROUP BY p.o_article
HAVING canon <> p.o_article
"""
REPOINT = """
UPDATE article_versions AS t SET duplicate_of = s.canon
FROM b_superseded AS s
WHERE t.version_id IN (SELECT o_version FROM b_near) AND t.article_id = s.article_id;
UPDATE article_versions AS t SET duplicate_of = s.canon
FROM b_superseded AS s
WHERE t.duplicate_of = s.article_id;
"""


# A batch rarely repeats a fact; the check counts distinct 64-bit hashes of the key (a
# collision can only report a repeat that is not there, which costs a DISTINCT ON, never
# a duplicate row), and only when it finds repeats do we pay for DISTINCT ON.
REPEATS = """
SELECT count(*) - count(DISTINCT hash(version_id, start, "end", extractor_version)) FROM b_facts
"""
DEDUP_FACTS = """
CREATE TEMP TABLE b_facts_unique AS
SELECT DISTINCT ON (version_id, start, "end", extractor_version) * FROM b_facts
"""

UNKNOWN_VERSIONS = """
SELECT version_id FROM b_fact_only ANTI JOIN b_old_versions USING (version_id) LIMIT 5
"""

# Versions that only the batch's facts name, not its articles (a re-extraction of archived
# pages brings facts of stored versions): usually none. Read once from the facts, for
# OLD_VERSIONS and UNKNOWN_VERSIONS.
FACT_ONLY_VERSIONS = """
CREATE TEMP TABLE b_fact_only AS
SELECT DISTINCT version_id FROM b_facts ANTI JOIN b_articles USING (version_id)
"""

# Versions of the batch that were already stored before it. A version new in this batch
# cannot have facts yet (facts land only with or after their version), so its facts go in
# without any anti-join; only facts of already-stored versions are checked, and only
# against the facts of those versions. A version's id hashes its article's id and its
# article landed with it, so only versions of stored articles (b_stored) are looked up,
# with those that only facts name (b_fact_only): a batch of new articles reads no
# article_versions row.
OLD_VERSIONS = """
CREATE TEMP TABLE b_old_versions AS
SELECT DISTINCT version_id
FROM article_versions
SEMI JOIN (SELECT version_id FROM b_articles SEMI JOIN b_stored USING (article_id)
           UNION ALL
           SELECT version_id FROM b_fact_only) AS s
USING (version_id)
"""

# Arrow rows go straight into facts: no temp copy of the wide rows.
INSERT_NEW_FACTS = """
INSERT INTO facts BY NAME
SELECT {FACT_ID_SQL} AS fact_id, s.*, m.article_id, $run AS run_id, now() AS loaded_at
FROM {source} AS s
JOIN (SELECT DISTINCT version_id, article_id FROM b_articles) AS m USING (version_id)
WHERE s.version_id NOT IN (SELECT version_id FROM b_old_versions)
"""

# Facts of already-stored versions: the key (version_id, start, end, extractor_version)
# is what fact_id hashes, so comparing the keys is comparing fact_ids, without hashing and
# touching only the stored facts of those versions. A narrow count runs first: on a
# reload it finds nothing new and the wide INSERT is skipped.
OLD_FACT_KEYS = """
(SELECT version_id, start, "end", coalesce(extractor_version, '') AS ev
 FROM facts SEMI JOIN b_old_versions USING (version_id))
"""
COUNT_OLD_FACTS = (
    """
SELECT count(*) FROM
(SELECT version_id, start, "end", coalesce(extractor_version, '') AS ev
 FROM {source} SEMI JOIN b_old_versions USING (version_id)) AS s
ANTI JOIN """
    + OLD_FACT_KEYS
    + """ AS t USING (version_id, start, "end", ev)
"""
)
INSERT_OLD_FACTS = (
    """
INSERT INTO facts BY NAME
SELECT {FACT_ID_SQL} AS fact_id, s.*, v.article_id, $run AS run_id, now() AS loaded_at
FROM (SELECT * FROM {source} SEMI JOIN b_old_versions USING (version_id)) AS s
JOIN (SELECT version_id, article_id FROM article_versions
      SEMI JOIN b_old_versions USING (version_id)) AS v USING (version_id)
ANTI JOIN """
    + OLD_FACT_KEYS
    + """ AS t
  ON t.version_id = s.version_id AND t.start = s.start AND t."end" = s."end"
 AND t.ev = coalesce(s.extractor_version, '')
"""
)


def facts_sql(template: str, source: str, with_ids: bool = True) -> str:
    """The statement for fact rows that carry their fact_id (with_ids) or lack it."""
    ids = "" if with_ids else f"{FACT_ID_SQL} AS fact_id, "
    return template.replace("{FACT_ID_SQL} AS fact_id, ", ids).replace("{source}", source)


@dataclass(frozen=True, slots=True)
class Counts:
    new_articles: int
    new_versions: int
    new_facts: int
    attempts: int


def mark_reposts(con: duckdb.DuckDBPyConnection, versions: str, max_distance: int) -> None:
    """Set duplicate_of for the batch's new versions and for stored ones they supersede."""
    if changed(con, NEAR_PAIRS.replace("{versions}", versions), {"maxd": max_distance}):
        con.execute(MARK_REPOSTS).fetchall()
        if changed(con, SUPERSEDED, {}):
            _rollups.snapshot_repointed(con)
            con.execute(REPOINT).fetchall()
        con.execute("DROP TABLE IF EXISTS b_superseded").fetchall()
    con.execute("DROP TABLE b_near").fetchall()


def changed(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> int:
    rows = con.execute(sql, params).fetchall()  # read to the end: DuckDB 2 wants results finished
    return int(rows[0][0]) if rows else 0


def with_article_columns(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """A unit staged by an older aidetl lacks article columns added since (the statements
    above name them): they come in as NULL."""
    articles = tables.get("articles")
    if articles is None:
        return tables
    for field in ARTICLE_SCHEMA:
        if field.name not in articles.column_names:
            articles = articles.append_column(field, pa.nulls(articles.num_rows, field.type))
    return {**tables, "articles": articles}


def merge_batch(
    con: duckdb.DuckDBPyConnection,
    db: str,
    run_id: str,
    tables: dict[str, pa.Table],
    max_distance: int = 3,
) -> Counts:
    """Insert what is new in the batch, all or nothing."""
    tables = with_article_columns(tables)
    for name, table in tables.items():
        con.register(f"b_{name}", table)
    run = {"run": run_id}
    con.execute(LOOKUP_SETTINGS).fetchall()
    con.begin()
    try:
        fetches_unique, versions_unique = con.execute(UNIQUE_KEYS).fetchall()[0]
        fetches = "b_fetches" if fetches_unique else DISTINCT_FETCHES
        attempts = changed(con, INSERT_FETCHES.replace("{fetches}", fetches), {})
        new_articles = new_versions = new_facts = 0
        # attempts alone (pages that failed, or had not changed) touch nothing else
        if any(tables[name].num_rows for name in ("articles", "facts") if name in tables):
            versions = "b_articles" if versions_unique else DISTINCT_VERSIONS
            new_articles, new_versions, new_facts = merge_pages(
                con, db, run, versions, "fact_id" in tables["facts"].column_names, max_distance
            )
        if "backfill_files" in tables:
            con.execute(MERGE_LEDGER, run).fetchall()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        for name in tables:
            con.unregister(f"b_{name}")
    return Counts(new_articles, new_versions, new_facts, attempts)


def merge_pages(
    con: duckdb.DuckDBPyConnection,
    db: str,
    run: dict[str, str],
    versions: str,
    ids: bool,
    max_distance: int,
) -> tuple[int, int, int]:
    """The batch's articles, versions and facts (`versions`: the relation of its distinct
    versions; `ids`: whether its facts carry their fact_id, which units staged by older code
    lack), inside merge_batch's transaction: (new articles, new versions, new facts)."""
    latest = changed(con, LATEST_ARTICLES, {})
    known = changed(con, KNOWN_ARTICLES, {})
    con.execute(STORED_ARTICLES if known else NO_STORED_ARTICLES).fetchall()
    con.execute(FACT_ONLY_VERSIONS).fetchall()
    old_versions = changed(con, OLD_VERSIONS, {})  # before this batch's versions land
    _rollups.snapshot(con)  # what the report showed of the batch's stored articles
    new_articles = changed(con, INSERT_ARTICLES, run)
    if new_articles:
        con.execute(INSERT_ARTICLE_KEYS).fetchall()
    if new_articles < latest:  # articles inserted just now are up to date already
        con.execute(CURRENT_SEEN).fetchall()
        con.execute(UPDATE_ARTICLES, run).fetchall()
        con.execute("DROP TABLE b_current_seen").fetchall()
    new_versions = changed(con, INSERT_VERSIONS.replace("{versions}", versions), run)
    if new_versions:  # before the new bands land: the check pairs the batch's own itself
        mark_reposts(con, versions, max_distance)
        con.execute(INSERT_BANDS.replace("{versions}", versions)).fetchall()
    unknown = [r[0] for r in con.execute(UNKNOWN_VERSIONS).fetchall()]
    if unknown:
        raise WarehouseError(
            db, f"facts refer to versions not in the batch or warehouse: {unknown}"
        )
    source = "b_facts"
    if changed(con, REPEATS, {}):  # the first of repeated rows wins: keep scan order
        con.execute("SET preserve_insertion_order = true").fetchall()
        con.execute(DEDUP_FACTS).fetchall()
        con.execute("SET preserve_insertion_order = false").fetchall()
        source = "b_facts_unique"
    new_facts = 0
    if new_versions:  # else every fact's version was stored before (a reload, say)
        new_facts = changed(con, facts_sql(INSERT_NEW_FACTS, source, ids), run)
    if old_versions and changed(con, facts_sql(COUNT_OLD_FACTS, source), {}):
        new_facts += changed(con, facts_sql(INSERT_OLD_FACTS, source, ids), run)
    _rollups.apply(con)  # the report's aggregates follow, in the same transaction
    con.execute(
        "DROP TABLE b_latest; DROP TABLE b_stored; DROP TABLE b_fact_only; "
        "DROP TABLE b_old_versions; DROP TABLE IF EXISTS b_facts_unique"
    ).fetchall()
    return new_articles, new_versions, new_facts


# A backfill's ledger row (aidetl.backfill) travels with the batch it covers and lands in the
# same transaction; a row only ever moves a file forward (a staged unit merged late, or a
# batch loaded twice, cannot move it back).
MERGE_LEDGER = """
INSERT INTO backfill_files BY NAME
SELECT warc, next_offset, records, pages, complete, error, $run AS run_id, now() AS updated_at
FROM b_backfill_files
ON CONFLICT (warc) DO UPDATE SET
    next_offset = excluded.next_offset, records = excluded.records, pages = excluded.pages,
    complete = excluded.complete, error = excluded.error, run_id = excluded.run_id,
    updated_at = excluded.updated_at
WHERE NOT backfill_files.complete AND excluded.next_offset >= backfill_files.next_offset
"""


RUNS_SCHEMA = pa.schema(
    [("run_id", pa.string()), ("flow_run_id", pa.string()), ("params", pa.string()),
     ("started_at", pa.timestamp("us", tz="UTC")), ("finished_at", pa.timestamp("us", tz="UTC")),
     ("status", pa.string()), ("counts", pa.string())]
)  # fmt: skip

MERGE_RUNS = """
INSERT INTO runs BY NAME
SELECT run_id, flow_run_id, CAST(params AS JSON) AS params, started_at, finished_at, status,
       CAST(counts AS JSON) AS counts
FROM b_runs AS s WHERE NOT EXISTS (SELECT 1 FROM runs AS t WHERE t.run_id = s.run_id);
UPDATE runs AS t
SET flow_run_id = coalesce(s.flow_run_id, t.flow_run_id),
    params = coalesce(CAST(s.params AS JSON), t.params),
    finished_at = coalesce(s.finished_at, t.finished_at),
    status = coalesce(s.status, t.status),
    counts = coalesce(CAST(s.counts AS JSON), t.counts)
FROM b_runs AS s WHERE t.run_id = s.run_id;
"""


def merge_runs(con: duckdb.DuckDBPyConnection, runs: pa.Table) -> None:
    """Insert run rows that are missing, then fill in whatever the new rows know."""
    con.register("b_runs", runs)
    con.begin()
    try:
        con.execute(MERGE_RUNS).fetchall()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("b_runs")
