"""metadata: headline cleanup, publication time sources and byline fields."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from aidetl import metadata

SH = ZoneInfo("Asia/Shanghai")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "姚明对周琦说了啥？周琦上下半场判若两人_网易新闻",
            "姚明对周琦说了啥？周琦上下半场判若两人",
        ),
        ("港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地", "港特首梁振英就住宅违建事件道歉"),
        ("共享充电宝涨价|澎湃新闻", "共享充电宝涨价"),
        ("没有后缀的标题", "没有后缀的标题"),
    ],
)
def test_clean_title_drops_site_suffix(raw: str, title: str) -> None:
    assert metadata.clean_title(raw) == title


def test_heading_matching_page_title_wins() -> None:
    """An <h1> whose text is in <title> is the headline (and is returned as the element)."""
    page = soup(
        "<title>县里修路120公里_某某网</title><body><h1>导航</h1><h1>县里修路120公里</h1></body>"
    )
    title, element = metadata.find_title(page)
    assert title == "县里修路120公里" and element is not None and element.name == "h1"


def test_og_title_without_matching_heading() -> None:
    page = soup(
        '<head><meta property="og:title" content="标题甲乙丙丁_网站"><title>x</title></head><body></body>'
    )
    assert metadata.find_title(page)[0] == "标题甲乙丙丁"


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (
            '<meta property="article:published_time" content="2019-09-07T09:59:22+08:00">',
            datetime(2019, 9, 7, 9, 59, 22, tzinfo=SH),
        ),
        ('<meta name="PubDate" content="2022-01-28 00:00:00">', datetime(2022, 1, 28, tzinfo=SH)),
        ('<meta name="publishdate" content="2021-03-05">', datetime(2021, 3, 5, tzinfo=SH)),
        (
            '<meta itemprop="datePublished" content="2012-12-10T09:24:01Z">',
            datetime(2012, 12, 10, 17, 24, 1, tzinfo=SH),
        ),
    ],
)
def test_time_from_meta_tags(meta: str, expected: datetime) -> None:
    found = metadata.find_time(soup(f"<head>{meta}</head><body></body>"), "", "")
    assert found == expected and found is not None and found.utcoffset() is not None


def test_time_tag_datetime_attribute() -> None:
    found = metadata.find_time(
        soup('<body><time datetime="2020-02-27T21:37:00+08:00">昨天</time></body>'), "", ""
    )
    assert found == datetime(2020, 2, 27, 21, 37, tzinfo=SH)


def test_embedded_json_date() -> None:
    found = metadata.find_time(soup("<body></body>"), "", "", embedded=("2019-09-08 11:42:03",))
    assert found == datetime(2019, 9, 8, 11, 42, 3, tzinfo=SH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间:2020-02-27 21:37:35 来源:人民网", datetime(2020, 2, 27, 21, 37, 35, tzinfo=SH)),
        ("2020年02月27日 21:37 来源：新华社", datetime(2020, 2, 27, 21, 37, tzinfo=SH)),
        ("2020-02-27 来源:XX日报", datetime(2020, 2, 27, tzinfo=SH)),
        ("2005/8/12 16:12:21", datetime(2005, 8, 12, 16, 12, 21, tzinfo=SH)),
        (
            "今天是2022年2月14日 发布时间：2021-01-29 13:18",
            datetime(2021, 1, 29, 13, 18, tzinfo=SH),
        ),
    ],
)
def test_time_from_chinese_text(text: str, expected: datetime) -> None:
    """Labelled dates beat unlabelled ones; times are read as Asia/Shanghai."""
    assert metadata.text_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "发布日期： 7/5/2005 9:23:57 PM 【2005年07月03日报道】",
            datetime(2005, 7, 5, 21, 23, 57, tzinfo=SH),
        ),
        ("发布时间：12/1/2019 12:05 AM", datetime(2019, 12, 1, 0, 5, tzinfo=SH)),
        ("发布时间：12/1/2019 12:05 PM", datetime(2019, 12, 1, 12, 5, tzinfo=SH)),
        # unlabelled, a month-first date is not trusted: the Chinese date wins
        ("版本 3.4 (9/5/2019 9:38:01 PM) 2019年09月07日", datetime(2019, 9, 7, tzinfo=SH)),
        ("发布日期：13/5/2005 9:23 PM", None),  # no 13th month
    ],
)
def test_month_first_dates_with_am_pm_only_after_a_label(
    text: str, expected: datetime | None
) -> None:
    """7/5/2005 9:23:57 PM (en-US servers) is July 5th at 21:23 when a date label precedes it."""
    assert metadata.text_time(text) == expected


def test_impossible_and_future_dates_are_ignored() -> None:
    assert metadata.text_time("2020-02-30 发布") is None
    assert metadata.text_time("发布时间：2099-01-01") is None


def test_page_timezone_is_respected() -> None:
    found = metadata.parse_iso("2021-06-01T08:00:00-04:00")
    assert found is not None and found.utcoffset().total_seconds() == -4 * 3600


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("（本报记者 佟醒）", "佟醒"),
        ("作者：赵延东、风笑天", "赵延东 风笑天"),
        ("文/张三 图/李四", "张三"),
        ("据《红周刊》记者了解，", None),
        ("原作者女儿：改成这样", None),
    ],
)
def test_author_patterns(text: str, author: str | None) -> None:
    assert metadata.find_author(text) == author


def test_editor_and_outlet_are_kept_apart() -> None:
    line = "来源：新京报 本报记者 王五 责任编辑：杜硕"
    assert metadata.find_outlet(line) == "新京报"
    assert metadata.find_author(line) == "王五"
    assert metadata.find_editor(line) == "杜硕"


def test_logo_heading_that_only_matches_the_site_suffix_is_not_the_title() -> None:
    """An <h1> holding the site name (it stands in the <title> only after the separator) loses."""
    soup = BeautifulSoup(
        "<html><head><title>山村小学通网记_新闻 :: 某某博客 ::</title></head><body>"
        "<h1>某某博客</h1><h2>山村小学通网记</h2><p>正文。</p></body></html>",
        "lxml",
    )
    title, element = metadata.find_title(soup)
    assert title == "山村小学通网记" and element is not None and element.name == "h2"
