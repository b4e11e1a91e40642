"""`aidetl compact`: checkpoint, statistics and, when asked, the facts of superseded versions
deleted; run as a real process, twice, on a real DuckDB file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

REPORT_VIEWS = ("facts_dedup", "summable_figures", "money_by_subject_year", "figures_by_place")


def compact(db: Path, *flags: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "aidetl.cli", "compact", "--warehouse", str(db), *flags],
        capture_output=True, text=True, check=False,
        env={**os.environ, "AIDETL_LOCK_TIMEOUT": "10"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 1, lines  # one summary line
    return lines[0]


def views(wh: Warehouse) -> dict[str, list[tuple]]:
    return {v: sorted(map(repr, wh.query(f"SELECT * FROM {v}")[1])) for v in REPORT_VIEWS}


def test_compact_twice_deletes_superseded_facts_once_and_keeps_the_views(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = Warehouse(db)
    wh.load_batch(synthetic_batch("first", 0, 6, 4))
    wh.load_batch(synthetic_batch("second", 0, 6, 4, revision=1))  # new text: new versions
    wh.load_batch(synthetic_batch("third", 6, 3, 2))
    shown = views(wh)
    assert wh.query("SELECT count(*) FROM facts")[1] == [(6 * 4 * 2 + 3 * 2,)]

    first = compact(db, "--vacuum-superseded")
    assert re.search(r"deleted 24 facts of superseded versions; checkpointed and analyzed", first)
    assert wh.query("SELECT count(*) FROM facts")[1] == [(6 * 4 + 3 * 2,)]
    assert views(wh) == shown

    second = compact(db, "--vacuum-superseded")
    assert "deleted 0 facts" in second
    plain = compact(db)
    assert "deleted" not in plain and "checkpointed and analyzed" in plain
    assert views(wh) == shown
    # still a warehouse that loads: the old text comes back with its facts
    result = wh.load_batch(synthetic_batch("fourth", 0, 6, 4))
    assert result.new_facts == 24
    assert wh.query("SELECT count(*) FROM facts")[1] == [(6 * 4 * 2 + 3 * 2,)]


def test_compact_of_a_file_that_is_not_a_warehouse_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(b"not a database" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "aidetl.cli", "compact", "--warehouse", str(db)],
        capture_output=True, text=True, check=False, env={**os.environ, "AIDETL_LOCK_TIMEOUT": "2"},
    )  # fmt: skip
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
