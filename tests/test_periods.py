"""Periods as date intervals, resolved against the publish date."""

from __future__ import annotations

import re
from datetime import date

import pytest

from aidetl.extract.periods import find_periods, pick_period

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


def test_comparison_years_are_baselines():
    """比2018年增长 names a baseline: kept, marked, and never the period of the growth."""
    text = "比2018年增长20%"
    [period] = find_periods(text, published=PUBLISHED)
    assert period.baseline
    start = text.index("20%")
    assert pick_period(text, [period], 0, len(text), start, start + 3, [(start, start + 3)]) is None


def test_compared_figure_takes_the_baseline_period():
    """比2017年的2073.5亿元: the compared figure is 2017's, the figure before it 2018's."""
    text = "2018年销售收入为2519.3亿元，比2017年的2073.5亿元增长21.5%"
    periods = find_periods(text, published=PUBLISHED)
    figures = [
        (text.index(m), text.index(m) + len(m)) for m in ("2519.3亿元", "2073.5亿元", "21.5%")
    ]
    clause = text.index("，") + 1
    picked = [
        pick_period(text, periods, 0 if s < clause else clause, len(text), s, e, figures)
        for s, e in figures
    ]
    years = [p.start.year for p, _ in picked]  # type: ignore[union-attr]
    assert years == [2018, 2017, 2018]


def test_compared_last_year_keeps_the_sentence_part():
    """2015年上半年…同比去年的412亿元: the first half of 2014."""
    text = "2015年上半年收入368.53亿元，同比去年的412亿元下降1成"
    periods = find_periods(text)
    s = text.index("412")
    found = pick_period(text, periods, text.index("，") + 1, len(text), s, s + 6, [(s, s + 6)])
    assert found is not None
    assert (found[0].start, found[0].end) == (date(2014, 1, 1), date(2014, 6, 30))


def test_a_span_of_years_gives_each_listed_figure_its_year():
    """2009年至2014年…为2.2%、2.0%、2.5%、2.6%、2.4%、2.9%: one year each."""
    text = "2009年至2014年，收益率为2.2%、2.0%、2.5%、2.6%、2.4%、2.9%"
    periods = find_periods(text)
    figures = [(m.start(), m.end()) for m in re.finditer(r"\d\.\d%", text)]
    clause = text.index("，") + 1
    years = [
        pick_period(text, periods, clause, len(text), s, e, figures)[0].start.year  # type: ignore[index,union-attr]
        for s, e in figures
    ]
    assert years == [2009, 2010, 2011, 2012, 2013, 2014]


def test_from_to_figures_take_the_two_ends_of_a_span():
    """从2010年到2014年…从2827亿元增长到5487亿元: 2010, then 2014."""
    text = "从2010年到2014年，支出从2827亿元增长到5487亿元"
    periods = find_periods(text)
    figures = [(text.index(m), text.index(m) + len(m)) for m in ("2827亿元", "5487亿元")]
    clause = text.index("，") + 1
    years = [
        pick_period(text, periods, clause, len(text), s, e, figures)[0].start.year  # type: ignore[index,union-attr]
        for s, e in figures
    ]
    assert years == [2010, 2014]


def test_whole_year_takes_the_context_year():
    """全年 after 2019年 in the paragraph is 2019."""
    [period] = find_periods("全年让利", published=PUBLISHED, context_year=2019)
    assert (period.start, period.end) == (date(2019, 1, 1), date(2019, 12, 31))


def test_bare_month_takes_the_year_in_context():
    """10月初 after 2004年9月 is October 2004 (not September, not the publish year)."""
    [first, second] = find_periods("2004年9月开工，10月初投产", published=PUBLISHED)
    assert (second.start, second.end) == (date(2004, 10, 1), date(2004, 10, 31))
    [alone] = find_periods("5月，中国电信", published=PUBLISHED, context_year=2015)
    assert (alone.start, alone.end) == (date(2015, 5, 1), date(2015, 5, 31))


def test_month_written_with_fen():
    """3月份 is March."""
    [period] = find_periods("2005年3月份", published=PUBLISHED)
    assert (period.start, period.end) == (date(2005, 3, 1), date(2005, 3, 31))


def test_falling_to_a_value_in_a_year_is_not_until():
    """下降到2019年的0.6%: 2019 is a year, not an end bound."""
    [first, second] = find_periods("由2014年的23.5%下降到2019年的0.6%")
    assert (second.start, second.end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert first.start == date(2014, 1, 1)


def test_from_a_starting_value_is_not_since():
    """从2013年底的88.1万人减少到…: 2013年底 is the starting value's date, not "since"."""
    [period] = find_periods("从2013年底的88.1万人减少到17.8万人", published=PUBLISHED)
    assert (period.start, period.end) == (None, date(2013, 12, 31))
