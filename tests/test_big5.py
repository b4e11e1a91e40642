"""Big5 and Big5-HKSCS pages with no charset declared are read as Big5, fetched or parsed,
and their traditional-script figures are extracted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from servers import Reply, serve

from aidetl.budgets import Budgets
from aidetl.encoding import decode_html, sniff
from aidetl.extract import extract_figures
from aidetl.fetch import Fetcher, FetchSettings
from aidetl.models import Source
from aidetl.parse import parse_html

# real-shaped reporting from Hong Kong and Taiwan outlets (traditional script)
HK_BODY = (
    "<p>香港特區政府今年投入資金1.2億元，幫助3200戶貧困戶改善住屋，惠及逾萬名長者。</p>"
    "<p>社會福利署表示，計劃首階段已撥款港幣3.14億元，約有兩成半受助家庭為單親家庭。</p>"
)
HKSCS_BODY = "<p>佢哋話呢個計劃嘅資助額係每戶5000元，全港有超過2萬戶申請。</p>"
TW_BODY = "<p>行政院核定新臺幣肆佰參拾萬圓補助偏鄉學校，受惠學生逾1,200名。</p>"
GB_TRADITIONAL = "<p>香港特區政府今年投入資金1.2億元，幫助3200戶貧困戶。</p>" * 3
LOCAL = Source("local", allowed_domains=("127.0.0.1",), delay=0.0)


def page(body: str) -> str:
    return f"<html><head><title>扶貧</title></head><body>{body * 2}</body></html>"


@pytest.mark.parametrize(
    "body,codec",
    [(HK_BODY, "big5"), (HK_BODY, "cp950"), (TW_BODY, "big5"), (HKSCS_BODY, "big5hkscs")],
)
def test_undeclared_big5_page_is_read_as_big5(body: str, codec: str) -> None:
    """Big5 bytes decode "cleanly" as GB18030 too; with no declaration they are read as Big5."""
    decoded = sniff(page(body).encode(codec))
    assert decoded.encoding == "big5hkscs"
    assert decoded.text == page(body)


def test_traditional_text_in_gbk_stays_gb18030() -> None:
    """Traditional characters written in GBK are not mistaken for Big5."""
    text, codec = decode_html(page(GB_TRADITIONAL).encode("gbk"))
    assert codec == "gb18030" and "投入資金1.2億元" in text


def test_simplified_gbk_page_stays_gb18030() -> None:
    """The usual undeclared GBK page keeps its reading."""
    html = page("<p>2018年以来，中国电信累计投入扶贫资金超5亿元，帮扶贫困人口约800人。</p>")
    assert decode_html(html.encode("gbk")) == (html, "gb18030")


def test_big5_page_served_without_charset_is_fetched_as_big5() -> None:
    """Over HTTP with a bare text/html content type, the page text is the Big5 reading."""
    with serve({"/hk": Reply(body=page(HK_BODY).encode("big5"), content_type="text/html")}) as srv:
        fetcher = Fetcher(
            "aidetl-test/1.0 (+test)",
            FetchSettings(budgets=Budgets(connect=2.0, between_bytes=2.0)),
            sleep=lambda _s: None,
        )
        outcome = fetcher.fetch(srv.url("/hk"), LOCAL)
    assert outcome.page is not None
    assert outcome.page.encoding == "big5hkscs"
    assert "投入資金1.2億元" in outcome.page.text


def test_big5_page_parses_and_yields_its_figures() -> None:
    """parse_html on undeclared Big5 bytes, then extraction, gives the traditional figures."""
    article = parse_html(page(HK_BODY).encode("big5"), url="https://news.example.hk/a.html")
    got = [(f.text, f.value, f.unit, f.qualifier) for f in extract_figures(article.body)][:4]
    assert got == [
        ("1.2億元", Decimal(120_000_000), "CNY", "exact"),
        ("3200戶", Decimal(3200), "household", "exact"),
        ("逾萬名", Decimal(10_000), "person", "over"),
        ("港幣3.14億元", Decimal(314_000_000), "HKD", "exact"),
    ]


@pytest.mark.parametrize(
    "text,figures",
    [
        ("投入資金1.2億元，幫助3200戶貧困戶", [("1.2億元", 120_000_000, "CNY")]),
        ("新臺幣肆佰參拾萬圓", [("新臺幣肆佰參拾萬圓", 4_300_000, "TWD")]),
        ("手續費為萬分之三", [("萬分之三", 3, "per_ten_thousand")]),
        ("人民幣3.14", [("人民幣3.14", Decimal("3.14"), "CNY")]),
        ("港幣500萬元", [("港幣500萬元", 5_000_000, "HKD")]),
        ("全港約有兩成半家庭受惠", [("約有兩成半", 25, "percent")]),
        ("興建12棟大樓，共3000個單位", [("12棟", 12, "building"), ("3000個", 3000, "item")]),
        ("去年虧損18個億", [("18個億", 1_800_000_000, "CNY")]),
    ],
)
def test_traditional_script_figures(text: str, figures: list[tuple[str, object, str]]) -> None:
    """Traditional numerals, magnitudes, currencies and measure words read like simplified."""
    got = [(f.text, f.value, f.unit) for f in extract_figures(text)]
    want = [(t, Decimal(v) if not isinstance(v, Decimal) else v, u) for t, v, u in figures]
    assert got[: len(want)] == want
