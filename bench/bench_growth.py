"""Growth: does the warehouse stay fast as it fills? Batch loads and daily report queries at
0, 1 M, 3 M and 10 M facts, a 100 M projection from the curve, and bulk loads vs the floor.

    .venv/bin/python -m bench growth
    BENCH_GROWTH_MAX=1000000 .venv/bin/python -m bench growth     # quicker: sizes up to 1 M
    BENCH_GROWTH_QUERIES=0 .venv/bin/python -m bench growth       # loads only, no report queries

The warehouse grows by bulk Warehouse.load_tables of BENCH_GROWTH_CHUNK-fact copies of one
synthetic batch (synthetic.grown_tables: fresh ids, thousands of subjects and places, a
decade of years). At each size we time what users call:

- an ordinary batch: Warehouse.load_batch of 50 articles x 10 facts (new articles, the path
  a run takes, the repost check included; the median of BATCH_REPEATS loads, each a fresh
  batch);
- each daily report query, on one read connection (the open is not counted): the queries
  aidetl.report runs on facts_dedup, summable_figures, money_by_subject_year,
  figures_by_place, the figures of the totals it lists, its province map and its largest
  facts (the best of two runs);
- the whole of `aidetl report` (report.write_report: its open, every query, the HTML).

The 100 M column is a straight line through the measured points (least squares), not a
measurement; the spread line gives each size's fastest and slowest batch. The bulk line
compares Warehouse.load_tables of one chunk into an empty warehouse with bench_load's floor
(the same fact rows INSERTed with no checks into an empty table), BULK_ROUNDS of each
alternating on fresh files: medians of wall and of CPU seconds (on a shared machine the CPU
ratio is the steadier one), then the growth chunks' first and last times.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa

from aidetl import report
from aidetl.warehouse import Batch, Warehouse, batch_tables
from aidetl.warehouse.synthetic import grown_tables, synthetic_batch
from bench.bench_load import bare_insert, make_batches, one_batch

MAX_FACTS = int(os.environ.get("BENCH_GROWTH_MAX", "10000000"))
CHUNK = int(os.environ.get("BENCH_GROWTH_CHUNK", "1000000"))
WITH_QUERIES = os.environ.get("BENCH_GROWTH_QUERIES", "1") != "0"
SIZES = tuple(n for n in (0, 1_000_000, 3_000_000, 10_000_000) if n <= MAX_FACTS)
PROJECT_TO = 100_000_000
BATCH_ARTICLES, BATCH_FACTS_PER_ARTICLE, BATCH_REPEATS = 50, 10, 7
BULK_ROUNDS = int(os.environ.get("BENCH_GROWTH_BULK_ROUNDS", "3"))
FIRST_DAILY = 900_000_000  # article numbers of the ordinary batches: clear of the template's

QUERIES: dict[str, tuple[str, list]] = {
    "facts_dedup": (report.METRICS_KEPT_SQL, []),
    "summable_figures": (report.MONEY_SQL, report.MONEY_PARAMS),
    "money_by_subject_year": (report.TOTALS_SQL["subjects"], [report.TOTALS_SHOWN]),
    "figures_by_place": (report.TOTALS_SQL["places"], [report.TOTALS_SHOWN]),
    "totals' figures": (
        report.FIGURES_SQL["subjects"],
        [report.TOTALS_SHOWN, report.FIGURES_PER_TOTAL],
    ),
    "province map": (report.PLACES_KEPT_SQL, []),
    "largest facts": (report.LARGEST_KEPT_SQL, [report.LARGEST_PER_BUCKET, report.LARGEST_CAP]),
}


def template_tables() -> dict[str, pa.Table]:
    """One CHUNK-fact batch as Arrow (spread simhashes), the copies' template."""
    return one_batch([batch_tables(b) for b in make_batches(CHUNK)])


def fact_rows(tables: dict[str, pa.Table]) -> pa.Table:
    """The chunk's fact rows as stored (article_id joined in): the floor's input."""
    with duckdb.connect() as con:
        con.register("f", tables["facts"])
        con.register("a", tables["articles"])
        return con.sql(
            "SELECT f.fact_id, a.article_id, f.* EXCLUDE (fact_id) FROM f JOIN a USING (version_id)"
        ).to_arrow_table()


def spread_simhashes(batch: Batch) -> dict[str, int]:
    """Fingerprints spread like real ones: the synthetic bodies differ by one number, so
    their true simhashes would make every ordinary batch a batch of reposts of the last."""
    return {a.version_id: (hash(a.body) * 0x9E3779B97F4A7C15) % 2**64 for a in batch.articles}


def batch_load_ms(wh: Warehouse, size: int) -> list[float]:
    """ms of loading each of BATCH_REPEATS fresh ordinary batches at this size."""
    times = []
    for i in range(BATCH_REPEATS):
        first = FIRST_DAILY + (size // 1000 + i) * BATCH_ARTICLES
        batch = synthetic_batch(f"daily-{size}-{i}", first, BATCH_ARTICLES, BATCH_FACTS_PER_ARTICLE)
        batch = replace(batch, simhashes=spread_simhashes(batch))
        start = time.perf_counter()
        result = wh.load_batch(batch)
        times.append((time.perf_counter() - start) * 1000)
        assert result.new_facts == BATCH_ARTICLES * BATCH_FACTS_PER_ARTICLE, result
    return times


def query_ms(wh: Warehouse, queries: dict[str, tuple[str, list]]) -> dict[str, float]:
    """Best of two runs of each daily query, on one read connection."""

    def run(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
        best = {}
        for name, (sql, params) in queries.items():
            runs = []
            for _ in range(2):
                start = time.perf_counter()
                con.execute(sql, params).fetchall()
                runs.append((time.perf_counter() - start) * 1000)
            best[name] = min(runs)
        return best

    return wh.read(run)


def report_ms(path: Path) -> float:
    """ms of `aidetl report`'s work: write_report, every query and the HTML."""
    start = time.perf_counter()
    report.write_report(path, path.with_suffix(".html"))
    return (time.perf_counter() - start) * 1000


def facts_now(wh: Warehouse) -> int:
    return int(wh.query("SELECT count(*) FROM facts")[1][0][0])


def projection(points: dict[int, float], at: int) -> float:
    """A least-squares line through (facts, ms), read at `at` facts."""
    xs, ys = list(points), list(points.values())
    if len(xs) < 2:
        return float("nan")
    slope, intercept = statistics.linear_regression(xs, ys)
    return intercept + slope * at


def grow(wh: Warehouse, template: dict[str, pa.Table], copy: int) -> float:
    """Bulk-load copy `copy` of the template; its seconds."""
    tables = template if copy == 0 else grown_tables(template, copy)
    start = time.perf_counter()
    result = wh.load_tables("grow", tables)
    seconds = time.perf_counter() - start
    assert result.new_facts == tables["facts"].num_rows, result
    return seconds


def bulk_vs_floor(work: Path, template: dict[str, pa.Table]) -> dict[str, list[float]]:
    """Wall and CPU seconds of BULK_ROUNDS bulk loads of the template into an empty
    warehouse and of as many bare INSERTs of its fact rows, alternating, each on a fresh file."""
    rows = fact_rows(template)
    runs: dict[str, list[float]] = {"load": [], "load cpu": [], "floor": [], "floor cpu": []}
    for n in range(BULK_ROUNDS):
        here = work / f"bulk{n}"
        here.mkdir()
        cpu = time.process_time()
        runs["floor"].append(bare_insert(here, rows))
        runs["floor cpu"].append(time.process_time() - cpu)
        wh = Warehouse(here / "bulk.duckdb")
        wh.migrate()
        cpu = time.process_time()
        runs["load"].append(grow(wh, template, 0))
        runs["load cpu"].append(time.process_time() - cpu)
        wh.close()
    return runs


def timed_grow(wh: Warehouse, template: dict[str, pa.Table]) -> Callable[[int], list[float]]:
    copies = [0]
    chunk_seconds: list[float] = []

    def to(size: int) -> list[float]:
        while facts_now(wh) + CHUNK // 2 < size:
            chunk_seconds.append(grow(wh, template, copies[0]))
            copies[0] += 1
        return chunk_seconds

    return to


def main() -> None:
    template = template_tables()
    queries = QUERIES if WITH_QUERIES else {}
    names = ("batch load", *queries, *(("aidetl report",) if WITH_QUERIES else ()))
    rows: dict[str, dict[int, float]] = {name: {} for name in names}
    with tempfile.TemporaryDirectory(prefix="bench_growth_") as tmp:
        work = Path(tmp)
        batch_load_ms(Warehouse(work / "warmup.duckdb"), 0)  # imports and caches, not counted
        bulk = bulk_vs_floor(work, template)
        wh = Warehouse(work / "growth.duckdb", lock_timeout=600)
        wh.migrate()
        grow_to = timed_grow(wh, template)
        chunks: list[float] = []
        spread: dict[int, list[float]] = {}
        for size in SIZES:
            chunks = grow_to(size)
            spread[size] = batch_load_ms(wh, size)
            rows["batch load"][size] = statistics.median(spread[size])
            for name, ms in query_ms(wh, queries).items():
                rows[name][size] = ms
            if WITH_QUERIES:
                rows["aidetl report"][size] = report_ms(wh.path)
            print(f"  measured at {facts_now(wh):,} facts", flush=True)
    header = "".join(f"{size / 1e6:>9.0f} M" for size in SIZES)
    print(f"bench_growth: ms at each warehouse size (facts); {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    last = f"{SIZES[-1] / 1e6:.0f} M / 0"
    print(f"  {'':24s}{header}   100 M (projected)   {last:>9s}")
    for name, points in rows.items():
        cells = "".join(f"{points[s]:11.0f}" for s in SIZES)
        ratio = points[SIZES[-1]] / points[SIZES[0]] if points[SIZES[0]] else float("nan")
        print(f"  {name:24s}{cells}   {projection(points, PROJECT_TO):17.0f}   {ratio:7.2f}x")
    cells = "".join(f"{min(spread[s]):5.0f}-{max(spread[s]):<5.0f}" for s in SIZES)
    print(f"  {'batch load min-max':24s}{cells}")
    med = {key: statistics.median(values) for key, values in bulk.items()}
    print(f"  bulk load of {CHUNK:,} facts into an empty warehouse (median of {BULK_ROUNDS}): "
          f"{med['load']:.2f} s wall / {med['load cpu']:.2f} s CPU; floor (bare INSERT of the "
          f"same fact rows, bench_load) {med['floor']:.2f} s / {med['floor cpu']:.2f} s CPU; "
          f"ratio {med['load'] / med['floor']:.2f}x wall, "
          f"{med['load cpu'] / med['floor cpu']:.2f}x CPU")  # fmt: skip
    if chunks:
        print(f"  growth chunks of {CHUNK:,} facts: first {chunks[0]:.2f} s, last "
              f"{chunks[-1]:.2f} s ({CHUNK / 1e6 / chunks[-1]:.2f} M facts/s)")  # fmt: skip


if __name__ == "__main__":
    main()
