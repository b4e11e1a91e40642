"""Numbered SQL migrations (warehouse/NNN_name.sql), each applied in one transaction
together with its row in _migrations — the sqlite-utils pattern.

Tables live in the numbered migrations; views are derived, not history, so they live in one
repeatable file (warehouse/views.sql, all CREATE OR REPLACE VIEW) that shows the live schema.
Once the numbered migrations reach the latest one, views.sql is re-applied when a numbered
migration was just applied or its text differs from the text last applied (its sha256 is
kept in _views), so migrating twice is a no-op and a new aidetl's views replace an old one's
on its first write.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from aidetl.errors import MigrationError, SchemaTooNew
from aidetl.warehouse import _rollups

log = logging.getLogger(__name__)

SQL_DIR_ENV = "AIDETL_SQL_DIR"
# 003_views.sql -> (3, "views")
MIGRATION_NAME = re.compile(r"^(\d{3,})_([A-Za-z0-9_]+)\.sql$")

CREATE_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS _migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
"""


VIEWS_FILE = "views.sql"
CREATE_VIEWS_RECORD = """
CREATE TABLE IF NOT EXISTS _views (
    sha256 VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.version:03d}_{self.name}"


def find_sql_dir(override: Path | None = None) -> Path:
    """The migrations directory: explicit override, $AIDETL_SQL_DIR, the wheel's
    aidetl/sql, or the repo's top-level warehouse/ (editable install)."""
    if override is not None:
        return Path(override)
    if os.environ.get(SQL_DIR_ENV):
        return Path(os.environ[SQL_DIR_ENV])
    bundled = importlib.resources.files("aidetl") / "sql"
    if bundled.is_dir():
        return Path(str(bundled))
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "warehouse"
        if candidate.is_dir() and any(candidate.glob("001_*.sql")):
            return candidate
    raise MigrationError(str(override or "warehouse/"), "no SQL migrations directory found")


def list_migrations(sql_dir: Path) -> list[Migration]:
    found = []
    for path in sorted(sql_dir.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(str(sql_dir), f"duplicate migration numbers: {versions}")
    return found


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute(CREATE_MIGRATIONS).fetchall()
    return {row[0] for row in con.execute("SELECT version FROM _migrations").fetchall()}


def check_not_newer(db: Path, applied: set[int], known: list[Migration]) -> None:
    latest = max((m.version for m in known), default=0)
    newer = sorted(v for v in applied if v > latest)
    if newer:
        raise SchemaTooNew(
            str(db),
            f"schema version {newer[-1]} is newer than this aidetl knows ({latest}); "
            "upgrade aidetl, or point AIDETL_WAREHOUSE at another file",
        )


@dataclass(frozen=True, slots=True)
class Schema:
    """What this aidetl's SQL directory says a current file has: every numbered migration,
    and views.sql's digest (None without one). Read once per Warehouse."""

    migrations: list[Migration]
    views_digest: str | None


def derived_digest(views_sql: str) -> str:
    """What the derived schema is made from: views.sql and the rollups' declarations (the
    views read the rollup tables, so the two are applied, and recorded, together)."""
    return hashlib.sha256((views_sql + "\n" + _rollups.definition()).encode("utf-8")).hexdigest()


def known_schema(sql_dir: Path) -> Schema:
    path = sql_dir / VIEWS_FILE
    digest = None
    if path.is_file():
        digest = derived_digest(path.read_text(encoding="utf-8"))
    return Schema(list_migrations(sql_dir), digest)


# One read instead of the whole check: are all our migrations there, no newer one, and
# the views the ones views.sql makes? (Fails with a CatalogException on a new file.)
SCHEMA_STATE_SQL = """
SELECT (SELECT list(version ORDER BY version) FROM _migrations), (SELECT list(sha256) FROM _views)
"""


def is_current(con: duckdb.DuckDBPyConnection, schema: Schema) -> bool:
    """Whether the attached file needs nothing from apply_migrations (which then need not
    run its CREATE IF NOT EXISTS, listing and hashing on every write)."""
    try:
        versions, digests = con.execute(SCHEMA_STATE_SQL).fetchall()[0]
    except duckdb.CatalogException:
        return False
    views = [schema.views_digest] if schema.views_digest is not None else None
    return versions == [m.version for m in schema.migrations] and digests == views


def apply_migrations(
    con: duckdb.DuckDBPyConnection, db: Path, sql_dir: Path, target: int | None = None
) -> list[str]:
    """Apply pending migrations up to `target` (default: all); return their labels."""
    known = list_migrations(sql_dir)
    applied = applied_versions(con)
    check_not_newer(db, applied, known)
    done = []
    for migration in known:
        if migration.version in applied or (target is not None and migration.version > target):
            continue
        apply_one(con, db, migration)
        done.append(migration.label)
    latest = max((m.version for m in known), default=0)
    if target is None or target >= latest:
        apply_views(con, db, sql_dir, force=bool(done))
    return done


def apply_one(con: duckdb.DuckDBPyConnection, db: Path, migration: Migration) -> None:
    sql = migration.path.read_text(encoding="utf-8")
    con.begin()
    try:
        con.execute(sql).fetchall()
        con.execute(
            "INSERT INTO _migrations VALUES (?, ?, now())", [migration.version, migration.name]
        ).fetchall()
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        raise MigrationError(
            str(db), f"migration {migration.label} failed, rolled back: {exc}"
        ) from exc
    log.info("applied migration %s to %s", migration.label, db)


def views_digest(con: duckdb.DuckDBPyConnection) -> str | None:
    """sha256 of the views.sql text last applied to this database, or None."""
    con.execute(CREATE_VIEWS_RECORD).fetchall()
    rows = con.execute("SELECT sha256 FROM _views").fetchall()
    return rows[0][0] if rows else None


def apply_views(
    con: duckdb.DuckDBPyConnection, db: Path, sql_dir: Path, *, force: bool = False
) -> bool:
    """Re-apply views.sql in one transaction with its record when its text or the rollups'
    declarations changed (or when `force`: tables just changed under the views); return
    whether it ran. The rollup tables are made afresh with it: empty first (views.sql reads
    them), then filled from facts_dedup (which views.sql makes)."""
    path = sql_dir / VIEWS_FILE
    if not path.is_file():
        return False
    sql = path.read_text(encoding="utf-8")
    digest = derived_digest(sql)
    if views_digest(con) == digest and not force:
        return False
    con.begin()
    try:
        _rollups.create_empty(con)
        con.execute(sql).fetchall()
        _rollups.fill(con)
        con.execute("DELETE FROM _views").fetchall()
        con.execute("INSERT INTO _views VALUES (?, now())", [digest]).fetchall()
        con.commit()
    except duckdb.Error as exc:
        con.rollback()
        raise MigrationError(str(db), f"{VIEWS_FILE} failed, rolled back: {exc}") from exc
    log.info("applied %s (%s) to %s", VIEWS_FILE, digest[:12], db)
    return True
