"""A run killed halfway keeps what it loaded; a re-run completes the rest without duplicates.

The generated site (bench/sitegen.py, 600 articles) and the pipeline (bench/bench_scale.py
--child, i.e. aidetl.sequencer.run_ingest) each run in their own process. The pipeline is
SIGKILLed once the warehouse holds at least 300 articles.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from aidetl.errors import WarehouseError
from aidetl.extract import extract_facts
from aidetl.parse import parse_html
from aidetl.warehouse import Warehouse
from bench.sitegen import serve_site

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PAGES = 600
KILL_AT = 300


@pytest.fixture(scope="module")
def site():
    """The generated site in its own process: yields its base URL."""
    with serve_site(PAGES) as served:
        yield served.base


def start_pipeline(base: str, work: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.bench_scale", "--child", base + "/sitemap_index.xml", str(work)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def article_count(wh: Warehouse) -> int:
    try:
        return wh.query("SELECT count(*) FROM articles")[1][0][0]
    except WarehouseError:
        return 0  # not created yet, or the articles table not migrated yet


def kill_when_loaded(process: subprocess.Popen, wh: Warehouse, at_least: int) -> int:
    """SIGKILL `process` once the warehouse has `at_least` articles; return the count seen."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pipeline ended before the kill: {process.stderr.read()[-2000:]}")
        seen = article_count(wh)
        if seen >= at_least:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            return seen
        time.sleep(0.05)
    process.kill()
    pytest.fail("the pipeline did not load enough articles in time")


def facts_by_url(wh: Warehouse) -> dict[str, set[tuple[int, int, str]]]:
    """Every article's facts as (start, end, text), keyed by the article's URL."""
    _, rows = wh.query(
        'SELECT a.url, f.start, f."end", f.text FROM articles a '
        "LEFT JOIN facts f USING (article_id)"
    )
    out: dict[str, set[tuple[int, int, str]]] = {}
    for url, start, end, text in rows:
        facts = out.setdefault(url, set())
        if text is not None:
            facts.add((start, end, text))
    return out


def expected_facts(url: str) -> set[tuple[int, int, str]]:
    """The facts the article at `url` should have, computed here from its page."""
    article = parse_html(requests.get(url, timeout=10).content, url=url)
    return {(f.start, f.end, f.text) for f in extract_facts(article.body, article.published_at)}


@pytest.fixture(scope="module")
def killed_then_rerun(site, tmp_path_factory):
    work = tmp_path_factory.mktemp("scale")
    wh = Warehouse(work / "w.duckdb")
    seen = kill_when_loaded(start_pipeline(site, work), wh, KILL_AT)
    after_kill = facts_by_url(wh)
    _, runs_after_kill = wh.query("SELECT run_id, status FROM runs")
    rerun = start_pipeline(site, work)
    out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err[-3000:]
    return wh, seen, after_kill, runs_after_kill, json.loads(out.strip().splitlines()[-1])


def test_articles_loaded_before_a_sigkill_are_kept_with_all_their_facts(killed_then_rerun):
    """Every article in the warehouse after the kill has exactly the facts its page gives."""
    _, seen, after_kill, runs_after_kill, _ = killed_then_rerun
    assert KILL_AT <= seen <= len(after_kill) < PAGES
    wrong = [url for url, facts in after_kill.items() if facts != expected_facts(url)]
    assert wrong == []
    assert [status for _, status in runs_after_kill] == ["running"]  # the killed run never finished


def test_rerun_after_a_kill_completes_the_site_without_duplicates(killed_then_rerun):
    """The re-run loads the missing articles once; nothing loaded before the kill changes."""
    wh, _, after_kill, _, summary = killed_then_rerun
    # pages loaded before the kill are dated by the sitemap as unchanged since: not refetched
    assert summary["failed"] == 0 and summary["articles"] + summary["unchanged"] == PAGES
    assert summary["new_articles"] == PAGES - len(after_kill) == summary["articles"]
    final = facts_by_url(wh)
    assert len(final) == PAGES
    assert {url: final[url] for url in after_kill} == after_kill
    ((articles, urls),) = wh.query("SELECT count(*), count(DISTINCT url) FROM articles")[1]
    assert articles == urls == PAGES
    ((facts, ids),) = wh.query("SELECT count(*), count(DISTINCT fact_id) FROM facts")[1]
    assert facts == ids and facts == sum(len(f) for f in final.values())
    ((versions,),) = wh.query("SELECT count(*) FROM article_versions")[1]
    assert versions == PAGES
    statuses = sorted(status for _, status in wh.query("SELECT run_id, status FROM runs")[1])
    assert statuses == ["completed", "running"]
