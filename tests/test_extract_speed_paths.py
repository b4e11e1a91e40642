"""The fast paths of extraction find what the plain scans they replace find.

Each anchored or indexed scan in aidetl.extract is checked here against a plain reference
implementation kept in this file (a per-position loop, a full regex scan), on the real page
bodies of ../shared/pages when present and on edge cases written here, so a speed-up cannot
silently drop a match.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from aidetl.extract import metrics, orgs, periods
from aidetl.extract.alternation import by_first_character
from aidetl.extract.context import (
    CLAUSE_BREAKS,
    CLOSE,
    FOREIGN,
    FOREIGN_WORDS,
    MAX_LOOKBACK,
    OPEN,
    _aside,
    _Reader,
    clauses_of,
)
from aidetl.extract.metrics import last_of
from aidetl.extract.periods import (
    LUNAR,
    LUNAR_HINT,
    PERIOD,
    WEAK,
    _weak,
    find_periods,
    period_matches,
)
from aidetl.extract.places import (
    ABBREVIATIONS,
    _match_at,
    contains,
    name_index,
    prefix_lengths,
    scan_places,
    within_any,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAGES = SHARED / "pages" / "pages.jsonl"

EDGES = [
    "",
    "年",
    "2019",
    "2019年",
    "今年1至6月",
    "截至2019年底，全年上半年下半年第三季度前三季度年底年末",
    "近三年来，过去五年，17年来，9个月来，这两年，最近3个月",
    "“十三五”期间，十二五以来",
    "1至6月，3-5月，7~9月，10～12月，1到3月，5—8月，2–4月，5 个月来，2 年来，前5个月，3季度",
    "2018年至2020年2018—2020年，2019年3月至6月，2019年1-9月",
    "上下上下上下一二三四五六七八九十",
    "一年来，两年来，三个月来，四年来，五年来，六年来，七年来，八年来，九年来，二季度，去年",
    "上半年投入，下半年，上年，明年，本年度，当年，第一季度，3季度，年底，年末",
    "１２月３日，２０１９年",  # full-width digits are digits to the regex too
    "除夕，大年初一，春节当天，正月初十，元宵节，正月十五，2020年农历正月初五",
    "北京市朝阳区",
    "四川凉山木里县",
    "援川干部，赴京，在沪企业，入藏",
    "黄浦江边，浦江县",
    "东方市场，东方市",
    "川",
    "京",
    "新疆新和县",
    "临高县皇桐镇武维村",
    "和安全",
    "辽宁朝阳",
]


def real_texts() -> list[str]:
    """The real page bodies (one text each) and their concatenation, when ../shared is here."""
    if not PAGES.exists():
        return []
    bodies = [json.loads(line).get("gold_text") or "" for line in PAGES.open(encoding="utf-8")]
    bodies = [b for b in bodies if b]
    return [*bodies, "\n".join(bodies)]


def texts() -> list[str]:
    return EDGES + real_texts()


def short_id(text: str) -> str:
    """A test id: the text's head and length (the real texts are whole pages)."""
    return f"{text[:12]}…{len(text)}"


def reference_periods(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Plain: every non-empty match of the full regex scan."""
    return [m.span() for m in PERIOD.finditer(text, start, end) if m.end() > m.start()]


def reference_places(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Plain: the per-position loop scan_places ran before it searched for candidates."""
    full, short, _ = name_index()
    prefixes = prefix_lengths()
    found: list = []
    i = start
    while i < end:
        sizes = prefixes.get(text[i : i + 2])
        if sizes is None and text[i] not in ABBREVIATIONS:
            i += 1
            continue
        match = _match_at(text, i, end, full, short, sizes or (), found)
        if match is None:
            i += 1
        elif isinstance(match, int):
            i = match
        else:
            found.append(match)
            i = match.end
    return [(p.name, p.start, p.end) for p in found]


def windows(text: str) -> list[tuple[int, int]]:
    """The whole text and cuts that start and end mid-word (the scans take start and end)."""
    n = len(text)
    return [(0, n), (1, n), (0, max(0, n - 1)), (n // 3, 2 * n // 3)]


@pytest.mark.parametrize("text", EDGES, ids=short_id)
def test_period_matches_equal_the_full_scan_on_edge_cases(text):
    for start, end in windows(text):
        got = [m.span() for m in period_matches(text, start, end)]
        assert got == reference_periods(text, start, end)


def test_period_matches_equal_the_full_scan_on_real_sentences():
    found = real_texts()
    if not found:
        pytest.skip(f"../shared (real pages) is not beside the clone: {SHARED}")
    for text in found[:-1]:
        for sentence in re.finditer(r"[^。！？!?\n]+", text):
            start, end = sentence.span()
            got = [m.span() for m in period_matches(text, start, end)]
            assert got == reference_periods(text, start, end)


@pytest.mark.parametrize("text", texts(), ids=short_id)
def test_lunar_hint_stands_wherever_a_lunar_day_does(text):
    for m in LUNAR.finditer(text):
        assert LUNAR_HINT.search(text, m.start(), m.end())


@pytest.mark.parametrize("text", texts(), ids=short_id)
def test_scan_places_equals_the_per_position_loop(text):
    for start, end in windows(text):
        got = [(p.name, p.start, p.end) for p in scan_places(text, start, end)]
        assert got == reference_places(text, start, end)


BRACKETS = "（）()x"


def small_texts(alphabet: str, longest: int) -> list[str]:
    """Every string over `alphabet` up to `longest` characters."""
    found = [""]
    for text in found:
        if len(text) < longest:
            found.extend(text + c for c in alphabet)
    return found


def reference_aside(text: str, sentence_start: int, pos: int, fig_start: int) -> bool:
    """Plain: _aside as a per-character walk and an unbounded search for the closing."""
    opened = -1
    for i in range(sentence_start, pos):
        if text[i] in "（(":
            opened = i
        elif text[i] in "）)":
            opened = -1
    if opened < 0:
        return False
    close = min((i for i in (text.find("）", pos), text.find(")", pos)) if i >= 0), default=-1)
    return not (opened < fig_start and (close < 0 or fig_start < close))


def test_aside_equals_the_per_character_walk():
    for text in small_texts(BRACKETS, 5):
        n = len(text)
        for start in range(n + 1):
            for pos in range(start, n + 1):
                for fig in range(n + 1):
                    expected = reference_aside(text, start, pos, fig)
                    assert _aside(text, start, pos, fig) == expected, (text, start, pos, fig)


def reference_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Plain: clauses_of as a walk over every character."""
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


@pytest.mark.parametrize("text", texts(), ids=short_id)
def test_clauses_equal_the_character_walk(text):
    for sentence in re.finditer(r"[^。！？!?\n]+", text):
        assert clauses_of(text, *sentence.span()) == reference_clauses(text, *sentence.span())


def test_clauses_equal_the_character_walk_on_every_mark():
    marks = "".join(sorted(CLAUSE_BREAKS | OPEN | CLOSE))
    for text in small_texts(marks[:6] + "x", 4) + small_texts(marks[6:] + "x", 4):
        assert clauses_of(text, 0, len(text)) == reference_clauses(text, 0, len(text))


def reference_in_quotation(text: str, pos: int) -> bool:
    """Plain: count the quotes from the paragraph's start."""
    head = text.rfind("\n", 0, pos) + 1
    return text.count("“", head, pos) > text.count("”", head, pos)


def test_in_quotation_counted_on_equals_counting_from_the_paragraph():
    for text in small_texts("“”\nx", 6):
        reader = _Reader(text, None, None, [])
        for pos in range(len(text) + 1):  # in text order, as annotate asks
            assert reader.in_quotation(pos) == reference_in_quotation(text, pos), (text, pos)
    for text in real_texts():
        reader = _Reader(text, None, None, [])
        for pos in range(0, len(text), 97):
            assert reader.in_quotation(pos) == reference_in_quotation(text, pos)


def test_last_of_equals_rfind_from_the_start():
    for text in [*small_texts("，。\nx", 5), "x" * 300 + "，" + "x" * 5000]:
        for end in range(0, len(text) + 1, max(1, len(text) // 50)):
            expected = max(text.rfind(c, 0, end) for c in "，,；;。\n")
            assert last_of(text, "，,；;。\n", end) == expected


def test_weak_periods_are_looked_for_only_where_their_words_stand():
    published = date(2020, 2, 27)
    for text in ["9个月采购", "近9个月", "采购", "9 个月", "个月", ""]:
        expected = [m.span() for m in WEAK.finditer(text)]
        got = [(p.start_pos, p.end_pos) for p in _weak(text, 0, len(text), published)]
        assert got == expected


@pytest.mark.parametrize("published", [None, date(2020, 2, 27)])
def test_find_periods_gate_drops_no_period(monkeypatch, published):
    """find_periods returns early when ANY_PERIOD finds nothing: the same periods as the
    scans without that gate, on every sentence of the edge cases and the real pages."""
    sentences = [
        (text, *m.span())
        for text in EDGES + real_texts()[:-1]
        for m in re.finditer(r"[^。！？!?\n]+", text)
    ]
    sentences += [("除夕夜，截至目前，9个月采购", 0, 13), ("截止到现在", 0, 5)]
    sentences += [(t, 0, len(t)) for t in ("三个月采购", "用十二个月建成", "9 个月采购")]
    gated = [find_periods(text, s, e, published, 2019, 2018) for text, s, e in sentences]
    monkeypatch.setattr(periods, "ANY_PERIOD", re.compile(""))  # matches everywhere
    plain = [find_periods(text, s, e, published, 2019, 2018) for text, s, e in sentences]
    assert gated == plain
    assert any(gated)


@pytest.mark.parametrize(
    "words",
    [
        orgs._LONGEST_FIRST,
        FOREIGN_WORDS.split("|"),
        ["印度", "印度尼西亚", "印尼"],  # a shorter word first wins, as in the flat form
        ["a", "ab", "b", "ba", "abc"],
        ["a.b", "(", "a"],
    ],
    ids=["brands", "foreign", "prefix-first", "letters", "specials"],
)
def test_alternation_by_first_character_equals_the_flat_one(words):
    flat = re.compile("|".join(map(re.escape, words)))
    grouped = re.compile(by_first_character(words))
    edges = ["".join(words), "".join(reversed(words)), "印度尼西亚和印尼", "abcabab.a(ba"]
    for text in edges + small_texts("abc", 4) + real_texts():
        assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_brand_and_foreign_use_the_grouped_alternation():
    assert orgs.BRAND.pattern == by_first_character(orgs._LONGEST_FIRST)
    assert FOREIGN.pattern == by_first_character(FOREIGN_WORDS.split("|"))


def test_name_start_equals_shrinking_until_all_is_name():
    def reference(text: str, start: int, end: int) -> int:
        while start < end and not orgs._is_han(text[start:end]):
            start += 1
        return start

    for text in small_texts("公（a1，", 5):
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                assert orgs.name_start(text, start, end) == reference(text, start, end)


def reference_occurrences(text: str, words: list[str]) -> list[tuple[int, str]]:
    """Plain: the flat regex alternation of the words, in order."""
    pattern = re.compile("|".join(map(re.escape, words)))
    return [(m.start(), m.group()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    "words",
    [["华坚"], ["华坚集团", "华坚"], ["华坚", "华坚集团"], ["坚集", "华坚"], ["ab", "ba", "a"]],
)
def test_occurrences_equal_the_regex_alternation(words, monkeypatch):
    texts_ = small_texts("华坚集ab", 5) + ["华坚集团华坚坚集ababa"]
    for text in texts_:  # short: str.find
        assert orgs.occurrences(text, words) == reference_occurrences(text, words)
    monkeypatch.setattr(orgs, "FIND_STEPS", 0)  # the grouped alternation
    for text in texts_:
        assert orgs.occurrences(text, words) == reference_occurrences(text, words)


def test_short_mentions_equal_the_regex_alternation_on_real_pages():
    if not real_texts():
        pytest.skip(f"../shared (real pages) is not beside the clone: {SHARED}")
    checked = 0
    for text in real_texts():
        names = orgs.short_names(orgs.find_orgs(text))
        words = sorted(names, key=lambda n: len(re.escape(n)), reverse=True)
        if not words:
            continue  # find_short_mentions returns at once
        expected = reference_occurrences(text, words)
        assert orgs.occurrences(text, words) == expected
        assert orgs.occurrences_by_find(text, words) == expected
        checked += 1
    assert checked


def reference_sentence_periods(reader: _Reader) -> list[list]:
    """Plain: find_periods on every sentence in turn, the year context carried along."""
    text, spans, published = reader.text, reader.spans, reader.published
    paragraph = article = None
    year_at = -MAX_LOOKBACK - 1
    found_all = []
    for k, (start, end) in enumerate(spans):
        if k and "\n" in text[spans[k - 1][1] : start + 1]:
            paragraph = None
        context = paragraph
        if context is None and published is None and k - year_at <= MAX_LOOKBACK:
            context = article
        story = article if k - year_at <= MAX_LOOKBACK else None
        found = find_periods(text, start, end, published, context, story)
        found_all.append(found)
        years = [p.explicit_year for p in found if p.explicit_year and not p.baseline]
        if years:
            paragraph = article = years[-1]
            year_at = k
    return found_all


@pytest.mark.parametrize("published", [None, date(2020, 2, 27)])
def test_sentence_periods_skipping_to_the_next_candidate_equal_reading_each(published):
    edges = [
        "2019年投入5亿元。全年增长3%。\n上半年完成一半。",
        "没有时期。也没有。\n\n还是没有。今年完成。9个月采购",
        "除夕。正月初五。截至目前。",
        "",
    ]
    for text in edges + real_texts():
        reader = _Reader(text, published, None, [])
        if not reader.spans:
            continue
        for i in sorted({0, len(reader.spans) // 2, len(reader.spans) - 1}):
            reader.periods(i)  # read in steps, as figures ask
        assert reader.period_cache == reference_sentence_periods(reader)


@pytest.mark.parametrize(
    ("gated", "body"),
    [(orgs.PRONOUN, orgs.PRONOUN_BODY), (metrics.KEYWORD, metrics.KEYWORD_BODY)],
    ids=["pronoun", "keyword"],
)
def test_first_character_lookahead_keeps_every_match(gated, body):
    """The pronoun and metric keyword scans behind their first-character lookahead find
    what the bare alternations find (same spans, same metric group)."""
    plain = re.compile(body)
    words = [w for m in metrics.VOCABULARY for w in m.before.split("|") if w[:1].isalnum()]
    edges = ["".join(words), "该公司和我们，它们，今日公司，集团级，本行，全集团，集团投入", "公司"]
    for text in edges + real_texts():
        got = [(m.span(), m.lastgroup) for m in gated.finditer(text)]
        assert got == [(m.span(), m.lastgroup) for m in plain.finditer(text)]


def test_within_any_equals_trying_every_outer():
    full, short, _ = name_index()
    codes = sorted({c for table in (full, short) for cs in table.values() for c in cs})
    odd = ["000000", "100000", "110110", "1", "", "5100", "51000000"]
    for step, offset in [(1, 0), (7, 3), (97, 5), (len(codes), 0)]:
        outers = set(codes[offset::step]) | {"510000", "513400"}
        inside = within_any(outers)
        for code in codes + odd:
            assert inside(code) == any(contains(o, code) for o in outers), code
    for outers in [set(), {"510000"}, set(odd), {"513423", "513400"}]:
        inside = within_any(outers)
        for code in codes[::13] + odd:
            assert inside(code) == any(contains(o, code) for o in outers), (outers, code)
