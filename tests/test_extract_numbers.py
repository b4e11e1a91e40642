"""The public number suites in ../shared/numbers/: every case passes or is listed with its reason.

A case passes when every figure its suite expects is found with its value (and, where the suite
lists every figure of its sentence, nothing else is). The others are listed in
tests/cases/numbers-listed.jsonl with a reason from REASONS and what extraction yields for them,
so a listed case that changes (or starts passing) fails here until the list says so.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from bench.bench_numbers import NUMBERS, case_key, load_cases, ours, verdict

LISTED_FILE = Path(__file__).parent / "cases" / "numbers-listed.jsonl"
LISTED = {
    f"{row['source']}|{row['input']}": row
    for row in (json.loads(line) for line in LISTED_FILE.read_text(encoding="utf-8").splitlines())
}
CASES = load_cases() if NUMBERS.exists() else []

# why a suite's case is not a figure under the fact contract (DESIGN.md, FACTS-GUIDE.md), or
# "gap": a figure the grammar does not read yet (the row's note says which)
REASONS = {
    "bare number": "a number with no unit, measure word or percent sign (or a mixed number)",
    "ordinal": "an ordinal or rank",
    "digit sequence": "a code, phone number, digit-by-digit reading or a 24-digit run",
    "date": "a date or year: it feeds the period",
    "age": "an age",
    "duration": "a duration: it feeds the period",
    "range without unit": "a range of bare numbers",
    "arithmetic": "an arithmetic expression",
    "spoken spacing": "a speech transcript's spelling, spaces between one figure's characters",
    "idiom": "an idiom built from numerals",
    "suite lists other kinds": "the suite lists one kind only; the others found are figures here",
    "suite convention": "the suite reads the text its own way (the note says how)",
    "gap": "a figure under the contract that the grammar does not read yet",
}


def yielded(case: dict) -> list[list[object]]:
    """What extraction yields for a case, as listed: [[mention, value], …]."""
    return [[case["input"][f.start : f.end], f.value] for f in ours(case["input"])]


@pytest.mark.skipif(not CASES, reason="../shared/numbers/numbers.jsonl is not beside the clone")
@pytest.mark.parametrize("case", CASES, ids=[f"{c['input'][:20]}" for c in CASES])
def test_suite_case_passes_or_is_listed_with_its_reason(case: dict) -> None:
    """An unlisted case passes; a listed one has a known reason, still fails, and yields
    exactly what its row records."""
    problems = verdict(case, ours(case["input"]))
    row = LISTED.get(case_key(case))
    if row is None:
        assert not problems, f"{case['input']!r}: {problems} (fix it or list it with a reason)"
        return
    assert row["reason"] in REASONS, row
    assert row["reason"] not in ("gap", "suite convention") or row.get("note"), row
    assert problems, f"{case['input']!r} passes now: remove it from {LISTED_FILE.name}"
    assert yielded(case) == row["ours"], f"{case['input']!r} changed; update its row"


@pytest.mark.skipif(not CASES, reason="../shared/numbers/numbers.jsonl is not beside the clone")
def test_every_listed_case_is_a_suite_case_and_gaps_stay_few() -> None:
    """The list names no case the suites lack, and known gaps stay under 3 % of the cases."""
    keys = {case_key(c) for c in CASES}
    assert set(LISTED) <= keys, sorted(set(LISTED) - keys)[:5]
    reasons = collections.Counter(row["reason"] for row in LISTED.values())
    assert reasons["gap"] <= 0.03 * len(CASES), reasons
