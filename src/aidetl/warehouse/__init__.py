"""The DuckDB warehouse: numbered migrations, idempotent all-or-nothing batch loads,
lineage (every row names its run), versioned articles, staging when the file is busy.

    with Warehouse(Path("warehouse/aidetl.duckdb")) as wh:
        wh.start_run(run_id, params={})
        wh.load_batch(Batch(run_id, attempts, articles, [(a.version_id, f) for f in facts]))
        wh.finish_run(run_id, "completed", {"facts": n})
"""

from aidetl.warehouse._migrations import find_sql_dir, list_migrations
from aidetl.warehouse._rows import Batch, batch_tables
from aidetl.warehouse.core import CompactResult, LoadResult, Warehouse

__all__ = [
    "Batch",
    "CompactResult",
    "LoadResult",
    "Warehouse",
    "batch_tables",
    "find_sql_dir",
    "list_migrations",
]
