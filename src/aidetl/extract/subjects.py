"""Who a figure belongs to: the organisation that acts in the figure's own clause.

Proximity alone credits a figure to whatever organisation was named last. Instead each
organisation mention gets a role from the words around it, and only actors can own a
figure:

- a **source** is quoted, not acting: 据国家统计局…, 国资委公布的数据显示, 工信部发布…名单,
  中国半导体行业协会副理事长魏少军表示 (its figures are the industry's, not its own);
- a **recipient** or partner is introduced by 向/为/与/和…; an **object** follows 收购/组建了…;
- a **listed** organisation stands in an enumeration the figure counts (国电南自、吉电股份等29只);
- ORG的 + noun (建设银行的汇票) owns only what its own clause says.

Then, in order: 分别/依次 pairs each figure with its own organisation; an organisation written
right before the figure (北京现代60万辆) owns it; else the nearest actor in the clause;
else the sentence's nearest earlier actor unless a ；, a new proposition (如果…则, 按照…) or a
quote (…表示，) lies between (…，共拥有21个…); else a pronoun (公司, 该行, 它, 我们) points to the organisation speaking
in the sentence, the one acting in the sentence before, or the article's organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aidetl.extract.orgs import PRONOUN, OrgMention

# after an organisation: it is quoted as a source or a speaker (中国半导体行业协会副理事长、
# 清华大学微电子所所长魏少军表示; 国资委公布的数据显示; 工信部发布2021年度绿色制造名单)
SOURCE_AFTER = re.compile(
    r"[：:]|[^，。；！？,;\d]{0,40}?(?:表示|说|称|认为|指出|介绍|透露|强调|坦言|分析|预计|预测|估计|测算"
    r"|数据显示|显示|统计|报告|报道|调查|监测|消息|发布|公布|召开|证实|推测|估算|告诉|告知)"
)
# …unless the words between name an action of its own (中国联通发布扶贫报告 is still quoted,
# but 万达宣布…投资 acts): nothing here, a speaker's title or name fills the gap
SOURCE_GAP = re.compile(r"[^，。；！？,;]*$")
# before an organisation: it is the source (据国家统计局, 根据…, 从…了解到)
SOURCE_BEFORE = re.compile(r"(?:据|根据|来自|从|援引|引述|引用)$")
# before an organisation: it is what the actor acquires or sets up (收购艺龙, 组建了北京现代)
OBJECT_BEFORE = re.compile(
    r"(?:了|收购|并购|组建|成立|设立|控股|入股|参股|持有|拿下|入选|包括|占|占到|超过|击败|力压)$"
)
# 摩根士丹利等国际投行: a representative of a group, not the actor itself
GROUP_AFTER = re.compile(r"等")
# an enumeration the figure counts: 中粮屯河、国电南自、吉电股份等|29只
LISTED_BEFORE_FIGURE = re.compile(r"等[^，。；！？,;、\d]{0,3}$")
# a clause with no subject of its own starts with an adverb or a verb:
# "，共拥有21个…", "，并计划…8个", "，目前已并购12家", "，计划发行…", "，释放350亿元"
NO_SUBJECT_START = re.compile(
    r"\s*(?:(?:目前|当前|此外|同时|随后|其后|之后|此后|近期|近日|今年|去年|全年|当年|同日|另外|其中)"
    r"[，,]?)?(?:共|总共|累计|先后|已|已经|还|并|又|再|也|则|将|拟|计划|预计|将要|正在|正|均|都|即|另|另有"
    r"|实现|完成|投入|投资|捐赠|捐|采购|购买|发放|销售|拥有|新增|带动|帮助|培训|建成|新建|提供|释放"
    r"|耗资|斥资|出资|营收|实现|达到|达|为|占|获得|获|吸引|筹集|募集|发行|回购|亏损|盈利|净赚|净亏)"
)
# what ends a sentence topic's reach over later clauses: a semicolon, or a clause opening a
# new proposition (如果…，则…; 按照…; 但…)
TOPIC_BREAK = re.compile(
    r"[；;]|[，,]\s*(?:如果|若|假如|则|因此|所以|但|但是|而|然而|不过|按照|根据|据|即使|虽然|尽管|可见"
    r"|意味着|也就是)|(?:表示|透露|说|称|指出|认为|介绍|证实|告诉|推测|坦言)[^，,。]{0,12}[，,：:]"
)
# 在中国电信的帮扶下，…: the organisation behind everything the sentence reports
SPONSOR_AFTER = re.compile(r"的(?:大力)?(?:帮扶|支持|帮助|带动|推动|资助|援助|引领|指导|扶持)下")
# 分别/依次: the figures after it pair with the organisations named before or after it
RESPECTIVELY = re.compile(r"分别|依次|各自")


@dataclass(frozen=True, slots=True)
class Role:
    """An organisation mention and what it does in its sentence."""

    org: OrgMention
    actor: bool  # may own figures of its clause and of later subject-less clauses
    source: bool  # quoted or speaking: owns only what a pronoun points back to
    modifier: bool  # ORG的 + noun: owns only figures of its own clause
    sponsor: bool = False  # 在ORG的帮扶下: owns the sentence's figures


def roles(text: str, orgs: list[OrgMention]) -> list[Role]:
    """The role of each organisation mention of one sentence."""
    found = []
    for o in orgs:
        before = text[max(0, o.start - 4) : o.start]
        after = SOURCE_AFTER.match(text, o.end)
        source = bool(SOURCE_BEFORE.search(before)) or (
            after is not None and not _names_figure(text, o.end, after.end())
        )
        passive = OBJECT_BEFORE.search(before) is not None or GROUP_AFTER.match(text, o.end)
        modifier = text.startswith("的", o.end)
        actor = not (o.recipient or source or passive)
        sponsor = before.endswith("在") and SPONSOR_AFTER.match(text, o.end) is not None
        found.append(Role(o, actor, source, modifier, sponsor))
    return found


def _names_figure(text: str, start: int, end: int) -> bool:
    """True when a digit sits between the organisation and the speech verb."""
    return any(c.isdigit() for c in text[start:end])


def attribute(
    text: str,
    sentence_roles: list[Role],
    clause: tuple[int, int],
    sentence_start: int,
    fig_start: int,
    fig_end: int,
    figures_in_sentence: list[tuple[int, int]],
) -> tuple[OrgMention | None, str | None]:
    """(the organisation owning the figure, where it came from) within its sentence."""
    c_start, _ = clause
    if (
        LISTED_BEFORE_FIGURE.search(text, max(c_start, fig_start - 4), fig_start)
        and "、" in text[c_start:fig_start]
    ):
        return None, None  # 神火股份、安源煤业等33只: the figure counts the list
    paired = _respective(text, sentence_roles, sentence_start, fig_start, figures_in_sentence)
    if paired is not None:
        return paired, "clause"
    in_clause = [r for r in sentence_roles if c_start <= r.org.start and r.org.end <= fig_start]
    adjacent = [
        r
        for r in in_clause
        if fig_start - r.org.end <= 1
        and not r.source
        and (not r.org.recipient or text[r.org.start - 1 : r.org.start] == "、")
    ]
    if adjacent:
        return adjacent[-1].org, "clause"
    actors = [r for r in in_clause if r.actor]
    if actors:
        return actors[-1].org, "clause"
    sponsors = [r for r in sentence_roles if r.sponsor and r.org.end <= fig_start]
    if sponsors:
        return sponsors[-1].org, "sentence"
    bound = _bound_to_figures(text, sentence_roles, figures_in_sentence)
    earlier = [
        r
        for r in sentence_roles
        if r.org.end <= c_start
        and r.actor
        and not r.modifier
        and r.org.start not in bound
        and not TOPIC_BREAK.search(text, r.org.end, c_start + 4)
    ]
    if earlier:
        return earlier[-1].org, "sentence"
    return None, None


def _bound_to_figures(
    text: str, sentence_roles: list[Role], figures: list[tuple[int, int]]
) -> set[int]:
    """Organisations written right before a figure own that figure only: 北京现代60万辆."""
    starts = {s for s, _ in figures}
    return {r.org.start for r in sentence_roles if r.org.end in starts or r.org.end + 1 in starts}


def _respective(
    text: str,
    sentence_roles: list[Role],
    sentence_start: int,
    fig_start: int,
    figures: list[tuple[int, int]],
) -> OrgMention | None:
    """携程、途牛交易规模分别占比31.99%和19.43%: the n-th figure after 分别 is the n-th
    organisation's; only when the counts match."""
    head = None
    for m in RESPECTIVELY.finditer(text, sentence_start, fig_start):
        head = m
    if head is None:
        return None
    after = [f for f in figures if f[0] >= head.end()]
    stop = next((i for i, c in enumerate(text[head.end() : fig_start]) if c in "。；;"), None)
    if stop is not None:
        return None
    group = _coordinated(text, [r for r in sentence_roles if not r.source], head.start())
    if len(group) < 2:
        later = [r for r in sentence_roles if r.org.start > head.end() and not r.source]
        group = _coordinated(text, later, None)
    clause_figures = _figure_run(text, after)
    if len(group) != len(clause_figures) or (fig_start, None) == (None, None):
        return None
    for (start, _), role in zip(clause_figures, group, strict=False):
        if start == fig_start:
            return role.org
    return None


def _figure_run(text: str, figures: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The figures after 分别 joined by 、/和/及: 31.99%和19.43% (not the next clause's)."""
    run: list[tuple[int, int]] = []
    for f in figures:
        if run and not re.fullmatch(r"[、和及与]|以及", text[run[-1][1] : f[0]]):
            break
        run.append(f)
    return run


def _coordinated(text: str, candidates: list[Role], before: int | None) -> list[Role]:
    """The run of organisations joined by 、/和/与/及 (the last run before `before`)."""
    pool = [r for r in candidates if before is None or r.org.end <= before]
    if before is None:
        pool = pool[:6]
    runs: list[list[Role]] = []
    for r in pool:
        if runs and re.fullmatch(r"[、和与及以及]{1,2}", text[runs[-1][-1].org.end : r.org.start]):
            runs[-1].append(r)
        else:
            runs.append([r])
    if not runs:
        return []
    return runs[-1] if before is not None else runs[0]


def pronoun_before(text: str, start: int, end: int, orgs: list[OrgMention]) -> bool:
    """True when 公司/该公司/我们/它 stands alone (not inside a name) in text[start:end]."""
    for m in PRONOUN.finditer(text, start, end):
        if not any(o.start <= m.start() < o.end for o in orgs):
            return True
    return False
