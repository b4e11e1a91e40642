"""Wall time of a run over the misbehaving site of tests/hostile_site.py, in both modes,
with the default time budgets (sources.toml's) and with the short ones the tests use.

    python -m bench hostile            # both budgets (the default ones take minutes)
    AIDETL_BENCH_SHORT_ONLY=1 python -m bench hostile

Almost all of the time is spent waiting on the slow pages of host A, within its budgets:
the good pages of both hosts are loaded in the first seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))  # the hostile site and its loopback server live with the tests

from hostile_site import SHORT_BUDGETS, hostile_site  # noqa: E402

from aidetl import sequencer  # noqa: E402
from aidetl.config import load_settings, load_sources  # noqa: E402
from aidetl.warehouse import Warehouse  # noqa: E402

BUDGETS = {"short": SHORT_BUDGETS, "default": ""}  # "" → the built-in news-site defaults


def run_plain(sources: Path) -> None:
    sequencer.run_ingest(
        load_settings(), load_sources(sources), params={"sources_file": str(sources)}
    )


def run_prefect(sources: Path) -> None:
    from aidetl_flows.ingest import ingest

    ingest(sources_file=str(sources), task_runner="thread")


def one_run(mode: str, budgets: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AIDETL_WAREHOUSE"] = str(Path(tmp) / "w.duckdb")
        os.environ["AIDETL_ARCHIVE"] = str(Path(tmp) / "raw")
        with hostile_site(Path(tmp), budgets) as site:
            started = time.perf_counter()
            (run_plain if mode == "plain" else run_prefect)(site.sources)
            wall = time.perf_counter() - started
            wh = Warehouse(Path(tmp) / "w.duckdb")
            status = wh.query("SELECT status FROM runs")[1][0][0]
            loaded = wh.query("SELECT count(*) FROM articles")[1][0][0]
    return f"{mode:8} {wall:7.1f} s  status {status}, {loaded} of 5 good pages loaded"


def main() -> None:
    from prefect.testing.utilities import prefect_test_harness

    chosen = ["short"] if os.environ.get("AIDETL_BENCH_SHORT_ONLY") else list(BUDGETS)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no calls out
    with prefect_test_harness(server_startup_timeout=120):
        for name in chosen:
            for mode in ("plain", "prefect"):
                print(f"{name:8} budgets: {one_run(mode, BUDGETS[name])}", flush=True)


if __name__ == "__main__":
    main()
