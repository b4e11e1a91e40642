"""Synthetic batches for tests and benchmarks: deterministic, realistic-looking rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa

from aidetl.models import Article, Fact, FetchAttempt
from aidetl.warehouse._rows import FACT_ID_SQL, Batch

SENTENCE = "2018年以来，公司累计投入扶贫专项资金超5亿元，帮助{n}户贫困户脱贫。"
METRICS = ("investment", "donation", "procurement", "sales", None)
PLACES = ("贵州省", "云南省", "甘肃省", None)


def synthetic_article(n: int, revision: int = 0) -> Article:
    url = f"http://synthetic.example/news/{n}.html"
    published = datetime(2018, 1, 1, tzinfo=UTC) + timedelta(days=n % 2000)
    body = "\n\n".join(SENTENCE.format(n=n + i + revision) for i in range(3))
    return Article(url=url, canonical_url=url, site="synthetic.example", title=f"报道{n}",
                   published_at=published, author="记者", outlet="新华网", body=body,
                   source="synthetic")  # fmt: skip


def synthetic_fact(n: int, i: int) -> Fact:
    return Fact(
        text="超5亿元", start=i * 7, end=i * 7 + 4,
        value=Decimal(500_000_000 + n * 1000 + i), unit="CNY", kind="money",
        qualifier="over", cumulative=True, metric=METRICS[(n + i) % len(METRICS)],
        subject="中国电信", place=PLACES[n % len(PLACES)], period_start=date(2018, 1, 1),
        period_end=date(2020, 12, 31), sentence=SENTENCE.format(n=n), extractor_version="s1",
    )  # fmt: skip


def synthetic_batch(
    run_id: str, first_article: int, articles: int, facts_per_article: int, revision: int = 0
) -> Batch:
    """Articles first_article.. first_article+articles-1, each with its facts and a fetch."""
    arts = [synthetic_article(n, revision) for n in range(first_article, first_article + articles)]
    facts = [
        (a.version_id, synthetic_fact(first_article + k, i))
        for k, a in enumerate(arts)
        for i in range(facts_per_article)
    ]
    attempts = [
        FetchAttempt(
            url=a.url,
            attempt=1,
            fetched_at=datetime(2021, 1, 1, tzinfo=UTC),
            status=200,
            bytes=len(a.body),
            etag=f'"{a.version_id}"',
        )  # fmt: skip
        for a in arts
    ]
    return Batch(run_id, attempts, arts, facts)


# Copy k of a template batch: every id, URL and archive key made distinct per copy (fact_id
# recomputed with the loader's own recipe), and the fact columns the views group by spread
# the way a long-lived warehouse spreads them (thousands of subjects and places, a decade of
# years, a third of the figures summable), so growth benchmarks measure realistic groups.
GROWN_SQL = {
    "fetches": """
SELECT * REPLACE (substr(sha256(fetch_id || '#' || {k}), 1, 16) AS fetch_id,
                  url || '?c=' || {k} AS url,
                  substr(sha256(archive_key || '#' || {k}), 1, 16) AS archive_key)
FROM t""",
    "articles": """
SELECT * REPLACE (substr(sha256(article_id || '#' || {k}), 1, 16) AS article_id,
                  substr(sha256(version_id || '#' || {k}), 1, 16) AS version_id,
                  url || '?c=' || {k} AS url, canonical_url || '?c=' || {k} AS canonical_url,
                  substr(sha256(archive_key || '#' || {k}), 1, 16) AS archive_key,
                  xor(simhash, hash({k})) AS simhash,
                  published_at + to_days(CAST({k} * 37 % 3000 AS INTEGER)) AS published_at)
FROM t""",
    "facts": """
WITH moved AS (
    SELECT * REPLACE (substr(sha256(version_id || '#' || {k}), 1, 16) AS version_id),
           hash(version_id, start, {k}) AS h
    FROM t
)
SELECT * EXCLUDE (h) REPLACE (
    {fact_id} AS fact_id,
    CASE WHEN h % 5 < 3 THEN 'money' ELSE 'count' END AS kind,
    CASE WHEN h % 5 < 3 THEN 'CNY' ELSE '人' END AS unit,
    'subject-' || (h // 7 % 20000) AS subject,
    'place-' || (h // 11 % 3000) AS place,
    lpad(CAST(h // 11 % 3000 AS VARCHAR), 6, '0') AS place_code,
    make_date(CAST(2015 + h // 13 % 11 AS INTEGER), 1, 1) AS period_start,
    make_date(CAST(2015 + h // 13 % 11 AS INTEGER), 12, 31) AS period_end,
    CAST(1000 + h // 17 % 100000 AS DECIMAL(38, 4)) AS value,
    h % 3 = 0 AS summable, 'clause' AS subject_from, 'clause' AS place_from,
    h % 4 = 0 AS cumulative)
FROM moved""",
}


def grown_tables(template: dict[str, pa.Table], k: int) -> dict[str, pa.Table]:
    """Copy k (k >= 1) of batch tables made by batch_tables(), with fresh keys: many copies
    grow a warehouse to tens of millions of facts in seconds instead of building objects."""
    out = {}
    with duckdb.connect() as con:
        for name, table in template.items():
            con.register("t", table)
            sql = GROWN_SQL[name].replace("{fact_id}", FACT_ID_SQL).replace("{k}", str(int(k)))
            out[name] = con.sql(sql).to_arrow_table().cast(table.schema)
            con.unregister("t")
    return out
