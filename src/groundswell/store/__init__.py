"""Where posts, imports and rejected rows are kept: the only place SQL lives."""

from groundswell.store.duckdb import DATABASE_FILENAME, BatchResult, DuckDBStore, WorkspaceSummary
from groundswell.store.schema import MIGRATIONS, apply_migrations

__all__ = ["DATABASE_FILENAME", "MIGRATIONS", "BatchResult", "DuckDBStore", "WorkspaceSummary", "apply_migrations"]
