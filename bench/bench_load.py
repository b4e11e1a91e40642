"""Warehouse bulk-load throughput against dlt, side by side in one run.

Loads 1,000,000 synthetic facts (40,000 articles x 25 facts, with their fetches) into a
fresh warehouse, then loads them again (must insert nothing), and puts the same fact rows
through dlt (write_disposition="merge", primary_key="fact_id") into another DuckDB file:

- aidetl from objects: Warehouse.load_batches(list of Batch of Fact objects), end to end;
- aidetl from Arrow:   the same batches pre-converted (batch_tables: the rows as they will
                       be stored, fact_id included), Warehouse.load_tables;
- dlt from Arrow:      the same fact rows (fact_id included) as one Arrow table, dlt's
                       fastest input;
- dlt from dicts:      Fact.to_json() dicts, on a sample (dlt normalises row by row; the
                       full million would take many minutes);
- facts alone from Arrow into DuckDB: anti-join INSERT vs PRIMARY KEY ... ON CONFLICT;
- the floor: the same fact rows (ids precomputed) INSERTed with no checks at all.

    .venv/bin/python -m bench.bench_load            # or: make bench
    BENCH_FACTS=200000 .venv/bin/python -m bench.bench_load   # quicker
"""

from __future__ import annotations

import gc
import logging
import os
import resource
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from aidetl.warehouse import Batch, Warehouse, batch_tables
from aidetl.warehouse.synthetic import synthetic_batch

FACTS = int(os.environ.get("BENCH_FACTS", "1000000"))
FACTS_PER_ARTICLE = 25
BATCH_FACTS = int(os.environ.get("BENCH_BATCH_FACTS", "250000"))
DICT_SAMPLE = int(os.environ.get("BENCH_DLT_DICT_FACTS", "10000"))


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


CPU: dict[str, float] = {}  # CPU seconds (all threads and child processes) of the last timed()


def cpu_seconds() -> float:
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(action: Any) -> tuple[float, Any]:
    """Wall seconds of action(); its CPU seconds are left in CPU["last"]."""
    cpu, start = cpu_seconds(), time.perf_counter()
    value = action()
    CPU["last"] = cpu_seconds() - cpu
    return time.perf_counter() - start, value


def load_objects(db: Path, batches: list[Batch]) -> tuple[float, int]:
    wh = Warehouse(db)
    wh.migrate()
    seconds, results = timed(lambda: wh.load_batches(batches))
    return seconds, sum(r.new_facts for r in results)


def load_arrow(db: Path, tables: list[dict[str, pa.Table]]) -> tuple[float, int]:
    wh = Warehouse(db)
    wh.migrate()
    seconds, results = timed(lambda: [wh.load_tables("bench", t) for t in tables])
    return seconds, sum(r.new_facts for r in results)


def fact_rows(batches: list[Batch], tables: list[dict[str, pa.Table]]) -> pa.Table:
    """The same facts as one Arrow table with their ids: what dlt gets."""
    con = duckdb.connect()
    parts = []
    for b, t in zip(batches, tables, strict=True):
        con.register("b_facts", t["facts"])
        ids = {a.version_id: a.article_id for a in b.articles}
        con.register("ids", pa.table({"version_id": list(ids), "article_id": list(ids.values())}))
        # batch_tables computed fact_id already: dlt gets the very rows we load
        sql = "SELECT b_facts.fact_id, ids.article_id, b_facts.* EXCLUDE (fact_id) FROM b_facts JOIN ids USING (version_id)"
        parts.append(con.sql(sql).to_arrow_table())
    con.close()
    return pa.concat_tables(parts)


def fact_dicts(batches: list[Batch], limit: int) -> Iterator[dict[str, Any]]:
    count = 0
    for b in batches:
        for version_id, fact in b.facts:
            if count == limit:
                return
            row = fact.to_json()
            row.update(fact_id=fact.fact_id(version_id), version_id=version_id)
            count += 1
            yield row


def load_dlt(workdir: Path, name: str, rows: Any) -> tuple[float, int]:
    import dlt  # bench-only dependency

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
    logging.getLogger("dlt").setLevel(logging.ERROR)  # schema-hint chatter about decimals
    db = workdir / f"dlt_{name}.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_load_{name}",
        pipelines_dir=str(workdir / "dlt_pipelines"),
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="bench",
    )
    seconds, _ = timed(
        lambda: pipeline.run(
            rows, table_name="facts", write_disposition="merge", primary_key="fact_id"
        )
    )
    with duckdb.connect(str(db), read_only=True) as con:
        count = con.execute("SELECT count(*) FROM bench.facts").fetchall()[0][0]
    return seconds, count


def merge_only(workdir: Path, rows: pa.Table, primary_key: bool) -> tuple[float, float]:
    """Facts alone, from Arrow, in batch-sized transactions: load and identical reload."""
    with duckdb.connect(str(workdir / f"merge_pk{int(primary_key)}.duckdb")) as con:
        con.execute("CREATE TABLE facts AS SELECT * FROM rows LIMIT 0").fetchall()
        if primary_key:
            con.execute("ALTER TABLE facts ADD PRIMARY KEY (fact_id)").fetchall()
            sql = "INSERT INTO facts SELECT * FROM part ON CONFLICT DO NOTHING"
        else:
            sql = (
                "INSERT INTO facts SELECT * FROM part WHERE NOT EXISTS "
                "(SELECT 1 FROM facts AS t WHERE t.fact_id = part.fact_id)"
            )
        times = []
        for _ in range(2):
            start = time.perf_counter()
            for offset in range(0, rows.num_rows, BATCH_FACTS):
                con.register("part", rows.slice(offset, BATCH_FACTS))
                con.execute(sql).fetchall()
            con.execute("CHECKPOINT").fetchall()
            times.append(time.perf_counter() - start)
        assert con.execute("SELECT count(*) FROM facts").fetchall()[0][0] == rows.num_rows
    return times[0], times[1]


def bare_insert(workdir: Path, rows: pa.Table) -> float:
    """The floor: the same fact rows, ids already computed, INSERTed in batch-sized
    transactions into an empty facts table with the writer's settings and no checks."""
    from aidetl.warehouse import _access
    from aidetl.warehouse.core import WRITER_SETTINGS

    with duckdb.connect(str(workdir / "bare.duckdb")) as con:
        con.execute(WRITER_SETTINGS).fetchall()
        con.execute(f"SET memory_limit = '{_access.write_memory_limit(BATCH_FACTS)}'").fetchall()
        con.execute("CREATE TABLE facts AS SELECT * FROM rows LIMIT 0").fetchall()
        start = time.perf_counter()
        for offset in range(0, rows.num_rows, BATCH_FACTS):
            con.register("part", rows.slice(offset, BATCH_FACTS))
            con.execute("INSERT INTO facts SELECT * FROM part").fetchall()
        con.execute("CHECKPOINT").fetchall()
        return time.perf_counter() - start


def main() -> None:
    batches = make_batches(FACTS)
    total = sum(len(b.facts) for b in batches)
    gc.collect()
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        work = Path(tmp)
        import dlt  # noqa: F401  (imported before timing: its import is not its load)

        ours_s, inserted = load_objects(work / "objects.duckdb", batches)
        cpu["ours"] = CPU["last"]
        assert inserted == total, (inserted, total)
        again_s, again = load_objects(work / "objects.duckdb", batches)
        cpu["again"] = CPU["last"]
        assert again == 0, f"second identical load inserted {again} facts"
        convert_s, tables = timed(lambda: [batch_tables(b) for b in batches])
        cpu["convert"] = CPU["last"]
        arrow_s, inserted = load_arrow(work / "arrow.duckdb", tables)
        cpu["arrow"] = CPU["last"]
        assert inserted == total, (inserted, total)
        rows = fact_rows(batches, tables)
        dlt_s, count = load_dlt(work, "arrow", rows)
        cpu["dlt"] = CPU["last"]
        assert count == total, (count, total)
        dlt_again_s, count = load_dlt(work, "arrow", rows)
        cpu["dlt_again"] = CPU["last"]
        assert count == total, (count, total)
        sample = min(DICT_SAMPLE, total)
        dict_s, count = load_dlt(work, "dicts", fact_dicts(batches, sample))
        cpu["dicts"] = CPU["last"]
        assert count == sample, (count, sample)
        anti = merge_only(work, rows, primary_key=False)
        pk = merge_only(work, rows, primary_key=True)
        bare_s, _ = timed(lambda: bare_insert(work, rows))
        cpu["bare"] = CPU["last"]
    rate = {name: n / s for name, n, s in
            (("ours", total, ours_s), ("arrow", total, arrow_s), ("dlt", total, dlt_s),
             ("dicts", sample, dict_s))}  # fmt: skip
    per_cpu = {name: n / cpu[name] for name, n in
               (("ours", total), ("arrow", total), ("dlt", total), ("dicts", sample))}  # fmt: skip
    load = os.getloadavg()[0]
    print(f"bench_load: {total:,} facts in {len(batches)} batches, with "
          f"{total // FACTS_PER_ARTICLE:,} articles and their fetches "
          f"({os.cpu_count()} cores, load average {load:.1f} at the end)")  # fmt: skip
    print("  path                     wall s   facts/s (wall)   CPU s   facts per CPU-s")
    for label, key, wall, n in (
        ("aidetl from objects", "ours", ours_s, total),
        ("aidetl from Arrow", "arrow", arrow_s, total),
        ("dlt from Arrow (merge)", "dlt", dlt_s, total),
        (f"dlt from dicts ({sample:,})", "dicts", dict_s, sample),
    ):
        print(f"  {label:24s} {wall:6.2f} {n / wall:14,.0f} {cpu[key]:9.2f} {n / cpu[key]:15,.0f}")
    print(
        f"    Arrow conversion alone (objects path): {convert_s:.2f} s wall, {cpu['convert']:.2f} s CPU"
    )
    print(f"  second identical load  : aidetl {again_s:.2f} s wall / {cpu['again']:.2f} s CPU, inserted 0; "
          f"dlt {dlt_again_s:.2f} s wall / {cpu['dlt_again']:.2f} s CPU")  # fmt: skip
    print(f"  ratio aidetl Arrow / dlt Arrow      : {rate['arrow'] / rate['dlt']:5.1f}x wall, "
          f"{per_cpu['arrow'] / per_cpu['dlt']:5.1f}x CPU")  # fmt: skip
    print(f"  ratio aidetl objects / dlt Arrow    : {rate['ours'] / rate['dlt']:5.1f}x wall, "
          f"{per_cpu['ours'] / per_cpu['dlt']:5.1f}x CPU")  # fmt: skip
    print(f"  ratio aidetl objects / dlt dicts    : {rate['ours'] / rate['dicts']:5.1f}x wall, "
          f"{per_cpu['ours'] / per_cpu['dicts']:5.1f}x CPU")  # fmt: skip
    print(f"  facts alone into DuckDB, load / reload : anti-join {anti[0]:.2f} s / {anti[1]:.2f} s, "
          f"PRIMARY KEY ON CONFLICT {pk[0]:.2f} s / {pk[1]:.2f} s")  # fmt: skip
    print(f"  floor: bare INSERT of the fact rows, ids precomputed, no checks: {bare_s:.2f} s wall / "
          f"{cpu['bare']:.2f} s CPU = {total / bare_s:,.0f} facts/s")  # fmt: skip


if __name__ == "__main__":
    main()
