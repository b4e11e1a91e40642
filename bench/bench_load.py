"""Warehouse bulk-load throughput against dlt, side by side in one run.

Loads 1,000,000 synthetic facts (40,000 articles x 25 facts, with their fetches) through
Warehouse.load_batch in batches, then the same fact rows through dlt
(write_disposition="merge", primary_key="fact_id") into another DuckDB file, and a second
identical load of each (which must insert nothing).

    .venv/bin/python -m bench.bench_load            # or: make bench
    BENCH_FACTS=200000 .venv/bin/python -m bench.bench_load   # quicker
"""

from __future__ import annotations

import gc
import logging
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa

from aidetl.warehouse import Batch, Warehouse
from aidetl.warehouse._merge import FACT_ID_SQL
from aidetl.warehouse._rows import fact_table
from aidetl.warehouse.synthetic import synthetic_batch

FACTS = int(os.environ.get("BENCH_FACTS", "1000000"))
FACTS_PER_ARTICLE = 25
BATCH_FACTS = int(os.environ.get("BENCH_BATCH_FACTS", "250000"))


def make_batches(total: int) -> list[Batch]:
    per_batch = BATCH_FACTS // FACTS_PER_ARTICLE
    articles = total // FACTS_PER_ARTICLE
    batches = []
    for first in range(0, articles, per_batch):
        b = synthetic_batch("bench", first, min(per_batch, articles - first), FACTS_PER_ARTICLE)
        # precomputed fingerprints (the repost check still runs in SQL); spread like real ones
        sims = {a.version_id: (hash(a.body) * 0x9E3779B97F4A7C15) % 2**64 for a in b.articles}
        batches.append(replace(b, simhashes=sims))
    return batches


def load_ours(db: Path, batches: list[Batch]) -> tuple[float, int]:
    wh = Warehouse(db)
    wh.migrate()
    start = time.perf_counter()
    inserted = sum(wh.load_batch(b).new_facts for b in batches)
    return time.perf_counter() - start, inserted


def fact_rows(batches: list[Batch]) -> pa.Table:
    """The same facts as one Arrow table with their ids: what dlt gets."""
    con = duckdb.connect()
    parts = []
    for b in batches:
        con.register("b_facts", fact_table(b.facts))
        ids = {a.version_id: a.article_id for a in b.articles}
        con.register("ids", pa.table({"version_id": list(ids), "article_id": list(ids.values())}))
        parts.append(
            con.sql(
                f"SELECT {FACT_ID_SQL} AS fact_id, ids.article_id, b_facts.* "
                "FROM b_facts JOIN ids USING (version_id)"
            ).to_arrow_table()
        )
    con.close()
    return pa.concat_tables(parts)


def load_dlt(workdir: Path, rows: pa.Table) -> tuple[float, int]:
    import dlt  # bench-only dependency

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    logging.getLogger("dlt").setLevel(logging.ERROR)  # schema-hint chatter about decimals
    db = workdir / "dlt.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="bench_load",
        pipelines_dir=str(workdir / "dlt_pipelines"),
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="bench",
    )
    start = time.perf_counter()
    pipeline.run(rows, table_name="facts", write_disposition="merge", primary_key="fact_id")
    elapsed = time.perf_counter() - start
    with duckdb.connect(str(db), read_only=True) as con:
        count = con.execute("SELECT count(*) FROM bench.facts").fetchone()[0]
    return elapsed, count


def main() -> None:
    gc.collect()
    batches = make_batches(FACTS)
    total = sum(len(b.facts) for b in batches)
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        work = Path(tmp)
        ours_s, inserted = load_ours(work / "ours.duckdb", batches)
        assert inserted == total, (inserted, total)
        again_s, again = load_ours(work / "ours.duckdb", batches)
        assert again == 0, f"second identical load inserted {again} facts"
        rows = fact_rows(batches)
        dlt_s, dlt_count = load_dlt(work, rows)
        assert dlt_count == total, (dlt_count, total)
        dlt_again_s, dlt_count = load_dlt(work, rows)
        assert dlt_count == total, (dlt_count, total)
    ours_rate, dlt_rate = total / ours_s, total / dlt_s
    print(f"bench_load: {total:,} facts in {len(batches)} batches (with articles and fetches)")
    print(f"  aidetl load_batch : {ours_s:7.2f} s  {ours_rate:12,.0f} facts/s")
    print(f"  aidetl reload     : {again_s:7.2f} s  (inserted 0)")
    print(
        f"  dlt merge         : {dlt_s:7.2f} s  {dlt_rate:12,.0f} facts/s  (facts only, from Arrow)"
    )
    print(f"  dlt reload        : {dlt_again_s:7.2f} s")
    print(f"  ratio aidetl/dlt  : {ours_rate / dlt_rate:7.1f}x")


if __name__ == "__main__":
    main()
