"""Robustness of extract_figures: any text, no exception, sound offsets, linear time."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aidetl.extract import extract_figures

NUMERIC_ALPHABET = (
    "0123456789０１２３４５６７８９.,，%％一二两三四五六七八九十百千万亿零〇点余多个名户元亩成"
    "超近约以上左右至到-~—第年月累计资金投入 　美港吨米公里平方个百分点人次家所只份股手倍"
)
NUMERIC_TEXT = st.text(alphabet=NUMERIC_ALPHABET + "的村县企业用户人口百分之", max_size=80)
ANY_TEXT = st.one_of(st.text(max_size=200), NUMERIC_TEXT)


def check_sound(text: str) -> None:
    figures = extract_figures(text)
    ends = -1
    for f in figures:
        assert text[f.start : f.end] == f.text
        assert f.start >= ends, "figures overlap or are out of order"
        assert f.start < f.end
        ends = f.end
        if f.value_max is not None:
            assert f.value_max > f.value
    assert extract_figures(text) == figures, "output is not deterministic"


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
@example("家1~0百倍余家元")  # a range whose upper end is 0: once a division by zero
def test_any_text_gives_sound_non_overlapping_deterministic_figures(text: str) -> None:
    """Any Unicode string: no exception, text[start:end] == figure.text, no overlap."""
    check_sound(text)


def test_empty_text_has_no_figures() -> None:
    """Empty text returns an empty list."""
    assert extract_figures("") == []


def test_binary_junk_decoded_as_text_does_not_crash() -> None:
    """Random bytes decoded with replacement characters are handled."""
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(200_000))
    for encoding in ("utf-8", "latin-1", "gb18030"):
        check_sound(junk.decode(encoding, errors="replace"))


def per_char_seconds(text: str) -> float:
    started = time.perf_counter()
    extract_figures(text)
    return (time.perf_counter() - started) / max(1, len(text))


BASELINE = "扶贫资金超5亿元，帮扶132个县1204个村，覆盖率近90%，其中一个好汉三个帮。" * 2000


@pytest.mark.timeout(300)
def test_long_digit_run_is_linear() -> None:
    """1 MB of digits returns within ~100x the normal per-character cost (no backtracking)."""
    normal = per_char_seconds(BASELINE)
    assert per_char_seconds("7" * 1_000_000) < max(100 * normal, 2e-6)


@pytest.mark.timeout(300)
def test_repeated_wan_yi_is_linear() -> None:
    """1 MB of 万亿 repeated returns within ~100x the normal per-character cost."""
    normal = per_char_seconds(BASELINE)
    assert per_char_seconds("万亿" * 500_000) < max(100 * normal, 2e-6)


@pytest.mark.timeout(300)
def test_long_chinese_numeral_runs_are_linear() -> None:
    """Long runs of Chinese numerals, with and without units, stay linear."""
    normal = per_char_seconds(BASELINE)
    text = ("三千二百五十六万七千八百九十一" * 4000 + "元，") * 10
    assert per_char_seconds(text) < max(100 * normal, 2e-6)
    assert per_char_seconds("1,000," * 150_000 + "元") < max(100 * normal, 2e-6)
    assert per_char_seconds("1.1." * 250_000 + "%") < max(100 * normal, 2e-6)
    assert per_char_seconds("7" * 1_000_000 + "x") < max(100 * normal, 2e-6)
    assert per_char_seconds("三" * 1_000_000) < max(100 * normal, 2e-6)
    assert per_char_seconds("一二三四五六七八九十" * 100_000 + "年") < max(100 * normal, 2e-6)


@pytest.mark.timeout(300)
def test_five_megabytes_of_text_returns() -> None:
    """A 5 MB article returns (generous budget, only to catch hangs)."""
    text = (BASELINE * 20)[:5_000_000]
    started = time.perf_counter()
    figures = extract_figures(text)
    assert time.perf_counter() - started < 120
    assert len(figures) > 10_000


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9999), st.integers(1, 9999), st.sampled_from(["亿", "万亿"]))
def test_arabic_compound_magnitudes_are_one_summed_figure(high: int, low: int, big: str) -> None:
    """ "3亿5000万元" is one figure worth 3*10^8 + 5000*10^4, its mention covering all of it."""
    text = f"投入资金{high}{big}{low}万元。"
    [fig] = extract_figures(text)
    scale = 10**8 if big == "亿" else 10**12
    assert fig.text == f"{high}{big}{low}万元"
    assert fig.value == high * scale + low * 10_000 and fig.unit == "CNY"


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 999), st.integers(1, 9))
def test_wan_qian_compound_is_summed_not_split(high: int, low: int) -> None:
    """ "10万5千元" is one figure of 105000, never "10万" and "5千元"."""
    [fig] = extract_figures(f"补贴{high}万{low}千元。")
    assert fig.value == high * 10_000 + low * 1000
