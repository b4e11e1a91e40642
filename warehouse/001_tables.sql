-- 001: the core tables. No PRIMARY KEY/UNIQUE indexes on the large tables: loads merge
-- with anti-join INSERTs under a single-writer lock, which is several times faster than
-- maintaining ART indexes on bulk loads (see bench/bench_load.py and docs/warehouse.md).

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    flow_run_id VARCHAR,
    params JSON,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    status VARCHAR,
    counts JSON
);

CREATE TABLE fetches (
    fetch_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error_class VARCHAR,
    error_message VARCHAR,
    bytes BIGINT,
    elapsed_ms BIGINT,
    encoding VARCHAR,
    archive_key VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    final_url VARCHAR,
    source VARCHAR,
    fetched_at TIMESTAMPTZ
);

CREATE TABLE articles (
    article_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL,
    site VARCHAR,
    source VARCHAR,
    title VARCHAR,
    published_at TIMESTAMPTZ,
    author VARCHAR,
    editor VARCHAR,
    outlet VARCHAR,
    current_version_id VARCHAR,
    first_seen_run VARCHAR,
    last_seen_run VARCHAR,
    first_seen_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ
);

CREATE TABLE article_versions (
    version_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    body VARCHAR,
    title VARCHAR,
    published_at TIMESTAMPTZ,
    archive_key VARCHAR,
    simhash UBIGINT,
    duplicate_of VARCHAR,
    run_id VARCHAR,
    loaded_at TIMESTAMPTZ
);

CREATE TABLE facts (
    fact_id VARCHAR NOT NULL,
    article_id VARCHAR,
    version_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    value DECIMAL(38, 4),
    value_max DECIMAL(38, 4),
    unit VARCHAR,
    kind VARCHAR,
    qualifier VARCHAR,
    metric VARCHAR,
    subject VARCHAR,
    subject_parent VARCHAR,
    place VARCHAR,
    place_code VARCHAR,
    period_start DATE,
    period_end DATE,
    cumulative BOOLEAN,
    planned BOOLEAN,
    parent_start INTEGER,
    sentence VARCHAR,
    extractor_version VARCHAR,
    run_id VARCHAR,
    loaded_at TIMESTAMPTZ
);
