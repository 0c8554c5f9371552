"""What every store offers: the embedded DuckDB file (``DuckDBStore``) and a PostgreSQL database
(``PostgresStore``) hold the same tables and answer the same calls.

The modules beside this one hold the SQL of each part of the workspace, as typed functions over a ``Store``
(``execute``/``query`` with ``?`` placeholders and SQL both dialects accept; the store translates the
placeholders): ``users``, ``sessions``, ``tokens`` and ``audit`` (accounts), ``inbox`` and ``labels`` (the
inbox), ``connections`` (connected platform accounts), ``thread_stage`` (the stored threads stage, DuckDB) and
``scratch`` (the query layer's temp tables). Nothing outside ``store/`` runs SQL.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import pyarrow as pa

from groundswell.records import (
    POST_FIELDS,
    BatchResult,
    PostLookup,
    PostRow,
    Rejected,
    RejectRecord,
    WorkspaceSummary,
)

Dialect = Literal["duckdb", "postgresql"]


class Store(Protocol):
    """A workspace's database: posts, imports, rejects, enrichments, and the team's tables."""

    dialect: Dialect

    @property
    def location(self) -> str:
        """Where the data is, for people (a file, or a URL without its password)."""
        ...

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """A block whose writes are kept together or not at all (on this thread's connection)."""
        ...

    def writer(self, *, wait: bool = True) -> AbstractContextManager[bool]:
        """A block that writes: one at a time in this process (re-entrant). Yields whether this thread is the
        writer: always when it may ``wait``; without, only if no other thread was writing. Each thread reads on
        its own connection (``store.per_thread``), so reads never wait for a writer."""
        ...

    def memory_limit(self, limit: str) -> AbstractContextManager[None]:
        """The embedded store's buffer-pool limit for a block; a no-op on a server."""
        ...

    def for_metrics(self) -> AbstractContextManager[None]:
        """Settings for computing metrics, restored after."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement with ``?`` placeholders; its rows (none for a statement that returns none)."""
        ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one query with ``?`` placeholders; its rows as dicts by column name."""
        ...

    def start_import(self, *, source: str, format: str, size_bytes: int | None) -> int: ...

    def finish_import(
        self,
        import_id: int,
        *,
        status: str,
        read: int,
        imported: int,
        duplicates: int,
        rejected: int,
        sha256: str | None,
        error: str | None = None,
    ) -> None: ...

    def add_rejects(self, import_id: int, file: str, rejects: Sequence[Rejected]) -> None: ...

    def write_posts(
        self, rows: Sequence[PostRow], *, import_id: int, source: str, brand_keys: Sequence[str]
    ) -> BatchResult: ...

    def count_posts_to_enrich(self, model_version: str) -> int: ...

    def posts_to_enrich(self, model_version: str, *, batch_size: int) -> Generator[pa.RecordBatch, None, None]: ...

    def delete_enrichments(self, model_version: str) -> int: ...

    def write_enrichments(self, table: pa.Table) -> None: ...

    def rejects(self, *, import_id: int | None = None, limit: int | None = None) -> list[RejectRecord]: ...

    def imports(self) -> list[dict[str, Any]]: ...

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]: ...

    def data_versions(self) -> dict[str, str]:
        """Fingerprints of what other processes' writes change (``posts``, ``marks``, ``inbox``); empty where
        no other process can write meanwhile (the embedded file)."""
        ...

    def post_count(self) -> int: ...

    def summary(self) -> WorkspaceSummary: ...


CLASSIFY_BATCH = """
    SELECT s.*,
        CASE
            WHEN s._rn > 1 AND f.author_id = s.author_id AND f.created_at = s.created_at
                 AND f.text = s.text THEN 'duplicate'
            WHEN s._rn > 1 THEN 'conflict'
            WHEN e.post_id IS NULL THEN 'new'
            WHEN e.author_id = s.author_id AND e.created_at = s.created_at
                 AND e.text = s.text THEN 'duplicate'
            ELSE 'conflict'
        END AS _status,
        CASE WHEN s._rn > 1 THEN NULL ELSE e.source END AS _other_source,
        CASE WHEN s._rn > 1 THEN f.line ELSE e.source_line END AS _other_line
    FROM _staged s
    LEFT JOIN _staged f
        ON s._rn > 1 AND f._rn = 1 AND f.platform = s.platform AND f.post_id = s.post_id
    LEFT JOIN {existing} e
        ON s._rn = 1 AND e.platform = s.platform AND e.post_id = s.post_id
"""
"""An import batch's rows (``_staged``, numbered ``_rn`` within a post_id) classified against the stored posts of
the same keys (``{existing}``) and the batch's own first row of a key: ``new``, ``duplicate`` (same author,
time and text) or ``conflict`` (same key, other content: a reject naming the other copy). One statement for
both stores."""

CONFLICT_COLUMNS = (*POST_FIELDS, "_other_source", "_other_line")
"""The columns an import's classified batch gives for a row whose post_id was imported with other content:
the row, and where the other one came from (no source: an earlier line of the same file)."""


def conflict_rejects(found: Iterable[Sequence[Any]]) -> list[Rejected]:
    """The rejects for rows of ``CONFLICT_COLUMNS``: each names the line, the post_id and the other copy."""
    rejects = []
    for values in found:
        record = dict(zip(CONFLICT_COLUMNS, values, strict=True))
        where = (
            f"line {record['_other_line']} of this file"
            if record["_other_source"] is None
            else f"{record['_other_source']} line {record['_other_line']}"
        )
        raw = {k: record[k] for k in POST_FIELDS if k != "line"}
        rejects.append(
            Rejected(
                line=int(record["line"]),
                field="post_id",
                reason=f"post_id {record['post_id']} already imported with other content (from {where})",
                raw=json.dumps(raw, default=str, ensure_ascii=False),
            )
        )
    return rejects


def utcnow() -> datetime:
    """Now, naive UTC: how every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


class ImportLedger:
    """The ``imports`` and ``rejects`` bookkeeping, in SQL both stores run through their ``execute``/``query``
    (``?`` placeholders); each store writes a batch of rejects its own fast way (``add_rejects``)."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def start_import(self, *, source: str, format: str, size_bytes: int | None) -> int:
        import_id = int(self.execute("SELECT nextval('import_id_seq')")[0][0])
        self._claim_import(import_id)  # before the row exists, so no other process sees it running unclaimed
        self.execute(
            "INSERT INTO imports (import_id, source, format, size_bytes, started_at, status) "
            "VALUES (?, ?, ?, ?, ?, 'running')",
            [import_id, source, format, size_bytes, utcnow()],
        )
        return import_id

    def _claim_import(self, import_id: int) -> None:
        """Mark a running import as this process's, for a store that many processes share (a no-op here)."""

    def _release_import(self, import_id: int) -> None:
        """Undo ``_claim_import`` once the import is no longer running."""

    def finish_import(
        self,
        import_id: int,
        *,
        status: str,
        read: int,
        imported: int,
        duplicates: int,
        rejected: int,
        sha256: str | None,
        error: str | None = None,
    ) -> None:
        """Record how an import ended. A ``done`` import read the whole file again, so the rejects of the
        file's earlier imports (finished, failed or interrupted) are superseded by its own: a file's rejects
        are listed once however often it is imported."""
        self.execute(
            "UPDATE imports SET status = ?, read = ?, imported = ?, duplicates = ?, rejected = ?, "
            "sha256 = ?, error = ?, finished_at = ? WHERE import_id = ?",
            [status, read, imported, duplicates, rejected, sha256, error, utcnow(), import_id],
        )
        if status == "done":
            self.execute(
                "DELETE FROM rejects WHERE import_id IN (SELECT e.import_id FROM imports e, imports i "
                "WHERE i.import_id = ? AND e.source = i.source AND e.import_id < i.import_id "
                "AND e.status <> 'running')",
                [import_id],
            )
        self._release_import(import_id)

    def rejects(self, *, import_id: int | None = None, limit: int | None = None) -> list[RejectRecord]:
        sql = "SELECT import_id, file, line, field, reason, raw, rejected_at FROM rejects"
        params: list[Any] = []
        if import_id is not None:
            sql += " WHERE import_id = ?"
            params.append(import_id)
        sql += " ORDER BY import_id, file, line"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [RejectRecord(*row) for row in self.execute(sql, params)]

    def imports(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM imports ORDER BY import_id")
