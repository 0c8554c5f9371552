"""The statements under the stores' day counts kept in the DuckDB workspace file
(``groundswell.metrics.location_days``): the table ``location_days`` and its one-row state ``location_days_state``
(what it was counted from, JSON).

Like the threads stage, a cache of derived data, not user data: made and dropped here, never by a migration.
``metrics.location_days`` decides when to count again; these functions only run what it decided.
"""

from __future__ import annotations

from datetime import date

import duckdb

from groundswell.store.duckdb import DuckDBStore
from groundswell.store.thread_stage import table_exists

TABLE = "location_days"
STATE_TABLE = "location_days_state"
BUILDING = "_location_days_building"
ERRORS: tuple[type[Exception], ...] = (duckdb.Error,)  # what a statement on the workspace file raises


def read_state(store: DuckDBStore) -> str | None:
    """The state row's JSON; None where the tables are not both there or the state is not one row."""
    if not (table_exists(store, TABLE) and table_exists(store, STATE_TABLE)):
        return None
    rows = store.execute(f'SELECT state FROM "{STATE_TABLE}"')
    return str(rows[0][0]) if len(rows) == 1 else None


def drop_building(store: DuckDBStore) -> None:
    """Drop the table a count writes before it is swapped in (left by one cut short, or not swapped)."""
    store.execute(f'DROP TABLE IF EXISTS main."{BUILDING}"')


def swap_in_built(store: DuckDBStore, state: str) -> None:
    """The counted table (``BUILDING``) in place of the kept one, with ``state`` as its state, in one
    transaction."""
    with store.transaction():
        store.execute(f'DROP TABLE IF EXISTS main."{TABLE}"')
        store.execute(f'ALTER TABLE main."{BUILDING}" RENAME TO "{TABLE}"')
        _write_state(store, state)


def replace_days(store: DuckDBStore, days: list[date], state: str) -> None:
    """The kept counts of ``days`` replaced by those counted again (``BUILDING``, absent where ``days`` is
    empty), with ``state`` as their state, in one transaction."""
    with store.transaction():
        if days:
            store.execute(f'DELETE FROM "{TABLE}" WHERE day IN (SELECT unnest(?::DATE[]))', [days])
            store.execute(f'INSERT INTO "{TABLE}" SELECT * FROM main."{BUILDING}"')
        _write_state(store, state)


def _write_state(store: DuckDBStore, state: str) -> None:
    store.execute(f'CREATE TABLE IF NOT EXISTS main."{STATE_TABLE}" (state VARCHAR NOT NULL)')
    store.execute(f'DELETE FROM "{STATE_TABLE}"')
    store.execute(f'INSERT INTO "{STATE_TABLE}" VALUES (?)', [state])


def drop_tables(store: DuckDBStore) -> None:
    """Drop the kept counts and their state (the next use counts again)."""
    for name in (TABLE, STATE_TABLE, BUILDING):
        store.execute(f'DROP TABLE IF EXISTS main."{name}"')
