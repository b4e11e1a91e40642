-- 004: totals that add up only what may be added. Summing every money fact of a subject and
-- year mixed loan balances, per-capita incomes, cumulative and planned amounts with the
-- year's spending, and counted a figure once per article that reported it. A total is now
-- the sum of distinct summable figures; `facts` and `largest` still cover every fact.

-- The mentions that may be added to others: a flow (the metric says what was invested,
-- donated, raised, bought, sold, subsidised, discounted, built, trained, relocated, created
-- or lifted out of poverty) of an amount or a count, not a rate, not an amount per head or
-- per unit, not cumulative, not planned, in a period the text gives that lies within one
-- calendar year, attributed to a subject or a place. Undated figures are left out: their
-- sentences ("近年来投资8.6亿元", "先后培训两百多名", "已培训近千人次", "将注资1000万元")
-- too often cover several years, or none yet.
CREATE OR REPLACE VIEW summable_facts AS
SELECT *, year(period_end) AS year
FROM facts_dedup
WHERE kind NOT IN ('percent', 'percent_point', 'voltage')
  AND metric IN ('investment', 'donation', 'fundraising', 'procurement', 'sales', 'subsidy',
                 'discount', 'built', 'trained', 'relocated', 'jobs_created',
                 'lifted_out_of_poverty')
  AND NOT coalesce(cumulative, false)
  AND NOT coalesce(planned, false)
  AND (subject IS NOT NULL OR place IS NOT NULL OR place_code IS NOT NULL)
  AND year(period_start) = year(period_end)
  -- not an amount per head, per unit or on average (人均购买600元, 每公斤多卖0.8元): the
  -- clause before the mention says so
  AND NOT regexp_matches(
        regexp_extract(
            substr(coalesce(sentence, ''), 1,
                   greatest(position(text IN coalesce(sentence, '')) - 1, 0)),
            '[^，。；：！？,;:!?]*$'),
        '人均|户均|每|平均|单价|均价|亩均');

-- One row per distinct figure of a subject: the same value for the same subject, year,
-- metric and unit, reported by several articles (however each dates or places it) or
-- twice in one, is one figure. fact_id, text and url are its earliest-published mention.
CREATE OR REPLACE VIEW summable_figures AS
SELECT
    subject,
    year,
    metric,
    kind,
    unit,
    value,
    value_max,
    min(period_start) AS period_start,
    max(period_end) AS period_end,
    arg_min(place, (published_at, fact_id)) AS place,
    arg_min(place_code, (published_at, fact_id)) AS place_code,
    count(*) AS mentions,
    count(DISTINCT article_id) AS articles,
    arg_min(fact_id, (published_at, fact_id)) AS fact_id,
    arg_min(text, (published_at, fact_id)) AS text,
    arg_min(url, (published_at, fact_id)) AS url,
    arg_min(coalesce(nullif(source, ''), site), (published_at, fact_id)) AS source,
    min(published_at) AS first_published
FROM summable_facts
WHERE subject IS NOT NULL
GROUP BY subject, year, metric, kind, unit, value, value_max;

CREATE OR REPLACE VIEW money_by_subject_year AS
WITH money AS (
    SELECT
        subject,
        year(coalesce(period_end, CAST(published_at AS DATE))) AS year,
        unit,
        count(*) AS facts,
        count(DISTINCT article_id) AS articles,
        max(value) AS largest,
        max(value) FILTER (WHERE cumulative) AS largest_cumulative
    FROM facts_dedup
    WHERE kind = 'money'
    GROUP BY ALL
),
summed AS (
    SELECT subject, year, unit, sum(value) AS total, count(*) AS figures
    FROM summable_figures
    WHERE kind = 'money'
    GROUP BY ALL
)
SELECT m.subject, m.year, m.unit, m.facts, m.articles, s.total, m.largest,
       coalesce(s.figures, 0) AS figures_summed, m.largest_cumulative
FROM money AS m
LEFT JOIN summed AS s ON s.subject = m.subject AND s.year = m.year AND s.unit = m.unit;

CREATE OR REPLACE VIEW figures_by_place AS
WITH figures AS (
    SELECT
        place,
        place_code,
        kind,
        unit,
        count(*) AS facts,
        count(DISTINCT article_id) AS articles,
        min(value) AS smallest,
        max(value) AS largest
    FROM facts_dedup
    WHERE place IS NOT NULL
    GROUP BY ALL
),
place_figures AS (  -- a figure of a place once, whoever it is attributed to
    SELECT DISTINCT place, place_code, year, metric, kind, unit, value, value_max
    FROM summable_facts
    WHERE place IS NOT NULL
),
summed AS (
    SELECT place, place_code, kind, unit, sum(value) AS total, count(*) AS figures
    FROM place_figures
    GROUP BY ALL
)
SELECT f.place, f.place_code, f.kind, f.unit, f.facts, f.articles, s.total, f.smallest,
       f.largest, coalesce(s.figures, 0) AS figures_summed
FROM figures AS f
LEFT JOIN summed AS s
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
figures AS (  -- a figure of a subject, or else of a place, once
    SELECT DISTINCT subject, CASE WHEN subject IS NULL THEN place END AS place,
           CASE WHEN subject IS NULL THEN place_code END AS place_code,
           year, metric, kind, unit, value, value_max
    FROM summable_facts
),
summed AS (
    SELECT metric, kind, unit, sum(value) AS total, count(*) AS figures
    FROM figures
    GROUP BY ALL
)
SELECT c.metric, c.kind, c.unit, c.facts, c.articles, s.total,
       coalesce(s.figures, 0) AS figures_summed
FROM counted AS c
LEFT JOIN summed AS s ON s.metric = c.metric AND s.kind = c.kind AND s.unit = c.unit;

COMMENT ON VIEW summable_facts IS 'Mentions that may be added up: flows dated within one calendar year, attributed to a subject or place; not rates, per-head, cumulative, planned or undated amounts';
COMMENT ON VIEW summable_figures IS 'Distinct summable figures of each subject (a value reported twice counts once); money_by_subject_year sums these';
COMMENT ON VIEW money_by_subject_year IS 'Money facts per subject, year and currency; total sums the distinct summable figures (NULL when none)';
COMMENT ON VIEW figures_by_place IS 'Facts per place, kind and unit; total sums the distinct summable figures (NULL when none)';
COMMENT ON VIEW counts_by_metric IS 'Facts per metric, kind and unit; total sums the distinct summable figures (NULL when none)';
