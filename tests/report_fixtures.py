"""A small hand-made warehouse for the report tests: two sources, a repost, a failing URL,
an article without facts, places with codes, and a title that tries to inject a script."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from aidetl.models import Article, Fact, FetchAttempt
from aidetl.warehouse import Batch, Warehouse

EVIL = '<script>alert("x")</script>&<b>'
SHANGHAI = datetime(2020, 6, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 04:00 UTC
# what the extractor decides for a yearly flow of the subject and place its clause names
SUMMABLE = {"summable": True, "subject_from": "clause", "place_from": "clause",
            "period_from": "clause"}  # fmt: skip


def make_article(n: int, body: str, *, source: str, title: str, year: int = 2020) -> Article:
    url = f"https://news.example.cn/{source}/{n}.html"
    return Article(
        url=url, canonical_url=url, site="news.example.cn", title=title,
        published_at=SHANGHAI.replace(year=year), author=None, outlet="示例日报",
        body=body, source=source,
    )  # fmt: skip


def make_fact(body: str, text: str, value: str, **kw) -> Fact:
    start = body.index(text, kw.pop("after", 0))
    defaults = {"unit": "CNY", "kind": "money", "qualifier": "exact", "extractor_version": "t1"}
    defaults.update(kw)
    sentence_start = body.rfind("。", 0, start) + 1
    sentence_end = body.index("。", start) + 1
    return Fact(
        text=text, start=start, end=start + len(text), value=Decimal(value),
        sentence=body[sentence_start:sentence_end], **defaults,
    )  # fmt: skip


BODY_A = "中国电信2018年以来累计投入扶贫资金超5亿元。2020年在贵州省投入约3000万元，带动1200户脱贫。"
BODY_B = "2021年云南省获得捐赠资金2亿元，惠及5万人。捐赠资金2亿元全部到位。"
BODY_C = "这篇文章没有任何数字。"


def build_warehouse(path: Path) -> Path:
    """Create and fill the fixture warehouse at `path`; return the path."""
    a = make_article(1, BODY_A, source="telecom", title="中国电信扶贫 " + EVIL)
    b = make_article(2, BODY_B, source="gov", title="云南捐赠", year=2021)
    repost = make_article(3, BODY_B, source="gov", title="云南捐赠（转载）", year=2021)
    c = make_article(4, BODY_C, source="gov", title="无数字")
    facts = [
        (
            a,
            make_fact(
                BODY_A,
                "超5亿元",
                "500000000",
                qualifier="over",
                metric="investment",
                subject="中国电信",
                cumulative=True,
            ),
        ),
        (
            a,
            make_fact(
                BODY_A,
                "约3000万元",
                "30000000",
                qualifier="about",
                metric="investment",
                subject="中国电信",
                place="贵州省",
                place_code="520000",
                period_start=date(2020, 1, 1),
                period_end=date(2020, 12, 31),
                **SUMMABLE,
            ),
        ),
        (
            a,
            make_fact(
                BODY_A,
                "1200户",
                "1200",
                unit="household",
                kind="count",
                metric="lifted_out_of_poverty",
                place="贵州省",
                place_code="520000",
            ),
        ),
        # the second "2亿元" in BODY_B, so the mark must land on the later occurrence
        (
            b,
            make_fact(
                BODY_B,
                "2亿元",
                "200000000",
                after=25,
                metric="donation",
                subject="云南省政府",
                place="云南省",
                place_code="530000",
                period_start=date(2021, 1, 1),
                period_end=date(2021, 12, 31),
                **SUMMABLE,
            ),
        ),
        (b, make_fact(BODY_B, "5万人", "50000", unit="person", kind="count", place="云南省")),
    ]
    facts += [(repost, f) for article, f in facts if article is b]
    attempts = [
        FetchAttempt(url="https://news.example.cn/gov/broken.html", attempt=1,
                     fetched_at=SHANGHAI, status=404, error_class="BadStatusError",
                     error_message="HTTP 404 <not found>", source="gov"),
    ]  # fmt: skip
    with Warehouse(path) as wh:
        wh.migrate()
        wh.start_run("r1", params={})
        wh.load_batch(Batch(
            run_id="r1", attempts=attempts, articles=[a, b, repost, c],
            facts=[(art.version_id, f) for art, f in facts],
            simhashes={b.version_id: 0x1234_5678_9ABC_DEF0, repost.version_id: 0x1234_5678_9ABC_DEF0},
        ))  # fmt: skip
        wh.finish_run("r1", "completed", {"facts": len(facts)})
    ((loaded,),) = Warehouse(path).query("SELECT count(*) FROM facts")[1]
    assert loaded == len(facts), "the fixture warehouse did not load whole"
    return path
