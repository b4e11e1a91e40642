"""Find figures in Chinese text: money, counts, percentages, areas… with their bounds.

One pre-scan pattern (patterns.CANDIDATE) finds numeral runs that could start a figure;
each is then read outward with anchored patterns: numeral (patterns.NUMERAL), magnitude,
余/多, range, unit or measure word, counted noun, bound words. Values use exact Decimal
arithmetic (numerals.py); offsets point into the original text (normalisation maps
characters one for one).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from aidetl.extract import patterns as P
from aidetl.extract.flags import CUMULATIVE
from aidetl.extract.numerals import (
    DIGITS,
    NumeralError,
    exact,
    normalize,
    parse_arabic,
    parse_chinese,
    parse_magnitude,
)
from aidetl.models import Figure

log = logging.getLogger(__name__)

BARE_MAGNITUDES = frozenset("百千万亿")
# a fraction's percentage keeps six decimals: 1/3 → 33.333333
FRACTION_PLACES = Decimal("0.000001")
# the kind of an amount in 万/亿 whose unit its sentence must supply (resolve_pending)
PENDING = "pending"
# kinds a unit-less amount can take from a neighbour in 万/亿
INHERITABLE = frozenset({"money", "area"})
# the unit a 百分之/千分之/万分之 figure is in
PER_PART = {
    "百分之": "percent",
    "佰分之": "percent",
    "千分之": "permille",
    "仟分之": "permille",
    "万分之": "per_ten_thousand",
}
SELF_COUNTING = frozenset({"名", "人", "位", "户", "次", "人次", "户次"})
REFINABLE = frozenset(
    {
        "个",
        "家",
        "只",
        "所",
        "座",
        "条",
        "套",
        "台",
        "口",
        "项",
        "处",
        "件",
        "批",
        "支",
        "间",
        "栋",
        "张",
        "份",
    }
)
# measure words specific enough that a small numeral before them counts: "两栋", "三部", "六口锅"
SPECIFIC = frozenset("栋幢部款口家座辆台套所间株棵粒根宗起本注轮")
# units a bare "2.5亿" may count when a noun follows without a measure word (2.5亿星级用户)
PEOPLE_UNITS = frozenset({"person", "user", "household"})
# measure words that can count people, users or households ("个", "名", "批"…)
PEOPLE_MEASURES = frozenset({"个", "名", "位", "人", "口", "批", "户", "家", "支"})


@dataclass(frozen=True, slots=True)
class Number:
    """One numeral with its magnitude and 余/多 marker, as read from the text."""

    start: int
    end: int
    value: Decimal
    chinese: str  # the Chinese numeral run, "" for Arabic digits
    has_magnitude: bool
    approx: bool
    compound: bool = False  # "3亿5000万": two parts summed
    high: Decimal | None = None  # the upper end of a spoken range: "七八十万" → 800000
    about: bool = False  # "十来个": roughly, not "more than"

    @property
    def bare(self) -> bool:
        """Only magnitude characters: 百, 千万, 亿 (no multiplier written)."""
        return bool(self.chinese) and set(self.chinese) <= BARE_MAGNITUDES

    @property
    def small(self) -> bool:
        """A single-digit Chinese numeral with nothing else: 三, 两 (often not a count)."""
        return bool(self.chinese) and self.value < 10 and not self.has_magnitude


def extract_figures(text: str) -> list[Figure]:
    """Every figure in `text`, in text order, non-overlapping, offsets into `text`."""
    norm = normalize(text)
    figures: list[Figure] = []
    last_end = 0
    for run in P.CANDIDATE.finditer(norm):
        if run.start() < last_end:
            continue
        if (
            run.group("ok") is None
            and norm[run.start() - 1 : run.start()] not in P.CURRENCY_SYMBOLS
        ):
            continue
        figure = read_fraction(text, norm, run.start(), last_end)
        m = P.NUMERAL.match(norm, run.start()) if figure is None else None
        if figure is None and m is None:
            continue
        try:
            figure = figure or read_figure(text, norm, m, last_end)  # type: ignore[arg-type]
        except NumeralError as err:
            log.debug("skipped at %d: %s", run.start(), err)
            continue
        if figure is not None:
            figure = signed(text, norm, figure, last_end)
            figures.append(figure)
            last_end = figure.end
    if "半成" in norm:
        figures = add_half_cheng(text, norm, figures)
    return share_qualifiers(resolve_pending(norm, figures))


def read_fraction(text: str, norm: str, start: int, floor: int) -> Figure | None:
    """A fraction as a percentage: "1/3" → 33.33…, "三分之一" → 33.33…, "四分之三" → 75."""
    f = P.FRACTION.match(norm, start)
    if f is None or P.SPELLED_BEFORE.search(norm, max(0, start - 2), start):
        return None  # "三又五分之一": a mixed number
    try:
        if f.group("num") is not None:
            num, den = Decimal(f.group("num")), Decimal(f.group("den"))
            if not 0 < num < den <= 10:
                return None
        else:
            num, den = parse_chinese(f.group("cnum")), parse_chinese(f.group("cden"))
            if num <= 0 or den < 2:
                return None  # "二分之三" is 150%
    except NumeralError:
        return None
    if norm.startswith("个", f.end()):
        return None  # "三分之二个北京城": a part of a thing, not a share
    number = Number(start, f.end(), num, f.group("cnum") or "", False, False)
    pct = (num * 100 / den).quantize(FRACTION_PLACES)
    return finish(text, norm, start, f.end(), pct, None, "percent", "percent", number, floor)


def add_half_cheng(text: str, norm: str, figures: list[Figure]) -> list[Figure]:
    """ "半成" is 5%: added where no other figure covers it."""
    for half in P.HALF_CHENG.finditer(norm):
        if any(f.start < half.end() and half.start() < f.end for f in figures):
            continue
        if half.start() and norm[half.start() - 1] in P.CN_NUMERAL_CHARS + "0123456789":
            continue  # "三成半" is read whole; "一半成" is not this
        number = Number(half.start(), half.end(), Decimal(5), "半", False, False)
        fig = finish(
            text, norm, half.start(), half.end(), Decimal(5), None, "percent", "percent", number, 0
        )
        if fig is not None:
            figures.append(fig)
    return sorted(figures, key=lambda f: f.start)


def signed(text: str, norm: str, fig: Figure, floor: int) -> Figure:
    """A minus sign (or 负, 零下) before a rate, amount or temperature makes it negative:
    "增长-3.2%" → -3.2, "负3.9%" → -3.9, "零下四摄氏度" → -4."""
    if (
        fig.kind not in ("percent", "percent_point", "money", "temperature")
        or fig.value_max is not None
        or fig.value <= 0
    ):
        return fig
    sign = P.MINUS_BEFORE.search(norm, max(0, fig.start - 2), fig.start)
    if sign is None or sign.start() < floor:
        return fig
    start = sign.start()
    return replace(fig, start=start, text=text[start : fig.end], value=-fig.value)


def read_number(norm: str, m: re.Match[str]) -> Number:
    """The numeral at `m` plus magnitude, 余/多 and a magnitude after them: 1600余万."""
    ar, cn = m.group("ar"), m.group("cn")
    if cn is not None and "点" not in cn and (pair := P.SPOKEN_PAIR.search(cn)) is not None:
        if DIGITS[pair.group("hi")] == DIGITS[pair.group("lo")] + 1:
            return read_spoken_pair(norm, m, pair)
    if ar is not None:
        value = parse_arabic(ar.replace("，", ","))
    else:
        if len(cn) > 1 and cn[-1] in "两":
            raise NumeralError(f"trailing 两: {cn!r}")
        value = parse_chinese(cn)
    pos, has_mag, approx = m.end(), bool(cn) and any(c in "万亿" for c in cn), False
    compound = about = False
    if (spoken := P.SPOKEN_APPROX.match(norm, pos)) is not None and _round(ar or cn):
        pos, approx, about = spoken.end(), True, spoken.group("word") == "来"
    if cn is not None and (mag := P.MAGNITUDE.match(norm, pos)) and mag.group().startswith("个"):
        value, pos, has_mag = value * parse_magnitude(mag.group("mag")), mag.end(), True
    if ar is not None and (mag := P.MAGNITUDE.match(norm, pos)):
        value, pos, has_mag = value * parse_magnitude(mag.group("mag")), mag.end(), True
        if "." not in ar and mag.group("mag")[-1] in "万亿":
            tail = read_compound_tail(norm, pos, parse_magnitude(mag.group("mag")))
            if tail is not None:
                value, pos, approx, compound = value + tail[0], tail[1], tail[2], True
            elif P.DIGIT_NEXT.match(norm, pos):
                raise NumeralError(f"unreadable compound at {pos}")  # "1万5": missing beats wrong
    if not approx and (a := P.APPROX.match(norm, pos)):
        pos, approx = a.end(), True
    if approx and not compound and (mag2 := P.MAGNITUDE.match(norm, pos)):
        value, pos, has_mag = value * parse_magnitude(mag2.group("mag")), mag2.end(), True
    start = m.start("ar" if ar is not None else "cn")
    return Number(start, pos, value, cn or "", has_mag, approx, compound, about=about)


def _round(numeral: str) -> bool:
    """A numeral that 几/来 can follow: "十", "二十", "百", "20" (not "12": 12来 is no number)."""
    return numeral[-1] in "十百千万0" and not numeral.startswith("几")


def read_spoken_pair(norm: str, m: re.Match[str], pair: re.Match[str]) -> Number:
    """A spoken range: "七八十万" → 700000 to 800000, "十五六" → 15 to 16, "七百三四十" →
    730 to 740 (the two neighbouring digits each read in the numeral's place)."""
    cn = m.group("cn")
    head, rest = cn[: pair.start()], cn[pair.end() :]
    if any(c not in "十百千万亿" for c in rest):
        raise NumeralError(f"not a spoken range: {cn!r}")
    lo = parse_chinese(head + pair.group("lo") + rest)
    hi = parse_chinese(head + pair.group("hi") + rest)
    pos, has_mag = m.end(), any(c in "万亿" for c in cn)
    if (mag := P.MAGNITUDE.match(norm, pos)) is not None and mag.group().startswith("个"):
        scale = parse_magnitude(mag.group("mag"))  # "两三个亿"
        lo, hi, pos, has_mag = lo * scale, hi * scale, mag.end(), True
    return Number(m.start("cn"), pos, lo, cn, has_mag, False, high=hi)


def read_discount(text: str, norm: str, m: re.Match[str], floor: int) -> Figure | None:
    """A discount as the percentage paid: "八折" → 80, "8.5折" → 85, "五五折" → 55."""
    ar, cn = m.group("ar"), m.group("cn")
    pct: Decimal | None = None
    try:
        if ar is not None:
            value = parse_arabic(ar)
            if value <= 10:
                pct = value * 10
            elif value < 100 and "." not in ar:
                pct = value  # "72折"
        elif len(cn) == 2 and all(c in DIGITS for c in cn):
            pct = Decimal(DIGITS[cn[0]] * 10 + DIGITS[cn[1]])  # "五五折"
        elif (value := parse_chinese(cn)) <= 10:
            pct = value * 10
    except NumeralError:
        return None
    if pct is None or pct <= 0:
        return None
    number = Number(m.start(), m.end(), pct, cn or "", False, False)
    end = m.end() + 1
    return finish(text, norm, m.start(), end, pct, None, "percent", "percent", number, floor)


def read_compound_tail(norm: str, pos: int, below: Decimal) -> tuple[Decimal, int, bool] | None:
    """(value, end, approx) of the smaller part after "3亿" in "3亿5000万" (below 10^8 there),
    "10万|5千", "1亿|零500万", "1亿|两千万", "3亿|5千多万"; None when no such part follows."""
    t = P.COMPOUND_TAIL.match(norm, pos)
    if t is None:
        return None
    end, approx = t.end(), False
    if t.group("cn") is not None:
        cn = t.group("cn")
        if cn[-1] == "两" or not any(c in "十百千万亿" for c in cn):
            return None  # "1万两", "3万五": colloquial, not summed
        try:
            value = parse_chinese(cn)
        except NumeralError:
            return None
    else:
        value = parse_arabic(t.group("ar"))
        mag = P.MAGNITUDE.match(norm, end)
        if mag is not None:
            value, end = value * parse_magnitude(mag.group("mag")), mag.end()
            if (a := P.APPROX.match(norm, end)) and (mag2 := P.MAGNITUDE.match(norm, a.end())):
                value, end, approx = value * parse_magnitude(mag2.group("mag")), mag2.end(), True
        elif not t.group("zero"):
            return None  # "3万5", "1亿2020年": no magnitude, no 零
    if not 0 < value < below:
        return None
    return value, end, approx


def read_range_end(norm: str, first: Number) -> Number | None:
    """The upper end of "2000至4000", "2-6万", "10%-20%" (None when no range follows)."""
    sep = P.RANGE_SEP.match(norm, first.end)
    if sep is None:
        return None
    m = P.NUMERAL.match(norm, sep.end())
    if m is None or m.group("pct"):
        return None
    second = read_number(norm, m)
    if (bool(second.chinese) != bool(first.chinese) and first.chinese != "零") or first.approx:
        return None  # "零至1%" is a range; "三至5" is not written
    return second


def read_figure(text: str, norm: str, m: re.Match[str], floor: int) -> Figure | None:
    """The figure around numeral run `m`, or None when the run is not a figure."""
    if not m.group("pct") and P.DISCOUNT.match(norm, m.end()):
        return read_discount(text, norm, m, floor)
    if m.group("cn") and m.group("cn") in ("一", "壹", "拾", "佰", "仟") and not m.group("pct"):
        return None  # "一", and a financial unit alone: "拾起" is "pick up"
    before = norm[max(0, m.start() - 1) : m.start()]
    if before == "数" and m.group("cn") and m.group("cn")[0] in "十百千万亿":
        fig = read_figure_at(text, norm, m, floor)  # "数亿美金": money only ("数十万群众" is not)
        return fig if fig is not None and fig.kind == "money" else None
    if before == "第" or (m.group("cn") and P.NOT_A_COUNT_BEFORE.search(before)):
        return None
    return read_figure_at(text, norm, m, floor)


def read_figure_at(text: str, norm: str, m: re.Match[str], floor: int) -> Figure | None:
    """The figure starting with numeral run `m` (the checks before it already passed)."""
    if P.RANGE_TAIL_BEFORE.search(norm, max(0, m.start() - 3), m.start()):
        return None
    if P.SPELLED_BEFORE.search(norm, max(0, m.start() - 2), m.start()):
        return None  # "四点 五个百分点", "十 个": part of a numeral we cannot read whole
    if m.group("cn") and m.group("cn")[:1] in ("零", "〇") and m.group("cn")[1:2] not in ("", "点"):
        after_zero = P.NUMERAL_AFTER_ZERO.match(norm, m.start() + 1)
        if after_zero is None or P.NUMBER_BEFORE_ZERO.search(
            norm, max(0, m.start() - 1), m.start()
        ):
            return None  # "兆零三百万": the tail of a numeral we cannot read
        return read_figure(text, norm, after_zero, floor)  # "找零|一百三十五块"
    if m.group("ar") and P.NAME_BEFORE.search(norm, max(0, m.start() - 5), m.start()):
        return None  # "沪深300股指"
    if m.group("ar") and P.LEADING_ZERO.match(m.group("ar")):
        return None  # "00万元": the tail of a number cut by a line break ("5\n00万元")
    number = read_number(norm, m)
    if number.chinese and norm.startswith("几", number.end):
        return None
    value, value_max, pos = read_range(norm, number)
    if m.group("pct"):
        unit = PER_PART[m.group("pct")]
        if m.group("neg"):
            value = -value  # "百分之负三点八"
        return finish(text, norm, m.start(), pos, value, value_max, unit, "percent", number, floor)
    unit_m = P.UNIT.match(norm, pos)
    if unit_m is None:
        return read_unitless(text, norm, m, number, value, value_max, floor)
    word = unit_m.group("unit")
    spec = P.UNITS[word] or index_point(norm, number, unit_m)
    if spec is None and number.has_magnitude and P.UNITS.get(word[0]) is not None:
        return read_unitless(text, norm, m, number, value, value_max, floor)  # "1.5亿|注册用户"
    if spec is None:
        return None
    unit, kind = spec
    start, end = m.start(), unit_m.end()
    if word in P.CENT_UNITS:
        value, value_max = value / 100, value_max / 100 if value_max is not None else None
    cents = P.CENTS.match(norm, end) if word in ("元", "块", "蚊") else None
    if word in ("块", "蚊") and cents is not None and cents.end() == end:
        cents = P.KUAI_CENTS.match(norm, end) or cents  # "三块零四", "三块四"
    if word == "块" and (cents is not None and cents.end() > end or value % 1):
        unit, kind = "CNY", "money"  # "十块三毛", "3.04块" (pieces are whole)
    if word == "元" and (
        cur := P.CURRENCY_WORD_BEFORE.search(norm, max(0, m.start() - 6), m.start())
    ):
        code = (P.UNITS[cur.group("word")] or (unit,))[0]  # "港币3.14元" is in HKD
        if code != unit and cur.start() >= floor:
            unit, start = code, cur.start()
    if kind == "count" and number.high is not None and number.high < 10:
        return None  # "两三个村": too vague to count ("七八英镑", "三四百人" are figures)
    if kind == "count":
        counted = count_unit(norm, m.start(), unit_m, number)
        if counted is None:
            return None
        unit = counted
    elif value_max is None and not number_allowed(
        number, kind, _bounded(norm, m.start(), end), word
    ):
        if not (cents is not None and cents.end() > end):
            return None
    if cents is not None and cents.end() > end and value_max is None:
        value, end = value + read_cents(cents), cents.end()
    if kind in P.PHYSICAL_KINDS and P.CONCENTRATION_AFTER.match(norm, end):
        return None  # "35微克/立方米": a concentration, not an amount (prices stay money)
    if value_max is None and (upper := read_unit_range(norm, number, unit_m)) is not None:
        value_max, end = upper
    elif value_max is None and kind not in ("count", "percent", "percent_point"):
        if (more := P.UNIT_APPROX.match(norm, end)) is not None:
            end, number = more.end(), replace(number, approx=True)  # "1米多"
        elif kind != "money" and (half := P.UNIT_HALF.match(norm, end)) is not None:
            value, end = value + Decimal("0.5"), half.end()  # "两米半"
    elif value_max is None and kind == "percent" and (more := P.PERCENT_APPROX.match(norm, end)):
        end, number = more.end(), replace(number, approx=True)  # "14%多，"
    return finish(text, norm, start, end, value, value_max, unit, kind, number, floor)


def index_point(norm: str, number: Number, unit_m: re.Match[str]) -> tuple[str, str] | None:
    """An index level in 点 ("3686.92点", "下跌225.85点"); a clock time is below 100 ("8点")."""
    if unit_m.group("unit") != "点" or number.chinese or number.value < 100:
        return None
    return ("point", "other") if P.INDEX_POINT.match(norm, unit_m.start("unit")) else None


def read_cents(cents: re.Match[str]) -> Decimal:
    """The 角 and 分 after 元 or 块: "6角三分" → 0.63, "三毛" → 0.3."""
    jiao, fen = cents.group("jiao"), cents.group("fen")
    value = Decimal(0)
    if jiao is not None:
        value += Decimal(int(jiao) if jiao.isdigit() else parse_chinese(jiao)) / 10
    if fen is not None:
        value += Decimal(int(fen) if fen.isdigit() else parse_chinese(fen)) / 100
    return value


def read_unit_range(norm: str, first: Number, unit_m: re.Match[str]) -> tuple[Decimal, int] | None:
    """The upper end of a range that repeats its unit: "2000元至4000元" → (4000, end)."""
    sep = P.RANGE_SEP.match(norm, unit_m.end())
    if sep is None or sep.group().startswith("%"):
        return None
    m = P.NUMERAL.match(norm, sep.end())
    if m is None or m.group("pct") or bool(m.group("cn")) != bool(first.chinese):
        return None
    try:
        second = read_number(norm, m)
    except NumeralError:
        return None
    unit2 = P.UNIT.match(norm, second.end)
    if unit2 is None or unit2.group("unit") != unit_m.group("unit") or second.value <= first.value:
        return None
    return second.value, unit2.end()


def read_range(norm: str, number: Number) -> tuple[Decimal, Decimal | None, int]:
    """(low, high, end) for "2000至4000元", "2-6万元" (the magnitude covers both ends);
    (value, None, end of number) when no range follows."""
    if number.high is not None:
        return number.value, number.high, number.end  # "七八十万"
    second = read_range_end(norm, number)
    unit_m = P.UNIT.match(norm, second.end) if second is not None else None
    if second is None or unit_m is None:
        return number.value, None, number.end
    # "增长35.7%至35.9亿元" is a growth rate and a total, not a range
    if norm.startswith("%", number.end) and unit_m.group("unit") != "%":
        return number.value, None, number.end
    low = number.value
    if not number.has_magnitude and second.has_magnitude:
        low = number.value * _range_magnitude(norm, second)
        if low >= second.value > number.value:
            low = number.value  # "从8500到3万港元": the magnitude is the upper end's own
    if second.value <= low:
        return number.value, None, number.end
    return low, second.value, second.end


def _range_magnitude(norm: str, second: Number) -> Decimal:
    """The magnitude written on a range's upper end: "6万" → 10000, "五万" → 10000."""
    if second.chinese:
        head = second.chinese.rstrip("万亿")
        return parse_magnitude(second.chinese[len(head) :] or "") if head else Decimal(1)
    digits = P.NUMERAL.match(norm, second.start)
    written = parse_arabic(digits.group("ar")) if digits and digits.group("ar") else Decimal(0)
    return second.value / written if written else Decimal(1)


def read_unitless(
    text: str,
    norm: str,
    m: re.Match[str],
    number: Number,
    value: Decimal,
    value_max: Decimal | None,
    floor: int,
) -> Figure | None:
    """No unit: a currency before it ("￥300", "港币3.14"), a 成 percentage ("六成"), a
    magnitude count before a noun ("2.5亿用户") or an amount in 万/亿 in money words."""
    symbol = P.CURRENCY_SYMBOLS.get(norm[m.start() - 1 : m.start()]) if m.start() else None
    start = m.start() - 1
    word = P.CURRENCY_WORD_BEFORE.search(norm, max(0, m.start() - 6), m.start())
    if symbol is None and word is not None and not number.small:
        code = P.UNITS[word.group("word")]
        symbol, start = (code[0] if code else None), word.start()
    if symbol is not None and (
        letters := P.DOLLAR_PREFIX.search(norm, max(0, m.start() - 4), m.start())
    ):
        symbol, start = P.DOLLARS.get(letters.group("letters").upper()), letters.start()
        if symbol is None:
            return None  # "XY$5": a dollar we cannot name
    if symbol is not None and (not number.chinese or word is not None) and start >= floor:
        return finish(
            text, norm, start, number.end, value, value_max, symbol, "money", number, floor
        )
    if not number.has_magnitude and not number.approx:
        return read_cheng(text, norm, m, number, value, floor)
    if not number.has_magnitude or (
        number.bare and not number.approx and not _prefix(norm, m.start())
    ):
        return None  # a bare 亿 needs its bound word: "上亿用户" (or 余/多: "百余亿")
    unit = noun_after(norm, number.end, 8, max_gap=4, units=PEOPLE_UNITS)
    if unit is None:
        suffix = P.SUFFIX_BOUND.match(norm, number.end)
        tail = suffix.end() if suffix is not None else number.end
        before = noun_just_before(norm, m.start()) if P.PHRASE_END.match(norm, tail) else None
        unit = P.NOUNS[before.group("noun")] if before is not None else None
    if unit in PEOPLE_UNITS:
        return finish(
            text, norm, m.start(), number.end, value, value_max, unit, "count", number, floor
        )
    if money_before(norm, m.start()) or P.MONEY_AFTER.match(norm, number.end):
        return finish(
            text, norm, m.start(), number.end, value, value_max, "CNY", "money", number, floor
        )
    if P.COUNT_WORD_BEFORE.search(norm, max(0, m.start() - 6), m.start()):
        return None  # "用户数达3亿": a count of something unnamed
    return finish(text, norm, m.start(), number.end, value, value_max, "", PENDING, number, floor)


def resolve_pending(norm: str, figures: list[Figure]) -> list[Figure]:
    """An amount in 万/亿 with no unit takes the unit of the nearest figure in 万/亿 of its
    sentence ("26.3亿、88.9亿元", "面积211.28万平米，…1621.45万"); with none it is dropped."""
    out: list[Figure] = []
    for i, fig in enumerate(figures):
        if fig.kind != PENDING:
            out.append(fig)
            continue
        near = [
            other
            for other in figures[max(0, i - 3) : i] + figures[i + 1 : i + 4]
            if other.kind in INHERITABLE
            and P.MAGNITUDE_WORD.search(other.text)
            and same_sentence(norm, fig, other)
        ]
        if near:
            nearest = min(near, key=lambda o: abs(o.start - fig.start))
            out.append(replace(fig, unit=nearest.unit, kind=nearest.kind))
    return out


def same_sentence(norm: str, a: Figure, b: Figure) -> bool:
    """Two figures within 60 characters with no sentence end between them."""
    lo, hi = (a.end, b.start) if a.start < b.start else (b.end, a.start)
    return hi - lo <= 60 and P.SENTENCE_END.search(norm, lo, hi) is None


def read_cheng(
    text: str, norm: str, m: re.Match[str], number: Number, value: Decimal, floor: int
) -> Figure | None:
    """A percentage in tenths: "六成" → 60, "八成五" → 85, "三成半" → 35, "2成多" → over 20."""
    cheng = P.CHENG.match(norm, number.end)
    if cheng is None or not 0 < value <= 10 or (number.chinese and number.bare):
        return None
    tenth = cheng.group("tenth")
    pct = value * 10 + (parse_chinese(tenth) if tenth else 5 if cheng.group("half") else 0)
    high = number.high * 10 if number.high is not None else None  # "七八成"
    if number.chinese == "一" and not _prefix(norm, m.start()):
        return None
    if cheng.group("more"):
        number = replace(number, approx=True)
    return finish(
        text, norm, m.start(), cheng.end(), pct, high, "percent", "percent", number, floor
    )


def noun_after(
    norm: str, pos: int, limit: int, max_gap: int, units: frozenset[str] | None = None
) -> str | None:
    """Unit of the first counted noun in the phrase after `pos`: 个定点扶贫县 → county."""
    stop = P.PHRASE_STOP.search(norm, pos, min(len(norm), pos + limit))
    end = stop.start() if stop is not None else min(len(norm), pos + limit)
    for noun in P.NOUN.finditer(norm, pos, end):
        unit = P.NOUNS[noun.group()]
        if unit is not None and (units is None or unit in units):
            return unit if noun.start() - pos <= max_gap else None
    return None


def money_before(norm: str, start: int) -> bool:
    """A money word just before the number or its bound word: 投入资金超|3.2亿."""
    prefix = _prefix(norm, start)
    end = prefix.start() if prefix is not None else start
    return P.MONEY_BEFORE.search(norm, max(0, end - 14), end) is not None


def noun_just_before(norm: str, start: int) -> re.Match[str] | None:
    """The noun ending right before the number or its bound word: 用户超过|1.2亿."""
    prefix = _prefix(norm, start)
    end = prefix.start() if prefix is not None else start
    return P.NOUN_JUST_BEFORE.search(norm, max(0, end - 5), end)


def number_allowed(number: Number, kind: str, bounded: object, word: str = "") -> bool:
    """Chinese numerals need care: "二元结构", "一元化", "万元户" and bare "千亩" are not figures
    (a bare magnitude with a bound word is: "上亿元", "近亿元"; "七元", "两美元" are)."""
    if not number.chinese:
        return True
    if number.small and kind == "money" and word == "元" and number.chinese in "一二三":
        return False
    return bool(bounded) or number.approx or not (number.bare and len(number.chinese) == 1)


def count_unit(norm: str, start: int, unit_m: re.Match[str], number: Number) -> str | None:
    """Canonical unit of a count from its measure word and counted noun (None: not a count)."""
    measure, end = unit_m.group("unit"), unit_m.end()
    generic = P.UNITS[measure][0]  # type: ignore[index]
    if P.DURATION_AFTER.match(norm, end) or norm.startswith(measure, end):
        return None
    if number.bare and not number.approx and not _prefix(norm, start):
        return None
    if not number.has_magnitude and number.value != number.value.to_integral_value():
        return None  # "2.2本计划": a section number, not 2.2 books
    if not number.chinese and P.LATIN_WORD_BEFORE.search(norm, max(0, start - 2), start):
        return None
    if measure in ("名", "位") and (
        P.RANK_BEFORE.search(norm, max(0, start - 16), start) or P.RANK_AFTER.match(norm, end)
    ):
        return None  # "名列17-32名", "排名前3位", "17-32名排位赛": ranks
    noun = None
    if measure in REFINABLE:
        noun = noun_after(norm, end, 12, max_gap=4 if number.small else 12)
    if number.small and (
        number.chinese == "二" or not (noun or measure in SELF_COUNTING or measure in SPECIFIC)
    ):
        return None  # "两个确保" is a slogan; "两栋塔楼", "三部电梯" are counts
    if not ordinal_ok(norm, start, end, measure, number):
        return None
    if noun is not None and fits(measure, noun):
        return noun
    if measure in REFINABLE and P.PHRASE_END.match(norm, end):
        before = P.NOUN_BEFORE.search(norm, max(0, start - 10), start)
        unit = P.NOUNS[before.group("noun")] if before is not None else None
        if unit is not None and fits(measure, unit):
            return unit
    if measure in ("名", "位") and norm[max(0, start - 1) : start] == "前":
        return None
    return generic


def ordinal_ok(norm: str, start: int, end: int, measure: str, number: Number) -> bool:
    """层, 届 and 本 are counts only where they cannot be a position, a session or "this":
    "32层的大厦" but not "位于12层"; "12届宏志班" but not "十三届全国人大", "2019届"; "16本书"."""
    if measure == "层":
        return not P.ORDINAL_PLACE_BEFORE.search(norm, max(0, start - 2), start)
    if measure == "届":
        return not number.chinese and number.value < 1000 and not P.SESSION_AFTER.match(norm, end)
    if measure == "本":
        return not P.NOT_BOOK_AFTER.match(norm, end)
    return True


def fits(measure: str, unit: str) -> bool:
    """Whether a measure word can count a noun's unit: 件/台/套 never count people (诉求3.2万件)."""
    return unit not in PEOPLE_UNITS or measure in PEOPLE_MEASURES


def _bounded(norm: str, start: int, end: int) -> bool:
    """A bound word before the number or after its unit: "近|亿元", "千元|左右"."""
    return _prefix(norm, start) is not None or P.SUFFIX_BOUND.match(norm, end) is not None


def _prefix(norm: str, start: int) -> re.Match[str] | None:
    """The bound word written right before `start`: 超, 近, 约占…"""
    return P.PREFIX_BOUND.search(norm, max(0, start - 7), start)


def finish(
    text: str,
    norm: str,
    start: int,
    end: int,
    value: Decimal,
    value_max: Decimal | None,
    unit: str,
    kind: str,
    number: Number,
    floor: int,
) -> Figure | None:
    """Attach bound words, check idioms, and build the Figure."""
    prefix = _prefix(norm, start)
    if prefix is not None and prefix.group("word") == "上" and not number.bare:
        prefix = None
    if prefix is not None and prefix.group("word") == "跌破" and kind == "other":
        prefix = None  # "跌破4100点": an index crossing a level, which it names exactly
    if prefix is not None and prefix.start() < floor:
        prefix = None
    suffix = P.SUFFIX_BOUND.match(norm, end)
    if number.bare and kind == "count" and prefix is None and not number.approx:
        return None
    if number.chinese and in_idiom(norm, start, end):
        return None
    if value_max is not None:
        qualifier = "range"
    elif prefix is not None:
        qualifier = P.PREFIX_QUALIFIER[prefix.group("word")]
    elif suffix is not None:
        qualifier = P.SUFFIX_QUALIFIER[suffix.group()]
    elif number.about:
        qualifier = "about"
    else:
        qualifier = "over" if number.approx else "exact"
    span_start = prefix.start() if prefix is not None else start
    span_end = suffix.end() if suffix is not None else end
    return Figure(
        text=text[span_start:span_end],
        start=span_start,
        end=span_end,
        value=exact(value),
        unit=unit,
        kind=kind,
        qualifier=qualifier,
        value_max=exact(value_max) if value_max is not None else None,
        cumulative=is_cumulative(norm, span_start),
    )


def in_idiom(norm: str, start: int, end: int) -> bool:
    """True when the numeral sits inside an idiom or name: 千家万户, 三位一体, 十三五."""
    for idiom in P.IDIOM.finditer(norm, max(0, start - 7), min(len(norm), end + 7)):
        if idiom.start() < end and start < idiom.end():
            return True
    return False


def is_cumulative(norm: str, start: int) -> bool:
    """A running-total cue (flags.CUMULATIVE, the one home of the rule) earlier in the
    clause, parentheticals skipped: 累计投入…超5亿元."""
    window = norm[max(0, start - 80) : start]
    window = P.PARENTHETICAL.sub("", window)
    breaks = [b.end() for b in P.CLAUSE_BREAK.finditer(window)]
    clause = window[breaks[-1] :] if breaks else window
    return CUMULATIVE.search(clause) is not None


def share_qualifiers(figures: list[Figure]) -> list[Figure]:
    """A leading bound word covers the figure written right after: 约350户800人 → both about."""
    out: list[Figure] = []
    for fig in figures:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.end == fig.start
            and fig.qualifier == "exact"
            and prev.qualifier in ("about", "over", "under")
            and P.LEADING_BOUND.match(prev.text)
        ):
            fig = replace(fig, qualifier=prev.qualifier)
        out.append(fig)
    return out
