"""Turn an already isolated numeral span into an exact Decimal.

Handles Arabic digits (with thousands separators and decimals), Chinese numerals
(四千二百万, 二百六十五, 十二点五), financial numerals (叁拾万, 壹仟贰佰) and magnitude
suffixes (万, 亿, 万亿, 千万). Arithmetic is exact: 16.4亿 is 1640000000.
Failures raise NumeralError; nothing here returns None.
"""

from __future__ import annotations

import re
from decimal import Decimal

from aidetl.errors import ExtractError

# Full-width digits and punctuation map one-to-one onto ASCII, so offsets survive.
FULLWIDTH = str.maketrans("０１２３４５６７８９．％～－", "0123456789.%~-")

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000, "兆": 10**12}
FULLWIDTH_CHAR = re.compile("[０-９．％～－]")  # "８００万元", "１５．８％"

# Traditional characters the figure grammar reads, each mapped to its simplified form one for
# one (offsets unchanged): numerals, magnitudes, units, currencies, bound words, counted nouns.
# 圆/圓 (the formal yuan of 壹佰圆整) read as 元.
_TRADITIONAL = (
    "萬億兩貳參叄陸圓圆個幣臺點餘約過達對為將這來時間戶畝噸釐裡裏節頃項條張輛隻場屆層棟筆處門員"
    "區縣鄉鎮級學師醫園業產資費額貸贈籌銷購買獲淨營總計積預補貼幫貧農會歲週號鐘頭種類樣數幾現錢"
    "塊歐鎊韓盧銖價漲證務實際經濟發雙單車規綫線網絡電話碼與於們億萬億啟設備擁機構萬僅幾無減續"
    "虧損賺稅銀險賣藥療護據統齡壽災賑衛養殘勞動職崗訓練課獎負債擔撥給獻貢賠償罰斷"
)
_SIMPLIFIED = (
    "万亿两贰叁叁陆元元个币台点余约过达对为将这来时间户亩吨厘里里节顷项条张辆只场届层栋笔处门员"
    "区县乡镇级学师医园业产资费额贷赠筹销购买获净营总计积预补贴帮贫农会岁周号钟头种类样数几现钱"
    "块欧镑韩卢铢价涨证务实际经济发双单车规线线网络电话码与于们亿万亿启设备拥机构万仅几无减续"
    "亏损赚税银险卖药疗护据统龄寿灾赈卫养残劳动职岗训练课奖负债担拨给献贡赔偿罚断"
)
TRADITIONAL = str.maketrans(_TRADITIONAL, _SIMPLIFIED)
TRADITIONAL_CHAR = re.compile(f"[{_TRADITIONAL}]")  # "投入資金1.2億元", "港幣3.14"
MAX_NUMERAL_CHARS = 24  # longer runs are not numbers anyone writes


class NumeralError(ExtractError):
    """A span that looked numeric but is not a well-formed number."""


def normalize(text: str) -> str:
    """Full-width digits and marks to ASCII and the traditional characters the grammar reads
    to simplified ones, one character for one (offsets unchanged)."""
    if FULLWIDTH_CHAR.search(text) is not None:
        text = FULLWIDTH_CHAR.sub(_to_ascii, text)
    if TRADITIONAL_CHAR.search(text) is not None:
        text = TRADITIONAL_CHAR.sub(_to_simplified, text)  # only the matches: fast on 1 MB
    return text


def _to_simplified(m: re.Match[str]) -> str:
    return m.group().translate(TRADITIONAL)


def _to_ascii(m: re.Match[str]) -> str:
    return m.group().translate(FULLWIDTH)


def exact(value: Decimal) -> Decimal:
    """Drop exponent noise: integral values become plain integers."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def parse_magnitude(mag: str) -> Decimal:
    """Product of magnitude characters: 万 → 10000, 万亿 → 10^12, 千万 → 10^7."""
    result = 1
    for ch in mag:
        unit = SMALL_UNITS.get(ch) or BIG_UNITS.get(ch)
        if unit is None:
            raise NumeralError(f"not a magnitude: {mag!r}")
        result *= unit
    return Decimal(result)


def parse_arabic(digits: str) -> Decimal:
    """'2,480' → 2480, '1.13' → 1.13 (ASCII digits after normalize())."""
    cleaned = digits.replace(",", "")
    if not cleaned or len(cleaned) > 20:
        raise NumeralError(f"bad digits: {digits!r}")
    return Decimal(cleaned)


def _parse_section(chars: str, last: bool = False) -> int:
    """A numeral below 10000 (or with 万/亿 handled by the caller): 二百六十五 → 265; the
    `last` section of a numeral reads a spoken trailing digit: 三百五 → 350."""
    total = 0
    digit: int | None = None
    last_unit = 100_000
    zero_seen = False
    for ch in chars:
        if ch in DIGITS:
            if digit is not None and not zero_seen:
                raise NumeralError(f"digit sequence: {chars!r}")
            d = DIGITS[ch]
            zero_seen = d == 0
            digit = None if d == 0 else d
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_unit:
                raise NumeralError(f"unit order: {chars!r}")
            if digit is None and (total or zero_seen):
                raise NumeralError(f"unit without digit: {chars!r}")
            total += (1 if digit is None else digit) * unit
            last_unit, digit, zero_seen = unit, None, False
        else:
            raise NumeralError(f"not a numeral: {chars!r}")
    if last and digit is not None and chars[-2:-1] in SMALL_UNITS and last_unit >= 100:
        return total + digit * last_unit // 10  # spoken "三百五" is 350, "四千二" 4200
    return total + (digit or 0)


def parse_chinese(chars: str) -> Decimal:
    """'四千二百万' → 42000000, '叁拾万' → 300000, '十二点五' → 12.5, '千亿' → 10^11."""
    if not chars or len(chars) > MAX_NUMERAL_CHARS:
        raise NumeralError(f"bad numeral length: {chars!r}")
    if "点" in chars:
        return _parse_decimal(chars)
    total = 0  # everything already scaled by 亿
    pending = 0  # the part below 亿, already scaled by 万
    section = ""
    seen_yi = seen_wan = False
    for ch in chars:
        if ch == "亿":
            value = pending + (_parse_section(section) if section else 0)
            if seen_yi and value == 0 and not section:
                raise NumeralError(f"repeated 亿: {chars!r}")
            total = (total + (value or 1)) * 100_000_000
            pending, section, seen_yi, seen_wan = 0, "", True, False
        elif ch == "万":
            if seen_wan:
                raise NumeralError(f"repeated 万: {chars!r}")
            value = _parse_section(section) if section else 1
            pending += value * 10_000
            section, seen_wan = "", True
        else:
            section += ch
    rest = _parse_section(section, last=True) if section else 0
    if len(section) == 1 and len(chars) > 1 and rest and chars[-2] in BIG_UNITS:
        rest *= BIG_UNITS[chars[-2]] // 10  # spoken "一万五" is 15000, "三亿五" 350000000
    return Decimal(total + pending + rest)


def _parse_decimal(chars: str) -> Decimal:
    """'十二点五' → 12.5, '一点五亿' → 150000000 (the point ends the integer part)."""
    head, _, tail = chars.partition("点")
    mag_at = len(tail)
    while mag_at and tail[mag_at - 1] in BIG_UNITS:
        mag_at -= 1
    frac, mag = tail[:mag_at], tail[mag_at:]
    if not head or not frac or any(ch not in DIGITS for ch in frac):
        raise NumeralError(f"bad decimal numeral: {chars!r}")
    whole = parse_chinese(head)  # "拾万零五十六点叁叁": the whole part may hold 万
    fraction = Decimal("0." + "".join(str(DIGITS[ch]) for ch in frac))
    return (Decimal(whole) + fraction) * (parse_magnitude(mag) if mag else 1)


def to_number(span: str) -> Decimal:
    """Any isolated numeral span (Arabic, Chinese, or digits with 万/亿) to an exact Decimal."""
    span = normalize(span).strip()
    head = span.rstrip("百千万亿")
    if head and head[0].isdigit():
        mag = span[len(head) :]
        value = parse_arabic(head) * (parse_magnitude(mag) if mag else 1)
    else:
        value = parse_chinese(span)
    return exact(value)
