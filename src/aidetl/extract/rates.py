"""Rates and prices: what a figure is per (0.328元/千瓦时 → kWh, 人均 → person, 每亩 → mu).

A figure with a `per` is not an amount: it is never added into a total. The text says it in
one of four ways: a slash after the figure (8500元/平方米, 10.05元/股), 每 + a measure word
before it in its clause (每年奖励9名教师, 每人5000元, 每亩平均能产3吨), a per-head or
per-period word (人均, 户均, 年薪, 月薪, 年产, 工资), or a figure of one unit earlier in the
clause that the figure is measured against (1平方米的产值480元, 一亩地的收益增加了上千元).
"""

from __future__ import annotations

import re

# what a measure word or noun after 每 or a slash counts, canonical
PER_UNITS = {
    "千瓦时": "kWh",
    "度": "kWh",
    "kWh": "kWh",
    "兆瓦时": "MWh",
    "MWh": "MWh",
    "平方米": "m2",
    "平米": "m2",
    "㎡": "m2",
    "平方公里": "km2",
    "亩": "mu",
    "公顷": "hectare",
    "公斤": "kg",
    "千克": "kg",
    "kg": "kg",
    "斤": "jin",
    "吨": "ton",
    "克": "g",
    "公里": "km",
    "千米": "km",
    "米": "m",
    "立方米": "m3",
    "股": "share",
    "人": "person",
    "名": "person",
    "位": "person",
    "人次": "person_time",
    "户": "household",
    "家": "household",
    "年": "year",
    "月": "month",
    "个月": "month",
    "周": "week",
    "星期": "week",
    "天": "day",
    "日": "day",
    "小时": "hour",
    "次": "time",
    "台": "device",
    "辆": "vehicle",
    "件": "item",
    "个": "item",
    "只": "item",
    "条": "item",
    "套": "set",
    "张": "item",
    "株": "plant",
    "棵": "plant",
    "粒": "grain",
    "头": "head",
    "栋": "building",
    "栋楼": "building",
    "间": "room",
    "所": "institution",
    "桶": "barrel",
    "盎司": "ounce",
    "晚": "night",
    "间夜": "room_night",
}
_PER_ALT = "|".join(sorted(map(re.escape, PER_UNITS), key=len, reverse=True))
# a slash right after the figure: 8500元／平方米, 10.05元/股, 2.4-2.8万元/平米
SLASH_AFTER = re.compile(rf"\s?[/／]\s?(?:每)?(?P<unit>{_PER_ALT})")
# 每 + measure word before the figure in its clause: 每年, 每个月, 每亩, 每人, 每栋楼
EACH = re.compile(rf"每(?:一|个)?(?P<unit>{_PER_ALT})")
# per-head and per-period words: 人均收入, 户均, 年薪, 月薪, 年产, 日均, 工资 (a month's pay)
PER_WORD = re.compile(
    r"(?P<person>人均)|(?P<household>户均)|(?P<mu>亩均|亩产)|(?P<day>日均)"
    r"|(?P<year>年薪|年产|年均|年租金|年化|年息|年利率)|(?P<month>月薪|月均|月息|月利率|月租|月末|工资)"
    r"|(?P<share>收盘于|收盘价|股价|每股)"
)
# one unit named before the figure in its clause: "1平方米的产值", "一亩地的收益", "1平方米可以"
ONE_UNIT = re.compile(rf"(?:1|一)(?P<unit>{_PER_ALT})(?:地|楼)?(?:的|可以|可|能)")
# words between 每X and the figure that end the 每 phrase: 每年都有…, but not 每个…的…，
EACH_GAP = re.compile(r"[^，。；！？,;]{0,16}$")


def per_of(text: str, clause_start: int, fig_start: int, fig_end: int, kind: str) -> str | None:
    """What the figure at text[fig_start:fig_end] is per, or None for an amount."""
    slash = SLASH_AFTER.match(text, fig_end)
    if slash is not None:
        return PER_UNITS[slash.group("unit")]
    if kind not in ("money", "count", "weight", "area", "length", "volume", "energy", "percent"):
        return None
    before = text[clause_start:fig_start]
    each = None
    for m in EACH.finditer(before):
        each = m
    if each is not None and EACH_GAP.match(before, each.end()):
        return PER_UNITS[each.group("unit")]
    word = None
    for m in PER_WORD.finditer(before):
        word = m
    if word is not None and (kind != "percent" or word.lastgroup in ("year", "month")):
        return word.lastgroup
    one = ONE_UNIT.search(before)
    if one is not None and kind in ("money", "count", "weight"):
        return PER_UNITS[one.group("unit")]
    return None
