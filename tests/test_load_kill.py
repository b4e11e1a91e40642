"""kill -9 during a load leaves every batch either fully there or absent; re-running completes it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch

BATCHES = 8
ARTICLES = 200  # per batch
FACTS_PER_ARTICLE = 25  # 5,000 facts per batch

LOADER = f"""
import sys
from pathlib import Path
from aidetl.warehouse import Warehouse
from aidetl.warehouse.synthetic import synthetic_batch
wh = Warehouse(Path(sys.argv[1]))
for k in range(int(sys.argv[2])):
    wh.load_batch(synthetic_batch("run-kill", k * {ARTICLES}, {ARTICLES}, {FACTS_PER_ARTICLE}))
    print("loaded", k, flush=True)
"""


def batch_rows(wh: Warehouse) -> dict[int, tuple[int, int, int]]:
    """Per batch number: (articles, facts, fetches) present."""
    sql = f"""
    WITH a AS (SELECT article_id, CAST(regexp_extract(url, '(\\d+)\\.html', 1) AS INT) // {ARTICLES} AS k
               FROM articles)
    SELECT a.k, count(DISTINCT a.article_id),
           (SELECT count(*) FROM facts f WHERE f.article_id IN (SELECT article_id FROM a a2 WHERE a2.k = a.k)),
           (SELECT count(*) FROM fetches x JOIN articles y USING (url) WHERE y.article_id IN
               (SELECT article_id FROM a a3 WHERE a3.k = a.k))
    FROM a GROUP BY a.k
    """
    return {k: (n_a, n_f, n_x) for k, n_a, n_f, n_x in wh.query(sql)[1]}


@pytest.mark.slow
def test_sigkill_mid_load_leaves_whole_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    db = tmp_path / "kill.duckdb"
    Warehouse(db).migrate()
    proc = subprocess.Popen([sys.executable, "-c", LOADER, str(db), str(BATCHES)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None
    stamps = []
    for _ in range(3):  # let some batches commit...
        assert proc.stdout.readline().startswith("loaded")
        stamps.append(time.monotonic())
    # ...then kill well into the next one: past its Arrow conversion, inside its transaction
    time.sleep(0.6 * (stamps[2] - stamps[1]))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    wh = Warehouse(db, lock_timeout=10)
    present = batch_rows(wh)
    whole = (ARTICLES, ARTICLES * FACTS_PER_ARTICLE, ARTICLES)
    assert 3 <= len(present) < BATCHES
    assert all(rows == whole for rows in present.values()), present

    for k in range(BATCHES):  # the next run loads everything again
        wh.load_batch(synthetic_batch("run-kill", k * ARTICLES, ARTICLES, FACTS_PER_ARTICLE))
    present = batch_rows(wh)
    assert present == {k: whole for k in range(BATCHES)}
    _, [(total, distinct)] = wh.query("SELECT count(*), count(DISTINCT fact_id) FROM facts")
    assert total == distinct == BATCHES * ARTICLES * FACTS_PER_ARTICLE
