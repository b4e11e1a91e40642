-- 005: one extractor's facts per article version. Re-extracting archived pages with a newer
-- extractor (the reprocess flow) adds its facts beside the old ones, so current_facts
-- showed both sets and every view counted each figure twice. Now each current version
-- shows the facts of the extractor version loaded for it last; the others stay in facts.

CREATE OR REPLACE VIEW current_facts AS
WITH latest AS (
    SELECT version_id, arg_max(extractor_version, (loaded_at, extractor_version)) AS extractor_version
    FROM facts
    WHERE version_id IN (SELECT current_version_id FROM articles)
    GROUP BY version_id
)
SELECT f.*, a.url, a.title, a.site, a.source, a.published_at
FROM facts AS f
JOIN articles AS a ON a.article_id = f.article_id AND a.current_version_id = f.version_id
JOIN latest AS l
  ON l.version_id = f.version_id
 AND l.extractor_version IS NOT DISTINCT FROM f.extractor_version;

COMMENT ON VIEW current_facts IS 'Facts of each article''s current version, from the extractor version loaded for it last, with the article''s url, title, site, source and published_at';
