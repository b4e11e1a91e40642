"""Figure extraction against the case table in tests/cases/figures.jsonl."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from aidetl.extract import extract_figures
from aidetl.extract.numerals import NumeralError, parse_chinese, to_number

CASES_FILE = Path(__file__).parent / "cases" / "figures.jsonl"
CASES = [
    json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
]


def as_decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:24] or "<empty>" for c in CASES])
def test_case_yields_exactly_the_expected_figures(case: dict) -> None:
    """Each case text yields exactly its listed figures (mention, value, unit, kind, bound)."""
    got = [
        {
            "text": f.text,
            "value": f.value,
            "value_max": f.value_max,
            "unit": f.unit,
            "kind": f.kind,
            "qualifier": f.qualifier,
        }
        for f in extract_figures(case["text"])
    ]
    want = [
        {
            "text": f["text"],
            "value": as_decimal(f["value"]),
            "value_max": as_decimal(f.get("value_max")),
            "unit": f["unit"],
            "kind": f["kind"],
            "qualifier": f["qualifier"],
        }
        for f in case["figures"]
    ]
    assert got == want


def test_case_table_is_large_and_has_many_no_figure_cases() -> None:
    """The case table keeps at least 170 cases, a good share of them traps."""
    assert len(CASES) >= 170
    assert sum(1 for c in CASES if not c["figures"]) >= 50


def test_offsets_point_into_the_original_fullwidth_text() -> None:
    """Offsets refer to the original text even when digits are full-width."""
    text = "预算为８００万元，占比１５．８％。"
    figures = extract_figures(text)
    assert [text[f.start : f.end] for f in figures] == ["８００万元", "１５．８％"]
    assert [f.value for f in figures] == [Decimal(8_000_000), Decimal("15.8")]


def test_money_is_exact_decimal_arithmetic() -> None:
    """16.4亿 is exactly 1640000000, with no float rounding."""
    assert to_number("16.4亿") == Decimal(1_640_000_000)
    assert to_number("0.1万") == Decimal(1000)


@pytest.mark.parametrize(
    "numeral,value",
    [
        ("四千二百万", 42_000_000),
        ("二百六十五万", 2_650_000),
        ("千亿", 10**11),
        ("一千零五十", 1050),
        ("叁拾万", 300_000),
        ("壹仟贰佰", 1200),
        ("三亿五千万", 350_000_000),
        ("两万亿", 2 * 10**12),
        ("十二点五", Decimal("12.5")),
    ],
)
def test_chinese_numerals_parse_exactly(numeral: str, value: int | Decimal) -> None:
    """Chinese and financial numerals parse to their exact value."""
    assert parse_chinese(numeral) == value


@pytest.mark.parametrize("numeral", ["二〇一九", "十十", "百十", "亿亿", "一二三"])
def test_malformed_chinese_numerals_raise(numeral: str) -> None:
    """Digit strings like years and jumbled units are rejected with NumeralError."""
    with pytest.raises(NumeralError):
        parse_chinese(numeral)


def test_cumulative_is_a_flag_not_a_bound() -> None:
    """累计 marks the figure cumulative and leaves its qualifier alone."""
    [fig] = extract_figures("三年来累计投入资金5亿元。")
    assert fig.cumulative and fig.qualifier == "exact"
    [plain] = extract_figures("今年投入资金5亿元。")
    assert not plain.cumulative
