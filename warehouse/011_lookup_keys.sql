-- 011: narrow 64-bit keys for the lookups that scanned a whole VARCHAR column. A load asks
-- which of its 50-odd article ids are stored; a run asks the validators of its URLs; a load
-- of stored articles asks when their current version's page was fetched (by archive key).
-- Each was a scan of the VARCHAR column, growing with the warehouse (articles.article_id
-- ~25 ms at 10 M facts). A 64-bit key column is scanned at 8 bytes a row, the other
-- columns read only where a key matches, and the match confirmed on the VARCHAR value
-- (two values sharing a key cost a row read, never a wrong answer). id_key is md5, not
-- DuckDB's hash(), because keys stored now must match keys computed by a later DuckDB.
-- Filling the keys of a warehouse already full rewrites two columns of every fetch in this
-- one transaction, more than the writer's usual 64 MB holds (as in 007).
SET memory_limit = '2GB';

CREATE OR REPLACE MACRO id_key(id) AS md5_number_upper(id);

-- Which articles are stored: one key per article in a table of its own, so a batch whose
-- keys all miss (a batch of new articles) reads no articles row at all.
CREATE TABLE article_keys (key UBIGINT NOT NULL);
INSERT INTO article_keys SELECT id_key(article_id) FROM articles;

ALTER TABLE fetches ADD COLUMN url_key UBIGINT;
ALTER TABLE fetches ADD COLUMN archive_id_key UBIGINT;
UPDATE fetches SET url_key = id_key(url), archive_id_key = id_key(archive_key);

COMMENT ON TABLE article_keys IS 'id_key(article_id) of every stored article, one row each, written with it: the load''s narrow test of which batch articles are stored';
COMMENT ON COLUMN article_keys.key IS 'id_key(article_id): the first 64 bits of md5(article_id)';
COMMENT ON COLUMN fetches.url_key IS 'id_key(url), the narrow column the per-URL lookups (validators, last fetch times) scan';
COMMENT ON COLUMN fetches.archive_id_key IS 'id_key(archive_key) (null without one), the narrow column a load scans for the fetches of its stored articles'' current pages';
