-- 007: structures for a growing warehouse. Loads that touch only a batch's keys: a load
-- asks about its own 50-odd fetch ids, article ids, version ids and simhashes; without an
-- index each question scanned the whole column, so a batch cost more as the warehouse grew
-- (245 ms at 3.6 M facts against 149 ms empty). These ART indexes are not UNIQUE: the
-- merge's anti-joins still decide what is new (a constraint would fail a whole batch
-- instead), and a semi-join against a batch's keys reads them through the index
-- (bench/bench_growth.py measures it). Only these three short keys are indexed: DuckDB
-- holds an index in the writer's memory once a load touches it.

-- Building the indexes and bands over a warehouse already full reads every row in
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
