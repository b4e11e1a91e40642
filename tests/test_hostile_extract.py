"""Pathological text for the extractor: time stays linear in the text, memory in the facts.

Each budget is ~100x the per-character cost measured in the same test on normal news text
(with a small floor so a fast machine's noise cannot fail it): catastrophic backtracking or
a per-figure scan of the whole text blows through it, ordinary slowness does not.
tests/test_extract_properties.py already covers extract_figures on 1 MB of digits, 万亿
and Chinese numerals; this file adds full-width digits, alternating digits and magnitudes,
and extract_facts (the context stage: sentences, clauses, places, periods, subjects).
"""

from __future__ import annotations

import time

import pytest

from aidetl.extract import extract_facts, extract_figures

NORMAL = (
    "2018年以来，中国电信在云南省怒江州累计投入扶贫资金超5亿元，帮扶132个县1204个村。"
    "当地贫困发生率从31%下降到1.2%，农村居民人均可支配收入达到9800元。\n"
    "公司还采购农产品3000万元，带动800名群众就业，其中600名是建档立卡贫困户。\n"
)
FLOOR = 2e-6  # seconds per character


def per_char(fn, text: str) -> float:
    started = time.perf_counter()
    fn(text)
    return (time.perf_counter() - started) / len(text)


def normal_cost(fn) -> float:
    per_char(fn, NORMAL * 10)  # warm the caches
    return per_char(fn, NORMAL * 200)


FIGURE_TEXTS = {
    "1 MB of full-width digits": "１２３４５" * 200_000,
    "digits and 万/亿/余/多 alternating": "1万2亿3余4多" * 25_000,
    "digits and 万 alternating": "1万" * 100_000,
    "万亿余多 runs after a digit": "5万亿余多" * 40_000,
    "full-width digits and 万亿": "１２万３亿" * 40_000,
    "decimal points without end": "1.2." * 50_000,
}


@pytest.mark.parametrize("name", list(FIGURE_TEXTS))
def test_extract_figures_stays_linear_on_pathological_text(name):
    """extract_figures: within ~100x the normal per-character cost."""
    normal = normal_cost(extract_figures)
    assert per_char(extract_figures, FIGURE_TEXTS[name]) < max(100 * normal, FLOOR)


FACT_TEXTS = {
    "1 MB of digits": "7" * 1_000_000,
    "1 MB of 万亿": "万亿" * 500_000,
    "1 MB of full-width digits": "１２３４５" * 200_000,
    "long runs of Chinese numerals": ("三千二百五十六万七千八百九十一" * 400 + "元，") * 20,
    "digits and 万/亿/余/多 alternating": "1万2亿3余4多" * 25_000,
    # figures with no full stop: one "sentence" of 100 KB, 8000 figures in it
    "8000 figures and no full stop": "中国电信在云南省投入5亿元" * 8_000,
    "8000 figures, no line break, no year": "投入5亿元。" * 8_000,
    "8000 periods tied by 的": "2018年的5亿元，" * 8_000,
    "8000 subsets (其中)": "共10亿元，其中5亿元" * 8_000,
    "8000 percentages back to back": "5%" * 8_000,
}


@pytest.mark.parametrize("name", list(FACT_TEXTS))
def test_extract_facts_stays_linear_on_pathological_text(name):
    """extract_facts (figures + context): within ~100x the normal per-character cost."""
    normal = normal_cost(extract_facts)
    assert per_char(extract_facts, FACT_TEXTS[name]) < max(100 * normal, FLOOR)


def test_a_sentence_without_end_is_not_copied_into_every_fact():
    """8000 figures in one 100 KB run without a stop: each fact's sentence stays short,
    so memory grows with the facts, not with facts x text."""
    facts = extract_facts(FACT_TEXTS["8000 figures and no full stop"])
    assert len(facts) == 8_000
    assert max(len(f.sentence) for f in facts) <= 1_000
    assert sum(f.metric == "investment" for f in facts) > 0.9 * len(facts)


def test_context_still_reads_a_normal_paragraph():
    """The bounds change nothing for ordinary text: subject, place, period as before."""
    facts = {f.text: f for f in extract_facts(NORMAL)}
    money = facts["超5亿元"]
    assert money.subject == "中国电信" and money.place and money.place.startswith("云南")
    assert money.period_start is not None and money.period_start.year == 2018
    assert money.cumulative
    assert facts["600名"].parent_start == NORMAL.index("800名")
