"""The backfill on a real Dask cluster: a `dask scheduler` and two `dask worker` processes
on 127.0.0.1, driven by the Prefect `backfill` flow; the warehouse equals a single-process
backfill of the same files, the workers never load Prefect, and nothing is left running."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidetl import backfill
from aidetl.warehouse import Warehouse
from bench.bench_backfill import Capture, write_warc
from bench.sitegen import render_article
from tests.dask_cluster import dask_cluster
from tests.test_backfill import HOST, newsroom_captures, noise, run, snapshot

pytestmark = pytest.mark.slow


def generated(first: int, count: int) -> list[Capture]:
    return [
        Capture(f"http://{HOST}/news/{n}.html", render_article(n).encode())
        for n in range(first, first + count)
    ]


# asked of each worker as source text: a function of this module would not unpickle there
PREFECT_LOADED = "any(name.split('.')[0] == 'prefect' for name in __import__('sys').modules)"


def test_a_cluster_backfill_equals_one_process(tmp_path, harness, monkeypatch):
    warcs = [
        write_warc(tmp_path / "news.warc.gz", newsroom_captures() + noise()),
        write_warc(tmp_path / "gen-1.warc.gz", generated(0, 40)),
        write_warc(tmp_path / "gen-2.warc", generated(40, 40), compress=False),
    ]
    alone = tmp_path / "alone"
    alone.mkdir()
    expected = run(alone, warcs)
    monkeypatch.setenv("AIDETL_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("AIDETL_ARCHIVE", str(tmp_path / "raw"))
    monkeypatch.setenv("AIDETL_SOURCES", str(tmp_path / "none.toml"))
    from aidetl_flows.backfill import backfill as flow

    monkeypatch.setattr(backfill, "PAGES_PER_CHUNK", 7)  # a file is then several tasks of
    monkeypatch.setattr(backfill, "CHUNKS_PER_TASK", 2)  # two chunks, loaded in order
    with dask_cluster(workers=2) as cluster:
        cluster.descendants()  # noted now, so leftovers() can name them after the end
        result = flow(warcs=[str(w) for w in warcs], domains=[HOST], dask_address=cluster.address)
        from distributed import Client

        with Client(cluster.address, set_as_default=False) as client:
            assert len(client.nthreads()) == 2
            assert not any(
                client.run(eval, PREFECT_LOADED).values()
            )  # no worker ever loaded Prefect
            # the flow paused each worker's profiler while it ran and restarted it after
            paused = client.run(backfill.pause_profiler)
            assert list(paused.values()) == [list(backfill.PROFILER)] * 2
            client.run(backfill.resume_profiler, list(backfill.PROFILER))
    assert result["fetched"] == expected["fetched"] == len(newsroom_captures()) + 80
    assert result["new_facts"] == expected["new_facts"] > 0
    assert snapshot(tmp_path / "wh.duckdb") == snapshot(alone / "wh.duckdb")
    assert cluster.leftovers() == []
    runs = Warehouse(tmp_path / "wh.duckdb").query("SELECT status, flow_run_id FROM runs")[1]
    assert runs[0][0] == "completed" and runs[0][1] is not None
    assert backfill.location(str(warcs[0])) == str(Path(warcs[0]).resolve())
