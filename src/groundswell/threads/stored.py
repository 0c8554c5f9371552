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
nothing changed, the tables are read as they are. Config fingerprint or format changed, tables absent, posts
removed, a new brand account among new posts, a model version changed together with the posts: full rebuild.
Otherwise only the reply trees touched since the watermarks are rebuilt: trees holding a new post, a post
newly enriched by that model version (or enriched again) or newly marked, and the stored trees a new post
joins (its parent's tree, and the trees of stored replies it is the missing parent of, which it re-roots:
they merge). Those trees are rebuilt with the same ``compute_threads`` over just their posts (a reply tree
is closed under reply links, so its rows are those of a build over every post), their old rows deleted
and the new ones inserted in one transaction. When more than ``FULL_REBUILD_SHARE`` of the posts (and more
than ``FULL_REBUILD_MIN_POSTS``) would be rebuilt, the full rebuild is cheaper and is done instead.

**Rejoin**: where only the enrichments changed (another model version, every post enriched again, enrichments
removed) and the posts, the config and the marks are those the tables were built from, no tree needs
rebuilding: the stored per-post rows take their enrichment columns again and every thread's row is computed
again from them (``build.rejoin_enrichments``), swapped in like a full build. Chosen over rebuilding the
touched trees where those hold more than ``FULL_REBUILD_SHARE`` of the posts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import ibis

from groundswell.clock import utcnow
from groundswell.query import Sources
from groundswell.store import thread_stage
from groundswell.store.thread_stage import POSTS_TABLE, THREADS_TABLE
from groundswell.threads.build import (
    ROOT_NUMBER,
    THREAD_SILENCE_S,
    BrandAccountRef,
    Keep,
    Threads,
    brand_accounts,
    compute_threads,
    rejoin_enrichments,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from groundswell.config import WorkspaceConfig
    from groundswell.store.duckdb import DuckDBStore

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
    """What a refresh did: ``fresh`` (nothing to do), ``incremental``, ``rejoined`` or ``full``; posts and trees
    rebuilt (rejoined: whose enrichments were joined again)."""

    action: str
    posts: int
    trees: int
    seconds: float
    model_version: str | None


# -- entry points ---------------------------------------------------------------------------------


def stored_threads(sources: Sources, *, silence_s: int = THREAD_SILENCE_S) -> Threads | None:
    """``Threads`` read from the stored tables, brought up to date first; None where they cannot serve
    ``sources`` (no store, another silence, a model version other than the newest, a transaction
    already open on the connection, a refresh needed while another thread writes): the caller then builds the
    stage from the posts."""
    store = sources.store
    if store is None or silence_s != THREAD_SILENCE_S:
        return None
    if sources.model_version != thread_stage.newest_model_version(store):
        return None  # the stored stage follows the newest model version; another is built when asked for
    if thread_stage.in_transaction(store):
        log.info("threads stage: a transaction is open, building it for this run only")
        return None  # the refresh is a transaction of its own; one inside the caller's would abort it
    state = _fresh_state(store, sources)
    if state is None:
        # a refresh writes, one writer at a time; a read never waits for another writer: it builds its own
        with store.writer(wait=False) as writer:
            if not writer:
                log.info("threads stage: another thread is writing, building it for this run only")
                return None
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
        if thread_stage.in_transaction(store) or (
            not thread_stage.tables_present(store) and store.post_count() < EAGER_MIN_POSTS
        ):
            return None
        return refresh_stored(store, config)
    except thread_stage.ERRORS as exc:
        log.warning("threads stage not refreshed (%s): the next metric refreshes it", exc)
        return None


def stored_state(sources: Sources) -> str | None:
    """The stored stage's state (JSON) when its tables are up to date for ``sources``, else None: what a table
    derived from them (``metrics.location_days``) names as its source."""
    store = sources.store
    if store is None or sources.model_version != thread_stage.newest_model_version(store):
        return None
    state = _fresh_state(store, sources)
    return json.dumps(asdict(state), sort_keys=True) if state is not None else None


def drop_stored(store: DuckDBStore) -> None:
    """Drop the stored threads stage (the next metric rebuilds it)."""
    thread_stage.drop_tables(store)


# -- refresh --------------------------------------------------------------------------------------


def _refresh(store: DuckDBStore, sources: Sources, *, force: bool) -> tuple[StageState, RefreshReport]:
    started = time.perf_counter()
    version = sources.model_version
    fingerprint = config_fingerprint(sources.config)
    state = None if force else _read_state(store)
    now = _observe(store, version)
    if state is not None and now == state.watermarks and _current(state, fingerprint, version):
        return state, RefreshReport("fresh", 0, 0, time.perf_counter() - started, version)
    if state is not None and _current(state, fingerprint, version):
        done = _incremental(store, sources, state, now, started)
        if done is not None:
            return done
    if state is not None and _same_posts(store, state, fingerprint, now):
        return _rejoined(store, sources, state, now, started)
    return _full(store, sources, fingerprint, now, started)


def _fresh_state(store: DuckDBStore, sources: Sources) -> StageState | None:
    """The stored stage's state when it is up to date for ``sources`` (nothing to write), else None."""
    version = sources.model_version
    state = _read_state(store)
    if state is not None and _current(state, config_fingerprint(sources.config), version):
        if _observe(store, version) == state.watermarks:
            return state
    return None


def _current(state: StageState, fingerprint: str, version: str | None) -> bool:
    return state.format == FORMAT and state.fingerprint == fingerprint and state.model_version == version


def _full(
    store: DuckDBStore, sources: Sources, fingerprint: str, now: Watermarks, started: float
) -> tuple[StageState, RefreshReport]:
    """Every tree built into new tables (outside any transaction: as fast as a build for one run), then
    swapped in for the old ones in one transaction."""
    # a build of minutes is said on stderr even where logging is not set up (Python's last-resort handler)
    level = logging.WARNING if now.posts >= LOUD_MIN_POSTS else logging.INFO
    log.log(level, "threads stage: building every reply tree of %s posts, kept in the workspace", f"{now.posts:,}")
    accounts = brand_accounts(sources)

    def build(keep: Keep) -> StageState:
        built = compute_threads(sources, accounts=accounts, keep=keep)
        thread_stage.drop_built_column(store, ROOT_NUMBER)  # this build's own numbers
        stamp = utcnow().isoformat()
        return StageState(
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

    state = _build_and_swap_in(store, sources, build)
    trees = thread_stage.count_trees(store)
    seconds = time.perf_counter() - started
    log.log(level, "threads stage: built in %.0f s", seconds)
    return state, RefreshReport("full", now.posts, trees, seconds, sources.model_version)


def _incremental(
    store: DuckDBStore, sources: Sources, state: StageState, now: Watermarks, started: float
) -> tuple[StageState, RefreshReport] | None:
    """Rebuild the trees touched since ``state``'s watermarks; None where a full rebuild is needed or costs less,
    or, where only enrichments changed, joining every post's enrichment again (``_rejoined``) does."""
    if not thread_stage.tables_present(store):
        return None
    was = state.watermarks
    new_posts = now.posts - was.posts
    if new_posts < 0 or now.enrichments < was.enrichments:
        return None  # something was removed: rebuild it all
    try:
        # posts not in the stage: since the last import id first (cheap), every post if that misses some
        found = thread_stage.collect_new_posts(store, was.import_id)
        if found != new_posts and was.import_id is not None:
            found = thread_stage.collect_new_posts(store, None)
        if found != new_posts:
            return None  # posts were removed as others came
        accounts = state.account_refs()
        if new_posts and brand_accounts(sources) != accounts:
            return None  # a new brand account: mentions of it anywhere change
        # posts whose trees changed: new posts' parents and the stored replies they are the missing parent of;
        # posts enriched (again) since the watermark, and stored posts that had no enrichment and have one now;
        # every marked tree again where marks changed (they are few)
        enriched = (now.enrichments, now.enriched_at) != (was.enrichments, was.enriched_at)
        touched = thread_stage.collect_touched(
            store,
            enriched_since=(sources.model_version, _timestamp(was.enriched_at)) if enriched else None,
            marks=(now.marks, now.marked_at) != (was.marks, was.marked_at),
        )
        subset = thread_stage.collect_subset(store)
        only_enriched = not new_posts and (now.marks, now.marked_at) == (was.marks, was.marked_at)
        if subset > FULL_REBUILD_SHARE * now.posts and (subset > FULL_REBUILD_MIN_POSTS or only_enriched):
            return None
        rounds, converged = 0, True
        with _subset_sources(store, sources) as part:
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
                refreshed_at=utcnow().isoformat(),
            )
            with store.transaction():
                if fresh is not None:
                    _replace_rows(store, part, fresh)
                _write_state(store, updated)
        seconds = time.perf_counter() - started
        log.info("threads stage: %s posts of %s touched trees rebuilt in %.1f s", subset, touched, seconds)
        return updated, RefreshReport("incremental", subset, touched, seconds, sources.model_version)
    finally:
        thread_stage.drop_work_tables(store)


def _build_and_swap_in(store: DuckDBStore, sources: Sources, build: Callable[[Keep], StageState]) -> StageState:
    """``build(keep)`` run with the build's settings, keeping the stage's tables as new ones, which are then
    swapped in for the stored ones with the state it returns, in one transaction; whatever is left of a build
    cut short is dropped."""
    backend = ibis.get_backend(sources.every_post)

    def keep(name: str, table: ir.Table) -> ir.Table:
        # with the expression's column types, as the engine's temp tables have them (a sum is BIGINT, not HUGEINT)
        kept: ir.Table = backend.create_table(thread_stage.building_table(name), table, schema=table.schema())
        return kept

    try:
        with thread_stage.build_settings(store):
            thread_stage.drop_building(store)  # left by a build cut short
            state = build(keep)
        with store.transaction():
            thread_stage.swap_in_built(store)
            _write_state(store, state)
    finally:
        thread_stage.drop_building(store)
    return state


def _same_posts(store: DuckDBStore, state: StageState, fingerprint: str, now: Watermarks) -> bool:
    """Whether the stored stage holds exactly the posts there are, built with this config and the marks there
    are: then only the enrichments can have changed since (another model version, posts enriched again)."""
    was = state.watermarks
    if state.format != FORMAT or state.fingerprint != fingerprint or not thread_stage.tables_present(store):
        return False
    if (now.posts, now.import_id, now.marks, now.marked_at) != (was.posts, was.import_id, was.marks, was.marked_at):
        return False
    try:  # the counts agree: no post missing from the stage means the very same posts
        return thread_stage.collect_new_posts(store, None) == 0
    finally:
        thread_stage.drop_work_tables(store)


def _rejoined(
    store: DuckDBStore, sources: Sources, state: StageState, now: Watermarks, started: float
) -> tuple[StageState, RefreshReport]:
    """Only the enrichments changed: the stored per-post rows get theirs joined again and every thread's row is
    computed again from them (``build.rejoin_enrichments``), into new tables swapped in like a full build's."""
    stored = ibis.get_backend(sources.every_post).table(POSTS_TABLE)

    def build(keep: Keep) -> StageState:
        rejoin_enrichments(sources, stored, state.account_refs(), keep)
        return replace(state, model_version=sources.model_version, watermarks=now, refreshed_at=utcnow().isoformat())

    updated = _build_and_swap_in(store, sources, build)
    seconds = time.perf_counter() - started
    log.info("threads stage: enrichments of %s posts joined again in %.1f s", f"{now.posts:,}", seconds)
    return updated, RefreshReport(
        "rejoined", now.posts, thread_stage.count_trees(store), seconds, updated.model_version
    )


@contextmanager
def _subset_sources(store: DuckDBStore, sources: Sources) -> Iterator[Sources]:
    """``Sources`` over the touched trees' posts (``thread_stage.SUBSET``) and their enrichments, closed after."""
    from groundswell.query import IbisEngine

    backend = ibis.get_backend(sources.every_post)
    enrichments: ir.Table | None = None
    if sources.enrichments is not None:
        thread_stage.collect_subset_enrichments(store, sources.model_version)
        enrichments = backend.table(thread_stage.SUBSET_ENRICHMENTS)
    with Sources(
        posts=backend.table(thread_stage.SUBSET),
        enrichments=enrichments,
        model_version=sources.model_version,
        config=sources.config,
        marks=sources.marks,
        engine=IbisEngine(backend, "duckdb"),
    ) as part:
        yield part


def _replace_rows(store: DuckDBStore, part: Sources, fresh: Threads) -> None:
    """The touched trees' rows deleted, their rebuilt rows (ibis compiles them) inserted."""
    backend = ibis.get_backend(part.every_post)
    for table, rows in ((POSTS_TABLE, fresh.posts), (THREADS_TABLE, fresh.threads)):
        thread_stage.replace_touched_rows(store, table, backend.compile(rows))


# -- state and watermarks --------------------------------------------------------------------------


def config_fingerprint(config: WorkspaceConfig) -> str:
    """What of the config the stage reads, hashed: the brand accounts, the automation patterns, the silence."""
    parts = {
        "format": FORMAT,
        "silence_s": THREAD_SILENCE_S,
        "accounts": [[a.platform, a.handle] for a in config.accounts],
        "automation_patterns": list(config.response.automation_patterns),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _observe(store: DuckDBStore, version: str | None) -> Watermarks:
    found = thread_stage.inputs(store, version)
    return Watermarks(
        posts=found.posts,
        import_id=found.import_id,
        enrichments=found.enrichments,
        enriched_at=found.enriched_at.isoformat() if found.enriched_at is not None else None,
        marks=found.marks,
        marked_at=found.marked_at.isoformat() if found.marked_at is not None else None,
    )


def _read_state(store: DuckDBStore) -> StageState | None:
    if not thread_stage.tables_present(store):
        return None
    text = thread_stage.read_state(store)
    if text is None:
        return None
    try:
        found = json.loads(text)
        return StageState(**{**found, "watermarks": Watermarks(**found["watermarks"])})
    except (TypeError, KeyError, ValueError):
        return None  # another format: rebuilt


def _write_state(store: DuckDBStore, state: StageState) -> None:
    thread_stage.write_state(store, json.dumps(asdict(state)))


def _timestamp(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso is not None else None
