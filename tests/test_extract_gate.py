"""Accuracy gate: the shared scorer on the seed article must stay above pinned floors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aidetl.extract import extract_facts

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seed" / "000_cd1afa15144c904d.txt"
GOLD = SHARED / "gold" / "seed-figures.jsonl"
SCORER = SHARED / "tools" / "score_figures.py"

# Pinned floors (measured: precision 1.000, recall 1.000, no trap hit).
MIN_PRECISION = 0.99
MIN_RECALL = 0.98


@pytest.mark.skipif(
    not (SEED.exists() and GOLD.exists() and SCORER.exists()),
    reason="../shared (seed, gold, scorer) is not beside the clone",
)
def test_seed_precision_and_recall_stay_above_floors(tmp_path: Path) -> None:
    """Scored by shared/tools/score_figures.py: precision ≥ 0.99, recall ≥ 0.98, no trap hit."""
    text = SEED.read_text(encoding="utf-8")
    out = tmp_path / "facts.jsonl"
    out.write_text(
        "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in extract_facts(text)),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(SCORER), str(GOLD), str(SEED), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    scores = re.search(r"precision ([\d.]+) recall ([\d.]+)", result.stdout)
    traps = re.search(r"traps_hit (\d+)", result.stdout)
    assert scores and traps, result.stdout + result.stderr
    assert float(scores.group(1)) >= MIN_PRECISION, result.stdout
    assert float(scores.group(2)) >= MIN_RECALL, result.stdout
    assert int(traps.group(1)) == 0, result.stdout


REAL_GOLD = SHARED / "gold" / "facts-real.jsonl"
REAL_PAGES = SHARED / "pages" / "pages.jsonl"
FACT_SCORER = SHARED / "tools" / "score_facts.py"

# Pinned floors for figures on real pages (measured: recall 0.984, precision 0.996 on 27 pages,
# 623 gold figures). Raise them when the grammar improves; never lower them.
MIN_REAL_RECALL = 0.98
MIN_REAL_PRECISION = 0.99


@pytest.mark.skipif(
    not (REAL_GOLD.exists() and REAL_PAGES.exists() and FACT_SCORER.exists()),
    reason="../shared (real-page gold, pages, score_facts.py) is not beside the clone",
)
def test_real_page_figure_recall_and_precision_stay_above_floors() -> None:
    """Scored by shared/tools/score_facts.py on the real-page gold: figure recall ≥ 0.98 and
    precision ≥ 0.99 (a wrong value or bound counts against precision)."""
    result = subprocess.run(
        [sys.executable, str(FACT_SCORER), str(REAL_GOLD), str(REAL_PAGES)],
        capture_output=True,
        text=True,
        check=True,
    )
    scores = re.search(r"figure recall ([\d.]+) precision ([\d.]+)", result.stdout)
    assert scores, result.stdout + result.stderr
    assert float(scores.group(1)) >= MIN_REAL_RECALL, result.stdout.splitlines()[-1]
    assert float(scores.group(2)) >= MIN_REAL_PRECISION, result.stdout.splitlines()[-1]
