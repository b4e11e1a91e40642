"""Periods as date intervals, resolved against the publish date."""

from __future__ import annotations

from datetime import date

import pytest

from aidetl.extract.periods import find_periods

PUBLISHED = date(2020, 2, 27)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019年投入", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019年下半年", date(2019, 7, 1), date(2019, 12, 31)),
        ("上半年", date(2020, 1, 1), date(2020, 6, 30)),
        ("2020年一季度", date(2020, 1, 1), date(2020, 3, 31)),
        ("前三季度", date(2020, 1, 1), date(2020, 9, 30)),
        ("2018年以来", date(2018, 1, 1), PUBLISHED),
        ("自2002年起", date(2002, 1, 1), PUBLISHED),
        ("截至2019年底", None, date(2019, 12, 31)),
        ("截至目前", None, PUBLISHED),
        ("全年", date(2020, 1, 1), date(2020, 12, 31)),
        ("两年来", date(2018, 2, 27), PUBLISHED),
        ("近三年", date(2017, 2, 27), PUBLISHED),
        ("十三五期间", date(2016, 1, 1), date(2020, 12, 31)),
        ("“十二五”时期", date(2011, 1, 1), date(2015, 12, 31)),
        ("2018年至2020年", date(2018, 1, 1), date(2020, 12, 31)),
        ("2018—2020年", date(2018, 1, 1), date(2020, 12, 31)),
        ("2019年3月至6月", date(2019, 3, 1), date(2019, 6, 30)),
        ("今年1至6月", date(2020, 1, 1), date(2020, 6, 30)),
        ("今年", date(2020, 1, 1), date(2020, 12, 31)),
        ("去年", date(2019, 1, 1), date(2019, 12, 31)),
        ("前年", date(2018, 1, 1), date(2018, 12, 31)),
        ("今年前5个月", date(2020, 1, 1), date(2020, 5, 31)),
        ("2019年5月", date(2019, 5, 1), date(2019, 5, 31)),
        ("2019年12月31日", date(2019, 12, 31), date(2019, 12, 31)),
        ("近9个月", date(2019, 5, 27), PUBLISHED),
        ("9个月采购", date(2019, 5, 27), PUBLISHED),
    ],
)
def test_period_intervals(text, start, end):
    """Each shape of period becomes the interval it means."""
    [period] = find_periods(text, published=PUBLISHED)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["今年", "两年来", "全年", "上半年", "近9个月", "截至目前"])
def test_relative_periods_need_a_publish_date(text):
    """Without a publish date, relative expressions give nothing."""
    assert find_periods(text) == []


def test_since_without_publish_date_keeps_its_start():
    """2018年以来 starts in 2018 even when the end is unknown."""
    [period] = find_periods("2018年以来")
    assert (period.start, period.end) == (date(2018, 1, 1), None)


def test_comparison_years_are_not_periods():
    """比2018年增长 names a baseline, not the period."""
    assert find_periods("比2018年增长20%", published=PUBLISHED) == []


def test_whole_year_takes_the_context_year():
    """全年 after 2019年 in the paragraph is 2019."""
    [period] = find_periods("全年让利", published=PUBLISHED, context_year=2019)
    assert (period.start, period.end) == (date(2019, 1, 1), date(2019, 12, 31))


def test_bare_month_without_year_is_ignored():
    """5月 alone is too loose to place."""
    assert find_periods("5月，中国电信", published=PUBLISHED) == []


def test_falling_to_a_value_in_a_year_is_not_until():
    """下降到2019年的0.6%: 2019 is a year, not an end bound."""
    [first, second] = find_periods("由2014年的23.5%下降到2019年的0.6%")
    assert (second.start, second.end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert first.start == date(2014, 1, 1)


def test_from_a_starting_value_is_not_since():
    """从2013年底的88.1万人减少到…: 2013年底 is the starting value's date, not "since"."""
    [period] = find_periods("从2013年底的88.1万人减少到17.8万人", published=PUBLISHED)
    assert (period.start, period.end) == (None, date(2013, 12, 31))
