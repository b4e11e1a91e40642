"""The yes/no judgements on a fact, each decided here once and stored: planned, cumulative,
summable. Views and the report read the stored columns; nothing re-derives them.

- **planned**: a target, plan or forecast. The cue may sit in an earlier clause of the
  sentence and still govern the figure: "预计到2025年末，…将达到…", "未来3年内，将…",
  "目标是…"; a clause that says what is already done (已, 目前, 实际) ends its reach.
- **cumulative**: a running total over a span: 累计, 共计, 先后, 近年来… in the figure's clause.
- **summable**: a money figure an analyst may add into its subject's total for its period —
  the subject's own flow, done, once. Not a rate or price (`per`), a target, a running total,
  a balance or stock (余额, 总资产, 市值, 估值), a market or industry size (市场规模, 成交额),
  a per-head average, a range, a span of years, a figure inside someone's quoted words, or a
  later mention of a figure the article already gave.
"""

from __future__ import annotations

import re

# planned, not done: 预计建成, 计划投资, 将投入, 拟安排, 力争实现, 目标是…
PLANNED = re.compile(
    r"预计|预期|决定|打算|准备|下一步|今后|计划(?!生育|书|单列)|拟(?:投|建|安排|新|实施|在|于|为|向|用|以)|力争|有望|目标|规划"
    r"|争取(?=在|于|实现|完成|达到|用|明年|今年|年底)|未来\d*[一二三四五六七八九十两]*年"
    r"|将(?:在|于|再|新|投入|投资|建成|建设|达到|实现|完成|新增|带动|帮助|为|向|继续|累计|陆续|全面"
    r"|提供|捐赠|采购|安排|发放|培训|惠及|覆盖|超过|突破|设立|筹集|有|会|可|把|试图|持续|降息|加息"
    r"|下调|上调|购买|增资|增加|减少|扩大|上市|进入|出资|投|是)"
)
# a plan named right after the figure: 投资60亿欧元的计划, 100万辆的销售目标
PLAN_AFTER = re.compile(r"的?[^，,。；;\d]{0,4}?(?:计划|目标|规划|预算|任务)")
# a clause that reports what is done or current ends a plan's reach: 目前已…, 实际完成…
DONE = re.compile(r"已经|已|目前|现在|现有|实际|去年|上年|此前|曾")
# what is, named right before the figure under a plan's cue: 从目前3万辆, 由现有240亿元
CURRENT_BEFORE = re.compile(r"(?:目前|现有|现在|当前|原有|已有)[^，,。；;]{0,2}$")
# cumulative: 累计投入, 共计, 总计, 累积, 合计, 共投入 (not 共同, 共享); 先后培训 (one time
# after another), 近年来投资 (over recent years) in the figure's own clause
CUMULATIVE = re.compile(
    r"累计|共计|总计|累积|合计|总共|一共|先后|近年来|近几年|多年来|历年|共(?![同享建产青赢识性有])"
)
# a stock, balance, valuation or market size is not a flow: 余额, 总资产, 市值, 市场规模
NOT_A_FLOW = re.compile(
    r"余额|结余|存款|总资产|资产总额|资产|负债|债务|欠|市值|估值|规模|市场|成交|交易额|交易规模|价格|价值"
    r"|均价|单价|起价|总价(?!分别)|定价|报价|价位|首付|上限|下限|最高|最低|至少|门槛|额度|缺口|预算|损失|亏损"
    r"|盈利|利润|顺差|逆差|收入|出让|存量|总量|总额|警戒|平仓|保证金|账户|金额为|工资|奖金|彩票|罚款"
)
# a hypothetical or a possibility is not something done: 即便是只有6000亿元可以用作…, 如果…
HYPOTHETICAL = re.compile(r"即便|即使|如果|假如|假设|若|只要|可以|可用|能够|可能|或将|有望")
# the subject's own flow, done: a payment, gift, investment, purchase or sale it made
FLOW_VERB = re.compile(
    r"捐出|捐赠|捐款|捐给|捐助|捐资|捐献|资助|援建|投资|投入|注资|出资|耗资|斥资|花去|花费|花了|支付|付出"
    r"|借给|借出|放贷|发放|拨付|采购|购买|购置|买下|买了|拿下|收购|实现销售|释放|获得|获|赢得|中了|得到"
)
# a flow named by a noun (营收75亿元, 销售额…) is the subject's only when the clause names it
FLOW_NOUN = re.compile(r"营收|营业收入|销售额|销售收入")
# how far before the figure a stock or market word makes it one: 总资产|928.77亿元
NEAR = 8


def is_planned(
    text: str, sentence_start: int, clause_start: int, fig_start: int, fig_end: int
) -> bool:
    """A plan cue in the figure's clause, or in an earlier clause of its sentence whose reach
    no clause reporting what is done has ended."""
    if PLAN_AFTER.match(text, fig_end):
        return True
    here = None
    for m in PLANNED.finditer(text, clause_start, fig_start):
        here = m
    if here is not None:  # 计划将产能从目前3万辆…扩至12万辆: 3万辆 is today's
        return CURRENT_BEFORE.search(text, here.end(), fig_start) is None
    cue = None
    for m in PLANNED.finditer(text, sentence_start, clause_start):
        cue = m
    if cue is None:
        return False
    return (
        DONE.search(text, cue.end(), fig_start) is None and "；" not in text[cue.end() : fig_start]
    )


def is_cumulative(text: str, clause_start: int, fig_start: int) -> bool:
    """A running-total cue in the figure's own clause, before the figure."""
    return CUMULATIVE.search(text, clause_start, fig_start) is not None


def is_summable(
    text: str,
    clause: tuple[int, int],
    fig: tuple[int, int],
    kind: str,
    per: str | None,
    planned: bool,
    cumulative: bool,
    ranged: bool,
    first_mention: bool,
    subject_from: str | None,
    quoted: bool = False,
    years: tuple[int | None, int | None] = (None, None),
) -> bool:
    """Whether a money figure is its subject's own flow, done, given once (see module doc).
    A figure inside someone's quoted words is a claim or a retelling, not the report's own."""
    if kind != "money" or per or planned or cumulative or ranged or not first_mention or quoted:
        return False
    if years[0] is not None and years[1] is not None and years[0] != years[1]:
        return False  # 1996年以来…逾16亿元: a span of years, not one period's flow
    c_start, c_end = clause
    start, end = fig
    before, after = text[c_start:start], text[end : min(c_end, end + 12)]
    if NOT_A_FLOW.search(before[-NEAR:]) or NOT_A_FLOW.match(after.lstrip("的")):
        return False
    if HYPOTHETICAL.search(before) or HYPOTHETICAL.match(after):
        return False
    if FLOW_VERB.search(before) or FLOW_VERB.search(after):
        return True
    return subject_from == "clause" and FLOW_NOUN.search(before[-NEAR:]) is not None
