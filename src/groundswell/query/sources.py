"""The tables a metric reads (``Sources``), and the one factory per kind of engine that makes them.

A metric is one ibis expression over ``Sources``; only the factory differs between engines:

- ``store_sources(store, config)`` reads a workspace store's own tables through its open connection: the
  embedded DuckDB file (``ibis.duckdb.from_connection``: no copy, no second connection) or a team's
  PostgreSQL database (ibis's postgres backend, with the fixes of ``query.postgres_dialect``).
  ``Workspace.sources(...)`` is how the layers above get them.
- ``spark_sources(session, posts, enrichments, config)`` reads the same tables from a PySpark session
  (``ibis.pyspark.connect``): Spark DataFrames, ibis tables, or Parquet files with the workspace's columns
  (store/schema.py), e.g. written by DuckDB's ``COPY posts TO 'posts.parquet'``. Needs the ``spark`` extra
  (``pip install 'groundswell[spark]'``) and a Java runtime; run the session with
  ``spark.sql.session.timeZone=UTC`` (times are UTC everywhere).

Both pick the newest enrichment model version (by ``enriched_at``) when none is named, and limit ``posts``
to the period while keeping ``all_posts`` whole (threads need replies' parents from before the period).
Given a ``platform``, both ``posts`` and ``all_posts`` hold that platform's posts only: reply links never
cross platforms, so every figure is then the one of that channel alone.

Intermediate tables (the threads stage's pointer-jumping rounds) are materialised by the ``Engine``: temp
tables on DuckDB and PostgreSQL, cached DataFrames on Spark, dropped when the ``Sources`` is closed.
Without that, Spark would recompute every earlier round at each round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import ibis

from groundswell.config import WorkspaceConfig
from groundswell.errors import MetricUnavailable, UsageError
from groundswell.query.engine import Engine, IbisEngine, temp_name
from groundswell.query.period import Period, in_period

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from groundswell.store.base import Store
    from groundswell.store.duckdb import DuckDBStore


@dataclass(frozen=True)
class Sources:
    """The tables a metric reads, on one engine.

    ``posts``: the workspace's posts table (columns as in store/schema.py), limited to the period.
    ``enrichments``: the enrichment rows of one model version (``model_version``), or None when the
    workspace has not been enriched; a metric that needs it raises ``MetricUnavailable``.
    ``all_posts``: every post, whatever the period: threads are rebuilt from it, since a reply in the
    period may answer a post from before it (None: ``posts`` is all there is).
    ``marks``: agents' outcome marks (``platform, post_id, outcome, marked_at``; the outcome is
    ``helped`` or ``not_helped``), which take precedence over the inferred outcome of the thread holding
    that post; None until the inbox records them.
    ``engine``: materialises intermediate tables (the threads stage's rounds); None: one is made for
    the posts' backend when needed. ``memo``: results computed once per ``Sources`` (the threads).
    ``store``: the workspace store these tables are read from, when there is one: the threads stage is
    then read from the tables it keeps there (``groundswell.threads.stored``) instead of being rebuilt.
    ``live``: the posts come from connected accounts that sync (``groundswell connect``), so the data runs
    up to now; otherwise (an import) the data ends with its last post (``groundswell.threads.counts.as_of``).
    Use ``Sources`` as a context manager, or call ``close()``, to drop what the engine materialised.
    """

    posts: ir.Table
    enrichments: ir.Table | None
    model_version: str | None
    config: WorkspaceConfig
    period: Period = field(default_factory=Period)
    all_posts: ir.Table | None = None
    marks: ir.Table | None = None
    engine: Engine | None = field(default=None, compare=False)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    store: DuckDBStore | None = field(default=None, compare=False, repr=False)
    live: bool = False

    @property
    def every_post(self) -> ir.Table:
        """All posts, whatever the period (``all_posts``, else ``posts``)."""
        return self.all_posts if self.all_posts is not None else self.posts

    def materializer(self) -> Engine:
        """``engine``, else one for the posts' ibis backend (made once, closed with this ``Sources``)."""
        if self.engine is not None:
            return self.engine
        found = self.memo.get("engine")
        if found is None:
            backend = ibis.get_backend(self.every_post)
            found = self.memo["engine"] = IbisEngine(backend, str(backend.name))
        engine: Engine = found
        return engine

    def close(self) -> None:
        fallback = self.memo.pop("engine", None)
        self.memo.clear()
        for engine in (self.engine, fallback):
            if engine is not None:
                engine.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def store_sources(
    store: Store,
    config: WorkspaceConfig,
    *,
    model_version: str | None = None,
    period: Period | None = None,
    marks: ir.Table | None = None,
    platform: str | None = None,
) -> Sources:
    """``Sources`` over a workspace store's own tables, through its open connection (DuckDB or PostgreSQL).

    ``model_version``: the enrichments to use (default: the newest; ``MetricUnavailable`` if it is absent).
    ``marks``: outcome marks to use instead of the inbox's stored ones. The embedded file's stored threads
    stage (``groundswell.threads.stored``) is used when the figures cover every platform with the stored
    marks; PostgreSQL, an in-memory file and a platform's own figures build the threads from the posts.
    """
    from groundswell.store.connections import accounts
    from groundswell.store.duckdb import DuckDBStore
    from groundswell.store.scratch import has_outcome_marks

    if isinstance(store, DuckDBStore):
        engine = IbisEngine(ibis.duckdb.from_connection(store.con), "duckdb")
        keeps_threads = marks is None and platform is None and str(store.path) != ":memory:"
    elif store.dialect == "postgresql":
        from groundswell.query.postgres_dialect import use_groundswell_compiler

        engine = IbisEngine(use_groundswell_compiler(ibis.postgres.from_connection(store.con)), "postgres")  # type: ignore[attr-defined]
        keeps_threads = False
    else:
        raise UsageError(f"no query engine for a store in {store.location}")
    backend = engine.backend
    if marks is None and has_outcome_marks(store):  # agents' marks count in every metric
        marks = backend.table("outcome_marks").select("platform", "post_id", "outcome", "marked_at")
    return _sources(
        engine,
        backend.table("posts"),
        backend.table("enrichments"),
        config,
        model_version=model_version,
        period=period or Period(),
        marks=marks,
        platform=platform,
        store=store if keeps_threads else None,  # type: ignore[arg-type]
        live=bool(accounts(store)),
    )


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
            name = temp_name(what)
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
    live: bool = False,
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
        live=live,
    )
