-- 011: which of a batch's articles are stored, from a narrow column. Every load asks it of
-- its 50-odd article ids; a semi-join on articles.article_id scanned that VARCHAR column
-- whole (~25 ms at 10 M facts, 1 M articles, and growing with them). article_keys holds one
-- 64-bit key per stored article: the same question scans 8 bytes a row (~5 ms at 1 M
-- articles), and a batch whose keys all miss, a batch of new articles, reads no articles
-- row at all. The key only narrows: a hit is confirmed on article_id in articles (two ids
-- sharing a key cost that scan, never a wrong answer). It is md5, not DuckDB's hash(),
-- because keys stored now must match keys computed by a later DuckDB.
CREATE OR REPLACE MACRO id_key(id) AS md5_number_upper(id);

CREATE TABLE article_keys (key UBIGINT NOT NULL);
INSERT INTO article_keys SELECT id_key(article_id) FROM articles;

COMMENT ON TABLE article_keys IS 'id_key(article_id) of every stored article, one row each, written with it: the load''s narrow test of which batch articles are stored';
COMMENT ON COLUMN article_keys.key IS 'id_key(article_id): the first 64 bits of md5(article_id)';
