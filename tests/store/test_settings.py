"""Connection settings a block of work changes are restored afterwards, even when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.store.duckdb import DuckDBStore


def _settings(store: DuckDBStore) -> tuple[str, bool]:
    row = store.con.execute(
        "SELECT value, (SELECT current_setting('preserve_insertion_order')) FROM duckdb_settings() "
        "WHERE name = 'memory_limit'"
    ).fetchall()[0]
    return str(row[0]), bool(row[1])


def test_metrics_settings_apply_inside_and_are_restored(tmp_path: Path) -> None:
    store = DuckDBStore.open(tmp_path / "ws.duckdb", create=True)
    try:
        before = _settings(store)
        with store.for_metrics():
            limit, preserve = _settings(store)
            assert limit != before[0] and preserve == before[1]
        assert _settings(store) == before
        with pytest.raises(RuntimeError), store.for_metrics():
            raise RuntimeError("boom")
        assert _settings(store) == before
    finally:
        store.con.close()
