"""Context of figures (metric, subject, place, period, planned, cumulative, subset) against
the case table tests/cases/context.jsonl and the seed article's gold metrics."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aidetl.extract import extract_facts
from aidetl.extract.context import annotate
from aidetl.models import Fact, Figure

CASES_FILE = Path(__file__).parent / "cases" / "context.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIELDS = (
    "metric",
    "subject",
    "place",
    "place_code",
    "period_start",
    "period_end",
    "planned",
    "cumulative",
    "subject_parent",
    "parent",
)
# Pinned floors: per-field accuracy over every fact of the case table (measured, then
# rounded down a little). A change that makes any field worse fails the gate.
# Measured on 164 cases / 206 facts: metric 0.995, every other field 1.000 (the 58 cases
# written blind, before the fixes they led to, scored metric 0.89-0.97, subject 0.97-1.0,
# place 0.90-1.0, period_end 0.90-1.0).
FLOORS = {
    "metric": 0.98,
    "subject": 0.98,
    "place": 0.98,
    "place_code": 0.98,
    "period_start": 0.98,
    "period_end": 0.98,
    "planned": 0.98,
    "cumulative": 0.98,
    "subject_parent": 0.98,
    "parent": 0.98,
}
# Where the truth is null, a wrong non-null value is worse than a miss: cap that rate.
MAX_WRONG_WHEN_NULL = 0.01


def published(case: dict) -> datetime | None:
    raw = case.get("published_at")
    return datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI) if raw else None


def expected_value(fact: dict, name: str):
    if name in ("planned", "cumulative"):
        return fact.get(name, False)
    return fact.get(name)


def actual_value(got: Fact, name: str, by_start: dict[int, Fact]):
    if name == "parent":
        parent = by_start.get(got.parent_start) if got.parent_start is not None else None
        return parent.text if parent else None
    value = getattr(got, name)
    return value.isoformat() if isinstance(value, date) else value


def match(case: dict, facts: list[Fact]) -> list[tuple[dict, Fact | None]]:
    """Pair each expected fact with the extracted figure overlapping its first occurrence."""
    text, pairs, seen = case["text"], [], {}
    for want in case["facts"]:
        pos = text.find(want["text"], seen.get(want["text"], 0))
        seen[want["text"]] = pos + 1
        span = (pos, pos + len(want["text"]))
        got = next((f for f in facts if f.start < span[1] and span[0] < f.end), None)
        pairs.append((want, got))
    return pairs


def run_case(case: dict) -> list[tuple[dict, Fact | None, dict[int, Fact]]]:
    facts = extract_facts(case["text"], published(case), case.get("organisation"))
    by_start = {f.start: f for f in facts}
    return [(want, got, by_start) for want, got in match(case, facts)]


def test_case_table_is_large_enough():
    """The gate needs at least 90 cases."""
    assert len(CASES) >= 90


def case_params() -> list:
    return [
        pytest.param(
            c,
            id=c["text"][:16],
            marks=[pytest.mark.xfail(strict=True, reason=c["known_miss"])]
            if c.get("known_miss")
            else [],
        )
        for c in CASES
    ]


@pytest.mark.parametrize("case", case_params())
def test_context_case(case):
    """Each case's facts get exactly the context the case says. Facts the figure extractor
    does not find are skipped (the gate counts them); a case marked known_miss documents a
    current weakness and must keep failing until fixed (strict xfail)."""
    for want, got, by_start in run_case(case):
        if got is None:
            pytest.skip(f"figure extractor did not find {want['text']!r}")
        assert want["text"] in got.sentence or got.text in got.sentence
        wrong = {
            name: (expected_value(want, name), actual_value(got, name, by_start))
            for name in FIELDS
            if expected_value(want, name) != actual_value(got, name, by_start)
        }
        assert not wrong, f"{want['text']}: field: (want, got) {wrong}"


def test_context_accuracy_gate():
    """Per-field accuracy over the whole case table stays above the pinned floors, and a
    field the text does not give is rarely filled with a wrong value."""
    right = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    null_total = null_wrong = found = expected = 0
    misses = []
    for case in CASES:
        for want, got, by_start in run_case(case):
            expected += 1
            if got is None:
                continue
            found += 1
            for name in FIELDS:
                want_value = expected_value(want, name)
                got_value = actual_value(got, name, by_start)
                total[name] += 1
                if want_value == got_value:
                    right[name] += 1
                else:
                    misses.append(f"{name}: {want['text']} want {want_value!r} got {got_value!r}")
                if want_value is None and name not in ("planned", "cumulative"):
                    null_total += 1
                    null_wrong += got_value is not None
    accuracy = {name: right[name] / total[name] for name in FIELDS}
    report = "\n".join(f"{n}: {a:.3f}" for n, a in accuracy.items()) + "\n" + "\n".join(misses)
    assert found / expected >= 0.95, report
    for name, floor in FLOORS.items():
        assert accuracy[name] >= floor, report
    assert null_wrong / null_total <= MAX_WRONG_WHEN_NULL, report


def seed_facts() -> tuple[list[dict], list[Fact]]:
    gold_file = SHARED / "gold" / "seed-figures.jsonl"
    seed_dir = SHARED / "seed"
    if not gold_file.exists() or not seed_dir.exists():
        pytest.skip(f"shared data not found at {SHARED}")
    gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line]
    text = next(seed_dir.glob("*.txt")).read_text(encoding="utf-8")
    facts = extract_facts(text, datetime(2020, 2, 27, 21, 37, tzinfo=SHANGHAI))
    return gold, [f for f in facts if f.text]


def seed_pairs(gold: list[dict], facts: list[Fact]) -> list[tuple[dict, Fact]]:
    """Gold lines matched to facts by mention, in order (the seed repeats some mentions)."""
    pairs, used = [], set()
    for g in gold:
        got = next(
            (
                f
                for f in facts
                if f.start not in used
                and (g["mention"] in f.text or f.text in g["mention"])
                and f.text.strip()
                and g["context"].find(f.text) >= 0
            ),
            None,
        )
        if got is not None:
            used.add(got.start)
            pairs.append((g, got))
    return pairs


def test_seed_gold_metrics():
    """Seed gold: every non-null metric is found, and null metrics stay null (not wrong)."""
    gold, facts = seed_facts()
    pairs = seed_pairs(gold, facts)
    named = [(g, f) for g, f in pairs if g["metric"] is not None]
    nulls = [(g, f) for g, f in pairs if g["metric"] is None]
    assert len(named) >= 20
    wrong_named = [
        (g["mention"], g["metric"], f.metric) for g, f in named if f.metric != g["metric"]
    ]
    wrong_nulls = [(g["mention"], f.metric) for g, f in nulls if f.metric is not None]
    assert not wrong_named, wrong_named
    assert not wrong_nulls, wrong_nulls


def test_seed_money_facts_belong_to_china_telecom():
    """Every money figure of the seed article is China Telecom's (itself or a branch)."""
    _, facts = seed_facts()
    money = [f for f in facts if f.kind == "money"]
    assert len(money) >= 12
    assert all(
        "中国电信" in (f.subject or "") and (f.subject_parent in (None, "中国电信")) for f in money
    ), [(f.text, f.subject) for f in money]
    first = next(f for f in money if f.text == "超5亿元")
    assert (first.metric, first.subject, first.cumulative) == ("donation", "中国电信", True)
    assert (first.period_start, first.period_end) == (date(2018, 1, 1), date(2020, 2, 27))


def figure(text: str, mention: str, unit: str = "CNY", kind: str = "money") -> Figure:
    start = text.index(mention)
    return Figure(mention, start, start + len(mention), Decimal(1), unit, kind)


def test_annotate_handles_hand_built_figures():
    """annotate works from figures alone: metric from the nearest noun, subject, period."""
    text = "2019年，中国电信向盐源县捐赠资金300万元。"
    [fact] = annotate(text, [figure(text, "300万元")], None, None, "test")
    assert (fact.metric, fact.subject, fact.place, fact.place_code) == (
        "donation",
        "中国电信",
        "盐源县",
        "513423",
    )
    assert (fact.period_start, fact.period_end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert fact.sentence == text
    assert fact.extractor_version == "test"


def test_verb_after_figure_gives_metric_for_an_enumeration():
    """ "94个贫困村8078户28247名贫困人口顺利脱贫": all three were lifted out of poverty."""
    text = "目前已有94个贫困村8078户28247名贫困人口顺利脱贫。"
    figures = [
        figure(text, "94个", "village", "count"),
        figure(text, "8078户", "household", "count"),
        figure(text, "28247名", "person", "count"),
    ]
    assert [f.metric for f in annotate(text, figures, None, None, "")] == [
        "lifted_out_of_poverty"
    ] * 3


def test_shared_noun_in_enumeration_goes_to_the_nearer_noun():
    """引入产业投资1.1亿元、无偿帮扶资金1600余万元 → investment, then donation."""
    text = "为定点扶贫县引入产业投资1.1亿元、无偿帮扶资金1600余万元。"
    facts = annotate(text, [figure(text, "1.1亿元"), figure(text, "1600余万元")], None, None, "")
    assert [f.metric for f in facts] == ["investment", "donation"]


def test_money_keyword_does_not_label_a_count():
    """A count near 投入 gets no money metric: null beats a guess."""
    text = "投入资金500万元帮助300户贫困户。"
    facts = annotate(
        text, [figure(text, "500万元"), figure(text, "300户", "household", "count")], None, None, ""
    )
    assert [f.metric for f in facts] == ["investment", None]


def test_subset_points_to_its_parent():
    """其中贫困村119个 is a subset of 175个村."""
    text = "对口帮扶138个乡175个村(其中贫困村119个)。"
    figures = [
        figure(text, "138个乡", "township", "count"),
        figure(text, "175个村", "village", "count"),
        figure(text, "119个", "village", "count"),
    ]
    facts = annotate(text, figures, None, None, "")
    assert facts[2].parent_start == text.index("175个村")
    assert facts[0].parent_start is None and facts[1].parent_start is None


def test_relative_period_without_publish_date_stays_null():
    """今年 means nothing without the publish date."""
    text = "今年，中国移动投入资金800万元。"
    [fact] = annotate(text, [figure(text, "800万元")], None, None, "")
    assert (fact.period_start, fact.period_end) == (None, None)
    [dated] = annotate(text, [figure(text, "800万元")], datetime(2021, 3, 1), None, "")
    assert (dated.period_start, dated.period_end) == (date(2021, 1, 1), date(2021, 12, 31))


def test_pronoun_falls_back_to_the_main_organisation():
    """该公司 → the article's organisation; with none given, the most frequent one."""
    text = "中国联通发布报告。\n\n该公司全年采购扶贫产品1800万元。\n\n中国联通表示将继续帮扶。"
    [given] = annotate(text, [figure(text, "1800万元")], None, "中国铁塔", "")
    [found] = annotate(text, [figure(text, "1800万元")], None, None, "")
    assert given.subject == "中国铁塔"
    assert found.subject == "中国联通"


def test_recipient_is_not_the_subject():
    """向盐源县人民政府捐赠: the government receives, the company gives."""
    text = "中国电信四川公司向盐源县人民政府捐赠资金200万元。"
    [fact] = annotate(text, [figure(text, "200万元")], None, None, "")
    assert (fact.subject, fact.subject_parent) == ("中国电信四川公司", "中国电信")


def test_docs_list_every_metric():
    """docs/metrics.md documents every metric of the vocabulary."""
    from aidetl.extract.metrics import VOCABULARY

    docs = (Path(__file__).resolve().parents[1] / "docs" / "metrics.md").read_text(encoding="utf-8")
    missing = [m.name for m in VOCABULARY if f"`{m.name}`" not in docs]
    assert not missing


def test_dateline_place_is_not_the_facts_place():
    """新华社北京3月6日电: Beijing is where the story was filed."""
    text = "新华社北京3月6日电 中国移动今年投入资金800万元。"
    [fact] = annotate(text, [figure(text, "800万元")], datetime(2021, 3, 6), None, "")
    assert (fact.place, fact.place_code, fact.subject) == (None, None, "中国移动")
