"""Regular expressions as the database engine sees them: the config's patterns run in SQL (DuckDB's RE2,
PostgreSQL's AREs), and a pattern Python accepts may still be one the engine refuses."""

from __future__ import annotations

from groundswell.errors import driver_errors
from groundswell.store.base import Store


def regex_refusal(store: Store, pattern: str) -> str | None:
    """The engine's reason for refusing ``pattern`` (its first line), or None when it compiles.

    Call it outside a transaction: on PostgreSQL a failed statement spoils the transaction around it."""
    sql = "SELECT regexp_matches('', ?)" if store.dialect == "duckdb" else "SELECT '' ~ ?"
    try:
        store.execute(sql, [pattern])
    except driver_errors() as exc:
        return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return None
