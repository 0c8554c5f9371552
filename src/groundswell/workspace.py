"""A workspace: a folder with ``groundswell.toml`` and the embedded database.

``Workspace.open(path)`` is the one entry point for the library, the CLI and
the web app. For a team, the data can live in a PostgreSQL database instead of
the embedded file: ``Workspace.open(path, database="postgresql://...")``, or
``$GROUNDSWELL_DATABASE`` (which every command honours); the folder then keeps
``groundswell.toml`` (and uploads) only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from groundswell.config import (
    CONFIG_FILENAME,
    DEFAULT_CONFIG_TEXT,
    ENGINE_KINDS,
    WorkspaceConfig,
    load_config,
    parse_config,
)
from groundswell.enrich.stage import DEFAULT_BATCH_SIZE, EnrichProgress, EnrichReport
from groundswell.errors import UsageError, WorkspaceError
from groundswell.ingest.pipeline import ImportOptions, ProgressCallback, import_files
from groundswell.records import ImportReport, PostLookup, RejectRecord, ThreadCounts, WorkspaceSummary
from groundswell.store.base import Store
from groundswell.store.duckdb import DATABASE_FILENAME, DuckDBStore

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from groundswell.accounts.service import Accounts
    from groundswell.alerts.desk import AlertDesk
    from groundswell.alerts.keep import KeepReport
    from groundswell.connect import Delivery, PreparedReply
    from groundswell.connect import ReplyResult as SentReply
    from groundswell.connect.sync import SyncReport
    from groundswell.enrich.registry import EnrichModels
    from groundswell.enrich.stage import ClassifyBatches
    from groundswell.enrich.workspace_models import CorrectionsTraining, TrainedTier
    from groundswell.inbox import ItemState, ReplySend
    from groundswell.inbox.desk import Inbox
    from groundswell.inbox.review import ReviewLoad
    from groundswell.metrics import MetricRow
    from groundswell.metrics.campaign_effect import CampaignEffects
    from groundswell.metrics.outcomes import OutcomesAnalysis
    from groundswell.metrics.panel_export import PanelExport
    from groundswell.metrics.peers import BrandCard
    from groundswell.metrics.scorecard import Scorecard
    from groundswell.metrics.social_panel import SocialCell
    from groundswell.query import Period, Sources
    from groundswell.report import ReportResult
    from groundswell.report.gather import ProgressCallback as ReportProgress
    from groundswell.store.connections import ConnectedAccount

WORKSPACE_ENV = "GROUNDSWELL_WORKSPACE"
DATABASE_ENV = "GROUNDSWELL_DATABASE"
"""A PostgreSQL URL (``postgresql://USER:PASSWORD@HOST:PORT/DATABASE``): the workspace's data lives there
instead of in the embedded file. Unset or empty: the embedded file."""


def default_workspace_path() -> Path:
    """``$GROUNDSWELL_WORKSPACE``, else the current directory."""
    return Path(os.environ.get(WORKSPACE_ENV) or ".")


def default_database() -> str | None:
    """``$GROUNDSWELL_DATABASE``, else None (the embedded database)."""
    return os.environ.get(DATABASE_ENV) or None


def open_store(path: Path, database: str | None) -> Store:
    """The store of the workspace at ``path``: the PostgreSQL database ``database``, else the embedded file."""
    if database:
        from groundswell.store.postgres import PostgresStore

        return PostgresStore.open(database)
    return DuckDBStore.open(path / DATABASE_FILENAME, create=True)


class Workspace:
    def __init__(self, path: Path, config: WorkspaceConfig, store: Store):
        self.path = path
        self.config = config
        self.store = store
        self.engine = config.engine
        self._spark: Any = None  # the Spark session of the spark engine, made when first needed
        self._stop_spark = False  # whether it was started here, so stopped at close

    def use_engine(self, kind: str | None) -> None:
        """Compute figures on ``kind`` (``workspace`` or ``spark``) instead of the config's ``[engine] kind``;
        None keeps the config's."""
        if kind is None:
            return
        if kind not in ENGINE_KINDS:
            raise UsageError(f"unknown engine {kind!r}; choose one of: {', '.join(ENGINE_KINDS)}")
        self.engine = self.engine.model_copy(update={"kind": kind})

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILENAME

    @classmethod
    def init(
        cls, path: Path | str, *, config_text: str = DEFAULT_CONFIG_TEXT, database: str | None = None
    ) -> Workspace:
        """Create a workspace in ``path`` (made if missing); refuse to overwrite one.

        ``database``: a PostgreSQL URL to keep the data in (default ``$GROUNDSWELL_DATABASE``; unset: the
        embedded file). The database's tables are made if missing; a team's members each ``init`` a folder
        with the same database and share its data.
        """
        path = Path(path)
        database = database if database is not None else default_database()
        config_file = path / CONFIG_FILENAME
        if config_file.exists() or (path / DATABASE_FILENAME).exists():
            raise WorkspaceError(f"{path} already holds a workspace; open it instead of initialising it again")
        parse_config(config_text, path=config_file)  # never write a config that would not load
        store = open_store(path, database) if database else None  # a bad URL leaves no folder behind
        path.mkdir(parents=True, exist_ok=True)
        config_file.write_text(config_text, encoding="utf-8")
        if store is None:
            return cls.open(path, database=database)
        return cls(path, load_config(config_file), store)

    @classmethod
    def open(cls, path: Path | str | None = None, *, database: str | None = None) -> Workspace:
        """The workspace at ``path`` (default ``$GROUNDSWELL_WORKSPACE``, else the current directory), its data in
        ``database`` (a PostgreSQL URL; default ``$GROUNDSWELL_DATABASE``; unset: the embedded file)."""
        path = Path(path) if path is not None else default_workspace_path()
        database = database if database is not None else default_database()
        config_file = path / CONFIG_FILENAME
        if not config_file.exists():
            raise WorkspaceError(f"no workspace at {path} (no {CONFIG_FILENAME}); create one with `groundswell init`")
        config = load_config(config_file)
        return cls(path, config, open_store(path, database))

    @staticmethod
    def exists(path: Path | str) -> bool:
        return (Path(path) / CONFIG_FILENAME).exists()

    def close(self) -> None:
        if self._spark is not None and self._stop_spark:
            self._spark.stop()
        self._spark = None
        self.store.close()

    def writer(self, *, wait: bool = True) -> AbstractContextManager[bool]:
        """A block that writes: one writer at a time in this process; reads on other threads go on meanwhile,
        each on its own connection and snapshot of the data. Yields whether this thread is the writer (without
        ``wait``: False at once when another thread is writing)."""
        return self.store.writer(wait=wait)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the verbs -------------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[Path | str],
        options: ImportOptions | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        from groundswell.threads.stored import refresh_after_write  # metrics and ibis, only when used

        options = options or ImportOptions()
        if self.engine.kind == "spark":  # the records parsed on Spark's executors (groundswell.ingest.on_spark)
            from groundswell.ingest.on_spark import SparkRecordReader

            reader = SparkRecordReader(
                self._spark_session(),
                self.path / self.engine.warehouse,
                part_bytes=max(1, int(self.engine.import_part_mb * (1 << 20))),
            )
            try:
                report = import_files(self.store, self.config, paths, options, progress=progress, reader=reader)
            finally:
                reader.close()
        else:
            report = import_files(self.store, self.config, paths, options, progress=progress)
        refresh_after_write(self.store, self.config)  # the stored threads stage (groundswell.threads.stored)
        if report.imported:
            self._keep_location_days()
        return report

    def import_outcomes(self, paths: Iterable[Path | str]) -> ImportReport:
        """Import business outcomes (sales, visits, NPS...) from CSV or Parquet files
        (``groundswell.ingest.outcomes``: the columns, and the importers' guarantees)."""
        from groundswell.ingest.outcomes import import_outcome_files

        with self.writer():
            report = import_outcome_files(self.store, self.config, paths)
        self._keep_location_days()
        return report

    def write_review_sample(self, path: Path | str, size: int, *, seed: str | None = None) -> int:
        """Draw ``size`` customer posts no one has labelled yet, at random, into a new CSV file for the team to
        label (``groundswell.inbox.review``); returns the posts written."""
        from groundswell.inbox.review import DEFAULT_SEED, write_review_sample

        return write_review_sample(self.store, Path(path), size, seed=seed or DEFAULT_SEED)

    def load_review_labels(self, path: Path | str, *, by: str) -> ReviewLoad:
        """Keep the team's labels of a review file (``write_review_sample``'s, filled in): the intervals of
        classified figures then measure the classifiers' errors on them (``groundswell.metrics.intervals``)."""
        from groundswell.inbox.review import load_review_labels

        with self.writer():
            return load_review_labels(self.store, Path(path), by=by)

    def review_counts(self) -> dict[str, int]:
        """Customer posts the team labelled for review, and how many carry each label."""
        from groundswell.store.review import review_counts

        return review_counts(self.store)

    def _keep_location_days(self) -> None:
        """Where per-store outcomes are imported and the posts enriched, bring the stores' day counts kept in
        the workspace up to date (``groundswell.metrics.location_days``), so that the report's section on the
        business does not count them; never raises (the next figure counts them itself)."""
        from groundswell.metrics.location_days import refresh_location_days
        from groundswell.store.outcomes import has_store_outcomes

        if self.store.dialect != "duckdb" or not self.config.locations or not has_store_outcomes(self.store):
            return  # PostgreSQL keeps no derived tables: it counts them from the posts each time
        with self.computing() as sources:
            if sources.enrichments is not None:
                refresh_location_days(sources)

    def outcome_values(self, metric: str | None = None) -> list[dict[str, Any]]:
        """The imported outcome values (of ``metric``, else all), in key order."""
        from groundswell.store.outcomes import outcome_rows

        return outcome_rows(self.store, metric)

    def social_figures(self, *, granularity: str = "week", period: Period | None = None) -> list[SocialCell]:
        """Each configured store's social figures per week or month (``groundswell.metrics.social_panel``)."""
        from groundswell.metrics.social_panel import social_panel

        if granularity not in ("week", "month"):
            raise UsageError(f"granularity {granularity!r}: the social figures are per week or month")
        with self.computing(period=period) as sources:
            return social_panel(sources, granularity="week" if granularity == "week" else "month")

    def outcomes_analysis(
        self, outcome: str | None = None, *, max_lag: int = 8, period: Period | None = None
    ) -> OutcomesAnalysis:
        """Does social media go with the business? ``outcome`` (default: the only one imported) against every
        store's social figures, lags 0..``max_lag`` periods (``groundswell.metrics.outcomes``)."""
        from groundswell.metrics.outcomes import aggregate_outcome, analyse_outcome, outcome_frame

        if max_lag < 0:
            raise UsageError("--max-lag must be 0 or more")
        outcome = self._chosen_outcome(outcome)
        spec = self.config.outcome(outcome)
        values = [v for v in self.outcome_values(outcome) if v["location"]]
        granularity = "month" if any(v["granularity"] == "month" for v in values) else "week"
        values = aggregate_outcome(values, granularity, spec.aggregation)
        cells = self.social_figures(granularity=granularity, period=period)
        frame = outcome_frame(values, cells, "MS" if granularity == "month" else "W-MON")
        return analyse_outcome(frame, outcome=outcome, unit=spec.unit, granularity=granularity, max_lag=max_lag)

    def campaign_effects(
        self,
        outcome: str | None = None,
        *,
        post_periods: int = 4,
        period: Period | None = None,
        draws: int = 2000,
    ) -> CampaignEffects:
        """Did each configured campaign move the business? Its effect on ``outcome`` (default: the only one
        imported), added up over the stores, and on its buzz, each against a counterfactual from the periods
        before it, over the campaign and ``post_periods`` after it (``groundswell.metrics.campaign_effect``)."""
        import pandas as pd

        from groundswell.metrics.campaign_buzz import buzz_by_campaign
        from groundswell.metrics.campaign_effect import brand_series, buzz_series, campaign_effects
        from groundswell.metrics.outcomes import aggregate_outcome

        if post_periods < 0:
            raise UsageError("--post-periods must be 0 or more")
        outcome = self._chosen_outcome(outcome)
        spec = self.config.outcome(outcome)
        every = self.outcome_values(outcome)
        values = [v for v in every if v["location"]]
        brand_wide = not values  # no store values (online sales, a share price): the brand's own
        if brand_wide:
            values = [{**v, "location": self.config.brand} for v in every if v["brand"] in ("", self.config.brand)]
        granularity = "month" if any(v["granularity"] == "month" for v in values) else "week"
        freq = "MS" if granularity == "month" else "W-MON"
        series, stores, of = brand_series(aggregate_outcome(values, granularity, spec.aggregation), freq,
                                          spec.aggregation)  # fmt: skip
        with self.computing(period=period) as sources:
            buzz = buzz_by_campaign(sources, granularity="week" if granularity == "week" else "month")
        span = buzz.span or ((series.index.min().date(), series.index.max().date()) if len(series) else None)
        by_campaign = {
            c.name: buzz_series(buzz.posts, c.name, span, freq)
            if span
            else pd.Series(dtype=float, index=pd.DatetimeIndex([]))
            for c in self.config.campaigns
        }
        found = campaign_effects(series, by_campaign, self.config.campaigns, outcome_name=outcome, unit=spec.unit,
                                 granularity=granularity, post_periods=post_periods, draws=draws)  # fmt: skip
        how = "added up" if spec.aggregation == "sum" else "averaged"
        note = (
            f"{outcome}: the brand's own values (none per store)"
            if brand_wide
            else f"{outcome}: the {stores} stores (of {of}) with a value in every {granularity}, {how}"
        )
        return replace(found, stores=None if brand_wide else stores, all_stores=None if brand_wide else of,
                       notes=(*found.notes, note))  # fmt: skip

    def export_panel(self, path: Path, *, granularity: str = "week", period: Period | None = None) -> PanelExport:
        """Write the per-store panel (outcomes, social figures, campaign flags per store and ``granularity``
        period) to ``path``, CSV or Parquet by its suffix, for marketing-mix models
        (``groundswell.metrics.panel_export``)."""
        from groundswell.metrics.outcomes import aggregate_outcome
        from groundswell.metrics.panel_export import PanelExport, marketing_mix_panel, write_panel
        from groundswell.store.outcomes import outcome_metrics

        cells = self.social_figures(granularity=granularity, period=period)
        outcomes: dict[str, list[dict[str, Any]]] = {}
        left_out = []
        for name in outcome_metrics(self.store):
            values = [v for v in self.outcome_values(name) if v["location"]]
            if granularity == "week" and any(v["granularity"] == "month" for v in values):
                left_out.append(f"{name}: monthly values do not split into weeks (export --period month)")
            elif values:
                outcomes[name] = aggregate_outcome(values, granularity, self.config.outcome(name).aggregation)
        panel = marketing_mix_panel(outcomes, cells, self.config.campaigns, granularity=granularity)
        kind = write_panel(panel, path)
        return PanelExport(path, kind, len(panel), panel.geo.nunique(), panel.time.nunique(), tuple(panel.columns),
                           tuple(left_out))  # fmt: skip

    def _chosen_outcome(self, outcome: str | None) -> str:
        """``outcome`` if imported, else the only one imported; a UsageError says what to choose."""
        from groundswell.store.outcomes import outcome_metrics

        imported = outcome_metrics(self.store)
        if outcome is None:
            if len(imported) != 1:
                raise UsageError(
                    "no outcome imported yet: `groundswell outcomes import FILE` first"
                    if not imported
                    else f"several outcomes imported ({', '.join(imported)}): choose one with --outcome"
                )
            return imported[0]
        if outcome not in imported:
            raise UsageError(f"no outcome {outcome!r} imported; imported: {', '.join(imported) or 'none'}")
        return outcome

    def rejects(self, *, import_id: int | None = None, limit: int | None = None) -> list[RejectRecord]:
        return self.store.rejects(import_id=import_id, limit=limit)

    def sources(
        self,
        *,
        period: Period | None = None,
        model_version: str | None = None,
        platform: str | None = None,
        marks: ir.Table | None = None,
        brand: str | None = None,
        account: str | None = None,
    ) -> Sources:
        """The tables every figure reads (``groundswell.query.Sources``), on this workspace's own engine.

        ``period``: the posts' period (threads still see every post); ``model_version``: the enrichments to
        use (default: the newest); ``platform``: that platform's posts only; ``marks``: outcome marks to use
        instead of the inbox's; ``brand``, ``account``: that brand's or support account's conversations
        (default: the workspace's brand, ``groundswell.query.brands``). Close it (or use it as a context
        manager) to drop its temp tables.
        """
        from groundswell.query import store_sources

        if self.engine.kind == "spark":
            return self._spark_sources(
                period=period, model_version=model_version, platform=platform, marks=marks, brand=brand,
                account=account,
            )  # fmt: skip
        return store_sources(
            self.store, self.config, period=period, model_version=model_version, platform=platform, marks=marks,
            brand=brand, account=account,
        )  # fmt: skip

    def _spark_sources(
        self,
        *,
        period: Period | None,
        model_version: str | None,
        platform: str | None,
        marks: ir.Table | None,
        brand: str | None,
        account: str | None,
    ) -> Sources:
        """``sources(...)`` on Spark (``[engine] kind = "spark"``): the workspace's tables copied to the
        warehouse as Parquet where they changed (``store.warehouse``), read by a session on the config's master;
        the threads stage is kept beside them (``threads.kept``)."""
        from groundswell.query import spark_sources
        from groundswell.store.warehouse import export_tables

        if not isinstance(self.store, DuckDBStore):
            raise UsageError(
                "the spark engine reads an embedded workspace's tables; this workspace keeps them in PostgreSQL"
            )
        if marks is not None:
            raise UsageError("outcome marks other than the workspace's own cannot be given to the spark engine")
        tables = export_tables(self.store, self.path / self.engine.warehouse)

        def parquet(path: Path | None) -> str | None:
            return str(path) if path is not None else None

        return spark_sources(
            self._spark_session(), str(tables.posts), str(tables.enrichments), self.config, model_version=model_version,
            period=period, marks=parquet(tables.outcome_marks), platform=platform, brand=brand, account=account,
            outcomes=parquet(tables.outcomes), keep_dir=tables.folder, review=parquet(tables.review_labels),
        )  # fmt: skip

    def _spark_session(self) -> Any:
        """The spark engine's session, started on the config's master when first needed."""
        from groundswell.query.spark_session import spark_session

        if self._spark is None:
            self._spark, self._stop_spark = spark_session(self.engine)
        return self._spark

    def figures_period(self, period: Period | None = None) -> Period:
        """The period figures cover: ``period`` when it names a bound, else where the posts are dense, with the
        posts it leaves out in ``left_out`` (``groundswell.query.period``)."""
        with self.sources(period=period) as sources:
            return sources.period

    @contextmanager
    def computing(
        self,
        *,
        period: Period | None = None,
        model_version: str | None = None,
        platform: str | None = None,
        brand: str | None = None,
        account: str | None = None,
    ) -> Iterator[Sources]:
        """``sources(...)`` with the store's settings for computing figures, both undone at the end of the block."""
        with (
            self.store.for_metrics(),
            self.sources(
                period=period, model_version=model_version, platform=platform, brand=brand, account=account
            ) as sources,
        ):
            yield sources

    def metrics(
        self,
        name: str,
        *,
        by: str | None = None,
        period: Period | None = None,
        model_version: str | None = None,
        brand: str | None = None,
        account: str | None = None,
        per: str = "thread",
    ) -> Sequence[MetricRow]:
        """One metric family (``groundswell.metrics.METRIC_FAMILIES``) as DESIGN.md defines it, grouped ``by``,
        for the workspace's brand or the ``brand`` or support ``account`` named. ``per="reply"`` (response
        only): every brand reply timed against the post it answers (``metrics.reply_times``)."""
        from groundswell.metrics import METRIC_FAMILIES, PER_CHOICES, reply_times

        family = METRIC_FAMILIES.get(name)
        if family is None:
            raise UsageError(f"no metric family {name!r}; choose one of: {', '.join(sorted(METRIC_FAMILIES))}")
        if per not in PER_CHOICES:
            raise UsageError(f"unknown --per {per!r}; choose one of: {', '.join(PER_CHOICES)}")
        if per != "thread" and name != "response":
            raise UsageError("--per applies to the response family only")
        with self.computing(period=period, model_version=model_version, brand=brand, account=account) as sources:
            return reply_times(sources, by=by) if per == "reply" else family(sources, by=by)

    def scorecard(
        self,
        *,
        period: Period | None = None,
        model_version: str | None = None,
        brand: str | None = None,
        account: str | None = None,
    ) -> Scorecard:
        """The social media index, the social media marketing index and the quadrant."""
        from groundswell.metrics.scorecard import scorecard

        with self.computing(period=period, model_version=model_version, brand=brand, account=account) as sources:
            return scorecard(sources)[0]

    def brand_scorecards(self, *, period: Period | None = None, model_version: str | None = None) -> list[BrandCard]:
        """The scorecard of every brand in the data, the workspace's brand and its peers (``query.brands``)."""
        from groundswell.metrics import brand_scorecards

        with self.computing(period=period, model_version=model_version) as sources:
            return brand_scorecards(sources)

    def report(
        self,
        out: Path | str | None = None,
        *,
        period: Period | None = None,
        model_version: str | None = None,
        progress: ReportProgress | None = None,
        brand: str | None = None,
        account: str | None = None,
    ) -> ReportResult:
        """Write the HTML report to ``out`` (default ``report.html`` in the workspace folder), for the
        workspace's brand or the ``brand`` or support ``account`` named."""
        from groundswell.report import DEFAULT_REPORT_NAME, write_report

        target = Path(out) if out is not None else self.path / DEFAULT_REPORT_NAME
        with self.computing(period=period, model_version=model_version, brand=brand, account=account) as sources:
            alerts = self.alerts.between(sources.period.since, sources.period.until)
            return write_report(sources, target, progress=progress, alerts=alerts)

    @cached_property
    def accounts(self) -> Accounts:
        """Users, sessions, API tokens and the audit log (``groundswell.accounts``)."""
        from groundswell.accounts.service import Accounts

        return Accounts(self.store)

    @cached_property
    def inbox(self) -> Inbox:
        """The inbox items' states and the actions that change them (``groundswell.inbox``)."""
        from groundswell.inbox.desk import Inbox

        return Inbox(self.store)

    @property
    def alerts(self) -> AlertDesk:
        """The kept alerts, the team's actions on them and the watch loop's health (``groundswell.alerts``)."""
        from groundswell.alerts.desk import AlertDesk

        return AlertDesk(self.store, self.config)

    def check_alerts(self, now: datetime | None = None) -> KeepReport:
        """Evaluate the alert rules as of ``now`` (UTC; default now) and keep what they find, as one writer."""
        with self.writer(), self.sources() as sources:
            return self.alerts.check(sources, now)

    def sync(self, account: ConnectedAccount, **connector_options: Any) -> SyncReport:
        """Fetch and import what is new for a connected account (``groundswell.connect.sync``);
        ``connector_options`` go to the platform client (``sleep``, ``max_retries``)."""
        from groundswell.connect.registry import open_connector
        from groundswell.connect.sync import sync_account

        return sync_account(self, account, open_connector(account, **connector_options))

    def mark_sent(
        self,
        platform: str,
        post_id: str,
        *,
        version: int,
        actor: str,
        text: str | None = None,
        reply_post_id: str | None = None,
    ) -> ItemState:
        """Mark the item's reply sent (by hand on the platform). With ``text``, the reply as it went out is kept
        and counted as the brand's reply to the post (``groundswell.inbox.by_hand``), marked at this moment."""
        from groundswell.inbox.by_hand import hand_sent_id, keep_hand_sent

        if text is None or not text.strip():
            return self.inbox.mark_sent(platform, post_id, version=version, actor=actor, reply_post_id=reply_post_id)
        reply_id = reply_post_id or hand_sent_id(post_id, version + 1)
        with self.writer():
            state = self.inbox.mark_sent(platform, post_id, version=version, actor=actor, reply_post_id=reply_id)
            keep_hand_sent(self, platform, post_id, text.strip(), reply_id=reply_id, at=state.updated_at)
        return state

    def connections(self) -> list[ConnectedAccount]:
        """The connected platform accounts (``groundswell connect``)."""
        from groundswell.store.connections import accounts

        return accounts(self.store)

    def reply(
        self,
        post_ref: str,
        text: str,
        *,
        actor: str,
        account: str | None = None,
        force: bool = False,
        version: int | None = None,
    ) -> ReplyAndItem:
        """Send ``text`` as the reply to the stored post ``post_ref`` (``POST_ID`` or ``PLATFORM:POST_ID``) through
        its platform's connected account, import it, and mark the post's inbox item sent by ``actor``.

        ``version``: the item's version the caller last saw; when given, a reply is never sent on an item someone
        else changed meanwhile (``InboxConflict``, nothing sent). The draft checker runs first (a fail is refused
        unless ``force``), and a send the platform refuses leaves the item as it was. One call for the three
        steps ``begin_reply``, ``PendingReply.deliver`` and ``finish_reply``: a reply the platform does not
        confirm leaves the item ``sending`` and raises ``ReplyPending`` (``retry_reply`` or
        ``inbox.resolve_send`` settle it).
        """
        pending = self.begin_reply(post_ref, text, actor=actor, account=account, force=force, version=version)
        return self.finish_reply(pending, pending.deliver())

    def begin_reply(
        self,
        post_ref: str,
        text: str,
        *,
        actor: str,
        account: str | None = None,
        force: bool = False,
        version: int | None = None,
    ) -> PendingReply:
        """The first step of ``reply``, one short write: check the item's version and the draft, choose the
        account, and record the intent (the send with its idempotency key; the item ``sending``, which every
        agent sees). Nothing is sent yet."""
        from groundswell.connect import new_idempotency_key, prepare_reply
        from groundswell.inbox import InboxConflict
        from groundswell.lint import find_post

        post = find_post(self, post_ref)
        current = self.inbox.item_state(post.platform, post.post_id)
        seen = current.version if current else 0
        if version is not None and seen != version:
            raise InboxConflict(
                f"{post.platform}:{post.post_id} was changed by {current.updated_by if current else '?'} meanwhile:"
                " nothing was sent; reload it and try again",
                current=current,
            )
        prepared = prepare_reply(self, f"{post.platform}:{post.post_id}", text, account=account, force=force)
        send = self.inbox.begin_send(
            post.platform, post.post_id, version=seen, actor=actor, account=prepared.account.name, text=text,
            verdict=prepared.verdict, forced=prepared.forced, key=new_idempotency_key(),
        )  # fmt: skip
        return PendingReply(prepared, send, actor)

    def retry_reply(self, platform: str, post_id: str, *, actor: str, version: int) -> PendingReply:
        """Start another attempt of the item's reply left ``sending``, with the same idempotency key (so the
        platform never posts it twice); ``deliver`` and ``finish_reply`` it as a first attempt."""
        from groundswell.connect import PreparedReply
        from groundswell.store.connections import account as connected_account

        send = self.inbox.begin_retry(platform, post_id, version=version, actor=actor)
        prepared = PreparedReply(platform, post_id, send.text, connected_account(self.store, send.account),
                                 send.verdict, send.forced)  # fmt: skip
        return PendingReply(prepared, send, actor)

    def finish_reply(self, pending: PendingReply, delivery: Delivery) -> ReplyAndItem:
        """The last step of ``reply``, one short write: record what the platform answered. Sent: the item is
        ``sent`` with the reply's id and the reply imported. Refused: the send is ``failed``, the item back to
        what it was, and the platform's ``ConnectorError`` raised. Unconfirmed: the item stays ``sending``,
        ``ReplyPending`` raised."""
        from groundswell.connect import record_reply
        from groundswell.inbox import ReplyPending

        send, actor = pending.send, pending.actor
        if delivery.sent is not None:
            sent = delivery.sent
            item = self.inbox.send_confirmed(send, actor=actor, reply_post_id=sent.post_id, reply_url=sent.url)
            return ReplyAndItem(record_reply(self, pending.prepared, sent), item)
        error = delivery.error
        assert error is not None  # noqa: S101 - an invariant (a delivery is one or the other), not an input check
        if not error.unconfirmed:
            self.inbox.send_refused(send, error=str(error), actor=actor)
            raise error
        view = self.inbox.attempt_unconfirmed(send, error=str(error), actor=actor)
        raise ReplyPending(
            f"{send.platform}:{send.post_id}: the platform did not confirm the reply ({error}). It may be out or not;"
            " the item stays sending: retry it (the same key: never a second reply), or check the platform and"
            " mark it sent or not sent",
            current=view,
        ) from error

    def replace_config(self, text: str, *, actor: str) -> bool:
        """Make ``text`` the workspace's ``groundswell.toml``, if it loads (else ``ConfigError`` naming the line and
        field, and nothing written): written atomically, audit-logged with the SHA-256 before and after, in
        force at once. False (and nothing done) when it is the text already there."""
        import hashlib

        from groundswell.config import check_regexes
        from groundswell.files import write_atomically

        config = parse_config(text, path=self.config_path.name)
        before, after = self.config_path.read_bytes(), text.encode("utf-8")
        if before == after:
            return False
        check_regexes(config, text, self._regex_refusal, path=self.config_path.name)
        with self.store.transaction():
            self.accounts.record(
                actor=actor, action="config.change", target=self.config_path.name,
                detail={"sha256_before": hashlib.sha256(before).hexdigest(), "sha256_after": hashlib.sha256(after).hexdigest()},
            )  # fmt: skip
            write_atomically(self.config_path, after)
        self.config = config
        return True

    def _regex_refusal(self, pattern: str) -> str | None:
        """Why the database refuses ``pattern`` as the metrics will run it (None: it compiles)."""
        from groundswell.store.patterns import regex_refusal

        if self.store.dialect == "postgresql":
            from groundswell.query.postgres_dialect import postgres_regex

            pattern = postgres_regex(pattern)
        return regex_refusal(self.store, pattern)

    def data_versions(self) -> dict[str, str]:
        """What the database says of its own changes (a team database changed by other processes)."""
        return self.store.data_versions()

    @property
    def shared(self) -> bool:
        """Whether the data lives in a team's database server, where other processes write too."""
        return self.store.dialect != "duckdb"

    @property
    def location(self) -> str:
        """Where the data is, for people: the embedded file, or the database URL without its password."""
        return self.store.location

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]:
        """The stored posts with this id (on ``platform``, else on any), with their newest enrichment."""
        return self.store.lookup_posts(post_id, platform=platform)

    def imports(self) -> list[dict[str, Any]]:
        """Every import, oldest first: file, format, status and its counts."""
        return self.store.imports()

    def summary(self, *, with_counts: bool = True) -> WorkspaceSummary:
        """What the workspace holds, with its thread counts over every post (``counts``; they rebuild the
        threads, which ``with_counts=False`` skips)."""
        summary = self.store.summary()
        return replace(summary, counts=self.counts()) if with_counts else summary

    def counts(self, *, period: Period | None = None, model_version: str | None = None) -> ThreadCounts:
        """Threads, replied, unanswered and waiting, as of the data's end or now (``groundswell.threads.counts``):
        the numbers ``status``, the metrics, the report, the inbox and the API all show."""
        from groundswell.threads.counts import thread_counts

        with self.computing(period=period, model_version=model_version) as sources:
            return thread_counts(sources)

    def enrich(
        self,
        model: str | Path = "fast",
        *,
        force: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        workers: int | None = None,
        progress: EnrichProgress | None = None,
    ) -> EnrichReport:
        """Classify every post not yet classified by ``model``'s version (all of them with ``force``).

        ``model`` is a shipped tier (``fast``, ``accurate``), ``workspace`` (the newest
        tier ``train_from_corrections`` wrote), a model directory or a Hugging Face model
        (see ``groundswell.enrich.registry``).
        ``workers``: processes classifying batches (default: one per core, at
        most two, from ``PARALLEL_MIN_POSTS`` posts to classify on; a Hugging
        Face or other multi-threaded model always runs in this process). A
        script calling this with more than one worker must guard its top level
        with ``if __name__ == "__main__":`` (worker processes import it again).
        A Hugging Face model with sentiment labels only gets its complaint
        scores from the fast tier, and the report's ``notes`` say so.
        """
        from groundswell.enrich.registry import resolve_enrich_models
        from groundswell.enrich.stage import enrich_posts
        from groundswell.enrich.workspace_models import WORKSPACE_TIER, latest_workspace_model

        if model == WORKSPACE_TIER:
            model = latest_workspace_model(self.path)
        models = resolve_enrich_models(model)
        elsewhere = self._classify_on_spark(models, str(model)) if self.engine.kind == "spark" else None
        report = enrich_posts(
            self.store,
            self.config,
            sentiment=models.sentiment,
            complaint=models.complaint,
            subject=models.subject,
            model=str(model),
            force=force,
            batch_size=batch_size,
            progress=progress,
            sentiment_model=models.sentiment_model,
            complaint_model=models.complaint_model,
            workers=1 if models.in_process else workers,
            elsewhere=elsewhere,
        )
        from groundswell.threads.stored import refresh_after_write

        refresh_after_write(self.store, self.config)
        if report.enriched:
            self._keep_location_days()
        return replace(report, notes=[*report.notes, *models.notes])

    def _classify_on_spark(self, models: EnrichModels, model: str) -> Callable[[str], ClassifyBatches]:
        """Where the enrich stage classifies on the spark engine: the executors, loading the models by name."""
        from groundswell.enrich.on_spark import classify_on_spark

        if models.in_process or models.sentiment_model is None or models.complaint_model is None:
            raise UsageError(
                "the spark engine classifies with models its executors load by name (fast, accurate, a model"
                " directory they can read); this model runs in this process only: use --engine workspace"
            )
        names = (str(models.sentiment_model), str(models.complaint_model))

        def on_spark(version: str) -> ClassifyBatches:  # asked for only when there are posts to classify
            return classify_on_spark(self._spark_session(), names, self.config.campaigns, model, version)

        return on_spark

    def train_from_corrections(
        self,
        tasks: Sequence[str] | None = None,
        *,
        actor: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> CorrectionsTraining:
        """Adapt the shipped fast tier to this workspace's label corrections (``tasks``: some of sentiment,
        complaint, subject; default all) as a new model version in ``models/fast+ws<N>`` here; the shipped
        models are never written. ``enrich(model="workspace")`` then uses it. See
        ``groundswell.enrich.workspace_models``. ``actor``: the signed-in person, named in the audit log."""
        from groundswell.enrich.base import ADAPTED_TASKS
        from groundswell.enrich.workspace_models import train_from_corrections

        trained = train_from_corrections(self.store, self.path, tasks or ADAPTED_TASKS, progress=progress)
        if actor is not None:
            self.accounts.record(
                actor=actor, action="models.train", target=trained.out.name,
                detail={"versions": trained.versions,
                        "corrections": {task: r.corrections for task, r in trained.records.items()}},
            )  # fmt: skip
        return trained

    def trained_models(self) -> list[TrainedTier]:
        """The fast-tier versions trained from this workspace's corrections, newest first."""
        from groundswell.enrich.workspace_models import trained_tiers

        return trained_tiers(self.path)

    def correction_counts(self) -> dict[str, int]:
        """Posts with a label correction per task that training from corrections learns (sentiment,
        complaint from intent corrections, subject)."""
        from groundswell.enrich.workspace_models import correction_counts

        return correction_counts(self.store)


@dataclass(frozen=True, slots=True)
class ReplyAndItem:
    """A reply sent through a connected account, and the inbox item it marked sent."""

    sent: SentReply
    item: ItemState

    def as_dict(self) -> dict[str, Any]:
        return {**self.sent.as_dict(), "item": self.item.as_dict()}


@dataclass(frozen=True, slots=True)
class PendingReply:
    """A reply recorded as ``sending`` (``Workspace.begin_reply`` or ``retry_reply``) and not yet delivered."""

    prepared: PreparedReply
    send: ReplySend
    actor: str

    def deliver(self, *, connector: Any = None) -> Delivery:
        """Call the platform with the send's idempotency key. Touches no store: hold no database lock."""
        from groundswell.connect import deliver_reply

        return deliver_reply(self.prepared, idempotency_key=self.send.send_key, connector=connector)
