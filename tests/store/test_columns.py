"""The column lists of ``groundswell.columns`` are what the migrations create, on DuckDB and on PostgreSQL.

The migrations are history (never edited); the column lists are the one place the row type, the Arrow
schemas and the PostgreSQL staging types are made from. These tests keep the two equal: name, order, type
and nullability of every column of ``posts`` and ``enrichments``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pytest

from groundswell.columns import (
    ENRICHMENT_COLUMNS,
    PARSED_POST_COLUMNS,
    POST_COLUMNS,
    ROW_COLUMNS,
    Column,
    arrow_schema,
    check_record,
    names,
    postgres_columns,
)
from groundswell.demo.world import DemoPost
from groundswell.records import POST_FIELDS, PostRow
from groundswell.store.duckdb import DuckDBStore
from groundswell.store.postgres import PostgresStore

# information_schema.columns.data_type of each type on each store
_INFORMATION_SCHEMA_TYPES = {
    "duckdb": {"VARCHAR": "VARCHAR", "BIGINT": "BIGINT", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP",
               "DOUBLE": "DOUBLE"},
    "postgresql": {"VARCHAR": "character varying", "BIGINT": "bigint", "BOOLEAN": "boolean",
                   "TIMESTAMP": "timestamp without time zone", "DOUBLE": "double precision"},
}  # fmt: skip


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def _store(tmp_path: Path, database: str | None) -> DuckDBStore | PostgresStore:
    if database is None:
        return DuckDBStore.open(tmp_path / "columns.duckdb", create=True)
    return PostgresStore.open(database)


def _table_columns(store: DuckDBStore | PostgresStore, table: str) -> list[tuple[str, str, bool]]:
    schema = "main" if store.dialect == "duckdb" else "public"
    rows = store.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    )
    return [(str(name), str(kind), str(nullable) == "YES") for name, kind, nullable in rows]


def _expected(columns: tuple[Column, ...], dialect: str) -> list[tuple[str, str, bool]]:
    types = _INFORMATION_SCHEMA_TYPES[dialect]
    return [(c.name, types[c.type], c.nullable) for c in columns]


@pytest.mark.parametrize(("table", "columns"), [("posts", POST_COLUMNS), ("enrichments", ENRICHMENT_COLUMNS)])
def test_the_migrations_create_exactly_the_column_list(
    tmp_path: Path, database: str | None, table: str, columns: tuple[Column, ...]
) -> None:
    store = _store(tmp_path, database)
    try:
        assert _table_columns(store, table) == _expected(columns, store.dialect)
    finally:
        store.close()


def test_the_row_type_and_the_batch_schemas_are_made_from_the_list() -> None:
    assert POST_FIELDS == PostRow._fields == ("line", *names(PARSED_POST_COLUMNS))
    assert tuple(arrow_schema(ROW_COLUMNS).names) == POST_FIELDS
    assert arrow_schema(ROW_COLUMNS).field("created_at").type == pa.timestamp("us")
    assert arrow_schema(ENRICHMENT_COLUMNS).field("sentiment_score").type == pa.float64()
    assert postgres_columns(ENRICHMENT_COLUMNS[4:6]) == "sentiment VARCHAR, sentiment_score DOUBLE PRECISION"
    assert DemoPost._fields == names(PARSED_POST_COLUMNS)
    assert all(c.meaning for c in (*POST_COLUMNS, *ENRICHMENT_COLUMNS))


def test_a_record_that_drifts_from_its_columns_is_refused() -> None:
    class Swapped(NamedTuple):
        post_id: str
        platform: str

    with pytest.raises(TypeError, match="does not match its columns"):
        check_record(Swapped, POST_COLUMNS[:2])
    check_record(PostRow, ROW_COLUMNS)
