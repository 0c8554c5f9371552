"""The embedded store: one DuckDB file per workspace. All SQL lives in ``store/``."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from groundswell.columns import ROW_COLUMNS, arrow_schema
from groundswell.errors import StoreError, WorkspaceError
from groundswell.files import owner_only_files
from groundswell.records import BatchResult, PostLookup, PostRow, Rejected, WorkspaceSummary
from groundswell.store.base import (
    CLASSIFY_BATCH,
    CONFLICT_COLUMNS,
    Dialect,
    ImportLedger,
    conflict_rejects,
    utcnow,
)
from groundswell.store.per_thread import PerThread
from groundswell.store.schema import apply_migrations

DATABASE_FILENAME = "groundswell.duckdb"
# DuckDB's buffer pool would otherwise grow to most of the machine's memory.
DEFAULT_MEMORY_LIMIT = "1GB"
# Metrics sort and join every post several times (threads); under 1 GB a large workspace spills to disk.
METRICS_MEMORY_LIMIT = "3GB"
# A full build of the threads stage (once per workspace; every post sorted and joined several times) may use
# this share of the machine's memory: at 10M posts under 3 GB it spills to disk and takes 1.5x as long.
BUILD_MEMORY_SHARE = 0.5

_POST_ARROW_SCHEMA = arrow_schema(ROW_COLUMNS)  # an import batch: the parser's rows as they come
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip


def _limit_bytes(limit: str) -> float:
    """A DuckDB memory size (``256MB``, ``3GB``, ``953.6 MiB``) in bytes, to compare limits."""
    found = re.fullmatch(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*", limit)
    if found is None or found.group(2).lower() not in _UNITS:
        raise ValueError(f"not a memory size: {limit!r}")
    return float(found.group(1)) * _UNITS[found.group(2).lower()]


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


# DuckDB 2.0 keeps a result open until it is drained, and a connection with an
# open result refuses register(); so single-row reads use fetchall()[0], never fetchone().


class DuckDBStore(ImportLedger):
    """A workspace database file. One process writes at a time (DuckDB's file lock); within it, each thread
    works on a connection of its own (``con``) and writers take turns (``writer``)."""

    dialect: Dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, *, memory_limit: str | None = None):
        self._connections: PerThread[duckdb.DuckDBPyConnection] = PerThread(con, con.cursor, _close)
        self.path = path
        # the limit as set, restored exactly (DuckDB reports it rounded, e.g. 1GB as "953.6 MiB")
        self._memory_limit = memory_limit
        self._limits: list[str] = []  # the limits blocks on any thread ask for now (``memory_limit``)
        self._limits_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, *, create: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> DuckDBStore:
        if not create and not path.exists():
            raise WorkspaceError(f"no workspace database at {path}")
        try:
            with owner_only_files():  # the brand's data and the team's accounts: created 0600
                con = duckdb.connect(str(path), config={"memory_limit": memory_limit})
            path.chmod(0o600)  # and a file made before that rule, tightened
        except duckdb.IOException as exc:
            raise StoreError(f"cannot open {path}: {exc}") from exc
        apply_migrations(con)
        # one process holds the embedded file: an import still "running" here was cut short (killed, crashed)
        con.execute("UPDATE imports SET status = 'interrupted' WHERE status = 'running'")
        return cls(con, path, memory_limit=memory_limit)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection to the file: the one it was opened with for the thread that opened it, a
        cursor of it (a connection of its own to the same database) for any other (``store.per_thread``)."""
        return self._connections.get()

    def writer(self, *, wait: bool = True) -> AbstractContextManager[bool]:
        """A block that writes, one at a time in this process (re-entrant; ``wait=False``: yields False at once
        when another thread is writing); reads never wait for it."""
        return self._connections.writer(wait=wait)

    @property
    def open_connections(self) -> int:
        """How many connections to the file are open (the first, and one per other thread that used it)."""
        return self._connections.open_count

    def close(self) -> None:
        self._connections.close_all()

    @property
    def location(self) -> str:
        """Where the data is, for people."""
        return str(self.path)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement with ``?`` placeholders; its rows (see ``store.base.Store``)."""
        return self.con.execute(sql, list(params)).fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one query with ``?`` placeholders; its rows as dicts by column name."""
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        con = self.con  # this thread's: the transaction is the thread's own
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def memory_limit(self, limit: str) -> Iterator[None]:
        """Run a block under another buffer-pool limit, then restore the previous one.

        The buffer pool is the whole database's, shared by every thread: while blocks on several threads ask
        for limits, the largest of them holds (a figure computed beside an import keeps its memory), and the
        limit the store was opened with comes back when the last one ends."""
        with self._limits_lock:
            if self._memory_limit is None:
                self._memory_limit = str(self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
            self._limits.append(limit)
            self._apply_limit()
        try:
            yield
        finally:
            with self._limits_lock:
                self._limits.remove(limit)
                self._apply_limit()

    def _apply_limit(self) -> None:
        """Set the largest limit asked for, else the store's own (called with ``_limits_lock`` held)."""
        wanted = max(self._limits, key=_limit_bytes) if self._limits else self._memory_limit
        self.con.execute(f"SET memory_limit = '{wanted}'")

    @contextmanager
    def for_building(self) -> Iterator[None]:
        """Settings for a full build of a derived stage, restored after: ``BUILD_MEMORY_SHARE`` of the
        machine's memory for the buffer pool, at least ``METRICS_MEMORY_LIMIT``."""
        with self.memory_limit(build_memory_limit()):
            yield

    @contextmanager
    def unordered_writes(self) -> Iterator[None]:
        """Writes that keep no row order, restored after: DuckDB then writes a table in parallel and holds
        less while it does (for tables whose readers order what they need: posts, the derived stages)."""
        previous = self.con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        self.con.execute("SET preserve_insertion_order = false")
        try:
            yield
        finally:
            self.con.execute(f"SET preserve_insertion_order = {'true' if previous else 'false'}")

    @contextmanager
    def for_metrics(self) -> Iterator[None]:
        """Settings for computing metrics, restored after: a larger buffer pool (``METRICS_MEMORY_LIMIT``)."""
        with self.memory_limit(METRICS_MEMORY_LIMIT):
            yield

    # -- imports -----------------------------------------------------------------

    def add_rejects(self, import_id: int, file: str, rejects: Sequence[Rejected]) -> None:
        if not rejects:
            return
        now = utcnow()
        table = pa.table(
            {
                "import_id": pa.array([import_id] * len(rejects), pa.int64()),
                "file": pa.array([file] * len(rejects), pa.string()),
                "line": pa.array([r.line for r in rejects], pa.int64()),
                "field": pa.array([r.field for r in rejects], pa.string()),
                "reason": pa.array([r.reason for r in rejects], pa.string()),
                "raw": pa.array([r.raw for r in rejects], pa.string()),
                "rejected_at": pa.array([now] * len(rejects), pa.timestamp("us")),
            }
        )
        self.con.register("_rejects_batch", table)
        try:
            self.con.execute("INSERT INTO rejects SELECT * FROM _rejects_batch")
        finally:
            self.con.unregister("_rejects_batch")

    def write_posts(
        self,
        rows: Sequence[PostRow],
        *,
        import_id: int,
        source: str,
        brand_keys: Sequence[str],
    ) -> BatchResult:
        """Insert new posts; count exact repeats; return conflicting repeats as rejects.

        A post already stored (same platform and post_id), or earlier in the
        batch, is a *duplicate* when author, time and text agree, else a
        *conflict*, kept as a rejected row so nothing the user gave is lost.
        ``brand_keys`` are ``platform + "\\x1f" + handle`` for the config's brand accounts.
        """
        if not rows:
            return BatchResult(0, 0, [])
        columns = list(zip(*rows, strict=True))
        batch = pa.Table.from_arrays(
            [pa.array(col, type=_POST_ARROW_SCHEMA.field(i).type) for i, col in enumerate(columns)],
            schema=_POST_ARROW_SCHEMA,
        )
        con = self.con
        con.register("_batch", batch)
        try:
            return self.write_staged_posts("_batch", import_id=import_id, source=source, brand_keys=brand_keys)
        finally:
            con.unregister("_batch")

    def write_staged_posts(
        self, relation: str, *, import_id: int, source: str, brand_keys: Sequence[str]
    ) -> BatchResult:
        """``write_posts`` for rows already in the database: ``relation`` is a table's name or a subquery
        (SQL) of ``columns.ROW_COLUMNS`` (a parser's rows), e.g. an import's rows read and checked by the
        engine."""
        con = self.con
        now = utcnow()
        insert = """
            INSERT INTO posts
            SELECT platform, post_id, author_id, author_handle, author_followers,
                coalesce(is_brand,
                         list_contains($brands, platform || chr(31) || lower(ltrim(author_handle, '@'))),
                         false)
                OR list_contains($brands, platform || chr(31) || lower(ltrim(author_id, '@'))),
                created_at, text, lang, in_reply_to_post_id, conversation_id, url,
                like_count, share_count, reply_count, view_count, location,
                $source, line, $import_id, $now
            FROM {rows}
        """
        params = {"brands": list(brand_keys), "source": source, "import_id": import_id, "now": now}
        # Most rows hold a key given once and not stored yet: new, written straight away. Only the rows of a
        # key given more than once or already stored are numbered and compared (a window over every row, with
        # all its columns, would cost more than the rest of the write).
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _repeated AS "
            f"SELECT platform, post_id FROM {relation} GROUP BY platform, post_id HAVING count(*) > 1 "
            f"UNION SELECT p.platform, p.post_id FROM posts p SEMI JOIN {relation} r "
            "ON p.platform = r.platform AND p.post_id = r.post_id"
        )
        once = con.execute(
            insert.format(
                rows=f"(SELECT * FROM {relation} r ANTI JOIN _repeated k ON r.platform = k.platform "
                "AND r.post_id = k.post_id)"
            ),
            params,
        ).fetchall()[0][0]  # an INSERT's one row: how many it wrote
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _staged AS SELECT *, "
            "row_number() OVER (PARTITION BY platform, post_id ORDER BY line) AS _rn "
            f"FROM {relation} r SEMI JOIN _repeated k ON r.platform = k.platform AND r.post_id = k.post_id"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _existing AS "
            "SELECT p.platform, p.post_id, p.author_id, p.created_at, p.text, p.source, p.source_line "
            "FROM posts p SEMI JOIN (SELECT platform, post_id FROM _staged WHERE _rn = 1) s "
            "ON p.platform = s.platform AND p.post_id = s.post_id"
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _classified AS " + CLASSIFY_BATCH.format(existing="_existing"))
        con.execute(insert.format(rows="(SELECT * FROM _classified WHERE _status = 'new')"), params)
        counts = dict(con.execute("SELECT _status, count(*) FROM _classified GROUP BY _status").fetchall())
        conflicts: list[Rejected] = []
        if counts.get("conflict"):
            found = con.execute(
                f"SELECT {', '.join(CONFLICT_COLUMNS)} FROM _classified WHERE _status = 'conflict' ORDER BY line"
            ).fetchall()
            conflicts = conflict_rejects(found)
        for table in ("_classified", "_existing", "_staged", "_repeated"):  # a file's worth: not kept for the next
            con.execute(f"DROP TABLE temp.{table}")
        new = int(once) + int(counts.get("new", 0))
        return BatchResult(new, int(counts.get("duplicate", 0)), conflicts)

    # -- enrichments -----------------------------------------------------------------

    def count_posts_to_enrich(self, model_version: str) -> int:
        row = self.con.execute(
            "SELECT count(*) FROM posts p ANTI JOIN (SELECT platform, post_id FROM enrichments "
            "WHERE model_version = ?) e ON p.platform = e.platform AND p.post_id = e.post_id",
            [model_version],
        ).fetchall()[0]
        return int(row[0]) if row else 0

    def posts_to_enrich(self, model_version: str, *, batch_size: int) -> Generator[pa.RecordBatch, None, None]:
        """Posts with no enrichment row of ``model_version``, streamed on a cursor of their own."""
        cursor = self.con.cursor()
        try:
            result = cursor.sql(
                "SELECT p.platform, p.post_id, p.text, p.is_brand, p.in_reply_to_post_id IS NOT NULL AS is_reply, "
                "p.created_at FROM posts p ANTI JOIN (SELECT platform, post_id FROM enrichments "
                "WHERE model_version = $1) e ON p.platform = e.platform AND p.post_id = e.post_id",
                params=[model_version],
            )
            yield from result.to_arrow_reader(batch_size)
        finally:
            cursor.close()

    def delete_enrichments(self, model_version: str) -> int:
        row = self.con.execute(
            "DELETE FROM enrichments WHERE model_version = ? RETURNING 1", [model_version]
        ).fetchall()
        return len(row)

    def write_enrichments(self, table: pa.Table) -> None:
        self.con.register("_enrichment_batch", table)
        try:
            self.con.execute(
                f"INSERT INTO enrichments ({', '.join(table.column_names)}) SELECT * FROM _enrichment_batch"
            )
        finally:
            self.con.unregister("_enrichment_batch")

    # -- reading -------------------------------------------------------------------

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]:
        """The posts with this id (one per platform at most), by platform."""
        rows = self.con.execute(
            """
            SELECT t.platform, t.post_id, t.author_id, t.author_handle, t.is_brand, t.created_at, t.text,
                t.in_reply_to_post_id, e.intent, e.sentiment, e.needs_reply, e.model_version,
                (SELECT count(*) FROM posts r WHERE r.platform = t.platform AND r.in_reply_to_post_id = t.post_id
                    AND r.is_brand),
                (SELECT count(*) FROM posts r JOIN posts p
                    ON r.platform = p.platform AND r.in_reply_to_post_id = p.post_id
                    WHERE p.platform = t.platform AND p.author_id = t.author_id AND p.post_id <> t.post_id
                    AND r.is_brand AND r.created_at BETWEEN t.created_at - INTERVAL 7 DAY AND t.created_at)
            FROM posts t
            LEFT JOIN (
                SELECT platform, post_id, arg_max(intent, enriched_at) AS intent,
                    arg_max(sentiment, enriched_at) AS sentiment, arg_max(needs_reply, enriched_at) AS needs_reply,
                    arg_max(model_version, enriched_at) AS model_version
                FROM enrichments WHERE post_id = $1 GROUP BY ALL
            ) e ON e.platform = t.platform AND e.post_id = t.post_id
            WHERE t.post_id = $1 AND ($2::VARCHAR IS NULL OR t.platform = $2)
            ORDER BY t.platform
            """,
            [post_id, platform],
        ).fetchall()
        return [PostLookup(*row) for row in rows]

    def data_versions(self) -> dict[str, str]:
        """Nothing: one process at a time opens the file, so its writer knows every change (see PostgresStore)."""
        return {}

    def post_count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM posts").fetchall()[0]
        return int(row[0]) if row else 0

    def summary(self) -> WorkspaceSummary:
        row = self.con.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE is_brand),
                count(DISTINCT (platform, author_id)),
                count(DISTINCT (platform, author_id)) FILTER (WHERE is_brand),
                min(created_at), max(created_at)
            FROM posts
            """
        ).fetchall()[0]
        assert row is not None  # noqa: S101 - an invariant (an aggregate has one row), not an input check
        platforms = dict(
            self.con.execute("SELECT platform, count(*) FROM posts GROUP BY platform ORDER BY platform").fetchall()
        )
        imports_row = self.con.execute("SELECT count(*) FROM imports").fetchall()[0]
        rejects_row = self.con.execute("SELECT count(*) FROM rejects").fetchall()[0]
        return WorkspaceSummary(
            posts=int(row[0]),
            brand_posts=int(row[1]),
            accounts=int(row[2]),
            brand_accounts=int(row[3]),
            platforms={str(k): int(v) for k, v in platforms.items()},
            first_post=row[4],
            last_post=row[5],
            imports=int(imports_row[0]) if imports_row else 0,
            rejects=int(rejects_row[0]) if rejects_row else 0,
        )


def build_memory_limit() -> str:
    """``BUILD_MEMORY_SHARE`` of the machine's physical memory in MB, at least ``METRICS_MEMORY_LIMIT`` (also
    where the machine does not say how much it has)."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return METRICS_MEMORY_LIMIT
    share = int(physical * BUILD_MEMORY_SHARE)
    return f"{share // 10**6}MB" if share > _limit_bytes(METRICS_MEMORY_LIMIT) else METRICS_MEMORY_LIMIT
