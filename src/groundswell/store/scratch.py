"""The few statements the query layer needs beneath ibis: dropping its temp tables, and whether the inbox's
outcome marks table holds rows (both stores)."""

from __future__ import annotations

from typing import Any

from groundswell.store.base import Store


def drop_temp_table(connection: Any, engine: str, name: str) -> None:
    """Drop the temp table ``name`` that ibis made on a DuckDB or PostgreSQL ``connection`` (ibis's own
    ``drop_table`` renders "DROP TABLE IF EXISTS" without the name under sqlglot 30)."""
    if engine == "duckdb":
        connection.execute(f'DROP TABLE IF EXISTS temp.main."{name}"').fetchall()
    elif engine == "postgres":
        connection.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"'.encode())
    else:
        raise ValueError(f"no temp tables of engine {engine!r} here")


def has_outcome_marks(store: Store) -> bool:
    """Whether the inbox's ``outcome_marks`` table exists and holds a row."""
    found = store.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'outcome_marks'")[0][0]
    return bool(found) and bool(store.execute("SELECT count(*) FROM outcome_marks")[0][0])
