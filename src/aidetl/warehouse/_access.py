"""Getting at the DuckDB file: an flock on <db>.lock serialises our writers (shared for
readers), and the connection itself is retried while another process holds the file.
Both waits are bounded by one deadline; past it we raise WarehouseLocked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from aidetl.errors import WarehouseCorrupt, WarehouseError, WarehouseLocked

POLL_SECONDS = 0.05
# DuckDB memory for a write connection (AIDETL_DUCKDB_MEMORY overrides, e.g. "1GB")
WRITE_MEMORY_LIMIT = os.environ.get("AIDETL_DUCKDB_MEMORY") or "64MB"
# A bulk batch gets more while it merges: DuckDB buffers row groups of a big INSERT up to
# a fifth of the limit before writing them, and at 64MB a 250,000-fact batch flushes
# (compresses) in small pieces, a sixth slower. ~1KB per row is about what the batch's
# own Arrow tables already hold, so memory stays proportional to what the caller passed.
BASE_MB = 64
BULK_BYTES_PER_ROW = 1024


def write_memory_limit(rows: int = 0) -> str:
    """The writer's memory_limit while it merges a batch of `rows` rows."""
    if os.environ.get("AIDETL_DUCKDB_MEMORY"):
        return WRITE_MEMORY_LIMIT
    return f"{BASE_MB + rows * BULK_BYTES_PER_ROW // 2**20}MB"


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def file_lock(db: Path, deadline: float, *, shared: bool = False) -> Iterator[None]:
    """Hold an flock on <db>.lock (exclusive for writers) until the block ends."""
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o644)
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    try:
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        str(db), "another aidetl process holds the lock"
                    ) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


# DuckDB's words when another process holds the file, or this one holds it differently:
# 'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in … (PID 7)'.
# A bare "lock" would also match "checksum … in block at location 12288" (a damaged file).
LOCK_CONFLICT = re.compile(r"could not set lock|conflicting lock|different configuration", re.I)


def is_lock_conflict(exc: duckdb.Error) -> bool:
    return LOCK_CONFLICT.search(str(exc)) is not None


def connect(db: Path, deadline: float, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process (a duckdb CLI, say) holds it."""
    if read_only and not db.exists():
        raise WarehouseError(str(db), "no warehouse here yet; run `aidetl migrate` first")
    while True:
        try:
            con = duckdb.connect(str(db), read_only=read_only)
            if not read_only:  # blocks read by a load's anti-joins are cached up to this limit;
                # DuckDB's default (80% of RAM) lets every load's peak grow with the file
                con.execute(f"SET memory_limit = '{write_memory_limit()}'")
            return con
        except duckdb.Error as exc:
            if not is_lock_conflict(exc):
                raise WarehouseCorrupt(
                    str(db),
                    f"not a readable DuckDB database ({exc}); move it aside "
                    "or restore a backup — aidetl never resets it",
                ) from exc
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    str(db), f"database is held by another process: {exc}"
                ) from exc
            time.sleep(POLL_SECONDS * 4)
