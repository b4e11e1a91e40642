"""Context for figures: metric, subject, place, period, per, planned, cumulative, summable.

Scopes (models.SCOPES): a sentence ends at 。！？ or a line break; a clause is the part of a
sentence between ，；： (outside brackets). Metric, per, cumulative read the clause; planned
reads the clause and the earlier clauses its cue governs. The subject is decided by
subjects.py from the roles organisations play in the sentence. Place and period read the
clause, then the sentence; a subject-less sentence may continue the one before; the article
gives a place when one place dominates it. Every context field records where it came from
(`subject_from`, `place_from`, `period_from`). Anything the text does not say stays None.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from aidetl.extract import flags
from aidetl.extract.alternation import by_first_character
from aidetl.extract.metrics import assign_metric, metric_of_compared
from aidetl.extract.orgs import OrgMention, find_orgs, find_short_mentions, short_names
from aidetl.extract.periods import Period, find_periods, pick_period
from aidetl.extract.places import (
    PlaceMatch,
    contains,
    disambiguate,
    level_of,
    name_index,
    scan_places,
)
from aidetl.extract.rates import per_of
from aidetl.extract.subjects import NO_SUBJECT_START, Role, attribute, pronoun_before, roles
from aidetl.models import Fact, Figure

# a sentence: up to and including 。！？!? or a line break
# (at most MAX_SENTENCE characters: a hostile run with no stop must not make every figure
# scan, and store, the whole text)
MAX_SENTENCE = 600
SENTENCE = re.compile(rf"[^。！？!?\n]{{1,{MAX_SENTENCE}}}[。！？!?]*")
MAX_LOOKBACK = 30  # earlier sentences of a paragraph searched for a year
CLAUSE_BREAKS = frozenset("，,；;：:")
OPEN, CLOSE = frozenset("（(【[《“"), frozenset("）)】]》”")
CLAUSE_MARK = re.compile("[" + re.escape("".join(sorted(CLAUSE_BREAKS | OPEN | CLOSE))) + "]")
# a dateline's place is where the story was filed, not where figures apply: 新华社北京3月6日电
DATELINE = re.compile(r"\s*\d{1,2}月\d{1,2}日\s*(?:电|讯)|电[（(]|[）)]?\s*电")
# …or a place right after an agency's name: 新华社北京电, 中新网成都讯, 据新华社拉萨电
AGENCY = re.compile(r"(?:新华社|中新社|中新网|新华网|人民网|央视网|本报|本报讯)\s*$")
# a clause break between 其中 and the figure ends the subset
BREAK = re.compile(r"[，,；;。]")
# the article's place: one place (with what lies inside it) must hold this share of the
# article's resolved place mentions, and at least MIN_ARTICLE_MENTIONS of them; a narrower
# place inside it wins when it holds this share of its parent's mentions
ARTICLE_SHARE = 0.6
MIN_ARTICLE_MENTIONS = 5
# a place name followed by these is a landmark or a name, not where a figure applies:
# 朝阳路, 黄浦江, 延安东路, 上海车展, 廊坊发展 (a listed company), 杭州长河高级中学
LANDMARK_AFTER = re.compile(
    r"(?:东|西|南|北|中)?(?:路|街|大道|大街|巷|江|河|湖|桥|大桥|港|码头|机场|站|火车站|广场|公园|大厦|嘉园|花园"
    r"|小区|车展|展会|本地股|板块|概念股|发展|证券|银行|股份|控股|集团|大学|学院|中学|小学|医院|宾馆|饭店|酒店|国家公园"
    r"|综指|成指|指数|证券交易所|交易所"
    r"|电视台|日报|晚报|商报|体彩中心|工业园区|园区|开发区|一位|一家|一名|人士|籍)"
    r"|(?<=[省市县区])外(?![资商企])"  # 江苏省外旅居史: outside the place
)
# a foreign country in the sentence: its figures apply abroad, not to the article's place
FOREIGN_WORDS = (
    r"美国|日本|韩国|朝鲜|英国|法国|德国|意大利|西班牙|葡萄牙|荷兰|比利时|瑞士|瑞典|挪威|芬兰|丹麦|俄罗斯"
    r"|乌克兰|波兰|希腊|土耳其|以色列|伊朗|伊拉克|沙特|阿联酋|埃及|埃塞俄比亚|埃塞|肯尼亚|尼日利亚|南非"
    r"|印度|巴基斯坦|孟加拉|越南|泰国|缅甸|老挝|柬埔寨|马来西亚|新加坡|印尼|印度尼西亚|菲律宾|蒙古国"
    r"|哈萨克斯坦|澳大利亚|新西兰|加拿大|墨西哥|巴西|阿根廷|智利|秘鲁|欧盟|欧洲|非洲|美洲|东南亚|海外|境外|国外"
)
FOREIGN = re.compile(by_first_character(FOREIGN_WORDS.split("|")))
# what 公司/我们 point to when the text names no organisation near them: the one the article
# names most, when it makes at least this share of the organisation mentions
MAIN_SHARE = 0.5
# an article owned by one organisation (its own report): a figure no clause or sentence
# attributes is that organisation's
DOMINANT_MENTIONS = 10
DOMINANT_SHARE = 0.8
# a sentence that opens by pointing back (这位企业家, 这家企业): its subject is the one
# the sentence before named
BACK_REFERENCE = re.compile(r"\s*(?:这位|这家|这个|该|这(?=\d|[一二两三四五六七八九十]))")
# the whole country: 全国, 我国, 国家财政 (not 国家级, a rank)
NATIONAL = re.compile(r"全国|我国|国家(?!级)|国内")
# a generic statement is about no place in particular: 商务楼一般可以申请到8成…
GENERIC = re.compile(r"一般|通常|往往|普遍|大多|大都|一向")
# 我省/全省/本市/我县: the article's own place (a province, city or county)
OUR_PLACE = re.compile(r"(?:我|全|本)(?P<level>省|区|市|州|县)")


@dataclass(slots=True)
class _Sentence:
    """What one sentence says, computed once for all its figures."""

    start: int
    end: int
    clauses: list[tuple[int, int]]
    orgs: list[OrgMention] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    places: list[PlaceMatch] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    year: int | None = None  # the last year it names (context for 全年 in later sentences)


class _Reader:
    """Lazy per-text state: sentences, paragraphs, the main organisation and place."""

    def __init__(
        self, text: str, published: date | None, organisation: str | None, figures: list[Figure]
    ):
        self.text = text
        self.published = published
        self._organisation = organisation
        self._main_done = bool(organisation)
        self._anchors: set[str] | None = None
        self.period_cache: list[list[Period]] = []
        self._paragraph_year: int | None = None
        self._article_year: int | None = None
        self._year_at = -MAX_LOOKBACK - 1
        spans = [(m.start(), m.end()) for m in SENTENCE.finditer(text)]
        self.starts = [s for s, _ in spans]
        self.spans = spans
        self.cache: dict[int, _Sentence] = {}
        self.figures = figures  # in text order
        self.fig_starts = [f.start for f in figures]
        self.seen_values: set[tuple[object, ...]] = set()
        self._quotes = (0, 0, 0)  # paragraph head, counted up to, “ minus ” so far

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
        orgs = _within(self.all_orgs, start, end)
        places = [
            self._resolve(p)
            for p in disambiguate(_within(self.all_places, start, end))
            if self._is_place(p, orgs)
        ]
        periods = self.periods(i)
        years = [p.explicit_year for p in periods if p.explicit_year]
        return _Sentence(
            start,
            end,
            clauses_of(self.text, start, end),
            orgs,
            roles(self.text, orgs),
            places,
            periods,
            years[-1] if years else None,
        )

    def _is_place(self, p: PlaceMatch, orgs: list[OrgMention]) -> bool:
        """A whole place name where figures may apply: not inside an organisation's name,
        not a dateline or an agency's filing place, not the start of a landmark's name."""
        text = self.text
        return not (
            any(o.start <= p.start < o.end for o in orgs)
            or DATELINE.match(text, p.end)
            or AGENCY.search(text, max(0, p.start - 4), p.start)
            or LANDMARK_AFTER.match(text, p.end)
        )

    def _loose_county(self, p: PlaceMatch) -> bool:
        """A county's two-character short name (新和, 平原) that follows no parent (新疆新和) in a
        text that never names the county in full (台江县 … 台江): too often part of another word
        or name to count towards the article's place."""
        if p.level != 3 or len(p.name) != 2 or p.name in name_index()[0]:
            return False
        return p.code not in self.full_names and not any(
            q.end == p.start for q in _within(self.all_places, p.start - 8, p.start)
        )

    @cached_property
    def full_names(self) -> set[str]:
        """Codes of the places the text writes with their full names (台江县, 海安县)."""
        full = name_index()[0]
        return {
            c
            for q in self.all_places
            if q.name in full or q.name[-1] in "县市区旗"
            for c in q.codes
        }

    @cached_property
    def all_orgs(self) -> list[OrgMention]:
        """Every organisation mention of the text, found in one pass, with the short forms
        of companies it names in full (华坚集团 …, 华坚董事长): those stand for the full name."""
        found = find_orgs(self.text)
        more = find_short_mentions(self.text, short_names(found), found)
        return sorted(found + more, key=lambda o: o.start)

    @cached_property
    def all_places(self) -> list[PlaceMatch]:
        """Every place name of the text with all its candidates, found in one pass."""
        return scan_places(self.text)

    def periods(self, i: int) -> list[Period]:
        """The periods of sentence i. Sentences are read for periods in text order, once:
        each one's year context (for 全年, 上半年, 5月) is the last year named earlier in its
        paragraph or, without a publish date, in the MAX_LOOKBACK sentences before."""
        cache, spans, text, published = self.period_cache, self.spans, self.text, self.published
        paragraph, article, year_at = self._paragraph_year, self._article_year, self._year_at
        for k in range(len(cache), i + 1):  # (locals: this runs for every sentence)
            start, end = spans[k]
            if k and text.find("\n", spans[k - 1][1], start + 1) >= 0:
                paragraph = None
            recent = k - year_at <= MAX_LOOKBACK
            context = article if paragraph is None and published is None and recent else paragraph
            found = find_periods(text, start, end, published, context, article if recent else None)
            cache.append(found)
            years = [p.explicit_year for p in found if p.explicit_year and not p.baseline]
            if years:
                paragraph = article = years[-1]
                year_at = k
        self._paragraph_year, self._article_year, self._year_at = paragraph, article, year_at
        return cache[i]

    def _resolve(self, p: PlaceMatch) -> PlaceMatch:
        """A name several divisions share, resolved by the places the article names
        unambiguously: 台江 in a story about 贵州 is 台江县, not 福州's 台江区."""
        if p.code is not None:
            return p
        if self._anchors is None:
            self._anchors = {m.code for m in self.all_places if m.code}
        fits = [
            c
            for c in p.codes
            if any(a == c or contains(a, c) or contains(c, a) for a in self._anchors)
        ]
        if len(fits) != 1:
            return p
        return PlaceMatch(p.name, p.start, p.end, (fits[0],), level_of(fits[0]))

    def in_quotation(self, pos: int) -> bool:
        """True when `pos` lies inside “…” opened earlier in its paragraph. Figures come in
        text order, so the quotes are counted on from the previous figure's position while
        it is in the same paragraph, not again from the paragraph's start (a text with no
        line break is one paragraph)."""
        text = self.text
        head, counted, opened = self._quotes
        if pos < counted or text.find("\n", counted, pos) >= 0:
            head = text.rfind("\n", 0, pos) + 1
            counted, opened = head, 0
        opened += text.count("“", counted, pos) - text.count("”", counted, pos)
        self._quotes = (head, pos, opened)
        return opened > 0

    def figures_between(self, start: int, end: int) -> list[tuple[int, int]]:
        lo = bisect.bisect_left(self.fig_starts, start)
        hi = bisect.bisect_left(self.fig_starts, end)
        return [(f.start, f.end) for f in self.figures[lo:hi]]

    def previous_in_paragraph(self, i: int):
        j = i - 1
        while (
            j >= max(0, i - MAX_LOOKBACK)
            and "\n" not in self.text[self.spans[j][1] : self.spans[j + 1][0] + 1]
        ):
            yield j
            j -= 1

    @cached_property
    def org_counts(self) -> Counter[str]:
        return Counter(o.parent or o.name for o in self.all_orgs)

    @property
    def organisation(self) -> str | None:
        """The organisation given by the caller, else the article's most named one (twice
        or more): what 公司/我们 point to."""
        if not self._main_done:
            name, count = self.org_counts.most_common(1)[0] if self.org_counts else ("", 0)
            share = count / sum(self.org_counts.values()) if count else 0
            self._organisation = name if count >= 2 and share >= MAIN_SHARE else None
            self._main_done = True
        return self._organisation

    @cached_property
    def dominant(self) -> str | None:
        """The organisation an article is about when it owns the article: at least
        DOMINANT_MENTIONS mentions and DOMINANT_SHARE of all organisation mentions (a
        company's own report), else None."""
        counts = self.org_counts
        name, count = counts.most_common(1)[0] if counts else ("", 0)
        ok = count >= DOMINANT_MENTIONS and count >= DOMINANT_SHARE * sum(counts.values())
        return name if ok else None

    @cached_property
    def place(self) -> tuple[str | None, str | None]:
        """(name, code) of the place the article is about, or (None, None)."""
        orgs = self.all_orgs
        starts = [o.start for o in orgs]
        mentions = []
        for p in disambiguate(self.all_places):
            i = bisect.bisect_right(starts, p.start) - 1
            near = orgs[i : i + 1] if i >= 0 else []
            if self._is_place(p, near) and not self._loose_county(p):
                resolved = self._resolve(p)
                if resolved.code:
                    mentions.append(resolved)
        return article_place(mentions)


def _within(items: list, start: int, end: int) -> list:
    """The items (sorted by start) that start in [start, end)."""
    lo = bisect.bisect_left(items, start, key=lambda x: x.start)
    hi = bisect.bisect_left(items, end, key=lambda x: x.start)
    return items[lo:hi]


def clauses_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans of one sentence; breaks inside brackets do not count."""
    clauses, depth, left = [], 0, start
    for m in CLAUSE_MARK.finditer(text, start, end):  # only the marks, not every character
        i, c = m.start(), m.group()
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth = max(0, depth - 1)
        elif c in CLAUSE_BREAKS and depth == 0:
            clauses.append((left, i))
            left = i + 1
    clauses.append((left, end))
    return clauses


def article_place(mentions: list[PlaceMatch]) -> tuple[str | None, str | None]:
    """The place most of the article's place mentions lie in, narrowed while one place inside
    it holds most of them: 贵州(5)·黔东南(2)·台江(18) + 杭州(5) → 台江县. None when no place
    dominates (a national story naming a few cities)."""
    if len(mentions) < MIN_ARTICLE_MENTIONS:
        return None, None
    codes = [m.code for m in mentions if m.code]
    names = {m.code: m.name for m in mentions}
    node, support = None, len(codes)
    while True:
        children: Counter[str] = Counter()
        for code in codes:
            child = _child_of(node, code)
            if child is not None:
                children[child] += 1
        if not children:
            break
        child, count = children.most_common(1)[0]
        if count < ARTICLE_SHARE * support or (node is None and count < MIN_ARTICLE_MENTIONS):
            break
        node, support = child, count
    if node is None:
        return None, None
    return names.get(node) or node, node


def _child_of(node: str | None, code: str) -> str | None:
    """The division one level below `node` on the way to `code` (None: not below it)."""
    if node is None:
        return code[:2] + "0000"
    if code == node or not contains(node, code):
        return None
    level = level_of(node)
    return code[:4] + "00" if level == 1 and level_of(code) >= 2 else code


def annotate(
    text: str,
    figures: list[Figure],
    published_at: datetime | None,
    organisation: str | None,
    extractor_version: str,
) -> list[Fact]:
    """Turn figures into facts with their context; None where the text does not say."""
    published = published_at.date() if published_at else None
    ordered = sorted(figures, key=lambda f: f.start)
    reader = _Reader(text, published, organisation, ordered)
    facts = {f.start: _fact(reader, f, extractor_version) for f in ordered}
    return [facts[f.start] for f in figures]


def _fact(reader: _Reader, f: Figure, version: str) -> Fact:
    text = reader.text
    index = reader.index_of(f.start)
    sentence = reader.sentence(index)
    clause = next(((s, e) for s, e in sentence.clauses if s <= f.start < e), sentence.clauses[-1])
    c_start, c_end = clause
    place, code, place_from = _place(reader, index, c_start, c_end, f.start)
    planned = flags.is_planned(text, sentence.start, c_start, f.start, f.end)
    period, period_from = _period(reader, index, c_start, c_end, f)
    if period is not None and _after_publication(period, reader.published) and not planned:
        period, period_from = None, None  # a done figure dated after its report: a misreading
    metric = assign_metric(text, c_start, f.start, f.end, c_end, f.kind, f.unit)
    if metric is None:
        metric = metric_of_compared(text, _previous_figure(reader, sentence, f), c_start, f)
    subject, parent, subject_from = _subject(reader, index, f, clause, metric)
    per = per_of(text, c_start, f.start, f.end, f.kind)
    cumulative = f.cumulative or flags.is_cumulative(text, c_start, f.start)
    key = (f.value, f.unit, metric, subject)  # the same figure told again: not added twice
    first = key not in reader.seen_values
    reader.seen_values.add(key)
    summable = flags.is_summable(
        text,
        clause,
        (f.start, f.end),
        f.kind,
        per,
        planned,
        cumulative,
        f.value_max is not None,
        first,
        subject_from,
        reader.in_quotation(f.start),
        (
            period.start.year if period and period.start else None,
            period.end.year if period and period.end else None,
        ),
    )
    return Fact(
        text=f.text,
        start=f.start,
        end=f.end,
        value=f.value,
        value_max=f.value_max,
        unit=f.unit,
        kind=f.kind,
        qualifier=f.qualifier,
        cumulative=cumulative,
        metric=metric,
        subject=subject,
        subject_parent=parent,
        place=place,
        place_code=code,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        planned=planned,
        parent_start=_parent(text, f, reader.figures, sentence),
        per=per,
        summable=summable,
        subject_from=subject_from,
        place_from=place_from,
        period_from=period_from,
        sentence=text[sentence.start : sentence.end].strip(),
        extractor_version=version,
    )


def _after_publication(period: Period, published: date | None) -> bool:
    return published is not None and period.start is not None and period.start > published


def _previous_figure(reader: _Reader, sentence: _Sentence, f: Figure) -> Figure | None:
    i = bisect.bisect_left(reader.fig_starts, f.start) - 1
    while i >= 0 and reader.figures[i].start >= sentence.start:
        if reader.figures[i].kind == f.kind:
            return reader.figures[i]
        i -= 1
    return None


def _subject(
    reader: _Reader, index: int, f: Figure, clause: tuple[int, int], metric: str | None
) -> tuple[str | None, str | None, str | None]:
    """The organisation acting in the figure's clause or sentence; a pronoun's antecedent;
    the actor of the sentence before when this one has no subject of its own."""
    text, sentence = reader.text, reader.sentence(index)
    figures = reader.figures_between(sentence.start, sentence.end)
    org, where = attribute(text, sentence.roles, clause, sentence.start, f.start, f.end, figures)
    if org is not None:
        return org.name, org.parent, where
    if pronoun_before(text, sentence.start, f.start, sentence.orgs):
        named = [r for r in sentence.roles if r.org.end <= f.start and not r.org.recipient]
        if named:
            return named[-1].org.name, named[-1].org.parent, "sentence"
        for j in reader.previous_in_paragraph(index):
            earlier = [r for r in reader.sentence(j).roles if r.actor or r.source]
            if earlier:
                return earlier[-1].org.name, earlier[-1].org.parent, "previous_sentence"
            break
        if reader.organisation:
            return reader.organisation, None, "article"
        return None, None, None  # a pronoun with no organisation to point to
    if not any(o.start < f.start for o in sentence.orgs) and (
        NO_SUBJECT_START.match(text, sentence.start) or BACK_REFERENCE.match(text, sentence.start)
    ):
        for j in reader.previous_in_paragraph(index):
            earlier = [
                r for r in reader.sentence(j).roles if (r.actor or r.source) and not r.modifier
            ]
            if earlier:
                return earlier[-1].org.name, earlier[-1].org.parent, "previous_sentence"
            break
    if (
        reader.dominant is not None
        and f.kind == "money"
        and metric is not None
        and not _abroad(text, sentence, sentence.start, sentence.end)
    ):  # what a company's own report says it gave, spent or sold
        return reader.dominant, None, "article"
    return None, None, None


def _place(
    reader: _Reader, index: int, c_start: int, c_end: int, fig_start: int
) -> tuple[str | None, str | None, str | None]:
    """One place chain in the clause, else one in the sentence, else the article's place.
    A place that contains the article's place gives way to it (the deepest the text gives)."""
    text, sentence = reader.text, reader.sentence(index)
    if _abroad(text, sentence, c_start, c_end):
        return None, None, None
    places = [p for p in sentence.places if not _aside(text, sentence.start, p.start, fig_start)]
    for lo, hi, where in ((c_start, c_end, "clause"), (sentence.start, sentence.end, "sentence")):
        chains = _chains([p for p in places if lo <= p.start and p.end <= hi], text)
        if chains:
            name, code = _pick(chains)
            if code is None:
                return None, None, None
            deeper = reader.place
            if deeper[1] is not None and contains(code, deeper[1]):
                return deeper[0], deeper[1], "article"
            return name, code, where
    if (
        _abroad(text, sentence, sentence.start, sentence.end)
        or GENERIC.search(text, sentence.start, sentence.end)
        or _national(text, sentence)
    ):
        return None, None, None
    ours = OUR_PLACE.search(text, sentence.start, sentence.end)
    name, code = reader.place
    if code is None:
        return None, None, None
    earlier = _earlier_place(reader, index, code)
    if earlier is not None:
        return earlier[0], earlier[1], "previous_sentence"
    if ours is not None:  # 我省: the article's province (its own, or the one containing it)
        code = _at_level(code, ours.group("level"))
        return (name if code == reader.place[1] else None), code, "article"
    return name, code, "article"


def _abroad(text: str, sentence: _Sentence, start: int, end: int) -> bool:
    """True when text[start:end] names a foreign country outside an organisation's name."""
    return any(
        not any(o.start <= m.start() < o.end for o in sentence.orgs)
        for m in FOREIGN.finditer(text, start, end)
    )


def _national(text: str, sentence: _Sentence) -> bool:
    """True when the sentence speaks of the whole country (全国, 我国, 国家财政…) outside an
    organisation's name: its figures are not the article's place's."""
    return any(
        not any(o.start <= m.start() < o.end for o in sentence.orgs)
        for m in NATIONAL.finditer(text, sentence.start, sentence.end)
    )


def _aside(text: str, sentence_start: int, pos: int, fig_start: int) -> bool:
    """True when `pos` sits inside brackets that do not hold the figure too: a place in
    "(北京市正式产权)" describes a detail, not where the figure applies."""
    opened = max(text.rfind("（", sentence_start, pos), text.rfind("(", sentence_start, pos))
    if opened < 0 or opened < max(text.rfind("）", opened, pos), text.rfind(")", opened, pos)):
        return False  # no bracket open at pos
    # the figure is inside too when it follows the opening with no closing up to it
    closed = text.find("）", pos, fig_start + 1) >= 0 or text.find(")", pos, fig_start + 1) >= 0
    return not (opened < fig_start and not closed)


def _earlier_place(reader: _Reader, index: int, article_code: str) -> tuple[str, str] | None:
    """A narrower place inside the article's, named by an earlier sentence of the paragraph
    (南京要求，…。师生员工…安排3次核酸检测): the paragraph is about that place."""
    for j in reader.previous_in_paragraph(index):
        earlier = reader.sentence(j)
        if not earlier.places:
            continue
        chains = _chains(earlier.places, reader.text)
        name, code = _pick(chains)
        if name is not None and code is not None and contains(article_code, code):
            return name, code
        return None
    return None


def _at_level(code: str, level: str) -> str:
    if level == "省":
        return code[:2] + "0000"
    if level in ("市", "州") and level_of(code) == 3:
        return code[:4] + "00"
    return code


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
    reader: _Reader, index: int, c_start: int, c_end: int, f: Figure
) -> tuple[Period | None, str | None]:
    """The figure's period from its clause or sentence (periods.pick_period), else, when
    the sentence names no period at all, the year-dated period of the nearest earlier
    sentence of its paragraph that names one (2018年，…。其中，芯片制造业增速最高达到25.6%)."""
    sentence = reader.sentence(index)
    found = pick_period(
        reader.text,
        sentence.periods,
        c_start,
        c_end,
        f.start,
        f.end,
        reader.figures_between(sentence.start, sentence.end),
    )
    if found is not None:
        period, in_clause = found
        return period, "clause" if in_clause else "sentence"
    if sentence.periods:
        return None, None
    for j in reader.previous_in_paragraph(index):
        periods = reader.sentence(j).periods
        earlier = [p for p in periods if p.explicit_year and not p.baseline]
        if earlier:
            return earlier[-1], "previous_sentence"
        if periods:
            break
    return None, None


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
