"""The Warehouse: the file held only during a call, one writer at a time, nothing lost.

Every write (migrate, start_run, finish_run, load_batch) takes an exclusive flock on
<db>.lock, attaches the file (to an in-memory DuckDB instance the Warehouse keeps, see
_access), applies pending migrations, merges pending staged batches, does its own work in
one transaction and detaches the file again. If the file cannot be
had within lock_timeout (another process holds it: a long load, an analyst's duckdb
CLI), the work is staged as Parquet under <db dir>/staging/ and merged by the next
writer that gets in.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from aidetl.dedup import MAX_DISTANCE, simhash64
from aidetl.errors import WarehouseError, WarehouseLocked
from aidetl.models import Article
from aidetl.warehouse import _access, _intact, _migrations, _queries, _staging
from aidetl.warehouse._merge import RUNS_SCHEMA, Counts, merge_batch, merge_runs
from aidetl.warehouse._rows import Batch, batch_tables

log = logging.getLogger(__name__)
T = TypeVar("T")

# The URLs' fetches are found by the narrow url_key (migration 011: the VARCHAR url column
# is not scanned), then confirmed on url; a url filter in the same scan would be pushed
# into it and compared on every row.
VALIDATORS_SQL = """
WITH hits AS MATERIALIZED (
    SELECT url, fetched_at, etag, last_modified FROM fetches
    WHERE url_key IN (SELECT id_key(unnest($urls))) AND error_class IS NULL
      AND status BETWEEN 200 AND 299 AND (etag IS NOT NULL OR last_modified IS NOT NULL)
)
SELECT url, arg_max(etag, fetched_at), arg_max(last_modified, fetched_at)
FROM hits WHERE url IN (SELECT unnest($urls))
GROUP BY url
"""

# when each URL was last fetched and used: a 200 whose page loaded, or a 304
LAST_FETCHED_SQL = """
WITH hits AS MATERIALIZED (
    SELECT url, fetched_at FROM fetches
    WHERE url_key IN (SELECT id_key(unnest($urls))) AND error_class IS NULL
      AND status IN (200, 304)
)
SELECT url, max(fetched_at) FROM hits WHERE url IN (SELECT unnest($urls)) GROUP BY url
"""

# runs that started and never said how they ended (killed outright, or still running)
UNFINISHED_SQL = """
SELECT run_id FROM runs WHERE status = 'running' AND run_id <> $current ORDER BY started_at
"""

# A bulk INSERT writes its row groups straight to the file, the last one partly full. By
# default every checkpoint (on close) then "vacuums": it merges that tail with the next
# batch's row groups by rewriting them all, which cost a third of a big load. We never
# delete rows, so there is nothing else to vacuum; a partly full row group per big batch
# is the price (scans barely notice). Nothing we insert depends on the order rows come
# out of a scan (the statements that pick one row of several say which, or switch the
# order back on), and letting DuckDB's threads insert in any order halves a big INSERT.
WRITER_SETTINGS = "SET max_vacuum_tasks = 0; SET preserve_insertion_order = false"
CLOSE_LOCK_SECONDS = 1.0  # close() waits this long at most for a busy file
# Rows one in-memory DuckDB instance merges before it is replaced: a merge leaves native
# memory behind in the instance that no setting bounds (about 3 KB per backfilled page, so
# 120 MB over 20,000), so a long run recycles it; a new instance costs ~45 ms, ~2 ms per
# ordinary 50-page batch spread this way.
HUB_ROWS = 20_000
# Readers get DuckDB's defaults back (the hub serves both; a query's rows come in the
# order they always did, and an analyst's query may use the memory it always could).
READER_SETTINGS = "RESET max_vacuum_tasks; RESET preserve_insertion_order; RESET memory_limit"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one load_batch did. When staged, the counts are zero until a later merge."""

    new_articles: int = 0
    new_versions: int = 0
    new_facts: int = 0
    attempts: int = 0
    staged: bool = False
    staged_path: Path | None = None


@dataclass(frozen=True, slots=True)
class CompactResult:
    """What compact did: facts deleted, and the file's size before and after, in bytes."""

    deleted_facts: int
    bytes_before: int
    bytes_after: int


class Warehouse:
    """The DuckDB warehouse at `path`. Holds the file only during a call; between calls
    it keeps an in-memory DuckDB instance to attach the file to (close() ends it)."""

    def __init__(
        self,
        path: Path | str,
        *,
        lock_timeout: float = 60.0,
        sql_dir: Path | None = None,
        max_distance: int = MAX_DISTANCE,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.sql_dir = _migrations.find_sql_dir(sql_dir)
        self.max_distance = max_distance
        self._hub: duckdb.DuckDBPyConnection | None = None
        self._hub_pid = 0
        self._hub_rows = 0
        self._guard = threading.RLock()  # one call at a time on the hub
        self._schema: _migrations.Schema | None = None
        self._wrote = False  # since the last close(): whether there may be a WAL of ours
        # the file's stat when our last write left it, schema current (see _migrate)
        self._current_at: tuple | None = None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Fold what our writes left in the WAL into the file (so the next opener, an
        analyst's duckdb say, replays nothing), then end the in-memory DuckDB instance kept
        between calls. A file busy elsewhere keeps its WAL: any later writer folds it in.
        A later call on this Warehouse starts a new instance."""
        with self._guard:
            if self._wrote and _access.wal_bytes(self.path) > 0:
                try:
                    self._write(lambda con: None, checkpoint_over=0, timeout=CLOSE_LOCK_SECONDS)
                except (WarehouseError, duckdb.Error) as exc:
                    log.info("left the WAL of %s for a later writer: %s", self.path, exc)
            self._wrote = False
            self._drop_hub()

    @property
    def holds_instance(self) -> bool:
        """Whether an in-memory DuckDB instance is kept for the next call."""
        return self._hub is not None

    # -- writing -----------------------------------------------------------------------

    def migrate(self, target: int | None = None) -> list[str]:
        """Bring the schema up to date (or to `target`); return the migrations applied."""
        applied: list[str] = []
        self._write(lambda con: None, applied, target)
        return applied

    def start_run(
        self, run_id: str, params: dict[str, Any], flow_run_id: str | None = None
    ) -> None:
        row = {"run_id": run_id, "flow_run_id": flow_run_id, "status": "running",
               "params": json.dumps(params, default=str, ensure_ascii=False),
               "started_at": datetime.now(UTC), "finished_at": None, "counts": None}  # fmt: skip
        self._write_or_stage(run_id, {"runs": runs_table(row)}, merge_runs_only)

    def finish_run(self, run_id: str, status: str, counts: dict[str, Any]) -> None:
        row = {"run_id": run_id, "flow_run_id": None, "status": status, "params": None,
               "started_at": None, "finished_at": datetime.now(UTC),
               "counts": json.dumps(counts, default=str, ensure_ascii=False)}  # fmt: skip
        self._write_or_stage(run_id, {"runs": runs_table(row)}, merge_runs_only)

    def load_batch(self, batch: Batch) -> LoadResult:
        """Load one batch, all or nothing; idempotent. Stages it if the file stays busy."""
        return self.load_batches([batch])[0]

    def load_batches(self, batches: Iterable[Batch]) -> list[LoadResult]:
        """Load batches in order, each all or nothing, through one connection; a helper
        thread turns the next batch into Arrow while DuckDB merges this one."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            futures = (pool.submit(self._tables, b) for b in batches)
            first = next(futures, None)  # convert before taking the lock, not while holding it
            if first is None:
                return []
            ahead = itertools.chain([first], futures)
            try:
                return self._write(lambda con: self._merge_all(con, ahead))
            except WarehouseLocked as exc:
                log.warning("warehouse busy (%s); staging batches for the next writer", exc)
                return [self._stage(*future.result()) for future in ahead]

    def load_tables(self, run_id: str, tables: dict[str, pa.Table]) -> LoadResult:
        """Load a batch already turned into Arrow by batch_tables() (bulk back-fills)."""
        result = self._write_or_stage(run_id, tables, self._merge_tables)
        return result if isinstance(result, LoadResult) else LoadResult(*astuple(result))

    def _tables(self, batch: Batch) -> tuple[str, dict[str, pa.Table]]:
        if batch.simhashes is None:
            batch = replace(batch, simhashes=fingerprints(batch.articles))
        with ctrl_c_kept():  # fact ids are hashed in an in-memory DuckDB
            return batch.run_id, batch_tables(batch)

    def _merge_all(
        self, con: duckdb.DuckDBPyConnection, ahead: Iterator[Future[tuple[str, dict]]]
    ) -> list[LoadResult]:
        results = []
        current = next(ahead, None)
        while current is not None:
            following = next(ahead, None)  # starts converting while we merge
            run_id, tables = current.result()
            counts = self._merge_tables(con, run_id, tables)
            results.append(LoadResult(*astuple(counts)))
            current = following
        return results

    def _stage(self, run_id: str, tables: dict[str, pa.Table]) -> LoadResult:
        where = _staging.stage(self.path, run_id, tables)
        return LoadResult(staged=True, staged_path=where)

    def merge_staged(self) -> int:
        """Merge staged batches now (every write does this first); return how many."""
        merged: list[str] = []
        self._write(lambda con: None, merged=merged)
        return len(merged)

    def compact(self, vacuum_superseded: bool = False) -> CompactResult:
        """What a long-lived file needs now and then: optionally delete the facts of article
        versions no article points at any more, then a checkpoint that also rewrites row
        groups left with deleted rows (loads never vacuum, to stay short), and fresh
        statistics for the query planner. Idempotent; one write span."""
        before = self.path.stat().st_size if self.path.exists() else 0

        def work(con: duckdb.DuckDBPyConnection) -> int:
            deleted = 0
            if vacuum_superseded:
                con.begin()
                deleted = int(con.execute(_queries.DELETE_SUPERSEDED_FACTS_SQL).fetchall()[0][0])
                con.commit()
            con.execute(_queries.COMPACT_SQL).fetchall()
            return deleted

        deleted = self._write(work)
        return CompactResult(deleted, before, self.path.stat().st_size)

    # -- reading -----------------------------------------------------------------------

    def query(self, sql: str, params: Any = None) -> tuple[list[str], list[tuple]]:
        """Run SQL on a read-only connection; return (column names, rows)."""

        def run(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
            cur = con.execute(sql, params) if params is not None else con.execute(sql)
            columns = [d[0] for d in cur.description] if cur.description else []
            return columns, cur.fetchall()

        return self._read(run)

    def read(self, action: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `action` on one read-only connection (many queries, one open), under the
        shared lock; duckdb errors come back as WarehouseError."""
        return self._read(action)

    def validators(self, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """(etag, last_modified) of the latest successful fetch of each URL that had any.
        An unreachable warehouse gives {} (so the run refetches rather than fails)."""
        rows = self._per_url(VALIDATORS_SQL, urls, "validators")
        return {url: (etag, modified) for url, etag, modified in rows}

    def last_fetched(self, urls: Iterable[str]) -> dict[str, datetime]:
        """When each URL was last fetched successfully (200 loaded, or 304); {} when busy."""
        return dict(self._per_url(LAST_FETCHED_SQL, urls, "fetch times"))

    def unfinished_runs(self, current: str) -> list[str]:
        """Runs other than `current` still marked running: killed before they could record
        an end (SIGKILL, power loss) or running now in another process. [] when busy."""
        if not self.path.exists():
            return []
        try:
            return [run_id for (run_id,) in self.query(UNFINISHED_SQL, {"current": current})[1]]
        except WarehouseLocked as exc:
            log.warning("cannot list unfinished runs, warehouse busy: %s", exc)
            return []

    def backfill_progress(self, warcs: Iterable[str]) -> dict[str, tuple[int, int, int, bool]]:
        """How far a backfill loaded each WARC file it read: (next_offset, records, pages,
        complete), from the ledger of warehouse/008_backfill.sql."""
        names = list(warcs)
        if not names or not self.path.exists():
            return {}
        rows = self.query(_queries.BACKFILL_PROGRESS_SQL, {"warcs": names})[1]
        return {warc: (offset, records, pages, done) for warc, offset, records, pages, done in rows}

    def versions_to_reextract(
        self, current: str, only: str | None = None, limit: int | None = None
    ) -> list[tuple[str, str, str, str]]:
        """(version_id, archive_key, url, source) of archived versions with no facts from
        extractor `current`; with `only`, just those whose facts came from that version."""
        if not self.path.exists():
            return []
        rows = self.query(_queries.VERSIONS_TO_REEXTRACT_SQL, {"current": current, "only": only})[1]
        return rows[:limit] if limit else rows

    def run_facts(self, run_id: str, largest: int) -> tuple[list[tuple], list[str], list[tuple]]:
        """A run's new facts: (kind, count) rows, and the columns and rows of its `largest`
        facts (money first, then by value), each with its article's title and URL."""

        def read(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[str], list[tuple]]:
            kinds = con.execute(_queries.NEW_FACTS_BY_KIND_SQL, [run_id]).fetchall()
            cur = con.execute(_queries.LARGEST_FACTS_SQL, [run_id, largest])
            return kinds, [d[0] for d in cur.description], cur.fetchall()

        return self.read(read)

    def _per_url(self, sql: str, urls: Iterable[str], what: str) -> list[tuple]:
        """Rows of a per-URL lookup; none when there is no file yet or it stays busy (the run
        then fetches as if it had never seen the URLs, rather than failing)."""
        url_list = list(urls)
        if not url_list or not self.path.exists():
            return []
        try:
            return self.query(sql, {"urls": url_list})[1]
        except WarehouseLocked as exc:
            log.warning("no %s, warehouse busy: %s", what, exc)
            return []
        except WarehouseError:
            # a file an older aidetl wrote, not migrated yet (reads never migrate; a run
            # whose start found the file busy migrates on its first write): it lacks the
            # keys the lookup reads, so the run fetches these URLs afresh until then
            if self.read(lambda con: _migrations.is_current(con, self._known_schema())):
                raise
            log.warning("no %s until the warehouse's schema is brought up to date", what)
            return []

    def export(self, out_dir: Path | str) -> list[Path]:
        """Articles and facts as Parquet under out_dir/{articles,facts}/year=YYYY/."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        sources = {
            "articles": "SELECT *, coalesce(year(published_at), 0) AS year FROM articles",
            "facts": "SELECT f.*, coalesce(year(a.published_at), 0) AS year FROM facts AS f "
            "LEFT JOIN articles AS a USING (article_id)",
        }

        def run(con: duckdb.DuckDBPyConnection) -> list[Path]:
            for name, select in sources.items():
                target = (out / name).as_posix().replace("'", "''")
                con.execute(
                    f"COPY ({select}) TO '{target}' "
                    "(FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)"
                ).fetchall()
            return [out / name for name in sources]

        return self._read(run)

    # -- plumbing ----------------------------------------------------------------------

    def _deadline(self) -> float:
        return time.monotonic() + self.lock_timeout

    def _read(self, action: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        deadline = self._deadline()
        with (
            ctrl_c_kept(),
            self._turn(deadline),
            _access.file_lock(self.path, deadline, shared=True),
        ):
            self._check_intact()
            con = self._attached(deadline, read_only=True)
            try:
                con.execute(READER_SETTINGS).fetchall()
                if _access.file_state(self.path) != self._current_at:  # else: as we left it
                    self._check_not_newer(con)
                result = action(con)
            except duckdb.Error as exc:
                self._drop_hub()
                raise _intact.damage(self.path, exc) or WarehouseError(
                    str(self.path), f"query failed: {exc}"
                ) from exc
            except BaseException:
                self._drop_hub()
                raise
            self._release(con)
            return result

    def _check_intact(self) -> None:
        """The file's integrity check, unless it is exactly as our last write left it (its
        size, identity and time unchanged): a file DuckDB trimmed needs a second DuckDB open
        to check (~25 ms at 10 M facts), and nothing has touched this one since."""
        if self._current_at is None or _access.file_state(self.path) != self._current_at:
            _intact.check_intact(self.path)

    def _check_not_newer(self, con: duckdb.DuckDBPyConnection) -> None:
        """A newer schema may mean other columns: refuse to read it, like writes do."""
        try:
            rows = con.execute("SELECT version FROM _migrations").fetchall()
        except duckdb.CatalogException:
            rows = []
        known = self._known_schema().migrations
        _migrations.check_not_newer(self.path, {r[0] for r in rows}, known)

    def _write(
        self,
        action: Callable[[duckdb.DuckDBPyConnection], T],
        applied: list[str] | None = None,
        target: int | None = None,
        merged: list[str] | None = None,
        *,
        checkpoint_over: int = _access.CHECKPOINT_WAL_BYTES,
        timeout: float | None = None,
    ) -> T:
        deadline = time.monotonic() + timeout if timeout is not None else self._deadline()
        with ctrl_c_kept(), self._turn(deadline), _access.file_lock(self.path, deadline):
            self._check_intact()  # before DuckDB opens it for writing
            con = self._attached(deadline)
            try:
                con.execute(WRITER_SETTINGS).fetchall()
                con.execute(f"SET memory_limit = '{_access.write_memory_limit()}'").fetchall()
                done = self._migrate(con, target)
                self._current_at = None  # until this write is through
                if done is not None:  # the schema was looked at closely: fold its DDL in
                    checkpoint_over = 0  # now, rather than have every attach replay it
                if applied is not None:
                    applied.extend(done or [])
                names = self._merge_pending(con)
                if merged is not None:
                    merged.extend(names)
                result = action(con)
            except duckdb.Error as exc:
                self._drop_hub()
                damaged = _intact.damage(self.path, exc)
                if damaged is None:
                    raise
                raise damaged from exc
            except BaseException:
                self._drop_hub()
                raise
            self._wrote = True
            self._release(con, checkpoint_over)
            if target is None and self._hub is not None:  # detached cleanly, schema current
                self._current_at = _access.file_state(self.path)
            return result

    @contextlib.contextmanager
    def _turn(self, deadline: float) -> Iterator[None]:
        """This object's hub to ourselves (another thread may be mid-call on it), waiting
        no later than the call's deadline, like the file lock after it."""
        if not self._guard.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise WarehouseLocked(str(self.path), "another thread of this process is using it")
        try:
            yield
        finally:
            self._guard.release()

    def _attached(self, deadline: float, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """The hub with the file attached as its default catalog (a new hub after a fork:
        a DuckDB instance does not survive one)."""
        if self._hub_rows >= HUB_ROWS:
            self._drop_hub()  # between calls the file is detached: nothing is lost
        if self._hub is None or self._hub_pid != os.getpid():
            self._hub, self._hub_pid = _access.open_hub(self.path), os.getpid()
            self._hub_rows = 0
        try:
            _access.attach(self._hub, self.path, deadline, read_only=read_only)
        except BaseException:
            self._drop_hub()
            raise
        return self._hub

    def _release(self, con: duckdb.DuckDBPyConnection, checkpoint_over: int | None = None) -> None:
        """Detach the file after a call that went well (the next process may open it),
        a write first checkpointing when the WAL has grown past `checkpoint_over` bytes."""
        try:
            _access.detach(con, self.path, checkpoint_over=checkpoint_over)
        except duckdb.Error as exc:
            log.warning("detaching %s: %s", self.path, exc)
            self._drop_hub()  # closing the whole instance lets go of the file all the same

    def _drop_hub(self) -> None:
        """After a failed call the hub may be mid-transaction or still hold the file:
        close it (which lets go of the file) and start afresh on the next call."""
        hub, self._hub = self._hub, None
        if hub is not None and self._hub_pid == os.getpid():
            try:
                hub.close()
            except duckdb.Error as exc:
                log.warning("closing DuckDB after a failed call: %s", exc)

    def _known_schema(self) -> _migrations.Schema:
        if self._schema is None:
            self._schema = _migrations.known_schema(self.sql_dir)
        return self._schema

    def _migrate(self, con: duckdb.DuckDBPyConnection, target: int | None) -> list[str] | None:
        """Apply what is pending and return it; None when the file was already up to date:
        unchanged since our last write left it current (its stat says so: we hold it, so
        nobody writes while we look), or so says one small query."""
        if target is None and _access.file_state(self.path) == self._current_at:
            return None
        if target is None and _migrations.is_current(con, self._known_schema()):
            return None
        return _migrations.apply_migrations(con, self.path, self.sql_dir, target)

    def _write_or_stage(
        self, run_id: str, tables: dict[str, pa.Table], merge: Callable[..., Any]
    ) -> Any:
        try:
            return self._write(lambda con: merge(con, run_id, tables))
        except WarehouseLocked as exc:
            log.warning("warehouse busy (%s); staging for the next writer", exc)
            return self._stage(run_id, tables)

    def _merge_tables(
        self, con: duckdb.DuckDBPyConnection, run_id: str, tables: dict[str, pa.Table]
    ) -> Counts:
        if "runs" in tables:
            merge_runs(con, tables["runs"])
        batch = {k: v for k, v in tables.items() if k != "runs"}
        rows = sum(t.num_rows for t in batch.values())
        if not rows:  # nothing to merge: skip its dozen statements (~25 ms)
            return Counts(0, 0, 0, 0)
        self._hub_rows += rows
        limit = _access.write_memory_limit(rows)
        con.execute(f"SET memory_limit = '{limit}'").fetchall()
        try:
            try:
                return merge_batch(con, str(self.path), run_id, batch, self.max_distance)
            except duckdb.OutOfMemoryException as exc:
                # The limit keeps an ordinary load small beside other processes. A load that
                # needs more (pages that changed in a large warehouse, whose report groups
                # are recomputed from their facts) was rolled back whole: it runs once more
                # under DuckDB's default limit, most of the machine's memory, spilling beyond.
                log.info("a load needed more than %s (%s); merging it again", limit, exc)
                con.execute("RESET memory_limit").fetchall()
                return merge_batch(con, str(self.path), run_id, batch, self.max_distance)
        finally:
            con.execute(f"SET memory_limit = '{_access.write_memory_limit()}'").fetchall()

    def _merge_pending(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        names = []
        for unit in _staging.pending(self.path):
            try:
                counts = self._merge_tables(con, unit.run_id, unit.tables())
            except (duckdb.Error, WarehouseError, OSError, pa.ArrowException) as exc:
                if isinstance(exc, duckdb.Error) and _intact.damage(self.path, exc):
                    raise  # the file is damaged, not the unit: it stays staged
                # a unit that can never merge must not block every later write
                where = _staging.quarantine(self.path, unit)
                log.error("staged %s cannot be merged (%s); moved to %s", unit.path, exc, where)
                continue
            _staging.discard(unit)
            log.info("merged staged %s: %s", unit.path.name, counts)
            names.append(unit.path.name)
        return names


@contextlib.contextmanager
def ctrl_c_kept() -> Iterator[None]:
    """DuckDB's Python client turns a Ctrl-C (or SIGTERM, see aidetl.interrupt) that lands
    during a query into RuntimeError("Query interrupted"), and the KeyboardInterrupt is gone:
    a run would record a failure, or a caller would take it for one more error. It is given
    back as the KeyboardInterrupt it was (the write it cut was rolled back)."""
    try:
        yield
    except RuntimeError as exc:
        if str(exc) != "Query interrupted":
            raise
        raise KeyboardInterrupt("interrupted during a warehouse call") from exc


def fingerprints(articles: list[Article]) -> dict[str, int]:
    """simhash64 of each version's body, for repost detection at load time."""
    return {a.version_id: simhash64(a.body) for a in articles if a.body}


def merge_runs_only(
    con: duckdb.DuckDBPyConnection, run_id: str, tables: dict[str, pa.Table]
) -> Counts:
    merge_runs(con, tables["runs"])
    return Counts(0, 0, 0, 0)


def runs_table(row: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist([row], schema=RUNS_SCHEMA)
