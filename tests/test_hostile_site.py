"""Whole runs over a misbehaving site (tests/hostile_site.py), in both modes: every good page
loads, each bad one is a failure saying which budget or check stopped it, one slow host holds
up no other, and the run ends with a clear status, `interrupted` when killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_site import Site, hostile_site
from servers import Reply, serve

from aidetl import pipeline, sequencer
from aidetl.config import Settings, load_sources
from aidetl.warehouse import Warehouse

pytestmark = pytest.mark.slow

AIDETL = [sys.executable, "-m", "aidetl.cli"]


def settings_in(tmp_path: Path, site: Site) -> Settings:
    return Settings(
        warehouse=tmp_path / "w.duckdb", archive=tmp_path / "raw", sources_file=site.sources
    )


def last_errors(wh: Warehouse) -> dict[str, str | None]:
    """url → error class of its last page attempt."""
    _, rows = wh.query("SELECT url, arg_max(error_class, attempt) FROM fetches GROUP BY url")
    return dict(rows)


def check_the_run(wh: Warehouse, site: Site) -> None:
    (status,) = wh.query("SELECT status FROM runs")[1]
    assert status == ("completed",)
    loaded = {url for (url,) in wh.query("SELECT url FROM articles")[1]}
    assert loaded == set(site.good)
    errors = last_errors(wh)
    # a URL's last attempt may be cut by what is left of its URL budget (AttemptTimeout)
    # before its own budget fires: the budget that stopped it is the one its first try met
    _, rows = wh.query("SELECT url, arg_min(error_class, attempt) FROM fetches GROUP BY url")
    first = dict(rows)
    got = {
        url: first.get(url) if want == "FirstByteTimeout" else errors.get(url)
        for url, want in site.bad.items()
    }
    assert got == site.bad
    assert len(site.a.hits("/index.xml")) == 1  # the index listing itself is read once


def test_plain_run_loads_every_good_page_and_the_calm_host_first(tmp_path):
    with hostile_site(tmp_path) as site:
        settings = settings_in(tmp_path, site)
        loaded_per_batch: list[int] = []
        sequencer.run_ingest(
            settings,
            load_sources(site.sources),
            params={"sources_file": str(site.sources)},
            on_batch=lambda s: loaded_per_batch.append(s.articles),
        )
        check_the_run(Warehouse(settings.warehouse), site)
    # host B's batch (2 pages) was loaded while host A's batch still waited on its slow pages
    assert loaded_per_batch[0] == 2 and loaded_per_batch[-1] == 5


def test_prefect_run_loads_batches_as_they_finish(harness, tmp_path, monkeypatch):
    from aidetl_flows.ingest import ingest

    monkeypatch.setenv("AIDETL_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("AIDETL_ARCHIVE", str(tmp_path / "raw"))
    with hostile_site(tmp_path) as site:
        ingest(sources_file=str(site.sources), task_runner="thread")
        wh = Warehouse(tmp_path / "w.duckdb")
        check_the_run(wh, site)
    # host B's articles were loaded before host A's slow page was even tried for the last time
    _, rows = wh.query(
        "SELECT (SELECT max(first_seen_at) FROM articles WHERE url LIKE 'http://127.0.0.2%'),"
        " (SELECT max(fetched_at) FROM fetches WHERE url = ?)",
        [site.a.url("/drip.html")],
    )
    calm_loaded, last_drip_attempt = rows[0]
    assert calm_loaded < last_drip_attempt


def start_run(tmp_path: Path, url: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        AIDETL_WAREHOUSE=str(tmp_path / "w.duckdb"),
        AIDETL_ARCHIVE=str(tmp_path / "raw"),
    )
    return subprocess.Popen(
        [*AIDETL, "run", "--plain", "--url", url, "--delay", "0"], env=env, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_request(server, path: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if server.hits(path) or process.poll() is not None:
            break
        time.sleep(0.05)
    assert server.hits(path), "the run never asked for the page"
    time.sleep(0.3)  # well inside the drip


DRIP = Reply(body=b"<html>", stream_bytes=20_000_000, chunk_delay=0.1)
ROBOTS = Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_run_stopped_by_kill_or_ctrl_c_is_marked_interrupted(tmp_path, signum):
    """Default budgets (60 s an attempt): the signal cuts the dripping fetch, the run row says
    `interrupted`, and the process exits well before the attempt's deadline."""
    with serve({"/robots.txt": ROBOTS, "/drip.html": DRIP}) as srv:
        process = start_run(tmp_path, srv.url("/drip.html"))
        wait_for_request(srv, "/drip.html", process)
        process.send_signal(signum)
        process.communicate(timeout=30)
    assert process.returncode != 0
    (status,) = Warehouse(tmp_path / "w.duckdb").query("SELECT status FROM runs")[1]
    assert status == ("interrupted",)


def test_the_next_run_names_a_run_killed_outright(tmp_path):
    with serve({"/robots.txt": ROBOTS, "/drip.html": DRIP}) as srv:
        process = start_run(tmp_path, srv.url("/drip.html"))
        wait_for_request(srv, "/drip.html", process)
        process.kill()  # SIGKILL: no chance to record anything
        process.communicate(timeout=30)
    wh = Warehouse(tmp_path / "w.duckdb")
    ((killed, status),) = wh.query("SELECT run_id, status FROM runs")[1]
    assert status == "running"
    settings = Settings(tmp_path / "w.duckdb", tmp_path / "raw", tmp_path / "none.toml")
    with serve({"/robots.txt": ROBOTS, "/a.html": Reply(body="<html></html>")}) as srv:
        urls = [srv.url("/a.html")]
        summary = sequencer.run_ingest(
            settings, pipeline.resolve_sources(settings, urls=urls, delay=0.0), urls=urls
        )
    assert summary.unfinished_runs == [killed]
