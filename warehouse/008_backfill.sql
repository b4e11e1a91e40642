-- 008: pages read from web archives (aidetl backfill). A fetch may come from a WARC record
-- instead of an HTTP request: it names the file and where the record starts, so a fact
-- still traces to its bytes. backfill_files is the backfill's ledger: how far each WARC
-- file has been loaded, written in the same transaction as the pages it covers, so a
-- killed backfill resumes after the last record it loaded and a finished file is not read
-- again.

ALTER TABLE fetches ADD COLUMN warc VARCHAR;
ALTER TABLE fetches ADD COLUMN warc_offset BIGINT;
COMMENT ON COLUMN fetches.warc IS 'The WARC file (path or URL) the page was read from by a backfill; null for an HTTP fetch. Its fetch_id is then stable_id("warc", warc, warc_offset).';
COMMENT ON COLUMN fetches.warc_offset IS 'Byte offset in the WARC file (compressed, for .warc.gz) where the page''s record starts; null for an HTTP fetch.';

CREATE TABLE backfill_files (
    warc VARCHAR PRIMARY KEY,
    next_offset BIGINT NOT NULL,
    records BIGINT NOT NULL,
    pages BIGINT NOT NULL,
    complete BOOLEAN NOT NULL,
    error VARCHAR,
    run_id VARCHAR,
    updated_at TIMESTAMPTZ
);
COMMENT ON TABLE backfill_files IS 'One row per WARC file a backfill has read: how far it was loaded, written with the pages it covers.';
COMMENT ON COLUMN backfill_files.warc IS 'The WARC file as the backfill was given it (absolute path or URL).';
COMMENT ON COLUMN backfill_files.next_offset IS 'Byte offset of the first record not yet loaded: where a resumed backfill starts reading.';
COMMENT ON COLUMN backfill_files.records IS 'WARC records read so far (every type, kept or not).';
COMMENT ON COLUMN backfill_files.pages IS 'Pages kept so far (HTML responses with status 200 on an allowed host).';
COMMENT ON COLUMN backfill_files.complete IS 'True once the file was read to its end: a later backfill skips it.';
COMMENT ON COLUMN backfill_files.error IS 'Why reading stopped before the end (a truncated or damaged record at next_offset), else null.';
COMMENT ON COLUMN backfill_files.run_id IS 'The run that last moved this file on.';
COMMENT ON COLUMN backfill_files.updated_at IS 'When the row last changed.';
