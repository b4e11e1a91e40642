"""Getting at the DuckDB file: an flock on <db>.lock serialises our writers (shared for
readers), and the attach itself is retried while another process holds the file.
Both waits are bounded by one deadline; past it we raise WarehouseLocked.

The file is attached to an in-memory DuckDB instance (the hub) for one call and detached
after it, so no other process is kept out between calls. Starting a DuckDB instance costs
~45 ms whatever the file (an in-memory one too); attaching a file to one that is already
running costs ~5 ms. A Warehouse keeps its hub for its lifetime, and DETACH releases
DuckDB's lock on the file exactly as closing a connection did.
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
# The same file attached by another DuckDB instance of this process (a second Warehouse in
# the middle of a call) is "Unique file handle conflict".
LOCK_CONFLICT = re.compile(
    r"could not set lock|conflicting lock|different configuration|file handle conflict", re.I
)
# The catalog name the file is attached under (USE makes it the default, so every
# statement's unqualified names mean the warehouse's tables and views, as before).
ALIAS = "warehouse"


def is_lock_conflict(exc: duckdb.Error) -> bool:
    return LOCK_CONFLICT.search(str(exc)) is not None


# A write's detach checkpoints (folds the WAL into the file) only once the WAL is this
# big. Checkpointing after every batch cost ~25 ms and wrote a partly filled row group per
# column per batch (the file grew ~1 MB per 50-page batch); every attach replays what the
# WAL holds at ~0.1 s per MB, so a small cap keeps that replay to a few ms.
CHECKPOINT_WAL_BYTES = 256 * 1024


def open_hub(db: Path) -> duckdb.DuckDBPyConnection:
    """The in-memory instance `db` is attached to for each call. What a big merge spills
    goes next to the file (<db>.tmp), where a connection to the file would put it; a
    detach leaves the checkpoint to detach_file."""
    hub = duckdb.connect(":memory:")
    hub.execute(f"SET temp_directory = '{sql_string(str(db) + '.tmp')}'").fetchall()
    hub.execute("SET checkpoint_on_detach = 'DISABLED'").fetchall()
    return hub


def wal_path(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def file_state(db: Path) -> tuple:
    """What changes whenever anyone writes the database: the file's and its WAL's identity,
    size and modification time."""
    return tuple(_stat(p) for p in (db, wal_path(db)))


def _stat(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def wal_bytes(db: Path) -> int:
    try:
        return wal_path(db).stat().st_size
    except FileNotFoundError:
        return 0


def sql_string(text: str) -> str:
    return text.replace("'", "''")


def attach(
    hub: duckdb.DuckDBPyConnection, db: Path, deadline: float, *, read_only: bool = False
) -> None:
    """Attach the file and make it the default catalog, waiting while another process (a
    duckdb CLI, say) holds it."""
    if read_only and not db.exists():
        raise WarehouseError(str(db), "no warehouse here yet; run `aidetl migrate` first")
    mode = " (READ_ONLY)" if read_only else ""
    while True:
        try:
            hub.execute(f"ATTACH '{sql_string(str(db))}' AS {ALIAS}{mode}").fetchall()
            hub.execute(f"USE {ALIAS}").fetchall()
            return
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


def detach(hub: duckdb.DuckDBPyConnection, db: Path, *, checkpoint_over: int | None = None) -> None:
    """Let go of the file (DuckDB's lock on it with it): the next process may open it.
    With `checkpoint_over`, first checkpoint if the WAL has grown past that many bytes."""
    if checkpoint_over is not None and wal_bytes(db) > checkpoint_over:
        hub.execute(f"CHECKPOINT {ALIAS}").fetchall()
    hub.execute("USE memory").fetchall()
    hub.execute(f"DETACH {ALIAS}").fetchall()
