"""Synthetic batches for tests and benchmarks: deterministic, realistic-looking rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from aidetl.models import Article, Fact, FetchAttempt
from aidetl.warehouse._rows import Batch

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
