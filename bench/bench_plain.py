"""An ordinary run against the script a user might write instead, and the warehouse's cost per batch.

    .venv/bin/python -m bench plain
    BENCH_PLAIN_PAGES=300 BENCH_PLAIN_ROUNDS=1 .venv/bin/python -m bench plain   # quicker

The generated site of bench/sitegen.py (PAGES articles behind a sitemap index) is served
from its own process. Side by side in one run, each in a fresh child process (both pay
their interpreter start and imports, as a user's shell would):
- `aidetl run --plain`, the CLI as users run it, with a sources.toml naming the site, delay
  0 and max_in_flight THREADS (what a user may write for a site they own);
- the plain script (`--script` below): the sitemaps read with requests, the pages fetched
  by requests in a ThreadPoolExecutor of THREADS, each body taken by trafilatura and its
  money figures by a regex in the main thread, and one DuckDB INSERT of every row at the end.
They run in ROUNDS alternating rounds over fresh files; the target: aidetl no slower than
the script (median ratio ≤ 1.0). Both run as installed Python runs, with bytecode caches
(kept in the bench's temp dir, filled by one untimed run of each over a few pages first):
where PYTHONDONTWRITEBYTECODE is set, as on this project's sandbox, every process would
compile every module it imports, ~0.4-0.6 s of CPU per process here, that no user's run
pays twice. BENCH_PLAIN_BYTECODE=0 measures that way instead.

Before them, the warehouse's fixed cost per batch: Warehouse.load_batch of an empty batch and of a
one-row batch into a warehouse that already exists (wall and CPU ms: on a shared machine
CPU is the steadier figure), and what one load spends in each part (found with cProfile
over the same loads: lock, attach, schema check, staged scan, settings, merge statements,
detach with its checkpoint when one is due). Target: under 20 ms per batch beyond the
rows' own work, i.e. around the merge statements.

aidetl uses a second core when there is one (from its third batch on a plain run parses and
extracts in a worker process, and in its own thread while the worker has a batch); the
script, as a user would write it, extracts in its main thread. Both print CPU seconds beside
wall seconds. On a machine others share, CPU seconds are the steadier comparison.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path

from bench.sitegen import serve_site

PAGES = int(os.environ.get("BENCH_PLAIN_PAGES", "1000"))
ROUNDS = int(os.environ.get("BENCH_PLAIN_ROUNDS", "2"))
BYTECODE = os.environ.get("BENCH_PLAIN_BYTECODE", "1") != "0"
WARM_PAGES = 5  # the untimed run that fills the bytecode caches
THREADS = 8
LOADS = 20  # loads per fixed-cost measurement (the median is printed)
FIXED_TARGET_MS = 20.0
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOC = re.compile(r"<loc>([^<]+)</loc>")
# what a user's first regex for money looks like: a number, maybe 万/亿, then 元
MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?元")


# -- the contenders --------------------------------------------------------------------


def sources_toml(sitemap: str) -> str:
    return (
        '[[source]]\nname = "generated"\n'
        f'sitemaps = ["{sitemap}"]\n'
        'allowed_domains = ["127.0.0.1"]\n'
        f"delay = 0\nmax_in_flight = {THREADS}\n"
        'organisation = "扶贫日报"\n'
    )


def run_aidetl(sitemap: str, work: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of `aidetl run --plain` over the site, into a fresh warehouse."""
    sources = work / "sources.toml"
    sources.write_text(sources_toml(sitemap), encoding="utf-8")
    command = [
        str(BIN / "aidetl"), "run", "--plain", "--sources", str(sources),
        "--warehouse", str(work / "w.duckdb"), "--archive", str(work / "raw"),
    ]  # fmt: skip
    return timed_child(command, env)


def run_script(sitemap: str, work: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of the plain script over the site, into a fresh DuckDB file."""
    command = [sys.executable, "-m", "bench.bench_plain", "--script", sitemap, str(work / "s.db")]
    return timed_child(command, env)


def contenders_env(cache: Path) -> dict[str, str]:
    """The contenders' environment: bytecode cached under `cache` (unless BYTECODE is off)."""
    if not BYTECODE:
        return dict(os.environ)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def timed_child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the child and its children) of a run."""
    before = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, children_cpu() - before


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_script(sitemap: str, db: str) -> int:
    """The script a user might write: fetch in a thread pool, extract in the main thread,
    one INSERT at the end. Returns the rows written."""
    import duckdb
    import pyarrow as pa
    import requests
    import trafilatura

    local = threading.local()

    def get(url: str) -> str:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        response = local.session.get(url, timeout=30)
        response.raise_for_status()
        response.encoding = response.encoding or "utf-8"
        return response.text

    maps = LOC.findall(get(sitemap))
    urls = [u for m in maps for u in LOC.findall(get(m))]
    rows: dict[str, list] = {"url": [], "title": [], "amount": [], "unit": [], "fetched_at": []}
    with ThreadPoolExecutor(THREADS) as pool:
        futures = {pool.submit(get, url): url for url in urls}
        for future in as_completed(futures):
            html = future.result()
            body = trafilatura.extract(html) or ""
            title = (trafilatura.extract_metadata(html).title or "") if body else ""
            for amount, unit in MONEY.findall(body):
                rows["url"].append(futures[future])
                rows["title"].append(title)
                rows["amount"].append(float(amount))
                rows["unit"].append(unit)
                rows["fetched_at"].append(datetime.now(UTC))
    found = pa.table(rows)
    con = duckdb.connect(db)
    con.execute("CREATE TABLE IF NOT EXISTS money AS SELECT * FROM found WITH NO DATA")
    con.execute("INSERT INTO money SELECT * FROM found")
    con.close()
    return found.num_rows


# -- the warehouse's cost per batch ----------------------------------------------------


def one_row_batch(run_id: str, n: int):  # -> Batch
    from aidetl.models import FetchAttempt
    from aidetl.warehouse import Batch

    attempt = FetchAttempt(
        url=f"http://127.0.0.1/gone/{n}.html", attempt=1, fetched_at=datetime.now(UTC),
        status=404, error_class="HttpError", error_message="404", source="bench",
    )  # fmt: skip
    return Batch(run_id=run_id, attempts=[attempt])


# What one load spends where, from cProfile: (label, module file, function, whole or own
# time). DuckDB's own methods (execute, close) are invisible to cProfile, so what the
# writer does itself (its settings, the close and its checkpoint) is its own time.
PARTS = (
    ("opens", "_access.py", "connect", "cumulative"),
    ("lock", "_access.py", "file_lock", "cumulative"),
    ("migration check", "core.py", "_migrate", "cumulative"),
    ("staged scan", "core.py", "_merge_pending", "cumulative"),
    ("merge statements", "core.py", "_merge_tables", "cumulative"),
    ("settings", "core.py", "_write", "own"),
    ("attach", "core.py", "_attached", "cumulative"),
    ("detach+checkpoint", "core.py", "_release", "cumulative"),
)


def split(profile: cProfile.Profile, loads: int) -> dict[str, float]:
    """Milliseconds per load in each part."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    found = {label: 0.0 for label, *_ in PARTS}
    for (path, _, function), (_, _, own, cumulative, _) in stats.items():
        for label, module, name, which in PARTS:
            if path.endswith(module) and function == name:
                found[label] += cumulative if which == "cumulative" else own
    return {label: seconds * 1000 / loads for label, seconds in found.items()}


def fixed_cost(work: Path) -> None:
    """Print the median load time of an empty and a one-row batch, and the split."""
    from aidetl.warehouse import Batch, Warehouse

    warehouse = Warehouse(work / "fixed.duckdb")
    warehouse.migrate()
    warehouse.load_batch(one_row_batch("warm", -1))  # first write after migrate: not typical
    for label, make in (
        ("empty batch", lambda n: Batch(run_id="fixed")),
        ("one-row batch", lambda n: one_row_batch("fixed", n)),
    ):
        times, cpu = [], []
        for n in range(LOADS):
            batch = make(n)
            started, started_cpu = time.perf_counter(), time.process_time()
            warehouse.load_batch(batch)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        median = statistics.median(times)
        verdict = "within" if median <= FIXED_TARGET_MS else "OVER"
        print(
            f"load_batch, {label}: median {median:.1f} ms wall, {statistics.median(cpu):.1f} ms "
            f"CPU over {LOADS} loads ({verdict} the {FIXED_TARGET_MS:.0f} ms target)",
            flush=True,
        )
    started, started_cpu = time.perf_counter(), time.process_time()
    for n in range(LOADS):
        warehouse.validators([f"http://127.0.0.1/gone/{n}.html"])
    validators_ms = (time.perf_counter() - started) * 1000 / LOADS
    validators_cpu = (time.process_time() - started_cpu) * 1000 / LOADS
    profile = cProfile.Profile(time.process_time)  # CPU: steady while others share the box
    started = time.process_time()
    profile.enable()
    for n in range(LOADS):
        warehouse.load_batch(one_row_batch("split", 1000 + n))
    profile.disable()
    total = (time.process_time() - started) * 1000 / LOADS
    parts = split(profile, LOADS)
    parts["rest"] = total - sum(parts.values())
    shown = ", ".join(f"{label} {ms:.1f}" for label, ms in parts.items())
    print(f"one-row load under cProfile, {total:.1f} CPU ms per load: {shown}", flush=True)
    around = total - parts["merge statements"]
    verdict = "within" if around <= FIXED_TARGET_MS else "OVER"
    print(
        f"fixed cost around the merge statements: {around:.1f} CPU ms per batch "
        f"({verdict} the {FIXED_TARGET_MS:.0f} ms target); the merge statements of a "
        f"one-row batch: {parts['merge statements']:.1f} CPU ms",
        flush=True,
    )
    print(
        f"validators() lookup (one read): {validators_ms:.1f} ms wall, {validators_cpu:.1f} ms CPU",
        flush=True,
    )
    warehouse.close()


def fresh_dirs(tmp: str) -> tuple[Path, Path]:
    work = Path(tmp)
    (work / "a").mkdir()
    (work / "s").mkdir()
    return work / "a", work / "s"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="aidetl-plain-") as tmp:
        fixed_cost(Path(tmp))
    ratios = []
    with tempfile.TemporaryDirectory(prefix="aidetl-pycache-") as cache:
        env = contenders_env(Path(cache))
        if BYTECODE:
            with serve_site(WARM_PAGES) as warm, tempfile.TemporaryDirectory() as tmp:
                ours_dir, script_dir = fresh_dirs(tmp)
                run_script(warm.sitemap, script_dir, env)
                run_aidetl(warm.sitemap, ours_dir, env)
        print(f"bytecode caches {'on' if BYTECODE else 'off'} (BENCH_PLAIN_BYTECODE)", flush=True)
        with serve_site(PAGES) as site:
            for round_number in range(1, ROUNDS + 1):
                ratios.append(one_round(site.sitemap, round_number, env))
    ratio = statistics.median(ratios)
    verdict = "within" if ratio <= 1.0 else "OVER"
    print(
        f"aidetl run --plain / plain script, median of {ROUNDS}: {ratio:.2f}x "
        f"({verdict} the 1.0x target); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores",
        flush=True,
    )


def one_round(sitemap: str, round_number: int, env: dict[str, str]) -> float:
    """Both contenders one after the other over fresh files, so a busy spell hits both (the
    script first in odd rounds, aidetl first in even ones); aidetl's wall time over the
    script's."""
    with tempfile.TemporaryDirectory(prefix="aidetl-plain-") as tmp:
        ours_dir, script_dir = fresh_dirs(tmp)
        if round_number % 2 == 0:
            ours, ours_cpu = run_aidetl(sitemap, ours_dir, env)
        script, script_cpu = run_script(sitemap, script_dir, env)
        if round_number % 2 == 1:
            ours, ours_cpu = run_aidetl(sitemap, ours_dir, env)
    print(
        f"round {round_number}, {PAGES} pages: aidetl run --plain {ours:.2f} s "
        f"({PAGES / ours:.0f} pages/s, {ours_cpu:.1f} CPU s), plain script "
        f"{script:.2f} s ({PAGES / script:.0f} pages/s, {script_cpu:.1f} CPU s); "
        f"aidetl/script {ours / script:.2f}x",
        flush=True,
    )
    return ours / script


def script_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True, help="sitemap URL")
    parser.add_argument("db")
    args = parser.parse_args(argv)
    print(plain_script(args.script, args.db), flush=True)


if __name__ == "__main__":
    script_main(sys.argv[1:])
