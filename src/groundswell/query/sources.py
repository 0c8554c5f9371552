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
A period with no bound named becomes the posts' dense period (``figures_period``, ``query.period``).
Given a ``platform``, both ``posts`` and ``all_posts`` hold that platform's posts only: reply links never
cross platforms, so every figure is then the one of that channel alone.

Who the brand is (``query.brands``): when the config's ``[[accounts]]`` leave other brands' support accounts
in the data (TWCS, a shared export), ``posts`` and ``all_posts`` hold the brand's conversations only, with
``is_brand`` true for its own accounts alone, and the other brands are its peers; ``brand=`` or ``account=``
scopes the figures to another brand or one support account the same way. ``market_posts`` keeps every
brand's posts (share of voice, the peers' comparison).

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
from groundswell.query.brands import Brand, BrandMap, about_account, conversations_of, find_brands
from groundswell.query.engine import Engine, IbisEngine, temp_name
from groundswell.query.period import Period, dense_period, in_period

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
    ``scope``: the brand (or one support account) the figures are about, when ``posts`` are limited to its
    conversations; ``unscoped``: then every brand's posts, whatever the period (None: ``all_posts``).
    ``live``: the posts come from connected accounts that sync (``groundswell connect``), so the data runs
    up to now; otherwise (an import) the data ends with its last post (``groundswell.threads.counts.as_of``).
    ``engagement``: posts' likes, shares and replies as later syncs saw them again (``engagement_snapshots``:
    ``platform, post_id, seen_at, like_count, share_count, reply_count``); None where the store keeps none.
    ``outcomes``: the business outcomes ``groundswell outcomes import`` stored (``metric, granularity,
    period_start, location, brand, value``...); None where none are given (then no outcome has values).
    ``keep_dir``: a folder that belongs to this very version of the data (the Spark engine's warehouse
    version, ``store.warehouse``), where tables derived from it may be kept as Parquet for the next run
    (``groundswell.threads.kept``); None: nothing is kept.
    ``review``: the team's labels of a random sample of customer posts (``groundswell review``), the newest per
    post: ``platform, post_id, review_sentiment, review_subject, review_needs_reply`` (NULL where a post was
    not given that label); None where there are none. The intervals measure the classifiers' errors on them.
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
    scope: Brand | None = None
    unscoped: ir.Table | None = None
    live: bool = False
    engagement: ir.Table | None = None
    outcomes: ir.Table | None = None
    keep_dir: Path | None = field(default=None, compare=False)
    review: ir.Table | None = None

    @property
    def every_post(self) -> ir.Table:
        """All posts, whatever the period (``all_posts``, else ``posts``)."""
        return self.all_posts if self.all_posts is not None else self.posts

    @property
    def market_posts(self) -> ir.Table:
        """Every brand's posts in the period, the brand's and its peers' (``posts`` when nothing is scoped)."""
        if self.unscoped is None:
            return self.posts
        return in_period(self.unscoped, self.period)

    def brand_map(self) -> BrandMap:
        """The workspace's brand and its peers (``query.brands.find_brands``), found once."""
        found = self.memo.get("brands")
        if found is None:
            source = self.unscoped if self.unscoped is not None else self.every_post
            found = self.memo["brands"] = find_brands(source, self.config)
        brands: BrandMap = found
        return brands

    def for_brand(self, brand: Brand) -> Sources:
        """These tables scoped to ``brand``'s conversations (``query.brands``), on the same backend; close it
        after use (it materialises its own intermediate tables)."""
        everything = self.unscoped if self.unscoped is not None else self.every_post
        brands = self.brand_map()
        about = self.memo.get("about")
        if about is None:
            about = self.memo["about"] = self.materializer().materialize(about_account(everything, brands.support))
        engine = IbisEngine(ibis.get_backend(everything), self.materializer().name)
        posts = engine.materialize(conversations_of(about, brand, everything.columns))
        return Sources(
            posts=in_period(posts, self.period),
            enrichments=self.enrichments,
            model_version=self.model_version,
            config=self.config,
            period=self.period,
            all_posts=posts,
            marks=self.marks,
            engine=engine,
            memo={"brands": brands},
            scope=brand,
            unscoped=everything,
            outcomes=self.outcomes,
            keep_dir=self.keep_dir,
            review=self.review,
        )

    @property
    def brand_name(self) -> str:
        """The name of the brand the figures are about."""
        return self.scope.name if self.scope is not None else self.config.brand

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
    brand: str | None = None,
    account: str | None = None,
) -> Sources:
    """``Sources`` over a workspace store's own tables, through its open connection (DuckDB or PostgreSQL).

    ``model_version``: the enrichments to use (default: the newest; ``MetricUnavailable`` if it is absent).
    ``marks``: outcome marks to use instead of the inbox's stored ones. ``brand``, ``account``: the figures of
    that brand or support account (default: the workspace's brand; see the module doc). The embedded file's
    stored threads stage (``groundswell.threads.stored``) is used when the figures cover every platform and
    every post with the stored marks; PostgreSQL, an in-memory file, a platform's own figures and a brand's
    conversations among its peers build the threads from the posts.
    """
    from groundswell.store.connections import accounts
    from groundswell.store.duckdb import DuckDBStore
    from groundswell.store.review import has_review_labels
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
        brand=brand,
        account=account,
        live=bool(accounts(store)),
        engagement=backend.table("engagement_snapshots"),
        outcomes=backend.table("outcomes"),
        review=newest_review_labels(backend.table("review_labels")) if has_review_labels(store) else None,
    )


def newest_review_labels(labels: ir.Table) -> ir.Table:
    """The newest review label row of each post, its labels as ``review_*`` columns (``Sources.review``)."""
    newest = ibis.row_number().over(
        group_by=[labels.platform, labels.post_id],
        order_by=[ibis.desc(labels.labelled_at), ibis.desc(labels.source_line)],
    )
    ranked = labels.mutate(_newest=newest)
    ranked = ranked.filter(ranked._newest == 0)
    return ranked.select(
        "platform",
        "post_id",
        review_sentiment=ranked.sentiment,
        review_subject=ranked.subject,
        review_needs_reply=ranked.needs_reply,
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
    brand: str | None = None,
    account: str | None = None,
    outcomes: Any = None,
    keep_dir: Path | None = None,
    review: Any = None,
) -> Sources:
    """``Sources`` on Spark: ``posts`` and ``enrichments`` (None: not enriched), and optionally ``marks``,
    ``outcomes`` and ``review`` (the ``review_labels`` table), as PySpark DataFrames, ibis tables of this session, or Parquet paths, with the workspace's
    columns (store/schema.py). ``keep_dir``: a folder of this version of the data where the threads stage
    is kept (``Sources.keep_dir``)."""
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
        brand=brand,
        account=account,
        outcomes=table(outcomes, "outcomes") if outcomes is not None else None,
        keep_dir=keep_dir,
        review=newest_review_labels(table(review, "review_labels")) if review is not None else None,
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


def figures_period(posts: ir.Table, period: Period) -> Period:
    """``period`` when it names a bound, else where ``posts`` are dense (``query.period.dense_period``)."""
    if period.named:
        return period
    daily = posts.group_by(day=posts.created_at.date()).aggregate(posts=posts.count())
    return dense_period({r["day"]: int(r["posts"]) for r in daily.to_pyarrow().to_pylist()})


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
    brand: str | None = None,
    account: str | None = None,
    live: bool = False,
    engagement: ir.Table | None = None,
    outcomes: ir.Table | None = None,
    keep_dir: Path | None = None,
    review: ir.Table | None = None,
) -> Sources:
    chosen: ir.Table | None = None
    if platform is not None:  # the model version is still chosen over every platform's enrichments
        keep_dir = None  # what is kept is about every platform's posts
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
    period = figures_period(posts, period)
    memo: dict[str, Any] = {}
    scope: Brand | None = None
    unscoped: ir.Table | None = None
    if brand is not None or account is not None or config.accounts:
        brands = memo["brands"] = find_brands(posts, config)
        if account is not None:
            scope = brands.account(account)
        elif brand is not None:
            scope = brands.find(brand)
        elif brands.has_peers:
            scope = brands.own
        if scope is not None and scope.own and brands.everyone and account is None:
            scope = None  # the brand is every support account: nothing to leave out
        if scope is not None:  # each post's brand found once, and the brand's posts kept, for every figure
            unscoped = posts
            about = memo["about"] = engine.materialize(about_account(posts, brands.support))
            posts = engine.materialize(conversations_of(about, scope, posts.columns))
            store = None  # the stored threads stage holds every brand's threads
    return Sources(
        posts=in_period(posts, period),
        enrichments=chosen,
        model_version=model_version if chosen is not None else None,
        config=config,
        period=period,
        all_posts=posts,
        marks=marks,
        engine=engine,
        memo=memo,
        store=store,
        scope=scope,
        unscoped=unscoped,
        live=live,
        engagement=engagement,
        outcomes=outcomes,
        keep_dir=keep_dir,
        review=review,
    )
