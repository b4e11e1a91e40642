-- 009: what parse decided each fetched page is. A list or index page, or a page with no
-- prose, is recorded on its fetch and not loaded as an article; the pages that are loaded
-- say whether they held one article, one post of several or a forum thread. Fetches stored
-- before this migration, and fetches whose page was never parsed, have NULL.

ALTER TABLE fetches ADD COLUMN page_type VARCHAR;

COMMENT ON COLUMN fetches.page_type IS 'The page type parse decided: article, multi_post or forum (loaded as an article), list or non_article (recorded, not loaded: error_class NotArticleError says why); null when the page was not parsed (a failed or unchanged fetch), failed to parse otherwise, or was fetched before migration 009.';
