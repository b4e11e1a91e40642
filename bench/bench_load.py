"""Warehouse bulk-load throughput against dlt, side by side in one run.

Loads 1,000,000 synthetic facts (40,000 articles x 25 facts, with their fetches) into a
fresh warehouse, then loads them again (must insert nothing), and puts the same rows
through dlt (write_disposition="merge", each table on its key) into another DuckDB file:

- aidetl from objects: Warehouse.load_batches(list of Batch of Fact objects), end to end,
                       in batches of BENCH_BATCH_FACTS facts;
- aidetl from Arrow:   the same rows pre-converted (batch_tables: the rows as they will be
                       stored, fact_id included), Warehouse.load_tables: as one batch, the
                       way dlt gets them, and in the batches of the objects path;
- dlt from Arrow:      the same rows as Arrow tables, dlt's fastest input, in one run: the
                       four tables a batch fills (facts on fact_id, article versions on
                       version_id, articles on article_id, fetches on fetch_id), which is
                       the like-for-like comparison, and the fact rows alone;
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


def one_batch(tables: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """The batches' tables as one batch (article positions renumbered to stay in order)."""
    joined = {name: pa.concat_tables([t[name] for t in tables]) for name in tables[0]}
    articles = joined["articles"]
    order = pa.array(range(articles.num_rows), pa.int64())
    joined["articles"] = articles.set_column(articles.schema.get_field_index("ord"), "ord", order)
    return joined


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


def dlt_tables(facts: pa.Table, batch: dict[str, pa.Table]) -> dict[str, tuple[str, pa.Table]]:
    """What one batch writes, table by table, as (merge key, Arrow rows) for dlt."""
    versions = batch["articles"].drop_columns(["ord"])
    # dlt stores a uint64 as a signed BIGINT and refuses values past 2**63: same 8 bytes
    versions = versions.set_column(
        versions.schema.get_field_index("simhash"), "simhash",
        versions["simhash"].cast(pa.int64(), safe=False),
    )  # fmt: skip
    articles = versions.select(
        ["article_id", "url", "canonical_url", "site", "source", "title", "published_at",
         "author", "editor", "outlet", "version_id"]
    )  # fmt: skip
    return {
        "facts": ("fact_id", facts),
        "article_versions": ("version_id", versions),
        "articles": ("article_id", articles),
        "fetches": ("fetch_id", batch["fetches"]),
    }


def load_dlt(workdir: Path, name: str, rows: Any) -> tuple[float, int]:
    """One dlt run of `rows` (an iterable of fact dicts, or {table: (key, Arrow rows)})."""
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
    if isinstance(rows, dict):
        data: Any = [
            dlt.resource(table, name=table_name, primary_key=key, write_disposition="merge")
            for table_name, (key, table) in rows.items()
        ]
        seconds, _ = timed(lambda: pipeline.run(data))
    else:
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


ROUNDS = 2  # the headline pair runs alternately on fresh files; ratios are of summed times


def main() -> None:
    batches = make_batches(FACTS)
    total = sum(len(b.facts) for b in batches)
    gc.collect()
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        work = Path(tmp)
        import dlt  # noqa: F401  (imported before timing: its import is not its load)

        wall["convert"], tables = timed(lambda: [batch_tables(b) for b in batches])
        cpu["convert"] = CPU["last"]
        single = one_batch(tables)
        rows = fact_rows(batches, tables)
        same_rows = dlt_tables(rows, single)
        rounds: list[tuple[float, float]] = []
        # the headline pair first, while the process is fresh (after the objects loads our
        # load measured 15-25% slower); aidetl and dlt alternate, each on a fresh file
        for n in range(ROUNDS):
            ours_s, inserted = load_arrow(work / f"arrow{n}.duckdb", [single])
            wall["arrow"] = wall.get("arrow", 0) + ours_s
            cpu["arrow"] = cpu.get("arrow", 0) + CPU["last"]
            assert inserted == total, (inserted, total)
            dlt_s, count = load_dlt(work, f"same{n}", same_rows)
            wall["dlt"] = wall.get("dlt", 0) + dlt_s
            cpu["dlt"] = cpu.get("dlt", 0) + CPU["last"]
            assert count == total, (count, total)
            rounds.append((ours_s, dlt_s))
        wall["arrow_again"], again = load_arrow(work / f"arrow{ROUNDS - 1}.duckdb", [single])
        cpu["arrow_again"] = CPU["last"]
        assert again == 0, f"second identical load inserted {again} facts"
        wall["dlt_again"], count = load_dlt(work, f"same{ROUNDS - 1}", same_rows)
        cpu["dlt_again"] = CPU["last"]
        assert count == total, (count, total)
        wall["ours"], inserted = load_objects(work / "objects.duckdb", batches)
        cpu["ours"] = CPU["last"]
        assert inserted == total, (inserted, total)
        wall["again"], again = load_objects(work / "objects.duckdb", batches)
        cpu["again"] = CPU["last"]
        assert again == 0, f"second identical load inserted {again} facts"
        wall["arrow_b"], inserted = load_arrow(work / "arrow_b.duckdb", tables)
        cpu["arrow_b"] = CPU["last"]
        assert inserted == total, (inserted, total)
        wall["dlt_facts"], count = load_dlt(work, "facts", rows)
        cpu["dlt_facts"] = CPU["last"]
        assert count == total, (count, total)
        sample = min(DICT_SAMPLE, total)
        wall["dicts"], count = load_dlt(work, "dicts", fact_dicts(batches, sample))
        cpu["dicts"] = CPU["last"]
        assert count == sample, (count, sample)
        anti = merge_only(work, rows, primary_key=False)
        pk = merge_only(work, rows, primary_key=True)
        wall["bare"], _ = timed(lambda: bare_insert(work, rows))
        cpu["bare"] = CPU["last"]
    facts = {key: total for key in wall} | {"dicts": sample, "arrow": total * ROUNDS,
                                            "dlt": total * ROUNDS}  # fmt: skip
    rate = {key: facts[key] / wall[key] for key in wall}
    per_cpu = {key: facts[key] / cpu[key] for key in cpu}
    load = os.getloadavg()[0]
    print(f"bench_load: {total:,} facts with {total // FACTS_PER_ARTICLE:,} articles and their "
          f"fetches ({os.cpu_count()} cores, load average {load:.1f} at the end)")  # fmt: skip
    print(
        "  path                                  wall s   facts/s (wall)   CPU s   facts per CPU-s"
    )
    for label, key in (
        (f"aidetl from objects, {len(batches)} batches", "ours"),
        ("aidetl from Arrow, 1 batch", "arrow"),
        (f"aidetl from Arrow, {len(tables)} batches", "arrow_b"),
        ("dlt from Arrow, the same 4 tables", "dlt"),
        ("dlt from Arrow, facts table alone", "dlt_facts"),
        (f"dlt from dicts ({sample:,} facts)", "dicts"),
    ):
        runs = ROUNDS if key in ("arrow", "dlt") else 1
        print(f"  {label:37s} {wall[key] / runs:6.2f} {rate[key]:14,.0f} "
              f"{cpu[key] / runs:9.2f} {per_cpu[key]:15,.0f}")  # fmt: skip
    print(f"    Arrow conversion alone (objects path): {wall['convert']:.2f} s wall, "
          f"{cpu['convert']:.2f} s CPU")  # fmt: skip
    print(
        "    rounds (aidetl Arrow 1 batch / dlt same tables): "
        + ", ".join(f"{a:.2f} s / {d:.2f} s = {d / a:.1f}x" for a, d in rounds)
    )
    print(f"  second identical load (inserts 0): aidetl from Arrow {wall['arrow_again']:.2f} s wall / "
          f"{cpu['arrow_again']:.2f} s CPU, from objects {wall['again']:.2f} s / {cpu['again']:.2f} s; "
          f"dlt {wall['dlt_again']:.2f} s / {cpu['dlt_again']:.2f} s")  # fmt: skip
    for label, ours, theirs in (
        ("aidetl Arrow 1 batch / dlt same tables", "arrow", "dlt"),
        ("aidetl Arrow 1 batch / dlt facts alone", "arrow", "dlt_facts"),
        (f"aidetl Arrow {len(tables)} batches / dlt same tables", "arrow_b", "dlt"),
        ("aidetl objects / dlt same tables", "ours", "dlt"),
        ("aidetl objects / dlt dicts", "ours", "dicts"),
    ):
        print(f"  ratio {label:42s}: {rate[ours] / rate[theirs]:5.1f}x wall, "
              f"{per_cpu[ours] / per_cpu[theirs]:5.1f}x CPU")  # fmt: skip
    print(f"  facts alone into DuckDB, load / reload: anti-join {anti[0]:.2f} s / {anti[1]:.2f} s, "
          f"PRIMARY KEY ON CONFLICT {pk[0]:.2f} s / {pk[1]:.2f} s")  # fmt: skip
    print(f"  floor: bare INSERT of the fact rows, ids precomputed, no checks: {wall['bare']:.2f} s "
          f"wall / {cpu['bare']:.2f} s CPU = {rate['bare']:,.0f} facts/s, "
          f"{rate['bare'] / rate['dlt']:.1f}x dlt same tables")  # fmt: skip


if __name__ == "__main__":
    main()
