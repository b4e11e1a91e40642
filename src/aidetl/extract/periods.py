"""Periods in Chinese text ("2018年以来", "2019年下半年", "截至2019年底") as date intervals.

Relative expressions (今年, 两年来, 截至目前) resolve against the article's publish date and
stay unknown (None) without one. A year-less expression (全年, 上半年) takes the year the
sentence (or the caller's context) last named, else the publish year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
NUM = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
YEAR = r"(?:19|20)\d{2}"
PLAN_ERAS = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021}

# The shapes a period takes; one alternation so a sentence is scanned once.
PERIOD = re.compile(
    # 2018年至2020年, 2018—2020年, 2019年3月至6月 (range)
    rf"(?P<range>(?P<ra>{YEAR})\s*年?(?:(?P<ram>\d{{1,2}})月)?\s*(?:至|到|—|–|-|~|～)\s*"
    rf"(?:(?P<rb>{YEAR})\s*年(?:(?P<rbm>\d{{1,2}})月)?|(?P<rbm2>\d{{1,2}})月)(?:底|末)?)"
    # 今年1至6月, 2019年1-9月 (months of one year)
    rf"|(?P<mrange>(?:(?P<my>{YEAR})\s*年|(?P<mrel>今年|去年|前年|当年|全年))?(?P<m1>\d{{1,2}})月?\s*"
    r"(?:至|到|—|–|-|~|～)\s*(?P<m2>\d{1,2})月(?:底|末|份)?)"
    # "十三五"期间, 十三五以来
    r"|(?P<era>十[一二三四]五)[”\"」』]?(?:期间|时期|以来|来)?"
    # 两年来, 近三年, 近3年来, 过去五年, 17年来 (a span ending at the publish date)
    rf"|(?P<span>(?:近|过去|这|最近)(?P<sn>{NUM})\s*年(?:来|间|以来)?|(?P<sn2>{NUM})\s*年(?:来|以来))"
    # 近9个月, 9个月来, 前三季度 handled below; bare 9个月 is weak (see WEAK)
    rf"|(?P<mspan>(?:近|过去|最近)(?P<mn>{NUM})\s*个月(?:来|以来)?|(?P<mn2>{NUM})\s*个月(?:来|以来))"
    # the anchored shapes: 2019年3月5日, 2019年下半年, 今年一季度, 前三季度, 全年, 2019年底
    rf"|(?=(?:19|20)\d\d|[今去前明本当全第上下]|[一二三四1-4]季|\d{{1,2}}月|年[底末])"
    rf"(?P<point>(?:(?P<y>{YEAR})\s*年度?|(?P<rel>今年|去年|前年|明年|本年度?|当年|全年))?"
    rf"(?:(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})日)?|(?P<half>上半年|下半年)"
    rf"|第?(?P<q>[一二三四1-4])季度|前(?P<qn>[一二两三])季度|前(?P<fm>{NUM})个?月"
    r"|(?P<yend>年底|年末|(?<=年)底|(?<=年)末))?)"
)
# since: 自2002年起, 2018年以来, 从今年开始
SINCE_AFTER = re.compile(r"\s*(?:以来|起|开始|至今|来)")
SINCE_BEFORE = re.compile(r"(?:自|从)$")
# until: 截至2019年底, 截止到目前, 到2020年
UNTIL_BEFORE = re.compile(r"(?:截至|截止|截止到|截止至|(?<![降升增减高大达少加长落涨])到)$")
UNTIL_NOW = re.compile(r"(?:截至|截止|截止到)(?:目前|当前|现在|发稿时)")
# comparisons name a baseline, not the period: 比2018年, 较去年, 同比
COMPARISON_BEFORE = re.compile(r"(?:比|较|相比|对比|同比|环比|与)$")
# a bare duration right before an action: 9个月采购 (weak: used only when nothing else is said)
WEAK = re.compile(rf"(?<![近前第])(?P<wn>{NUM})\s*个月(?![后内以前里])")


@dataclass(frozen=True, slots=True)
class Period:
    """A period as written and the interval it means (either end may be unknown)."""

    text: str
    start_pos: int
    end_pos: int
    start: date | None
    end: date | None
    explicit_year: int | None = None  # the year it names, the context for 全年
    weak: bool = False


def cn_number(text: str) -> int:
    """Small numbers as written: "3" → 3, "两" → 2, "十二" → 12, "二十" → 20."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            CN_DIGITS.get(ones, 0) if ones else 0
        )
    return CN_DIGITS[text]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def find_periods(
    text: str,
    start: int = 0,
    end: int | None = None,
    published: date | None = None,
    context_year: int | None = None,
) -> list[Period]:
    """Every period in text[start:end], in text order; comparisons (比2018年) are skipped."""
    end = len(text) if end is None else end
    year = context_year or (published.year if published else None)
    found: list[Period] = []
    for m in PERIOD.finditer(text, start, end):
        if not m.group(0).strip() or COMPARISON_BEFORE.search(
            text, max(0, m.start() - 2), m.start()
        ):
            continue
        period = _interpret(text, m, published, year)
        if period is None:
            continue
        if period.explicit_year:
            year = period.explicit_year
        found.append(period)
    for m in UNTIL_NOW.finditer(text, start, end):
        if published:
            found.append(Period(m.group(0), m.start(), m.end(), None, published))
    found.sort(key=lambda p: p.start_pos)
    if not found and published:
        found.extend(_weak(text, start, end, published))
    return found


Interval = tuple[date | None, date | None, int | None]  # start, end, the year it names


def _interpret(text: str, m: re.Match, published: date | None, year: int | None) -> Period | None:
    interval: Interval | None
    kind = m.lastgroup if m.lastgroup in ("range", "mrange", "era", "span", "mspan") else "point"
    if kind == "range":
        interval = _range(m)
    elif kind == "mrange":
        interval = _month_range(m, published, year)
    elif kind == "era":
        first = PLAN_ERAS[m.group("era")]
        era_end = published if m.group(0).endswith("来") else date(first + 4, 12, 31)
        interval = (date(first, 1, 1), era_end, None)
    elif kind in ("span", "mspan"):
        interval = _span(m, published)
    else:
        interval = _point(m, published, year)
    if interval is None:
        return None
    start_day, end_day, named = interval
    stop = m.end()
    since = SINCE_AFTER.match(text, stop) if kind == "point" else None
    # 从2013年底的88.1万人: a starting value, not "since"
    since_before = (
        SINCE_BEFORE.search(text, max(0, m.start() - 1), m.start())
        and not m.group("yend")
        and not text.startswith("的", stop)
    )
    if kind == "point" and (since or since_before):
        end_day = published
        stop = since.end() if since else stop
    elif UNTIL_BEFORE.search(text, max(0, m.start() - 3), m.start()):
        start_day = None
    return Period(text[m.start() : stop], m.start(), stop, start_day, end_day, named)


def _range(m: re.Match) -> Interval | None:
    a = int(m.group("ra"))
    b = int(m.group("rb")) if m.group("rb") else a
    last_month = m.group("rbm") or m.group("rbm2")
    if b < a or (last_month and not 1 <= int(last_month) <= 12):
        return None
    first = date(a, int(m.group("ram")), 1) if m.group("ram") else date(a, 1, 1)
    last = month_end(b, int(last_month)) if last_month else date(b, 12, 31)
    return first, last, b


def _month_range(m: re.Match, published: date | None, year: int | None) -> Interval | None:
    """今年1至6月 → Jan 1 .. Jun 30 of the publish year."""
    named = int(m.group("my")) if m.group("my") else None
    rel = m.group("mrel")
    if named is None and rel in ("今年", "去年", "前年"):
        if published is None:
            return None
        named = published.year - {"去年": 1, "前年": 2}.get(rel, 0)
    base = named or (year if rel else None)
    first, last = int(m.group("m1")), int(m.group("m2"))
    if base is None or not 1 <= first <= last <= 12:
        return None
    return date(base, first, 1), month_end(base, last), named


def _span(m: re.Match, published: date | None) -> Interval | None:
    if published is None:
        return None
    if m.lastgroup == "span":
        years = cn_number(m.group("sn") or m.group("sn2"))
        return shift_months(published, 12 * years), published, None
    months = cn_number(m.group("mn") or m.group("mn2"))
    return shift_months(published, months), published, None


def _point(m: re.Match, published: date | None, year: int | None) -> Interval | None:
    """2019年, 去年下半年, 今年一季度, 前三季度, 全年, 2019年底, 2019年5月 → interval."""
    named = int(m.group("y")) if m.group("y") else None
    rel = m.group("rel")
    if named is None and rel in ("今年", "去年", "前年", "明年", "本年", "本年度"):
        if published is None:
            return None
        named = published.year - {"去年": 1, "前年": 2, "明年": -1}.get(rel, 0)
    base = named or year
    has_part = any(m.group(g) for g in ("m", "half", "q", "qn", "fm", "yend"))
    if base is None or (named is None and rel is None and not has_part):
        return None
    if named is None and rel is None and m.group("m") and not m.group("d"):
        return None  # a bare "5月" is too loose to place in a year
    if m.group("m"):
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            return None
        if m.group("d"):
            day = date(base, month, min(int(m.group("d")), calendar.monthrange(base, month)[1]))
            return day, day, named
        return date(base, month, 1), month_end(base, month), named
    if m.group("half"):
        first_half = m.group("half") == "上半年"
        return (
            date(base, 1, 1) if first_half else date(base, 7, 1),
            date(base, 6, 30) if first_half else date(base, 12, 31),
            named,
        )
    if m.group("q"):
        q = cn_number(m.group("q"))
        return date(base, 3 * q - 2, 1), month_end(base, 3 * q), named
    if m.group("qn") or m.group("fm"):
        months = 3 * cn_number(m.group("qn")) if m.group("qn") else cn_number(m.group("fm"))
        return (date(base, 1, 1), month_end(base, min(months, 12)), named) if months else None
    if m.group("yend"):
        return None, date(base, 12, 31), named
    return date(base, 1, 1), date(base, 12, 31), named


def _weak(text: str, start: int, end: int, published: date) -> list[Period]:
    """A bare "9个月" before an action: the months up to the publish date."""
    periods = []
    for m in WEAK.finditer(text, start, end):
        months = cn_number(m.group("wn"))
        periods.append(
            Period(
                m.group(0),
                m.start(),
                m.end(),
                shift_months(published, months),
                published,
                None,
                weak=True,
            )
        )
    return periods
