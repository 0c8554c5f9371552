"""The engines a metric runs on: the embedded DuckDB workspace, and Apache Spark.

A metric is one ibis expression over ``Sources``; these functions build the
``Sources`` for an engine and nothing else differs:

- ``duckdb_sources(workspace)`` wraps the workspace's own DuckDB connection
  (``ibis.duckdb.from_connection``): no copy, no second connection.
- ``spark_sources(session, posts, enrichments, config)`` reads the same tables
  from a PySpark session (``ibis.pyspark.connect``): Spark DataFrames, ibis
  tables, or Parquet files with the workspace's columns (store/schema.py), e.g.
  written by DuckDB's ``COPY posts TO 'posts.parquet'``. Needs the ``spark``
  extra (``pip install 'groundswell[spark]'``) and a Java runtime; run the
  session with ``spark.sql.session.timeZone=UTC`` (times are UTC everywhere).

Both pick the newest enrichment model version (by ``enriched_at``) when none is
named, and limit ``posts`` to the period while keeping ``all_posts`` whole
(threads need replies' parents from before the period). Given a ``platform``,
both ``posts`` and ``all_posts`` hold that platform's posts only: reply links
never cross platforms, so every figure is then the one of that channel alone.

Intermediate tables (the threads stage's pointer-jumping rounds) are
materialised by the ``Engine``: temp tables on DuckDB, cached DataFrames on
Spark, dropped when the ``Sources`` is closed. Without that, Spark would
recompute every earlier round at each round.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import ibis

from groundswell.config import WorkspaceConfig
from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.base import Period, Sources

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from groundswell.store.base import Store
    from groundswell.store.duckdb import DuckDBStore
    from groundswell.store.postgres import PostgresStore
    from groundswell.workspace import Workspace

_names = itertools.count()


class IbisEngine:
    """One ibis backend, and the tables materialised on it for a ``Sources``."""

    def __init__(self, backend: Any, name: str):
        self.backend = backend
        self.name = name
        self._tables: dict[Any, str] = {}  # the materialised table's ibis op -> its name on the backend

    def materialize(self, table: ir.Table) -> ir.Table:
        name = f"_groundswell_{next(_names)}"
        # ibis's own cache primitive: CREATE TEMP TABLE on DuckDB, DataFrame.cache() + a temp view on Spark.
        # (ibis's .cache() would drop it from a weakref finalizer, possibly after the connection closed.)
        result: ir.Table = self.backend._create_cached_table(name, table)
        self._tables[result.op()] = name
        return result

    def release(self, table: ir.Table) -> None:
        name = self._tables.pop(table.op(), None)
        if name is not None:
            self._drop(name)

    def close(self) -> None:
        while self._tables:
            self._drop(self._tables.popitem()[1])

    def _drop(self, name: str) -> None:
        try:
            if self.name == "duckdb":
                # not ibis's drop_table: with sqlglot 30 it renders "DROP TABLE IF EXISTS" without the name
                self.backend.con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"').fetchall()
            elif self.name == "postgres":
                self.backend.con.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"'.encode())
            else:
                self.backend._drop_cached_table(name)
        except Exception:  # noqa: BLE001, S110 - the connection may be closed already, taking its temp tables along
            pass


def duckdb_sources(
    workspace_or_store: Workspace | DuckDBStore,
    config: WorkspaceConfig | None = None,
    *,
    model_version: str | None = None,
    period: Period | None = None,
    marks: ir.Table | None = None,
    platform: str | None = None,
) -> Sources:
    """``Sources`` over a workspace's embedded database (its open DuckDB connection).

    ``config``: the workspace's config when a ``Workspace`` is given; required with a bare store.
    ``model_version``: the enrichments to use (default: the newest; ``MetricUnavailable`` if it is absent).
    """
    store, config = _store_and_config(workspace_or_store, config, "duckdb_sources")
    from groundswell.store.duckdb import DuckDBStore

    if not isinstance(store, DuckDBStore):  # a team's workspace on PostgreSQL: the same expressions there
        return postgres_sources(
            cast("PostgresStore", store), config, model_version=model_version, period=period, marks=marks,
            platform=platform,
        )  # fmt: skip
    backend = ibis.duckdb.from_connection(store.con)
    # the threads stage kept in the workspace file (groundswell.threads.stored) covers every platform with the
    # stored marks; an in-memory store keeps nothing worth reusing
    keeps_threads = marks is None and platform is None and str(store.path) != ":memory:"
    return _store_sources(
        IbisEngine(backend, "duckdb"), store, config, model_version=model_version, period=period, marks=marks,
        platform=platform, keeps_threads=keeps_threads,
    )  # fmt: skip


def postgres_sources(
    workspace_or_store: Workspace | PostgresStore,
    config: WorkspaceConfig | None = None,
    *,
    model_version: str | None = None,
    period: Period | None = None,
    marks: ir.Table | None = None,
    platform: str | None = None,
) -> Sources:
    """``Sources`` over a workspace's PostgreSQL database (the store's own connection, through ibis's
    postgres backend). As ``duckdb_sources``; the threads are built from the posts each time."""
    from groundswell.store.postgres import PostgresStore

    store, config = _store_and_config(workspace_or_store, config, "postgres_sources")
    if not isinstance(store, PostgresStore):
        raise UsageError(f"postgres_sources needs a workspace on PostgreSQL, not one in {store.location}")
    from groundswell.metrics.postgres_dialect import use_groundswell_compiler

    backend = use_groundswell_compiler(ibis.postgres.from_connection(store.con))
    return _store_sources(
        IbisEngine(backend, "postgres"), store, config, model_version=model_version, period=period, marks=marks,
        platform=platform, keeps_threads=False,
    )  # fmt: skip


def _store_sources(
    engine: IbisEngine,
    store: Any,
    config: WorkspaceConfig,
    *,
    model_version: str | None,
    period: Period | None,
    marks: ir.Table | None,
    platform: str | None,
    keeps_threads: bool,
) -> Sources:
    """``Sources`` over a workspace store's own tables on ``engine``, with the stored outcome marks unless
    ``marks`` are given; ``keeps_threads``: the threads stage is read from the store (DuckDB only)."""
    backend = engine.backend
    return _sources(
        engine,
        backend.table("posts"),
        backend.table("enrichments"),
        config,
        model_version=model_version,
        period=period or Period(),
        marks=marks if marks is not None else _stored_marks(store, backend),
        platform=platform,
        store=store if keeps_threads else None,
    )


def _store_and_config(
    workspace_or_store: Workspace | Store, config: WorkspaceConfig | None, caller: str
) -> tuple[Any, WorkspaceConfig]:
    """A workspace's store and config (``config`` wins when given); a bare store needs ``config``."""
    from groundswell.workspace import Workspace

    if isinstance(workspace_or_store, Workspace):
        return workspace_or_store.store, config if config is not None else workspace_or_store.config
    if config is None:
        raise UsageError(f"{caller} needs the workspace config with a bare store")
    return workspace_or_store, config


def _stored_marks(store: Store, backend: Any) -> ir.Table | None:
    """The inbox's outcome marks (``outcome_marks``) when there are any: agents' marks count in every metric."""
    found = store.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'outcome_marks'")[0][0]
    if not found or not store.execute("SELECT count(*) FROM outcome_marks")[0][0]:
        return None
    marks: ir.Table = backend.table("outcome_marks").select("platform", "post_id", "outcome", "marked_at")
    return marks


def spark_sources(
    session: Any,
    posts: Any,
    enrichments: Any,
    config: WorkspaceConfig,
    *,
    model_version: str | None = None,
    period: Period | None = None,
    marks: Any = None,
    platform: str | None = None,
) -> Sources:
    """``Sources`` on Spark: ``posts`` and ``enrichments`` (None: not enriched) as PySpark DataFrames, ibis
    tables of this session, or Parquet paths, with the workspace's columns (store/schema.py)."""
    backend = ibis.pyspark.connect(session)

    def table(obj: Any, what: str) -> ir.Table:
        if isinstance(obj, ibis.Table):
            return obj
        if isinstance(obj, (str, Path)):
            return backend.read_parquet(str(obj))
        if hasattr(obj, "createOrReplaceTempView"):
            name = f"_groundswell_{what}_{next(_names)}"
            obj.createOrReplaceTempView(name)
            return backend.table(name)
        raise UsageError(f"{what}: give a PySpark DataFrame, an ibis table or a Parquet path, not {type(obj).__name__}")

    return _sources(
        IbisEngine(backend, "spark"),
        table(posts, "posts"),
        table(enrichments, "enrichments") if enrichments is not None else None,
        config,
        model_version=model_version,
        period=period or Period(),
        marks=table(marks, "marks") if marks is not None else None,
        platform=platform,
    )


def newest_model_version(enrichments: ir.Table) -> str | None:
    """The model version with the latest ``enriched_at`` (ties: the greatest name); None when there are no rows."""
    newest = (
        enrichments.group_by("model_version")
        .aggregate(last=enrichments.enriched_at.max())
        .order_by([ibis.desc("last"), ibis.desc("model_version")])
        .limit(1)
    )
    found = newest.to_pyarrow().to_pylist()
    return str(found[0]["model_version"]) if found else None


def _sources(
    engine: IbisEngine,
    posts: ir.Table,
    enrichments: ir.Table | None,
    config: WorkspaceConfig,
    *,
    model_version: str | None,
    period: Period,
    marks: ir.Table | None,
    platform: str | None = None,
    store: DuckDBStore | None = None,
) -> Sources:
    chosen: ir.Table | None = None
    if platform is not None:  # the model version is still chosen over every platform's enrichments
        posts = posts.filter(posts.platform == platform)
        marks = marks.filter(marks.platform == platform) if marks is not None else None
    if enrichments is not None:
        if model_version is None:
            model_version = newest_model_version(enrichments)
        elif not enrichments.filter(enrichments.model_version == model_version).count().to_pyarrow().as_py():
            present = sorted(
                str(r["model_version"]) for r in enrichments.select("model_version").distinct().to_pyarrow().to_pylist()
            )
            raise MetricUnavailable(
                f"no enrichments of model version {model_version}; present: {', '.join(present) or 'none'}"
                " (`groundswell enrich --model ...` makes them)"
            )
        if model_version is not None:
            chosen = enrichments.filter(enrichments.model_version == model_version)
    elif model_version is not None:
        raise MetricUnavailable(f"no enrichments of model version {model_version}: the posts are not enriched")
    return Sources(
        posts=in_period(posts, period),
        enrichments=chosen,
        model_version=model_version if chosen is not None else None,
        config=config,
        period=period,
        all_posts=posts,
        marks=marks,
        engine=engine,
        store=store,
    )


def in_period(posts: ir.Table, period: Period, column: str = "created_at") -> ir.Table:
    """Rows of ``posts`` whose ``column`` is in ``period`` (inclusive since, exclusive until; UTC)."""
    ts = posts[column]
    if period.since is not None:
        posts = posts.filter(ts >= _naive_utc(period.since))
        ts = posts[column]
    if period.until is not None:
        posts = posts.filter(ts < _naive_utc(period.until))
    return posts


def _naive_utc(moment: datetime) -> datetime:
    """Timestamps are stored naive in UTC: an aware datetime is converted, a naive one taken as UTC."""
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment
