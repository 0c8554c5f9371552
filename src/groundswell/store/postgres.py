"""A team's store: a PostgreSQL database with the same tables as the embedded workspace (store/schema.py).

``PostgresStore.open("postgresql://user:password@host:port/database")`` connects (psycopg 3), applies the
pending migrations (one process at a time: an advisory lock) and answers the same calls as ``DuckDBStore``.
Many processes may write at once (several ``groundswell serve``, imports from the command line): each
change that must not be lost to a concurrent one checks what it changes in its own statement (the inbox's
versions), and imports and enrichments run in transactions.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyarrow as pa

from groundswell.columns import ROW_COLUMNS, postgres_columns
from groundswell.errors import StoreError, UsageError
from groundswell.records import POST_FIELDS, BatchResult, PostLookup, PostRow, Rejected, WorkspaceSummary
from groundswell.store.base import (
    CLASSIFY_BATCH,
    CONFLICT_COLUMNS,
    Dialect,
    ImportLedger,
    conflict_rejects,
    utcnow,
)
from groundswell.store.per_thread import PerThread
from groundswell.store.schema import PostgresMigrationConnection, apply_migrations, postgres_sql

URL_SCHEMES = ("postgresql", "postgres")
CONNECT_TIMEOUT_S = 10
# Taken while migrating, so that two processes opening a new database do not both create its tables.
_MIGRATION_LOCK = 0x67737701
# Taken by each batch of posts (and of enrichments) until its transaction ends: two processes importing the
# same posts at once (or classifying them) must not both find them new.
_POSTS_LOCK = 0x67737702
_ENRICHMENTS_LOCK = 0x67737703
# A running import's session lock (this class, the import id): held by the importing process's connection
# until the import ends, so an import left 'running' whose lock nobody holds was cut short (a killed process).
_IMPORT_LOCK_CLASS = 0x67737704
_MARK_INTERRUPTED = f"""
    UPDATE imports SET status = 'interrupted' WHERE status = 'running' AND NOT EXISTS (
        SELECT 1 FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = {_IMPORT_LOCK_CLASS} AND l.objid::bigint = imports.import_id % 2147483648
          AND l.objsubid = 2)
"""
# Lookups the stores make by post key; DuckDB scans instead (an index there slows every import).
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS posts_key ON posts (platform, post_id)",
    "CREATE INDEX IF NOT EXISTS posts_reply_to ON posts (platform, in_reply_to_post_id)",
    "CREATE INDEX IF NOT EXISTS enrichments_key ON enrichments (platform, post_id)",
    "CREATE INDEX IF NOT EXISTS enrichments_version ON enrichments (model_version)",
    "CREATE INDEX IF NOT EXISTS enrichments_enriched_at ON enrichments (enriched_at)",
)
# An import batch's staging table: the parser's rows as they come.
_BATCH_COLUMNS = postgres_columns(ROW_COLUMNS)
_TO_ENRICH = pa.schema(
    [
        ("platform", pa.string()),
        ("post_id", pa.string()),
        ("text", pa.string()),
        ("is_brand", pa.bool_()),
        ("is_reply", pa.bool_()),
        ("created_at", pa.timestamp("us")),
    ]
)


def _close(con: Any) -> None:
    con.close()


def is_postgres_url(database: str) -> bool:
    return urlsplit(database).scheme in URL_SCHEMES


def redact(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{netloc[-1]}"))


def _connect(url: str) -> Any:
    """A new session on ``url`` (autocommit, UTC); ``StoreError`` naming the URL, never its password."""
    shown = redact(url)
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - a dependency
        raise StoreError("a PostgreSQL database needs the postgres extra: pip install 'groundswell[postgres]'") from exc
    try:
        con = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except (psycopg.Error, ValueError) as exc:
        reason = str(exc).replace(url, shown)
        if urlsplit(url).password:
            reason = reason.replace(urlsplit(url).password or "", "***")
        raise StoreError(f"cannot connect to the database {shown}: {reason.strip()}") from exc
    try:
        con.execute("SET TIME ZONE 'UTC'")
    except BaseException:
        con.close()
        raise
    return con


class PostgresStore(ImportLedger):
    """A workspace's tables in a PostgreSQL database: a session per thread (``con``, autocommit outside
    ``transaction``), and writers in this process taking turns (``writer``)."""

    dialect: Dialect = "postgresql"

    def __init__(self, con: Any, url: str):
        self._connections: PerThread[Any] = PerThread(con, lambda: _connect(url), _close)
        self.url = url

    @classmethod
    def open(cls, url: str) -> PostgresStore:
        """Connect to ``url`` and bring its schema up to date; ``StoreError`` naming the URL (never its
        password) when it is not a PostgreSQL URL or the server cannot be reached or refuses."""
        if not is_postgres_url(url):
            raise UsageError(
                f"not a PostgreSQL URL: {redact(url)} (expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE)"
            )
        con = _connect(url)
        try:
            con.execute("SELECT pg_advisory_lock(%s)", [_MIGRATION_LOCK])
            try:
                apply_migrations(PostgresMigrationConnection(con))
                for statement in _INDEXES:
                    con.execute(statement.encode())
                con.execute(_MARK_INTERRUPTED.encode())
            finally:
                con.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATION_LOCK])
        except BaseException:
            con.close()
            raise
        return cls(con, url)

    @property
    def con(self) -> Any:
        """This thread's session: the one the store was opened with for the thread that opened it, a new one
        (made on first use) for any other (``store.per_thread``)."""
        return self._connections.get()

    def writer(self, *, wait: bool = True) -> AbstractContextManager[bool]:
        """A block that writes, one at a time in this process (re-entrant; ``wait=False``: yields False at once
        when another thread is writing); reads never wait for it. Other
        processes may write meanwhile: their changes are checked in the statements themselves."""
        return self._connections.writer(wait=wait)

    @property
    def open_connections(self) -> int:
        """How many sessions this store holds open (the first, and one per other thread that used it)."""
        return self._connections.open_count

    @property
    def location(self) -> str:
        """Where the data is, for people: the URL without its password."""
        return redact(self.url)

    def close(self) -> None:
        self._connections.close_all()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    @contextmanager
    def memory_limit(self, limit: str) -> Iterator[None]:
        """The embedded store's buffer pool; the server manages its own memory."""
        yield

    @contextmanager
    def for_metrics(self) -> Iterator[None]:
        yield

    # -- SQL for the other modules ------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cursor:
            cursor.execute(postgres_sql(sql).encode(), list(params))
            return list(cursor.fetchall()) if cursor.description is not None else []

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.con.cursor() as cursor:
            cursor.execute(postgres_sql(sql).encode(), list(params))
            names = [d.name for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- imports -----------------------------------------------------------------

    def _claim_import(self, import_id: int) -> None:
        self.execute("SELECT pg_advisory_lock(?, ?)", [_IMPORT_LOCK_CLASS, import_id % 2**31])

    def _release_import(self, import_id: int) -> None:
        self.execute("SELECT pg_advisory_unlock(?, ?)", [_IMPORT_LOCK_CLASS, import_id % 2**31])

    def add_rejects(self, import_id: int, file: str, rejects: Sequence[Rejected]) -> None:
        if not rejects:
            return
        now = utcnow()
        with (
            self.con.cursor() as cursor,
            cursor.copy(b"COPY rejects (import_id, file, line, field, reason, raw, rejected_at) FROM STDIN") as copy,
        ):
            for r in rejects:
                copy.write_row((import_id, file, r.line, r.field, r.reason, r.raw, now))

    def write_posts(
        self,
        rows: Sequence[PostRow],
        *,
        import_id: int,
        source: str,
        brand_keys: Sequence[str],
    ) -> BatchResult:
        """As ``DuckDBStore.write_posts``: new posts inserted, exact repeats counted, conflicting ones returned."""
        if not rows:
            return BatchResult(0, 0, [])
        with self.transaction(), self.con.cursor() as cur:
            cur.execute(b"SELECT pg_advisory_xact_lock(%s)", [_POSTS_LOCK])
            cur.execute(b"DROP TABLE IF EXISTS pg_temp._batch, pg_temp._staged, pg_temp._classified")
            cur.execute(f"CREATE TEMP TABLE _batch ({_BATCH_COLUMNS}) ON COMMIT DROP".encode())
            with cur.copy(f"COPY _batch ({', '.join(POST_FIELDS)}) FROM STDIN".encode()) as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                b"CREATE TEMP TABLE _staged ON COMMIT DROP AS SELECT *, "
                b"row_number() OVER (PARTITION BY platform, post_id ORDER BY line) AS _rn FROM _batch"
            )
            existing = """
                WITH existing AS (
                    SELECT p.platform, p.post_id, p.author_id, p.created_at, p.text, p.source, p.source_line
                    FROM posts p
                    WHERE EXISTS (SELECT 1 FROM _staged s
                                  WHERE s._rn = 1 AND p.platform = s.platform AND p.post_id = s.post_id)
                )
            """
            classify = CLASSIFY_BATCH.format(existing="existing")
            cur.execute(f"CREATE TEMP TABLE _classified ON COMMIT DROP AS {existing} {classify}".encode())
            cur.execute(
                b"""
                INSERT INTO posts
                SELECT platform, post_id, author_id, author_handle, author_followers,
                    coalesce(is_brand,
                             (platform || chr(31) || lower(ltrim(author_handle, '@'))) = ANY(%(brands)s::varchar[]),
                             false)
                    OR (platform || chr(31) || lower(ltrim(author_id, '@'))) = ANY(%(brands)s::varchar[]),
                    created_at, text, lang, in_reply_to_post_id, conversation_id, url,
                    like_count, share_count, reply_count, view_count, location,
                    %(source)s, line, %(import_id)s, %(now)s
                FROM _classified WHERE _status = 'new' ORDER BY line
                """,
                {"brands": list(brand_keys), "source": source, "import_id": import_id, "now": utcnow()},
            )
            counts = dict(cur.execute(b"SELECT _status, count(*) FROM _classified GROUP BY _status").fetchall())
            conflicts: list[Rejected] = []
            if counts.get("conflict"):
                found = cur.execute(
                    f"SELECT {', '.join(CONFLICT_COLUMNS)} FROM _classified WHERE _status = 'conflict' ORDER BY line".encode()
                ).fetchall()
                conflicts = conflict_rejects(found)
        return BatchResult(int(counts.get("new", 0)), int(counts.get("duplicate", 0)), conflicts)

    # -- enrichments -----------------------------------------------------------------

    _UNENRICHED = (
        "FROM posts p WHERE NOT EXISTS (SELECT 1 FROM enrichments e WHERE e.model_version = ? "
        "AND e.platform = p.platform AND e.post_id = p.post_id)"
    )

    def count_posts_to_enrich(self, model_version: str) -> int:
        return int(self.execute(f"SELECT count(*) {self._UNENRICHED}", [model_version])[0][0])

    def posts_to_enrich(self, model_version: str, *, batch_size: int) -> Generator[pa.RecordBatch, None, None]:
        """Posts with no enrichment row of ``model_version``, streamed on a connection and cursor of their own
        (this store's connection writes the enrichments meanwhile)."""
        import psycopg

        sql = (
            "SELECT p.platform, p.post_id, p.text, p.is_brand, p.in_reply_to_post_id IS NOT NULL AS is_reply, "
            f"p.created_at {self._UNENRICHED}"
        )
        with (
            psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S) as reader,
            reader.transaction(),
            reader.cursor(name="groundswell_to_enrich") as cursor,
        ):
            cursor.execute(postgres_sql(sql).encode(), [model_version])
            while found := cursor.fetchmany(batch_size):
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array(column, type=_TO_ENRICH.field(i).type)
                        for i, column in enumerate(zip(*found, strict=True))
                    ],
                    schema=_TO_ENRICH,
                )

    def delete_enrichments(self, model_version: str) -> int:
        return len(self.execute("DELETE FROM enrichments WHERE model_version = ? RETURNING 1", [model_version]))

    def write_enrichments(self, table: pa.Table) -> None:
        """Add enrichment rows; a post already classified by the same model version (another process got
        there first) keeps its row."""
        names = ", ".join(table.column_names)
        with self.transaction(), self.con.cursor() as cursor:
            cursor.execute(b"SELECT pg_advisory_xact_lock(%s)", [_ENRICHMENTS_LOCK])
            cursor.execute(b"DROP TABLE IF EXISTS pg_temp._enrichment_batch")
            cursor.execute(b"CREATE TEMP TABLE _enrichment_batch ON COMMIT DROP AS SELECT * FROM enrichments LIMIT 0")
            with cursor.copy(f"COPY _enrichment_batch ({names}) FROM STDIN".encode()) as copy:
                for batch in table.to_batches():
                    for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                        copy.write_row(row)
            cursor.execute(
                f"""
                INSERT INTO enrichments ({names}) SELECT {names} FROM _enrichment_batch b
                WHERE NOT EXISTS (SELECT 1 FROM enrichments e WHERE e.model_version = b.model_version
                                  AND e.platform = b.platform AND e.post_id = b.post_id)
                """.encode()
            )

    # -- reading -------------------------------------------------------------------

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]:
        """The posts with this id (one per platform at most), by platform."""
        rows = self.execute(
            """
            SELECT t.platform, t.post_id, t.author_id, t.author_handle, t.is_brand, t.created_at, t.text,
                t.in_reply_to_post_id, e.intent, e.sentiment, e.needs_reply, e.model_version,
                (SELECT count(*) FROM posts r WHERE r.platform = t.platform AND r.in_reply_to_post_id = t.post_id
                    AND r.is_brand),
                (SELECT count(*) FROM posts r JOIN posts p
                    ON r.platform = p.platform AND r.in_reply_to_post_id = p.post_id
                    WHERE p.platform = t.platform AND p.author_id = t.author_id AND p.post_id <> t.post_id
                    AND r.is_brand AND r.created_at BETWEEN t.created_at - INTERVAL '7 days' AND t.created_at)
            FROM posts t
            LEFT JOIN (
                SELECT DISTINCT ON (platform, post_id) platform, post_id, intent, sentiment, needs_reply,
                    model_version
                FROM enrichments WHERE post_id = ? ORDER BY platform, post_id, enriched_at DESC
            ) e ON e.platform = t.platform AND e.post_id = t.post_id
            WHERE t.post_id = ? AND (CAST(? AS VARCHAR) IS NULL OR t.platform = ?)
            ORDER BY t.platform
            """,
            [post_id, post_id, platform, platform],
        )
        return [PostLookup(*row) for row in rows]

    def data_versions(self) -> dict[str, str]:
        """What others' writes change, cheaply read: ``posts`` (imports and enrichments), ``marks`` (outcome
        marks), ``inbox`` (the items' states). Equal values: nothing of that kind changed meanwhile."""
        row = self.execute(
            """
            SELECT (SELECT concat(max(import_id), '/', max(finished_at), '/', count(*) FILTER (WHERE status = 'running'))
                    FROM imports)
                || '/' || coalesce((SELECT max(enriched_at)::text FROM enrichments), ''),
                (SELECT concat(count(*), '/', max(marked_at)) FROM outcome_marks),
                (SELECT concat(count(*), '/', sum(version)) FROM inbox_items)
            """
        )[0]
        return {"posts": str(row[0]), "marks": str(row[1]), "inbox": str(row[2])}

    def post_count(self) -> int:
        return int(self.execute("SELECT count(*) FROM posts")[0][0])

    def summary(self) -> WorkspaceSummary:
        row = self.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE is_brand),
                count(DISTINCT (platform, author_id)),
                count(DISTINCT (platform, author_id)) FILTER (WHERE is_brand),
                min(created_at), max(created_at)
            FROM posts
            """
        )[0]
        platforms = self.execute("SELECT platform, count(*) FROM posts GROUP BY platform ORDER BY platform")
        return WorkspaceSummary(
            posts=int(row[0]),
            brand_posts=int(row[1]),
            accounts=int(row[2]),
            brand_accounts=int(row[3]),
            platforms={str(k): int(v) for k, v in platforms},
            first_post=row[4],
            last_post=row[5],
            imports=int(self.execute("SELECT count(*) FROM imports")[0][0]),
            rejects=int(self.execute("SELECT count(*) FROM rejects")[0][0]),
        )


__all__ = ["PostgresStore", "is_postgres_url", "redact"]
