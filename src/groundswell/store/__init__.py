"""Where a workspace's data is kept (the embedded DuckDB file, or a team's PostgreSQL database): the only place
SQL lives. ``Store`` and the two stores answer for posts, imports, rejects and enrichments; the modules
``users``, ``sessions``, ``tokens``, ``audit``, ``inbox``, ``labels``, ``connections``, ``thread_stage`` and
``scratch`` hold the SQL of the rest (see ``store.base``)."""

from groundswell.records import BatchResult, PostLookup, WorkspaceSummary
from groundswell.store.base import Store
from groundswell.store.duckdb import DATABASE_FILENAME, DuckDBStore
from groundswell.store.postgres import PostgresStore
from groundswell.store.schema import MIGRATIONS, apply_migrations

__all__ = [
    "DATABASE_FILENAME",
    "MIGRATIONS",
    "BatchResult",
    "DuckDBStore",
    "PostLookup",
    "PostgresStore",
    "Store",
    "WorkspaceSummary",
    "apply_migrations",
]
