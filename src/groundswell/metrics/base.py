"""What every metric family shares: the inputs (ibis tables on any engine) and the typed result.

A metric is written once, as an ibis expression over ``Sources``; the same
expression runs on the embedded DuckDB workspace and on Spark (see
``metrics.engines``). Results come back as ``MetricValue`` rows: the value
with its numerator and denominator, the model version of the enrichment it
used (None when no classifier was involved), the period and the group
(``--by``) it describes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from groundswell.config import WorkspaceConfig
from groundswell.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from groundswell.store.duckdb import DuckDBStore

BY_CHOICES = ("account", "platform", "location", "month", "follower_band")


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive ``since``, exclusive ``until``, both UTC; None is open-ended."""

    since: datetime | None = None
    until: datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_period(since: str | None, until: str | None) -> Period:
    """The period two ``YYYY-MM-DD`` days or ISO date-times name, in UTC (an offset is converted, a bare time is
    UTC); a bare date as ``until`` includes that whole day. ``UsageError`` for what is no date, and for an
    ``until`` not after ``since``. The one reading of ``--since``/``--until`` for the CLI and the web app."""

    def moment(value: str | None, *, end: bool) -> datetime | None:
        if not value:
            return None
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{value!r} is not a date (YYYY-MM-DD) or an ISO date-time") from None
        if found.tzinfo is not None:
            found = found.astimezone(UTC).replace(tzinfo=None)
        if end and _DATE.match(value):
            found += timedelta(days=1)
        return found

    period = Period(moment(since, end=False), moment(until, end=True))
    if period.since and period.until and period.until <= period.since:
        raise UsageError("--until must be after --since")
    return period


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One figure: ``value`` = ``numerator`` / ``denominator`` where it is a rate or share."""

    metric: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    unit: str = ""
    model_version: str | None = None
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "model_version": self.model_version,
            "period": self.period.as_dict(),
            **({"group": self.group} if self.group else {}),
        }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when the denominator is 0 or unknown (never a made-up 0)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


class Engine(Protocol):
    """What a metric may ask of the engine beneath ``Sources`` (see ``metrics.engines``)."""

    name: str

    def materialize(self, table: ir.Table) -> ir.Table:
        """Compute ``table`` now and keep it (a temp table, a cached DataFrame) until ``close()``."""
        ...

    def release(self, table: ir.Table) -> None:
        """Drop a table ``materialize`` returned, before ``close()`` (a no-op for any other table)."""
        ...

    def close(self) -> None: ...


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
            import ibis

            from groundswell.metrics.engines import IbisEngine

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
