"""Per-run staging for batches that could not reach the database in time.

A staged unit is a directory <db dir>/staging/<run_id>/batch-<ns>-<pid>/ holding one
Parquet file per table (fetches, articles, facts, runs). It is written under a dot-name
and renamed into place, so a reader sees either nothing or the whole unit. Names sort in
the order the units were written; merging is idempotent, so a unit merged but not yet
deleted (crash in between) merges again to no effect.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

STALE_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class StagedUnit:
    run_id: str
    path: Path

    def tables(self) -> dict[str, pa.Table]:
        return {p.stem: pq.read_table(p) for p in sorted(self.path.glob("*.parquet"))}


def staging_root(db: Path) -> Path:
    return db.parent / "staging"


def stage(db: Path, run_id: str, tables: dict[str, pa.Table]) -> Path:
    """Write the tables as one staged unit; return its directory."""
    run_dir = staging_root(db) / safe_name(run_id)
    run_dir.mkdir(parents=True, exist_ok=True)
    name = f"batch-{time.time_ns():020d}-{os.getpid()}"
    tmp = run_dir / f".{name}.tmp"
    tmp.mkdir()
    for table_name, table in tables.items():
        pq.write_table(table, tmp / f"{table_name}.parquet")
    (tmp / "RUN_ID").write_text(run_id, encoding="utf-8")
    fsync_dir(tmp)
    final = run_dir / name
    os.rename(tmp, final)
    fsync_dir(run_dir)
    return final


def pending(db: Path) -> Iterator[StagedUnit]:
    """Staged units in the order they were written (across runs)."""
    root = staging_root(db)
    if not root.is_dir():
        return
    for tmp in root.glob("*/.batch-*.tmp"):  # a stager killed mid-write; its run died too
        if time.time() - tmp.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(tmp, ignore_errors=True)
    units = [p for p in root.glob("*/batch-*") if p.is_dir()]
    for path in sorted(units, key=lambda p: p.name):
        yield StagedUnit((path / "RUN_ID").read_text(encoding="utf-8"), path)


def discard(unit: StagedUnit) -> None:
    shutil.rmtree(unit.path, ignore_errors=True)
    try:
        unit.path.parent.rmdir()  # the run's directory, once empty
    except OSError:
        pass


def quarantine(db: Path, unit: StagedUnit) -> Path:
    """Move a unit that failed to merge to staging/_failed/<run>/ for a human to inspect."""
    target = staging_root(db) / "_failed" / unit.path.parent.name / unit.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(unit.path, target)
    return target


def safe_name(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id) or "_"


def fsync_dir(path: Path) -> None:
    for file in path.iterdir() if path.is_dir() else []:
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
