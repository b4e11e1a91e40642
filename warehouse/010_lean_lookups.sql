-- 010: no ART indexes on the batch keys. Migration 007's indexes on fetches.fetch_id,
-- articles.article_id and article_versions.version_id must sit in the writer's memory once
-- a load touches them (~33 MB at 10 M facts, ~80 bytes per key across the three), so the
-- writer's 64 MB ran out of memory at 3-10 M facts; and every checkpoint rewrote them. Each
-- call attaches the file afresh, so a lookup read index blocks from disk instead of a
-- narrow column: without the indexes a 50-article batch loaded faster at 3 M facts (105 ms
-- against 217 ms) and no slower at 10 M (bench/bench_growth.py). The merge's semi-joins
-- on the batch's keys still narrow each anti-join to one key column's scan.
DROP INDEX IF EXISTS fetches_fetch_id;
DROP INDEX IF EXISTS articles_article_id;
DROP INDEX IF EXISTS article_versions_version_id;
