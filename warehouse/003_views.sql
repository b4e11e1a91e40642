-- 003: reporting views. Re-runnable (CREATE OR REPLACE VIEW); a later migration that
-- changes a view simply replaces it.

CREATE OR REPLACE VIEW current_facts AS
SELECT f.*, a.url, a.title, a.site, a.source, a.published_at
FROM facts AS f
JOIN articles AS a ON a.article_id = f.article_id AND a.current_version_id = f.version_id;

CREATE OR REPLACE VIEW facts_dedup AS
SELECT cf.*
FROM current_facts AS cf
JOIN article_versions AS v ON v.version_id = cf.version_id
WHERE v.duplicate_of IS NULL OR v.duplicate_of = cf.article_id;

CREATE OR REPLACE VIEW money_by_subject_year AS
SELECT
    subject,
    year(coalesce(period_end, CAST(published_at AS DATE))) AS year,
    unit,
    count(*) AS facts,
    count(DISTINCT article_id) AS articles,
    sum(value) AS total,
    max(value) AS largest
FROM facts_dedup
WHERE kind = 'money'
GROUP BY ALL;

CREATE OR REPLACE VIEW figures_by_place AS
SELECT
    place,
    place_code,
    kind,
    unit,
    count(*) AS facts,
    count(DISTINCT article_id) AS articles,
    sum(value) AS total,
    min(value) AS smallest,
    max(value) AS largest
FROM facts_dedup
WHERE place IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE VIEW counts_by_metric AS
SELECT
    coalesce(metric, '(none)') AS metric,
    kind,
    unit,
    count(*) AS facts,
    count(DISTINCT article_id) AS articles,
    sum(value) AS total
FROM facts_dedup
GROUP BY ALL;

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
    arg_max(cf.unit, cf.value) FILTER (WHERE cf.kind = 'money') AS largest_money_unit
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
