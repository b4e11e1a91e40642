"""Schema migrations: fresh, upgrade with data, rollback on failure, too-new and corrupt files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from aidetl.errors import MigrationError, SchemaTooNew, WarehouseCorrupt
from aidetl.warehouse import Warehouse, find_sql_dir, list_migrations

TABLES = ("runs", "fetches", "articles", "article_versions", "facts")
CONTRACT_COLUMNS = {
    "runs": {"run_id"}, "articles": {"article_id", "url", "title"}, "fetches": {"url"},
    "facts": {"fact_id", "article_id", "text", "start", "end", "value", "value_max", "unit",
              "kind", "qualifier", "metric", "subject", "place", "period_start", "period_end",
              "subject_parent", "place_code", "cumulative", "planned", "parent_start",
              "sentence", "extractor_version", "version_id", "run_id", "loaded_at"},
}  # fmt: skip


def columns(db: Path, table: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
        ).fetchall()
    return {r[0] for r in rows}


def test_the_sql_dir_is_found_and_numbered() -> None:
    migrations = list_migrations(find_sql_dir())
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert len(migrations) >= 2


def test_a_fresh_database_reaches_the_latest_schema(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    applied = Warehouse(db).migrate()
    assert applied == [m.label for m in list_migrations(find_sql_dir())]
    for table, wanted in CONTRACT_COLUMNS.items():
        assert wanted <= columns(db, table)
    assert Warehouse(db).migrate() == []  # nothing left to do


def test_every_table_and_column_has_a_comment(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    Warehouse(db).migrate()
    with duckdb.connect(str(db), read_only=True) as con:
        bare_tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE comment IS NULL AND table_name IN "
            f"{TABLES}"
        ).fetchall()
        bare_columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL "
            f"AND table_name IN {TABLES}"
        ).fetchall()
    assert bare_tables == [] and bare_columns == []


def test_an_older_database_with_data_upgrades_without_loss(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    assert Warehouse(db).migrate(target=1) == ["001_tables"]
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO articles (article_id, url, canonical_url, current_version_id) "
                    "VALUES ('a1', 'http://x/1', 'http://x/1', 'v1')")  # fmt: skip
        con.execute("INSERT INTO facts (fact_id, article_id, version_id, text, start, \"end\", "
                    "value, kind) VALUES ('f1', 'a1', 'v1', '5亿元', 0, 3, 500000000, 'money')")  # fmt: skip
    applied = Warehouse(db).migrate()
    assert applied[0] == "002_comments" and "003_views" in applied
    rows = Warehouse(db).query("SELECT fact_id, value FROM current_facts")[1]
    assert [(r[0], int(r[1])) for r in rows] == [("f1", 500000000)]


def test_a_failing_migration_rolls_back_completely(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(find_sql_dir(), sql_dir)
    latest = list_migrations(sql_dir)[-1].version
    (sql_dir / f"{latest + 1:03d}_broken.sql").write_text(
        "CREATE TABLE half_done (a INTEGER);\n"
        "INSERT INTO half_done VALUES (1);\n"
        "ALTER TABLE facts ADD COLUMN half_col INTEGER;\n"
        "SELECT * FROM no_such_table;\n"
    )
    db = tmp_path / "w.duckdb"
    Warehouse(db).migrate()  # the real migrations, then the broken one
    with pytest.raises(MigrationError, match="broken"):
        Warehouse(db, sql_dir=sql_dir).migrate()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM _migrations").fetchone()[0] == latest
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "half_done" not in tables
    assert "half_col" not in columns(db, "facts")


def test_a_newer_schema_is_refused_naming_the_file(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    Warehouse(db).migrate()
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO _migrations VALUES (999, 'from_the_future', now())")
    with pytest.raises(SchemaTooNew, match="upgrade aidetl") as info:
        Warehouse(db).migrate()
    assert str(db) in str(info.value)


def test_a_corrupt_file_is_reported_and_never_reset(tmp_path: Path) -> None:
    db = tmp_path / "junk.duckdb"
    junk = os.urandom(64 * 1024)
    db.write_bytes(junk)
    with pytest.raises(WarehouseCorrupt) as info:
        Warehouse(db).migrate()
    assert str(db) in str(info.value)
    assert db.read_bytes() == junk


VIEWS_SQL = "SELECT view_name, sql, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1"


def views(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(VIEWS_SQL).fetchall()


MACROS_SQL = (
    "SELECT function_name, macro_definition FROM duckdb_functions() "
    "WHERE function_type = 'macro' AND NOT internal ORDER BY 1"
)


def macros(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(MACROS_SQL).fetchall()


def test_a_fresh_and_an_upgraded_warehouse_end_with_the_same_views(tmp_path: Path) -> None:
    """Views live in views.sql: a warehouse built by migrations 001-005 (their own views, and
    data) and then upgraded ends with exactly the views of a fresh one, each with a comment."""
    fresh, old = tmp_path / "fresh.duckdb", tmp_path / "old.duckdb"
    Warehouse(fresh).migrate()
    assert Warehouse(old).migrate(target=5)[-1] == "005_current_extractor"
    with duckdb.connect(str(old)) as con:
        before = {r[0] for r in con.execute(VIEWS_SQL).fetchall()}
        con.execute("INSERT INTO facts (fact_id, article_id, version_id, text, start, \"end\", "
                    "value, kind) VALUES ('f1', 'a1', 'v1', '5亿元', 0, 3, 500000000, 'money')")  # fmt: skip
    assert "summable_facts" in before and "summable_place_figures" not in before
    assert Warehouse(old).migrate()[0] == "006_fact_provenance"  # and whatever came after
    assert views(old) == views(fresh)
    assert macros(old) == macros(fresh) and macros(fresh)
    assert all(comment for _, _, comment in views(fresh))
    row = Warehouse(old).query("SELECT per, summable, subject_from, place_from, period_from "
                               "FROM facts")[1]  # fmt: skip
    assert row == [(None, None, None, None, None)]  # old rows: the extractor did not decide


def test_migrating_twice_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    Warehouse(db).migrate()
    with duckdb.connect(str(db), read_only=True) as con:
        record = con.execute("SELECT * FROM _views").fetchall()
    assert Warehouse(db).migrate() == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT * FROM _views").fetchall() == record  # not re-applied
        assert len(record) == 1


def test_a_changed_views_file_is_re_applied_on_the_next_migrate(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(find_sql_dir(), sql_dir)
    db = tmp_path / "w.duckdb"
    Warehouse(db, sql_dir=sql_dir).migrate()
    views_file = sql_dir / "views.sql"
    views_file.write_text(
        views_file.read_text(encoding="utf-8")
        + "CREATE OR REPLACE VIEW newest AS SELECT 1 AS one;\n",
        encoding="utf-8",
    )
    assert Warehouse(db, sql_dir=sql_dir).migrate() == []  # no numbered migration pending
    assert Warehouse(db, sql_dir=sql_dir).query("SELECT one FROM newest")[1] == [(1,)]


def test_a_new_table_migration_re_applies_the_unchanged_views(tmp_path: Path) -> None:
    """Tables changed under the views: they are re-created even though views.sql is not."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(find_sql_dir(), sql_dir)
    db = tmp_path / "w.duckdb"
    Warehouse(db, sql_dir=sql_dir).migrate()
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE _views SET applied_at = TIMESTAMPTZ '2000-01-01 00:00:00+00'")
    latest = list_migrations(sql_dir)[-1].version
    (sql_dir / f"{latest + 1:03d}_more.sql").write_text("CREATE TABLE more (a INTEGER);\n")
    assert Warehouse(db, sql_dir=sql_dir).migrate() == [f"{latest + 1:03d}_more"]
    with duckdb.connect(str(db), read_only=True) as con:
        (applied,) = con.execute("SELECT year(applied_at) FROM _views").fetchone()
    assert applied > 2000


def test_a_failing_views_file_rolls_back_and_keeps_the_old_views(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(find_sql_dir(), sql_dir)
    db = tmp_path / "w.duckdb"
    Warehouse(db, sql_dir=sql_dir).migrate()
    before = views(db)
    (sql_dir / "views.sql").write_text(
        "CREATE OR REPLACE VIEW facts_dedup AS SELECT 1 AS one;\n"
        "CREATE OR REPLACE VIEW broken AS SELECT * FROM no_such_table;\n",
        encoding="utf-8",
    )
    with pytest.raises(MigrationError, match="views.sql"):
        Warehouse(db, sql_dir=sql_dir).migrate()
    assert views(db) == before


def test_numbered_migrations_after_005_define_no_views() -> None:
    """One home for the live schema: views change in views.sql, never in a migration."""
    for migration in list_migrations(find_sql_dir()):
        if migration.version > 5:
            assert "CREATE OR REPLACE VIEW" not in migration.path.read_text().upper()
            assert "CREATE VIEW" not in migration.path.read_text().upper()
