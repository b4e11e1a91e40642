"""The metric vocabulary: what a figure measures, from the words that govern it.

Each metric has the figure kinds it can describe (money metrics never label a count) and
the Chinese words that signal it. A keyword before the figure in its clause wins when it is
the nearest compatible one ("投入扶贫专项捐赠资金超5亿元": 捐赠资金 is nearer than 投入); a
verb after the figure counts when nothing before it does ("28247名贫困人口顺利脱贫").
docs/metrics.md documents the vocabulary; keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from aidetl.extract.alternation import behind_first_characters
from aidetl.models import Figure

MONEY = frozenset({"money"})
PERCENT = frozenset({"percent"})
POINTS = frozenset({"percent", "percent_point"})  # 下降2个百分点
COUNT = frozenset({"count"})
LENGTH = frozenset({"length"})


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    kinds: frozenset[str]
    before: str  # regex alternation of words that precede the figure
    after: str = ""  # regex alternation of words that follow it (verb after the figure)
    units: frozenset[str] = frozenset()  # counts it may describe: only these units (empty: any)


PEOPLE = frozenset({"person", "household", "person_time"})

VOCABULARY: tuple[Metric, ...] = (
    Metric(
        "donation",
        MONEY,
        "捐赠资金|捐赠|捐款|捐助|捐资|捐献|捐建|捐出|捐给|无偿帮扶资金|无偿帮扶|无偿援助|无偿|帮扶资金"
        "|援助资金|援建资金|资助",
        "的?(?:捐款|捐赠|善款|帮扶资金)|[^，,。；;]{0,6}?捐(?:出|给|赠|献)",
    ),
    Metric("fundraising", MONEY, "筹集|募集|募捐|筹措|筹款|募得|众筹"),
    Metric("procurement", MONEY, "采购|购买|认购|采买|收购|消费扶贫|购销"),
    Metric(
        "sales",
        MONEY | COUNT,
        "销售额|销售|销售收入|零售额|零售|营业额|卖出|售出|带货|成交额|交易额|销量",
        "的?销售(?:目标|量|额)",
        frozenset({"vehicle", "device", "set", "product", "item"}),
    ),
    Metric("discount", MONEY, "让利|优惠|减免|降费|减收"),
    Metric("subsidy", MONEY, "补贴|补助|奖补|贴息|奖励资金|救助金|慰问金"),
    Metric(
        "loan",
        MONEY,
        "贷款(?!利息|利率|贴息)|放贷|信贷|授信|借款|融资",
        "[^，,。；;]{0,4}?(?:借给|借出|贷给)",
    ),
    Metric(
        "income",
        MONEY,
        "收入|增收|工资|分红|薪酬|营收|收益|年薪|月薪",
        "的?(?:租赁|投资|经营)?(?:收益|收入)",
    ),
    Metric(
        "investment",
        MONEY,
        "投资|投入|注资|出资|拨付|下达|安排资金|建设资金|项目资金|耗资|斥资",
        "的?(?:风险|战略|股权)?(?:投资|投入|建设资金|注资)|(?:的?资金)?[^，,。；;]{0,6}?(?:投入|投资)",
    ),
    Metric("participation_rate", PERCENT, "参与面|参与率|参保率|参合率|参与度|覆盖人群"),
    Metric(
        "coverage_rate",
        PERCENT,
        "覆盖率|通达率|普及率|覆盖面|通车率|通电率|通网率|入户率|到户率|接入率|联网率|覆盖|通达",
        "(?:以上|左右)?[^，,。；;（(]{0,10}?(?:到户|入户|覆盖|通达|通网|通宽带|通光纤|通4G"
        "|通了?(?:光纤|宽带|网络|4G|5G|电|水|公路|硬化路))",
    ),
    Metric("poverty_rate", POINTS, "贫困发生率|发生率"),
    Metric("enrollment_rate", PERCENT, "入学率|巩固率"),
    Metric(
        "growth_rate",
        POINTS,
        "同比增长|增长(?![到至])|增幅|增速|增长率|提高(?![到至])|提升(?![到至])|上升(?![到至])"
        "|下降(?![到至])|减少(?![到至])(?!贫困)(?!农村贫困)|降幅|增加幅度|减幅|下滑(?![到至])",
        "的?(?:同比|环比)?(?:增长率|增速|增幅)",
    ),
    Metric(
        "lifted_out_of_poverty",
        COUNT,
        "实现脱贫|脱贫人口|脱贫|摘帽|出列|减贫|减少(?:农村)?贫困人口|退出贫困",
        "[^，,。；;的（(中有]{0,20}?(?:脱贫|摘帽|出列|退出)",
        frozenset({"person", "household", "village", "county", "township", "item"}),
    ),
    Metric(
        "jobs_created",
        COUNT,
        "就业岗位|工作岗位|岗位|带动就业|解决就业|实现就业|就业",
        "[^，,。；;的（(]{0,10}?(?:实现|稳定|转移)?就业",
        frozenset({"person", "job", "person_time"}),
    ),
    Metric(
        "trained",
        COUNT,
        "培训",
        "[^，,。；;的（(]{0,8}?(?:参加|接受)[^，,。；;]{0,4}培训",
        frozenset({"person", "person_time", "times", "event"}),
    ),
    Metric(
        "relocated",
        COUNT,
        "易地扶贫搬迁|搬迁|安置",
        "[^，,。；;的（(]{0,10}?(?:搬迁|搬出|安置)",
        PEOPLE,
    ),
    Metric("built", LENGTH, "建成|修建|新建|硬化|铺设|改造|架设|敷设"),
)
BY_NAME = {m.name: m for m in VOCABULARY}

# One scan finds every keyword before a figure: one named group per metric, each metric's
# words longest first (捐赠资金 beats 捐赠); a word may carry a lookahead (提高 but not 提高到).
# (behind a lookahead for the words' first characters: named groups get no fast skip)
KEYWORD_BODY = "|".join(
    f"(?P<{m.name}>" + "|".join(sorted(m.before.split("|"), key=len, reverse=True)) + ")"
    for m in VOCABULARY
)
KEYWORD = re.compile(
    behind_first_characters(
        KEYWORD_BODY, "".join(word[0] for m in VOCABULARY for word in m.before.split("|"))
    )
)
# After the figure: "28247名贫困人口顺利脱贫", "70%以上光纤到户"
AFTER = tuple((m, re.compile(m.after)) for m in VOCABULARY if m.after)


def compatible(metric: Metric, kind: str, unit: str) -> bool:
    """Whether a metric can describe a figure of this kind (and, for counts, this unit)."""
    if kind not in metric.kinds:
        return False
    return kind != "count" or not metric.units or unit in metric.units


# a rate named in the clause wins over a change verb nearer the figure:
# "贫困发生率下降6.3个百分点" is the poverty rate's fall, not a growth rate
RATE_NOUNS = frozenset({"poverty_rate", "coverage_rate", "enrollment_rate", "participation_rate"})
CHANGE_VERB = re.compile(r"上升|下降|减少|下滑|降幅|减幅")
# a share between a growth word and the figure: the figure is the share
SHARE = re.compile(r"占")


@lru_cache(maxsize=512)
def _fitting(kind: str, unit: str) -> frozenset[str]:
    """Names of the metrics compatible with a figure of this kind and unit (asked per
    keyword and per figure, answered once)."""
    return frozenset(m.name for m in VOCABULARY if compatible(m, kind, unit))


@lru_cache(maxsize=512)
def _after_patterns(kind: str, unit: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The AFTER patterns, in order, of the metrics compatible with this kind and unit."""
    return tuple((m.name, pattern) for m, pattern in AFTER if compatible(m, kind, unit))


def metric_before(text: str, start: int, end: int, kind: str, unit: str) -> str | None:
    """The nearest compatible keyword in text[start:end] (the clause before the figure)."""
    fitting = _fitting(kind, unit)
    hits = [
        (h.lastgroup, h.group(), h.end())
        for h in KEYWORD.finditer(text, start, end)
        if h.lastgroup in fitting and not _quoted(text, start, h.start(), end)
    ]
    if not hits:
        return None
    name, word, stop = hits[-1]
    if name == "growth_rate" and SHARE.search(text, stop, end):
        return None  # “严重下滑”仅占6.5%: a share of the answers, not a growth rate
    if name == "growth_rate" and CHANGE_VERB.fullmatch(word):
        rates = [n for n, _, _ in hits if n in RATE_NOUNS]
        if rates:
            return rates[-1]
    return name


def _quoted(text: str, start: int, pos: int, end: int) -> bool:
    """True when `pos` sits in a short quotation closed before the figure at `end`: a quoted
    answer (“略有下滑的”占34.3%) names a survey choice, not what the figure measures."""
    opened = text.rfind("“", start, pos)
    closed = text.find("”", pos, end)
    return opened > text.rfind("”", start, pos) and closed >= 0 and closed - opened <= QUOTE_MAX


QUOTE_MAX = 12


def metric_after(text: str, start: int, end: int, kind: str, unit: str) -> str | None:
    """A governing verb or noun right after the figure (in text[start:end])."""
    for name, pattern in _after_patterns(kind, unit):
        if pattern.match(text, start, end):
            return name
    return None


def assign_metric(
    text: str,
    clause_start: int,
    fig_start: int,
    fig_end: int,
    clause_end: int,
    kind: str,
    unit: str,
) -> str | None:
    """The metric of one figure: keyword before it in the clause, else a verb after it."""
    return metric_before(text, clause_start, fig_start, kind, unit) or metric_after(
        text, fig_end, clause_end, kind, unit
    )


# a compared figure: 比2017年的|2073.5亿元, 较2013年的亏损额|661亿元, 同比去年的|412亿元
COMPARED_BEFORE = re.compile(r"(?:比|较|相比|同比)[^，,。；;]{0,8}的[^，,。；;\d]{0,4}$")


def metric_of_compared(
    text: str, previous: Figure | None, clause_start: int, fig: Figure
) -> str | None:
    """A figure compared with an earlier one of its sentence measures the same thing:
    "销售收入为2519.3亿元，比2017年的2073.5亿元" → both sales."""
    if previous is None or not COMPARED_BEFORE.search(
        text, max(clause_start, fig.start - 14), fig.start
    ):
        return None
    head = last_of(text, "，,；;。\n", previous.start) + 1
    return assign_metric(
        text, head, previous.start, previous.end, previous.end, previous.kind, previous.unit
    )


def last_of(text: str, chars: str, end: int) -> int:
    """The last index before `end` holding one of `chars`, else -1. Looks back in windows
    that double, so the cost is the distance to the mark, not to the start of the text."""
    lo, width = end, 64
    while lo > 0:
        lo = max(0, lo - width)
        found = max(text.rfind(c, lo, end) for c in chars)
        if found >= 0:
            return found
        width *= 2
    return -1
