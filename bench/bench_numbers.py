"""Benchmark: the public number suites in ../shared/numbers/, aidetl beside Recognizers-Text.

Each case of numbers.jsonl lists the figures its suite expects (text, value, offsets). A case
passes when every expected figure is found (an overlapping figure with the same value) and,
where the suite lists every figure of its sentence, nothing else is found. The case table test
(tests/test_extract_numbers.py) uses the same verdict. Prints, for the money and percent
figures of the suites, recall by aidetl.extract_figures and by Recognizers-Text's own Python
package (recognizers-text-number-with-unit, a bench-only dependency) on the same cases.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from aidetl.extract import extract_figures

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = ROOT.parent / "shared" / "numbers" / "numbers.jsonl"
# the suites' types for money and percentages (the recall compared side by side)
MONEY_PERCENT = frozenset({"currency", "percentage"})
# percent-like units and what one of them is in percent
PERCENT_SCALE = {
    "percent": Decimal(1),
    "permille": Decimal("0.1"),
    "per_ten_thousand": Decimal("0.01"),
    "basis_point": Decimal("0.01"),
}
# weights in grams, the unit duckling's quantities resolve to
GRAMS = {
    "ug": Decimal("0.000001"),
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "jin": Decimal(500),
    "kg": Decimal(1000),
    "ton": Decimal(1_000_000),
}
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Found:
    """One figure a system found: its span and its value in the suites' terms."""

    start: int
    end: int
    value: float | None
    grams: float | None = None  # a weight in grams


def load_cases(path: Path = NUMBERS) -> list[dict[str, Any]]:
    """The suites' cases, one dict a line of numbers.jsonl."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def case_key(case: dict[str, Any]) -> str:
    """A case's identity across runs: its suite file and its input."""
    return f"{case['source']}|{case['input']}"


def ours(text: str) -> list[Found]:
    """aidetl's figures in `text`, percentages scaled to percent as the suites give them."""
    found = []
    for fig in extract_figures(text):
        value = fig.value * PERCENT_SCALE.get(fig.unit, Decimal(1))
        grams = float(fig.value * GRAMS[fig.unit]) if fig.unit in GRAMS else None
        found.append(Found(fig.start, fig.end, float(value), grams))
    return found


def expected_span(case: dict[str, Any], item: dict[str, Any]) -> tuple[int, int]:
    """The expected figure's offsets: given by the suite, else where its text first occurs."""
    if item.get("start") is not None:
        return item["start"], item["end"]
    at = case["input"].find(item["text"])
    return (at, at + len(item["text"])) if at >= 0 else (0, len(case["input"]))


def expected_value(item: dict[str, Any]) -> float | None:
    """The expected value in the terms ours() gives: fractions as percent, cents in units."""
    value = item.get("value")
    if value is None:
        return None
    if item["type"] == "fraction":
        return value * 100
    if item.get("unit") == "Cent":
        return value / 100
    return float(value)


def same(a: float | None, b: float | None) -> bool:
    """Equal values (a suite that gives no value accepts any)."""
    if b is None:
        return True
    return a is not None and abs(a - b) <= TOLERANCE * max(1.0, abs(b))


def matched(case: dict[str, Any], item: dict[str, Any], found: list[Found]) -> bool:
    """Whether a found figure overlaps the expected one and has its value."""
    start, end = expected_span(case, item)
    want = expected_value(item)
    return any(
        f.start < end
        and start < f.end
        and same(f.grams if item.get("unit") == "g" else f.value, want)
        for f in found
    )


def verdict(case: dict[str, Any], found: list[Found]) -> list[str]:
    """What keeps the case from passing: missed figures, and extra ones where the suite lists
    every figure of its sentence (empty: the case passes)."""
    problems = [
        f"missed {item['text']!r}" for item in case["expected"] if not matched(case, item, found)
    ]
    if case["match"] == "all_in_text":
        spans = [expected_span(case, item) for item in case["expected"]]
        for f in found:
            if not any(f.start < e and s < f.end for s, e in spans):
                problems.append(f"extra {case['input'][f.start : f.end]!r}")
    return problems


def theirs(models: list[Any], text: str) -> list[Found]:
    """Recognizers-Text's money, percent and unit figures in `text`."""
    found = []
    for model in models:
        for result in model.parse(text):
            resolution = result.resolution or {}
            raw = str(resolution.get("value") or "").rstrip("%")
            try:
                value = float(raw) if raw else None
            except ValueError:
                value = None
            found.append(Found(result.start, result.end + 1, value))
    return found


def recognizers_models() -> list[Any]:
    """Recognizers-Text's Chinese currency, dimension and percentage models."""
    from recognizers_number import NumberRecognizer  # bench-only dependency
    from recognizers_number_with_unit import NumberWithUnitRecognizer
    from recognizers_text import Culture

    units = NumberWithUnitRecognizer(Culture.Chinese)
    numbers = NumberRecognizer(Culture.Chinese)
    return [
        units.get_currency_model(),
        units.get_dimension_model(),
        numbers.get_percentage_model(),
    ]


def recall(cases: list[dict[str, Any]], finder: Any) -> tuple[int, int, float]:
    """(found, total, CPU seconds) over the money and percent figures of `cases`."""
    hit = total = 0
    started = time.process_time()
    for case in cases:
        items = [i for i in case["expected"] if i["type"] in MONEY_PERCENT]
        if not items:
            continue
        found = finder(case["input"])
        total += len(items)
        hit += sum(matched(case, item, found) for item in items)
    return hit, total, time.process_time() - started


def main() -> None:
    if not NUMBERS.exists():
        print("bench_numbers: ../shared/numbers/numbers.jsonl absent, skipped")
        return
    cases = load_cases()
    passed = sum(not verdict(c, ours(c["input"])) for c in cases)
    print(f"bench_numbers: {passed}/{len(cases)} cases pass with aidetl (the rest are listed)")
    hit, total, seconds = recall(cases, ours)
    print(f"bench_numbers: money+percent recall aidetl {hit}/{total} = {hit / total:.3f}")
    try:
        models = recognizers_models()
    except ImportError as err:
        print(f"bench_numbers: Recognizers-Text not installed ({err}); run make bench")
        return
    their_hit, their_total, their_seconds = recall(cases, lambda t: theirs(models, t))
    print(
        f"bench_numbers: money+percent recall Recognizers-Text {their_hit}/{their_total} = "
        f"{their_hit / their_total:.3f} (same cases, same matching; "
        f"{seconds:.2f} s vs {their_seconds:.2f} s CPU)"
    )


if __name__ == "__main__":
    main()
