"""Reads that flows and reports make of a run or of the archive, kept behind Warehouse so
no SQL lives outside the warehouse package."""

from __future__ import annotations

# Archived versions that have no facts from extractor `$current` yet; `$only` (optional)
# narrows them to versions whose facts came from that older extractor version.
VERSIONS_TO_REEXTRACT_SQL = """
SELECT v.version_id, v.archive_key, a.url, coalesce(a.source, '') AS source
FROM article_versions v JOIN articles a ON a.article_id = v.article_id
WHERE v.archive_key IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM facts f
                  WHERE f.version_id = v.version_id AND f.extractor_version = $current)
  AND ($only IS NULL OR EXISTS (SELECT 1 FROM facts f
                  WHERE f.version_id = v.version_id AND f.extractor_version = $only))
ORDER BY v.version_id
"""

NEW_FACTS_BY_KIND_SQL = (
    "SELECT kind, count(*) FROM facts WHERE run_id = ? GROUP BY kind ORDER BY 2 DESC, 1"
)

# Money first (the figures readers look for), then by value; each row links its article.
LARGEST_FACTS_SQL = """
SELECT f.text, f.value, f.unit, f.kind, f.metric, f.subject, a.title, a.url
FROM facts f JOIN articles a ON a.article_id = f.article_id
WHERE f.run_id = ?
ORDER BY f.kind = 'money' DESC, f.value DESC NULLS LAST, f.fact_id
LIMIT ?
"""

# the backfill's ledger rows of the given WARC files
BACKFILL_PROGRESS_SQL = """
SELECT warc, next_offset, records, pages, complete FROM backfill_files
WHERE warc IN (SELECT unnest($warcs))
"""

# Facts of versions that are no article's current version (an article whose page changed
# keeps its old versions, and their facts, in the warehouse; no view shows them). A batch
# that brings such a version back as current brings its facts again, so deleting them
# loses nothing a reload cannot restore. Returns the count deleted.
DELETE_SUPERSEDED_FACTS_SQL = """
DELETE FROM facts AS f
WHERE NOT EXISTS (SELECT 1 FROM articles AS a WHERE a.current_version_id = f.version_id)
"""

# Loads run with max_vacuum_tasks = 0 (core.WRITER_SETTINGS): here the checkpoint may merge
# and rewrite row groups holding deleted or partly filled rows; then planner statistics.
COMPACT_SQL = "SET max_vacuum_tasks = 100; CHECKPOINT; ANALYZE; CHECKPOINT"
