-- 007: structures for a growing warehouse. Loads that touch only a batch's keys: a load
-- asks about its own 50-odd fetch ids, article ids, version ids and simhashes; without an
-- index each question scanned the whole column, so a batch cost more as the warehouse grew
-- (245 ms at 3.6 M facts against 149 ms empty). These ART indexes are not UNIQUE: the
-- merge's anti-joins still decide what is new (a constraint would fail a whole batch
-- instead), and a semi-join against a batch's keys reads them through the index
-- (bench/bench_growth.py measures it). Only these three short keys are indexed: DuckDB
-- holds an index in the writer's memory once a load touches it.

-- Building the indexes and dedup_facts over a warehouse already full reads every row in
-- this one transaction; the writer's usual 64 MB cannot hold that (DuckDB spills what it
-- can above this limit, and the connection closes after the migration).
SET memory_limit = '2GB';

CREATE INDEX fetches_fetch_id ON fetches (fetch_id);
CREATE INDEX articles_article_id ON articles (article_id);
CREATE INDEX article_versions_version_id ON article_versions (version_id);

-- Repost candidates: the four 16-bit bands of each version's simhash (tagged with their
-- position above bit 16), stored once at load instead of unnested from every stored
-- simhash by every batch. Two simhashes within hamming distance 3 share a band. The check
-- scans this narrow integer column with the batch's 200 bands pushed into the scan; an ART
-- index on it was faster to probe but must sit in the writer's memory (64 MB), which a
-- few million versions' bands outgrow.
CREATE OR REPLACE MACRO simhash_bands(h) AS [
    h >> 48, ((h >> 32) & 65535) | 65536, ((h >> 16) & 65535) | 131072,
    (h & 65535) | 196608];

CREATE TABLE version_bands (
    band UBIGINT NOT NULL,
    version_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    simhash UBIGINT NOT NULL
);
INSERT INTO version_bands
SELECT unnest(simhash_bands(simhash)) AS band, version_id, article_id, simhash
FROM article_versions WHERE simhash IS NOT NULL;

COMMENT ON TABLE version_bands IS 'The four tagged 16-bit bands of each version''s simhash (simhash_bands), one row each, for the repost check at load';

-- facts_dedup kept as a table: the rows the view computed on every query (facts of each
-- article's current version, from the extractor loaded for it last, without reposts, with
-- the article's columns) joined 10 M facts with articles and versions each time, seconds
-- per report query. Each load now replaces the rows of the articles it touched, in its own
-- transaction (_merge.DEDUP_ROWS), so the table equals the view's old result after every
-- load. A column added to facts or to facts_dedup's article columns must be added here too.
CREATE TABLE dedup_facts AS
WITH latest AS (
    SELECT version_id, arg_max(extractor_version, (loaded_at, extractor_version)) AS extractor_version
    FROM facts
    WHERE version_id IN (SELECT current_version_id FROM articles)
    GROUP BY version_id
)
SELECT f.*, a.url, a.title, a.site, a.source, a.published_at,
       strftime(CASE WHEN a.published_utc_offset IS NULL
                     THEN timezone('Asia/Shanghai', a.published_at)
                     ELSE timezone('UTC', a.published_at) + to_minutes(a.published_utc_offset)
                END, '%Y-%m-%d %H:%M') AS published_local
FROM facts AS f
JOIN articles AS a ON a.article_id = f.article_id AND a.current_version_id = f.version_id
JOIN latest AS l
  ON l.version_id = f.version_id
 AND l.extractor_version IS NOT DISTINCT FROM f.extractor_version
JOIN article_versions AS v ON v.version_id = f.version_id
WHERE v.duplicate_of IS NULL OR v.duplicate_of = f.article_id;

COMMENT ON TABLE dedup_facts IS 'The rows of facts_dedup, kept up to date by every load (the articles a load touches get their rows recomputed); read facts_dedup';
