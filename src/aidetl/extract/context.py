"""Context for figures: metric, subject, place and period from the words around them.

Scopes: a sentence ends at 。！？ or a line break; a clause is the part of a sentence
between ，；： (outside brackets). Metric, planned, cumulative and subset read the clause;
place and period read the clause, then the sentence; the subject reads the sentence, then
the earlier sentences of the paragraph, then (for 公司/我们/该公司) the article's
organisation. Anything the text does not say stays None.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from aidetl.extract.metrics import assign_metric
from aidetl.extract.orgs import OrgMention, find_orgs, has_pronoun, main_organisation
from aidetl.extract.periods import Period, find_periods
from aidetl.extract.places import PlaceMatch, contains, find_places, level_of
from aidetl.models import Fact, Figure

# a sentence: up to and including 。！？!? or a line break
# (at most MAX_SENTENCE characters: a hostile run with no stop must not make every figure
# scan, and store, the whole text)
MAX_SENTENCE = 600
SENTENCE = re.compile(rf"[^。！？!?\n]{{1,{MAX_SENTENCE}}}[。！？!?]*")
MAX_LOOKBACK = 30  # earlier sentences of a paragraph searched for a subject or a year
CLAUSE_BREAKS = frozenset("，,；;：:")
OPEN, CLOSE = frozenset("（(【["), frozenset("）)】]")
# planned, not done: 预计建成, 计划投资, 将投入, 拟安排, 力争实现
PLANNED = re.compile(
    r"预计|计划(?!生育|书|单列)|拟(?:投|建|安排|新|实施|在|于|为|向|用)|力争|有望|目标是|规划"
    r"|争取(?=在|于|实现|完成|达到|用|明年|今年|年底)"
    r"|将(?:在|于|再|新|投入|投资|建成|建设|达到|实现|完成|新增|带动|帮助|为|向|继续|累计|陆续|全面"
    r"|提供|捐赠|采购|安排|发放|培训|惠及|覆盖|超过|突破|设立|筹集|有)"
)
# cumulative: 累计投入, 共计, 总计, 累积, 合计, 共投入 (not 共同, 共享); 先后培训 (one time
# after another), 近年来投资 (over recent years) in the figure's own clause
CUMULATIVE = re.compile(
    r"累计|共计|总计|累积|合计|总共|一共|先后|近年来|近几年|多年来|历年|共(?![同享建产青赢识性有])"
)
# a dateline's place is where the story was filed, not where figures apply: 新华社北京3月6日电
DATELINE = re.compile(r"\s*\d{1,2}月\d{1,2}日\s*(?:电|讯)")
# …or a place right after an agency's name: 新华社北京电, 中新网成都讯
AGENCY = re.compile(r"(?:新华社|中新社|中新网|新华网|人民网|央视网|本报|本报讯)\s*$")
# a clause break between 其中 and the figure ends the subset
BREAK = re.compile(r"[，,；;。]")


@dataclass(slots=True)
class _Sentence:
    """What one sentence says, computed once for all its figures."""

    start: int
    end: int
    clauses: list[tuple[int, int]]
    orgs: list[OrgMention] = field(default_factory=list)
    places: list[PlaceMatch] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    year: int | None = None  # the last year it names (context for 全年 in later sentences)


class _Reader:
    """Lazy per-text state: sentences, paragraphs, the main organisation."""

    def __init__(self, text: str, published: date | None, organisation: str | None):
        self.text = text
        self.published = published
        self._organisation = organisation
        self._main_done = bool(organisation)
        spans = [(m.start(), m.end()) for m in SENTENCE.finditer(text)]
        self.starts = [s for s, _ in spans]
        self.spans = spans
        self.cache: dict[int, _Sentence] = {}

    def index_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def sentence(self, i: int) -> _Sentence:
        found = self.cache.get(i)
        if found is None:
            found = self._read(i)
            self.cache[i] = found
        return found

    def _read(self, i: int) -> _Sentence:
        start, end = self.spans[i]
        orgs = find_orgs(self.text, start, end)
        places = [
            p
            for p in find_places(self.text, start, end)
            if not any(o.start <= p.start < o.end for o in orgs)
            and not DATELINE.match(self.text, p.end)
            and not AGENCY.search(self.text, max(0, p.start - 4), p.start)
        ]
        periods = find_periods(self.text, start, end, self.published, self.context_year(i))
        years = [p.explicit_year for p in periods if p.explicit_year]
        return _Sentence(
            start,
            end,
            clauses_of(self.text, start, end),
            orgs,
            places,
            periods,
            years[-1] if years else None,
        )

    def context_year(self, i: int) -> int | None:
        """The last year named earlier in the same paragraph (for 全年, 上半年)."""
        for j in self.previous_in_paragraph(i):
            year = self.sentence(j).year
            if year:
                return year
        return None

    def previous_in_paragraph(self, i: int):
        j = i - 1
        while (
            j >= max(0, i - MAX_LOOKBACK)
            and "\n" not in self.text[self.spans[j][1] : self.spans[j + 1][0] + 1]
        ):
            yield j
            j -= 1

    @property
    def organisation(self) -> str | None:
        if not self._main_done:
            self._organisation = main_organisation(self.text)
            self._main_done = True
        return self._organisation


def clauses_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans of one sentence; breaks inside brackets do not count."""
    clauses, depth, left = [], 0, start
    for i in range(start, end):
        c = text[i]
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth = max(0, depth - 1)
        elif c in CLAUSE_BREAKS and depth == 0:
            clauses.append((left, i))
            left = i + 1
    clauses.append((left, end))
    return clauses


def annotate(
    text: str,
    figures: list[Figure],
    published_at: datetime | None,
    organisation: str | None,
    extractor_version: str,
) -> list[Fact]:
    """Turn figures into facts with metric, subject, place, period; None where unsaid."""
    published = published_at.date() if published_at else None
    reader = _Reader(text, published, organisation)
    ordered = sorted(figures, key=lambda f: f.start)
    return [_fact(reader, f, ordered, extractor_version) for f in figures]


def _fact(reader: _Reader, f: Figure, ordered: list[Figure], version: str) -> Fact:
    text = reader.text
    index = reader.index_of(f.start)
    sentence = reader.sentence(index)
    c_start, c_end = next(
        ((s, e) for s, e in sentence.clauses if s <= f.start < e), sentence.clauses[-1]
    )
    subject, parent = _subject(reader, index, f.start)
    place, code = _place(text, sentence, c_start, c_end)
    period = _period(text, sentence, c_start, c_end, f.start, ordered)
    left = text[c_start : f.start]
    return Fact(
        text=f.text,
        start=f.start,
        end=f.end,
        value=f.value,
        value_max=f.value_max,
        unit=f.unit,
        kind=f.kind,
        qualifier=f.qualifier,
        cumulative=f.cumulative or bool(CUMULATIVE.search(left)),
        metric=assign_metric(text, c_start, f.start, f.end, c_end, f.kind, f.unit),
        subject=subject,
        subject_parent=parent,
        place=place,
        place_code=code,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        planned=bool(PLANNED.search(left)),
        parent_start=_parent(text, f, ordered, sentence),
        sentence=text[sentence.start : sentence.end].strip(),
        extractor_version=version,
    )


def _subject(reader: _Reader, index: int, pos: int) -> tuple[str | None, str | None]:
    """The nearest acting organisation before the figure, else earlier in the paragraph."""
    sentence = reader.sentence(index)
    actors = [o for o in sentence.orgs if o.end <= pos and not o.recipient]
    if actors:
        return actors[-1].name, actors[-1].parent
    for j in reader.previous_in_paragraph(index):
        earlier = [o for o in reader.sentence(j).orgs if not o.recipient]
        if earlier:
            return earlier[-1].name, earlier[-1].parent
    if has_pronoun(reader.text, sentence.start, pos, sentence.orgs) and reader.organisation:
        return reader.organisation, None
    return None, None


def _place(
    text: str, sentence: _Sentence, c_start: int, c_end: int
) -> tuple[str | None, str | None]:
    """One place chain in the clause, else one in the sentence; several distinct → None."""
    for lo, hi in ((c_start, c_end), (sentence.start, sentence.end)):
        chains = _chains([p for p in sentence.places if lo <= p.start and p.end <= hi], text)
        if chains:
            return _pick(chains)
    return None, None


def _chains(places: list[PlaceMatch], text: str) -> list[list[PlaceMatch]]:
    """Adjacent names form one place: 四川凉山 + 木里县 → one chain. A chain followed by 等
    (百色、河池等地) ends a list: it stands for several places."""
    chains: list[list[PlaceMatch]] = []
    for p in places:
        if chains and chains[-1][-1].end == p.start:
            chains[-1].append(p)
        else:
            chains.append([p])
    if any(text.startswith("等", c[-1].end) for c in chains):
        chains.append([])  # an unnamed rest: several places, so no single one
    return chains


def _pick(chains: list[list[PlaceMatch]]) -> tuple[str | None, str | None]:
    if any(not c for c in chains):
        return None, None
    deepest = [(c, c[-1]) for c in chains]
    codes = {d.code for _, d in deepest if d.code}
    ambiguous = any(d.code is None for _, d in deepest)
    if len(deepest) > 1 and (ambiguous or not _nested(codes)):
        return None, None
    chain, last = max(deepest, key=lambda cd: (cd[1].level, len(cd[1].code or "")))
    name = "".join(p.name for p in chain)
    return name, last.code


def _nested(codes: set[str]) -> bool:
    """True when the codes lie on one line of descent (四川省 ⊃ 凉山州 ⊃ 盐源县)."""
    ordered = sorted(codes, key=level_of)
    return all(contains(outer, inner) for outer, inner in zip(ordered, ordered[1:], strict=False))


def _period(
    text: str, sentence: _Sentence, c_start: int, c_end: int, pos: int, ordered: list[Figure]
) -> Period | None:
    """Nearest period before the figure in its clause, else after it in the clause, else
    the nearest one earlier in the sentence. A period tied to one figure by 的
    ("2013年底的88.1万人") is that figure's only."""
    strong = [
        p for p in sentence.periods if not p.weak and not _tied_elsewhere(text, p, pos, ordered)
    ]
    if not strong:
        strong = [p for p in sentence.periods if p.weak]
    in_clause = [p for p in strong if c_start <= p.start_pos and p.end_pos <= c_end]
    before = [p for p in in_clause if p.end_pos <= pos]
    if before:
        return before[-1]
    if in_clause:
        return in_clause[0]
    earlier = [p for p in strong if p.end_pos <= c_start]
    return earlier[-1] if earlier else None


def _tied_elsewhere(text: str, p: Period, pos: int, ordered: list[Figure]) -> bool:
    """True when the period is "X的" + another figure (so not this figure's period)."""
    if not text.startswith("的", p.end_pos):
        return False
    i = bisect.bisect_right(ordered, p.end_pos, key=lambda f: f.start)  # not a scan: linear
    first_after = ordered[i].start if i < len(ordered) else None
    return first_after is not None and first_after != pos and first_after - p.end_pos <= 2


def _parent(text: str, f: Figure, ordered: list[Figure], sentence: _Sentence) -> int | None:
    """For 其中…: the nearest earlier figure of the same unit in the sentence."""
    head = text.rfind("其中", sentence.start, f.start)
    if head < 0 or BREAK.search(text, head, f.start):
        return None
    for i in range(bisect.bisect_left(ordered, head, key=lambda g: g.start) - 1, -1, -1):
        g = ordered[i]  # figures before 其中, nearest first, back to the sentence start only
        if g.start < sentence.start:
            break
        if g.unit == f.unit:
            return g.start
    return None
