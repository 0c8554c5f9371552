"""The threads stage kept in the workspace file: derived tables, brought up to date incrementally.

Rebuilding every reply tree is most of a scorecard's time (pointer jumping, window functions over every
post). The DuckDB workspace therefore keeps the stage's two results as tables, exactly what
``compute_threads`` returns for the workspace's newest enrichment model version:

- ``thread_posts``: ``Threads.posts``, one row per post;
- ``threads``: ``Threads.threads``, one row per thread;
- ``thread_stage``: one row saying what they were built from (JSON): a fingerprint of the config parts
  the stage reads (brand accounts, ``[response] automation_patterns``, the silence that splits threads,
  the stage's own ``FORMAT``), the brand accounts found, the model version, and watermarks of the posts
  (count, greatest ``import_id``), of that version's enrichments (count, latest ``enriched_at``) and of
  the agents' outcome marks (count, latest ``marked_at``).

They are a cache of derived data, not user data: made and dropped here (not by a migration), and
``drop_stored`` (or ``refresh_stored(..., force=True)``) throws them away.

**Refresh** (``build_threads`` on a workspace's ``Sources``, and the end of an import or an enrichment):
nothing changed, the tables are read as they are. Config fingerprint, model version or format changed,
tables absent, posts or enrichments removed, a new brand account among new posts: full rebuild.
Otherwise only the reply trees touched since the watermarks are rebuilt: trees holding a new post, a post
newly enriched by that model version (or enriched again) or newly marked, and the stored trees a new post
joins (its parent's tree, and the trees of stored replies it is the missing parent of, which it re-roots:
they merge). Those trees are rebuilt with the same ``compute_threads`` over just their posts (a reply tree
is closed under reply links, so its rows are those of a build over every post), their old rows deleted
and the new ones inserted in one transaction. When more than ``FULL_REBUILD_SHARE`` of the posts (and more
than ``FULL_REBUILD_MIN_POSTS``) would be rebuilt, the full rebuild is cheaper and is done instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import ibis

from groundswell.query import Sources
from groundswell.threads.build import THREAD_SILENCE_S, BrandAccountRef, Threads, brand_accounts, compute_threads

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from groundswell.config import WorkspaceConfig
    from groundswell.store.duckdb import DuckDBStore

POSTS_TABLE = "thread_posts"
THREADS_TABLE = "threads"
STATE_TABLE = "thread_stage"
TABLES = (POSTS_TABLE, THREADS_TABLE, STATE_TABLE)
# Bump when build.py changes what the stage computes: tables of another format are rebuilt.
FORMAT = 1
FULL_REBUILD_SHARE = 0.25
FULL_REBUILD_MIN_POSTS = 50_000
EAGER_MIN_POSTS = 100_000
LOUD_MIN_POSTS = 1_000_000

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Watermarks:
    """How much of the stage's inputs there is now, or was when the tables were last brought up to date."""

    posts: int
    import_id: int | None
    enrichments: int
    enriched_at: str | None  # ISO, naive UTC
    marks: int
    marked_at: str | None


@dataclass(frozen=True, slots=True)
class StageState:
    """The ``thread_stage`` row: what the stored tables were built from."""

    format: int
    fingerprint: str
    model_version: str | None
    accounts: list[list[str]]  # [platform, key, handle] as brand_accounts() found them
    watermarks: Watermarks
    rounds: int
    converged: bool
    built_at: str
    refreshed_at: str

    def account_refs(self) -> tuple[BrandAccountRef, ...]:
        return tuple(BrandAccountRef(p, k, h) for p, k, h in self.accounts)


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What a refresh did: ``fresh`` (nothing to do), ``incremental`` or ``full``; posts and trees rebuilt."""

    action: str
    posts: int
    trees: int
    seconds: float
    model_version: str | None


# -- entry points ---------------------------------------------------------------------------------


def stored_threads(sources: Sources, *, silence_s: int = THREAD_SILENCE_S) -> Threads | None:
    """``Threads`` read from the stored tables, brought up to date first; None where they cannot serve
    ``sources`` (no store, another silence, a model version other than the newest, a transaction
    already open on the connection): the caller then builds the stage from the posts."""
    store = sources.store
    if store is None or silence_s != THREAD_SILENCE_S:
        return None
    if sources.model_version != newest_model_version(store.con):
        return None  # the stored stage follows the newest model version; another is built when asked for
    if in_transaction(store.con):
        log.info("threads stage: a transaction is open, building it for this run only")
        return None  # the refresh is a transaction of its own; one inside the caller's would abort it
    state, _report = _refresh(store, sources, force=False)
    backend = ibis.get_backend(sources.every_post)
    return Threads(
        posts=backend.table(POSTS_TABLE),
        threads=backend.table(THREADS_TABLE),
        accounts=state.account_refs(),
        rounds=state.rounds,
        converged=state.converged,
    )


def refresh_stored(store: DuckDBStore, config: WorkspaceConfig, *, force: bool = False) -> RefreshReport:
    """Bring the stored threads stage up to date for the newest model version (all of it with ``force``)."""
    from groundswell.query import store_sources

    with store.for_metrics(), store_sources(store, config) as sources:
        return _refresh(store, sources, force=force)[1]


def refresh_after_write(store: object, config: WorkspaceConfig) -> RefreshReport | None:
    """After an import, a sync or an enrichment: bring the stored stage up to date where the workspace keeps
    one, or build it where the workspace holds ``EAGER_MIN_POSTS`` posts or more (so that the next metric
    does not wait for it); None where nothing was done (a small workspace, another store). A failure is
    logged, never raised: the data written stands, and the next metric refreshes the stage itself."""
    from groundswell.store.duckdb import DuckDBStore

    if not isinstance(store, DuckDBStore) or str(store.path) == ":memory:":
        return None
    try:
        if in_transaction(store.con) or (not _tables_present(store.con) and store.post_count() < EAGER_MIN_POSTS):
            return None
        return refresh_stored(store, config)
    except duckdb.Error as exc:
        log.warning("threads stage not refreshed (%s): the next metric refreshes it", exc)
        return None


def drop_stored(store: DuckDBStore) -> None:
    """Drop the stored threads stage (the next metric rebuilds it)."""
    for name in TABLES:
        store.con.execute(f'DROP TABLE IF EXISTS main."{name}"')


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` is inside an explicit transaction: each statement outside one is a transaction of its
    own, with its own id (DuckDB has no flag for it, and a BEGIN inside a transaction aborts that)."""
    first = con.execute("SELECT txid_current()").fetchall()[0][0]
    return bool(first == con.execute("SELECT txid_current()").fetchall()[0][0])


def newest_model_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """As ``metrics.engines.newest_model_version``: the version with the latest ``enriched_at`` (ties: the
    greatest name)."""
    found = con.execute(
        "SELECT model_version FROM enrichments GROUP BY model_version "
        "ORDER BY max(enriched_at) DESC, model_version DESC LIMIT 1"
    ).fetchall()
    return str(found[0][0]) if found else None


# -- refresh --------------------------------------------------------------------------------------


def _refresh(store: DuckDBStore, sources: Sources, *, force: bool) -> tuple[StageState, RefreshReport]:
    started = time.perf_counter()
    con = store.con
    version = sources.model_version
    fingerprint = _fingerprint(sources.config)
    state = None if force else _read_state(con)
    now = _observe(con, version)
    if state is not None and now == state.watermarks and _current(state, fingerprint, version):
        return state, RefreshReport("fresh", 0, 0, time.perf_counter() - started, version)
    if state is not None and _current(state, fingerprint, version):
        done = _incremental(store, sources, state, now, started)
        if done is not None:
            return done
    return _full(store, sources, fingerprint, now, started)


def _current(state: StageState, fingerprint: str, version: str | None) -> bool:
    return state.format == FORMAT and state.fingerprint == fingerprint and state.model_version == version


def _full(
    store: DuckDBStore, sources: Sources, fingerprint: str, now: Watermarks, started: float
) -> tuple[StageState, RefreshReport]:
    """Every tree built into new tables (outside any transaction: as fast as a build for one run), then
    swapped in for the old ones in one transaction."""
    con = store.con
    # a build of minutes is said on stderr even where logging is not set up (Python's last-resort handler)
    level = logging.WARNING if now.posts >= LOUD_MIN_POSTS else logging.INFO
    log.log(level, "threads stage: building every reply tree of %s posts, kept in the workspace", f"{now.posts:,}")
    backend = ibis.get_backend(sources.every_post)
    accounts = brand_accounts(sources)

    def keep(name: str, table: ir.Table) -> ir.Table:
        # with the expression's column types, as the engine's temp tables have them (a sum is BIGINT, not HUGEINT)
        kept: ir.Table = backend.create_table(_building(name), table, schema=table.schema())
        return kept

    try:
        with _build_settings(con):
            for name in ("posts", "threads"):
                con.execute(f'DROP TABLE IF EXISTS main."{_building(name)}"')  # left by a build cut short
            built = compute_threads(sources, accounts=accounts, keep=keep)
        stamp = _utcnow()
        state = StageState(
            format=FORMAT,
            fingerprint=fingerprint,
            model_version=sources.model_version,
            accounts=[[a.platform, a.key, a.handle] for a in accounts],
            watermarks=now,
            rounds=built.rounds,
            converged=built.converged,
            built_at=stamp,
            refreshed_at=stamp,
        )
        with _transaction(con):
            for name in TABLES:
                con.execute(f'DROP TABLE IF EXISTS main."{name}"')
            for name, table in (("posts", POSTS_TABLE), ("threads", THREADS_TABLE)):
                con.execute(f'ALTER TABLE main."{_building(name)}" RENAME TO "{table}"')
            _write_state(con, state)
    finally:
        for name in ("posts", "threads"):
            con.execute(f'DROP TABLE IF EXISTS main."{_building(name)}"')
    # a tree per root (a post that is its own root): cheaper than counting distinct roots
    trees = int(con.execute(f'SELECT count(*) FROM "{POSTS_TABLE}" WHERE root_id = post_id').fetchall()[0][0])
    seconds = time.perf_counter() - started
    log.log(level, "threads stage: built in %.0f s", seconds)
    return state, RefreshReport("full", now.posts, trees, seconds, sources.model_version)


def _building(name: str) -> str:
    return f"_{POSTS_TABLE if name == 'posts' else THREADS_TABLE}_building"


def _incremental(
    store: DuckDBStore, sources: Sources, state: StageState, now: Watermarks, started: float
) -> tuple[StageState, RefreshReport] | None:
    """Rebuild the trees touched since ``state``'s watermarks; None where a full rebuild is needed."""
    con = store.con
    if not _tables_present(con):
        return None
    was = state.watermarks
    new_posts = now.posts - was.posts
    if new_posts < 0 or now.enrichments < was.enrichments:
        return None  # something was removed: rebuild it all
    temp = ["_gs_new", "_gs_keys", "_gs_touched", "_gs_subset", "_gs_subset_enrichments"]
    try:
        # posts not in the stage: since the last import id first (cheap), every post if that misses some
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gs_new AS SELECT p.platform, p.post_id, p.in_reply_to_post_id "
            f'FROM posts p ANTI JOIN "{POSTS_TABLE}" t ON p.platform = t.platform AND p.post_id = t.post_id '
            "WHERE $1::BIGINT IS NULL OR p.import_id > $1",
            [was.import_id],
        )
        if _count(con, "_gs_new") != new_posts and was.import_id is not None:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _gs_new AS SELECT p.platform, p.post_id, p.in_reply_to_post_id "
                f'FROM posts p ANTI JOIN "{POSTS_TABLE}" t ON p.platform = t.platform AND p.post_id = t.post_id'
            )
        if _count(con, "_gs_new") != new_posts:
            return None  # posts were removed as others came
        accounts = state.account_refs()
        if new_posts and brand_accounts(sources) != accounts:
            return None  # a new brand account: mentions of it anywhere change
        # posts whose trees changed: new posts' parents and the stored replies they are the missing parent of
        parts = [
            "SELECT platform, in_reply_to_post_id AS post_id FROM _gs_new WHERE in_reply_to_post_id IS NOT NULL",
            (
                "SELECT p.platform, p.post_id FROM posts p SEMI JOIN _gs_new n "
                "ON p.platform = n.platform AND p.in_reply_to_post_id = n.post_id"
            ),
        ]
        params: list[Any] = []
        if (now.enrichments, now.enriched_at) != (was.enrichments, was.enriched_at):
            # enriched (again) since the watermark, and stored posts that had no enrichment and have one now
            parts.append(
                "SELECT platform, post_id FROM enrichments WHERE model_version = $1 "
                "AND ($2::TIMESTAMP IS NULL OR enriched_at > $2)"
            )
            parts.append(
                f'SELECT t.platform, t.post_id FROM "{POSTS_TABLE}" t SEMI JOIN enrichments e '
                "ON t.platform = e.platform AND t.post_id = e.post_id AND e.model_version = $1 "
                "WHERE t.sentiment IS NULL"
            )
            params = [sources.model_version, _timestamp(was.enriched_at)]
        if (now.marks, now.marked_at) != (was.marks, was.marked_at):
            parts.append("SELECT platform, post_id FROM outcome_marks")  # few: every marked tree again
        con.execute("CREATE OR REPLACE TEMP TABLE _gs_keys AS " + " UNION ".join(parts), params)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gs_touched AS SELECT DISTINCT t.platform, t.root_id "
            f'FROM "{POSTS_TABLE}" t SEMI JOIN _gs_keys k ON t.platform = k.platform AND t.post_id = k.post_id'
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gs_subset AS SELECT p.* FROM posts p SEMI JOIN ("
            f'SELECT t.platform, t.post_id FROM "{POSTS_TABLE}" t SEMI JOIN _gs_touched r '
            "ON t.platform = r.platform AND t.root_id = r.root_id "
            "UNION ALL SELECT platform, post_id FROM _gs_new) k ON p.platform = k.platform AND p.post_id = k.post_id"
        )
        subset = _count(con, "_gs_subset")
        if subset > FULL_REBUILD_SHARE * now.posts and subset > FULL_REBUILD_MIN_POSTS:
            return None
        touched = _count(con, "_gs_touched")
        rounds, converged = 0, True
        with _subset_sources(con, sources) as part:
            fresh = compute_threads(part, accounts=state.account_refs()) if subset else None
            if fresh is not None:
                rounds, converged = fresh.rounds, fresh.converged
            updated = StageState(
                format=state.format,
                fingerprint=state.fingerprint,
                model_version=state.model_version,
                accounts=state.accounts,
                watermarks=now,
                rounds=max(state.rounds, rounds),
                converged=state.converged and converged,
                built_at=state.built_at,
                refreshed_at=_utcnow(),
            )
            with _transaction(con):
                if fresh is not None:
                    _replace_rows(con, part, fresh)
                _write_state(con, updated)
        seconds = time.perf_counter() - started
        log.info("threads stage: %s posts of %s touched trees rebuilt in %.1f s", subset, touched, seconds)
        return updated, RefreshReport("incremental", subset, touched, seconds, sources.model_version)
    finally:
        for name in temp:
            con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')


@contextmanager
def _subset_sources(con: duckdb.DuckDBPyConnection, sources: Sources) -> Iterator[Sources]:
    """``Sources`` over the touched trees' posts (``_gs_subset``) and their enrichments, closed after."""
    from groundswell.query import IbisEngine

    backend = ibis.get_backend(sources.every_post)
    enrichments: ir.Table | None = None
    if sources.enrichments is not None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _gs_subset_enrichments AS SELECT e.* FROM enrichments e "
            "SEMI JOIN _gs_subset s ON e.platform = s.platform AND e.post_id = s.post_id WHERE e.model_version = ?",
            [sources.model_version],
        )
        enrichments = backend.table("_gs_subset_enrichments")
    with Sources(
        posts=backend.table("_gs_subset"),
        enrichments=enrichments,
        model_version=sources.model_version,
        config=sources.config,
        marks=sources.marks,
        engine=IbisEngine(backend, "duckdb"),
    ) as part:
        yield part


def _replace_rows(con: duckdb.DuckDBPyConnection, part: Sources, fresh: Threads) -> None:
    """The touched trees' rows (``_gs_touched``) deleted, their rebuilt rows inserted."""
    backend = ibis.get_backend(part.every_post)
    for table, rows in ((POSTS_TABLE, fresh.posts), (THREADS_TABLE, fresh.threads)):
        con.execute(
            f'DELETE FROM "{table}" USING _gs_touched r '
            f'WHERE "{table}".platform = r.platform AND "{table}".root_id = r.root_id'
        )
        con.execute(f'INSERT INTO "{table}" BY NAME {backend.compile(rows)}')


# -- state and watermarks --------------------------------------------------------------------------


def _fingerprint(config: WorkspaceConfig) -> str:
    """What of the config the stage reads, hashed: the brand accounts, the automation patterns, the silence."""
    parts = {
        "format": FORMAT,
        "silence_s": THREAD_SILENCE_S,
        "accounts": [[a.platform, a.handle] for a in config.accounts],
        "automation_patterns": list(config.response.automation_patterns),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _observe(con: duckdb.DuckDBPyConnection, version: str | None) -> Watermarks:
    posts, import_id = con.execute("SELECT count(*), max(import_id) FROM posts").fetchall()[0]
    enrichments, enriched_at = 0, None
    if version is not None:
        enrichments, enriched_at = con.execute(
            "SELECT count(*), max(enriched_at) FROM enrichments WHERE model_version = ?", [version]
        ).fetchall()[0]
    marks, marked_at = 0, None
    if _exists(con, "outcome_marks"):
        marks, marked_at = con.execute("SELECT count(*), max(marked_at) FROM outcome_marks").fetchall()[0]
    return Watermarks(
        posts=int(posts),
        import_id=int(import_id) if import_id is not None else None,
        enrichments=int(enrichments),
        enriched_at=enriched_at.isoformat() if enriched_at is not None else None,
        marks=int(marks),
        marked_at=marked_at.isoformat() if marked_at is not None else None,
    )


def _read_state(con: duckdb.DuckDBPyConnection) -> StageState | None:
    if not _tables_present(con):
        return None
    rows = con.execute(f'SELECT state FROM "{STATE_TABLE}"').fetchall()
    if len(rows) != 1:
        return None
    try:
        found = json.loads(rows[0][0])
        return StageState(**{**found, "watermarks": Watermarks(**found["watermarks"])})
    except (TypeError, KeyError, ValueError):
        return None  # another format: rebuilt


def _write_state(con: duckdb.DuckDBPyConnection, state: StageState) -> None:
    con.execute(f'CREATE TABLE IF NOT EXISTS main."{STATE_TABLE}" (state VARCHAR NOT NULL)')
    con.execute(f'DELETE FROM "{STATE_TABLE}"')
    con.execute(f'INSERT INTO "{STATE_TABLE}" VALUES (?)', [json.dumps(asdict(state))])


def _tables_present(con: duckdb.DuckDBPyConnection) -> bool:
    return all(_exists(con, name) for name in TABLES)


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' AND NOT temporary",
        [name],
    ).fetchall()
    return bool(found[0][0])


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])


def _timestamp(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso is not None else None


def _utcnow() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def _build_settings(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB settings for building the stage, restored after: no row order to keep (less memory, more
    parallel writes)."""
    previous = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if previous else 'false'}")
