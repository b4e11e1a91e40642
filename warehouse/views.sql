-- The live reporting views: one repeatable file, re-applied by `aidetl migrate` (and every
-- write) after the numbered table migrations whenever this text changes. Change a view here,
-- never in a numbered migration. Every view carries a comment (replacing a view drops it).
--
-- Totals read the extractor's decisions stored with each fact and re-derive none of them:
-- `summable` (the subject's own flow, done, in one period; not a rate, balance, per-head
-- average, running total, target or someone else's figure), and where the subject and the
-- place came from (`subject_from`, `place_from`). A total adds only clause-level
-- attributions, and each distinct figure once.

-- An article's time as a person reads it: in the article's own time zone (the UTC offset
-- its page gave, stored at load), else Asia/Shanghai. local_time(TIMESTAMPTZ '2020-06-01
-- 04:00:00+00', NULL) = '2020-06-01 12:00'.
CREATE OR REPLACE MACRO local_time(instant, utc_offset) AS strftime(
    CASE WHEN utc_offset IS NULL THEN timezone('Asia/Shanghai', instant)
         ELSE timezone('UTC', instant) + to_minutes(utc_offset) END,
    '%Y-%m-%d %H:%M');

-- Facts of each article's current version, from the extractor version loaded for it last:
-- re-extracting archived pages with a newer extractor adds its facts beside the old ones,
-- and only the newest set counts.
CREATE OR REPLACE VIEW current_facts AS
WITH latest AS (
    SELECT version_id, arg_max(extractor_version, (loaded_at, extractor_version)) AS extractor_version
    FROM facts
    WHERE version_id IN (SELECT current_version_id FROM articles)
    GROUP BY version_id
)
SELECT f.*, a.url, a.title, a.site, a.source, a.published_at,
       local_time(a.published_at, a.published_utc_offset) AS published_local
FROM facts AS f
JOIN articles AS a ON a.article_id = f.article_id AND a.current_version_id = f.version_id
JOIN latest AS l
  ON l.version_id = f.version_id
 AND l.extractor_version IS NOT DISTINCT FROM f.extractor_version;

-- current_facts without reposts: the facts of the set each article shows (shown_sets, kept
-- by every load; src/aidetl/warehouse/_rollups.py says which set that is: the current
-- version's, from the extractor loaded for it last, unless the version is a repost).
CREATE OR REPLACE VIEW facts_dedup AS
SELECT f.*, a.url, a.title, a.site, a.source, a.published_at,
       local_time(a.published_at, a.published_utc_offset) AS published_local
FROM facts AS f
JOIN shown_sets AS s
  ON s.version_id = f.version_id AND s.article_id = f.article_id
 AND s.extractor_version IS NOT DISTINCT FROM f.extractor_version
JOIN articles AS a ON a.article_id = f.article_id;

-- The mentions the extractor marked summable, with the year a total files them under (the
-- year money_by_subject_year gives every fact: of period_end, else of publication).
CREATE OR REPLACE VIEW summable_facts AS
SELECT *, year(coalesce(period_end, CAST(published_at AS DATE))) AS year
FROM facts_dedup
WHERE summable;

-- The totals below read the rollup tables that every load keeps up to date
-- (src/aidetl/warehouse/_rollups.py declares each: its groups, filter and columns, and so
-- what these views show), so a report answers from small tables however many facts there are.

-- One row per distinct figure of a subject named in the figure's own clause: the same value
-- for the same subject, year, metric and unit, reported by several articles (however each
-- dates or places it) or twice in one, is one figure. fact_id, text, url, sentence, title and
-- qualifier are its earliest-published mention; first_published_local is when, in that
-- article's own time zone.
CREATE OR REPLACE VIEW summable_figures AS
SELECT subject, year, metric, kind, unit, value, value_max, period_start, period_end, place,
       place_code, mentions, articles, fact_id, text, url, source, first_published, sentence,
       title, qualifier, first_published_local
FROM rollup_subject_figures;

-- The same for places named in the figure's own clause: a figure of a place once, whoever
-- it is attributed to.
CREATE OR REPLACE VIEW summable_place_figures AS
SELECT place, place_code, year, metric, kind, unit, value, value_max, mentions, articles,
       fact_id, text, url, source, first_published, sentence, title, qualifier,
       first_published_local
FROM rollup_place_figures;

CREATE OR REPLACE VIEW money_by_subject_year AS
SELECT m.subject, m.year, m.unit, m.facts, m.articles,
       CASE WHEN s.valued > 0 THEN s.total END AS total, m.largest,
       coalesce(s.figures, 0) AS figures_summed, m.largest_cumulative
FROM rollup_money AS m
LEFT JOIN rollup_subject_totals AS s
  ON s.subject = m.subject AND s.year = m.year AND s.unit = m.unit;

CREATE OR REPLACE VIEW figures_by_place AS
SELECT f.place, f.place_code, f.kind, f.unit, f.facts, f.articles,
       CASE WHEN s.valued > 0 THEN s.total END AS total, f.smallest, f.largest,
       coalesce(s.figures, 0) AS figures_summed
FROM rollup_places AS f
LEFT JOIN rollup_place_totals AS s
  ON s.place = f.place AND s.place_code IS NOT DISTINCT FROM f.place_code
 AND s.kind = f.kind AND s.unit = f.unit;

CREATE OR REPLACE VIEW counts_by_metric AS
WITH counted AS (
    SELECT
        coalesce(metric, '(none)') AS metric,
        kind,
        unit,
        count(*) AS facts,
        count(DISTINCT article_id) AS articles
    FROM facts_dedup
    GROUP BY ALL
),
attributed AS (  -- a figure of its clause's subject, or else of its clause's place
    SELECT CASE WHEN subject_from = 'clause' THEN subject END AS subject,
           CASE WHEN place_from = 'clause' THEN place END AS place,
           CASE WHEN place_from = 'clause' THEN place_code END AS place_code,
           year, metric, kind, unit, value, value_max
    FROM summable_facts
),
figures AS (  -- each once
    SELECT DISTINCT subject, CASE WHEN subject IS NULL THEN place END AS place,
           CASE WHEN subject IS NULL THEN place_code END AS place_code,
           year, metric, kind, unit, value, value_max
    FROM attributed
    WHERE subject IS NOT NULL OR place IS NOT NULL
),
summed AS (
    SELECT coalesce(metric, '(none)') AS metric, kind, unit, sum(value) AS total,
           count(*) AS figures
    FROM figures
    GROUP BY ALL
)
SELECT c.metric, c.kind, c.unit, c.facts, c.articles, s.total,
       coalesce(s.figures, 0) AS figures_summed
FROM counted AS c
LEFT JOIN summed AS s ON s.metric = c.metric AND s.kind = c.kind AND s.unit = c.unit;

CREATE OR REPLACE VIEW article_summary AS
SELECT
    a.article_id,
    a.title,
    a.url,
    a.site,
    a.published_at,
    v.duplicate_of,
    count(cf.fact_id) AS fact_count,
    max(cf.value) FILTER (WHERE cf.kind = 'money') AS largest_money,
    arg_max(cf.unit, cf.value) FILTER (WHERE cf.kind = 'money') AS largest_money_unit,
    local_time(a.published_at, a.published_utc_offset) AS published_local
FROM articles AS a
LEFT JOIN article_versions AS v ON v.version_id = a.current_version_id
LEFT JOIN current_facts AS cf ON cf.article_id = a.article_id
GROUP BY ALL;

CREATE OR REPLACE VIEW articles_without_facts AS
SELECT a.article_id, a.title, a.url, a.site, a.published_at, a.last_seen_run
FROM articles AS a
WHERE NOT EXISTS (
    SELECT 1 FROM facts AS f WHERE f.version_id = a.current_version_id
);

CREATE OR REPLACE VIEW failing_urls AS
WITH per_url AS (
    SELECT
        url,
        count(*) AS attempts,
        count(*) FILTER (WHERE error_class IS NOT NULL OR status >= 400) AS failures,
        arg_max_null(error_class, fetched_at) AS last_error_class,
        arg_max_null(error_message, fetched_at) AS last_error_message,
        arg_max_null(status, fetched_at) AS last_status,
        max(fetched_at) AS last_attempt_at,
        max(fetched_at) FILTER (WHERE error_class IS NULL AND status < 400) AS last_success_at
    FROM fetches
    GROUP BY url
)
SELECT *
FROM per_url
WHERE last_error_class IS NOT NULL OR last_status >= 400 OR last_status IS NULL;

CREATE OR REPLACE VIEW facts_by_extractor AS
SELECT
    extractor_version,
    count(*) AS facts,
    count(DISTINCT article_id) AS articles,
    min(loaded_at) AS first_loaded,
    max(loaded_at) AS last_loaded
FROM facts
GROUP BY extractor_version;

COMMENT ON VIEW current_facts IS 'Facts of each article''s current version, from the extractor version loaded for it last, with the article''s url, title, site, source, published_at and published_local (its own time zone, else Asia/Shanghai, as text)';
COMMENT ON VIEW facts_dedup IS 'current_facts without the facts of reposts (a story counts once, through its earliest-published copy)';
COMMENT ON VIEW summable_facts IS 'Mentions the extractor marked summable (facts.summable), with the year a total files them under; attribution not yet filtered';
COMMENT ON VIEW summable_figures IS 'Distinct summable figures of each subject named in the figure''s own clause (subject_from = clause; a value reported twice counts once); money_by_subject_year sums these';
COMMENT ON VIEW summable_place_figures IS 'Distinct summable figures of each place named in the figure''s own clause (place_from = clause); figures_by_place sums these';
COMMENT ON VIEW money_by_subject_year IS 'Money facts per subject, year and currency; total sums the distinct summable figures attributed in their own clause (NULL when none)';
COMMENT ON VIEW figures_by_place IS 'Facts per place, kind and unit; total sums the distinct summable figures placed in their own clause (NULL when none)';
COMMENT ON VIEW counts_by_metric IS 'Facts per metric, kind and unit; total sums the distinct summable figures of a clause-level subject, or else of a clause-level place (NULL when none)';
COMMENT ON VIEW article_summary IS 'One row per article: its current version''s repost mark, fact count, largest money figure and published_local (its own time zone, else Asia/Shanghai, as text)';
COMMENT ON VIEW articles_without_facts IS 'Articles whose current version has no facts (extraction found nothing, or failed)';
COMMENT ON VIEW failing_urls IS 'URLs whose last attempt failed, with attempt and failure counts and the last error';
COMMENT ON VIEW facts_by_extractor IS 'Facts and articles per extractor version, with when they were first and last loaded';
