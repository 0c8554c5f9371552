"""Schema changes are ordered, recorded migrations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from groundswell.errors import SchemaVersionError
from groundswell.store.schema import MIGRATIONS, apply_migrations
from groundswell.workspace import Workspace


def test_migrations_are_recorded_and_applied_once(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    assert apply_migrations(con) == [name for name, _ in MIGRATIONS]
    assert apply_migrations(con) == []
    recorded = [row[0] for row in con.execute("SELECT name FROM _migrations ORDER BY name").fetchall()]
    assert recorded == sorted(name for name, _ in MIGRATIONS)


def test_a_new_migration_is_applied_to_an_existing_database(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    apply_migrations(con)
    extra = (*MIGRATIONS, ("999_note", lambda c: c.execute("CREATE TABLE notes (x INTEGER)")))
    assert apply_migrations(con, extra) == ["999_note"]
    assert con.execute("SELECT count(*) FROM notes").fetchone() == (0,)


def test_a_failed_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    apply_migrations(con)

    def broken(c: duckdb.DuckDBPyConnection) -> None:
        c.execute("CREATE TABLE half (x INTEGER)")
        c.execute("THIS IS NOT SQL")

    with pytest.raises(duckdb.Error):
        apply_migrations(con, (*MIGRATIONS, ("998_broken", broken)))
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM _migrations WHERE name = '998_broken'").fetchone() == (0,)


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Workspace.init(tmp_path).close()
    con = duckdb.connect(str(tmp_path / "groundswell.duckdb"))
    con.execute("INSERT INTO _migrations VALUES ('500_from_the_future', now())")
    con.close()
    with pytest.raises(SchemaVersionError):
        Workspace.open(tmp_path)
