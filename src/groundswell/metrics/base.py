"""What every metric family shares: the inputs (ibis tables on any engine) and the typed result.

A metric is written once, as an ibis expression over ``Sources``; the same
expression runs on the embedded DuckDB workspace and on Spark (see
``metrics.engines``). Results come back as ``MetricValue`` rows: the value
with its numerator and denominator, the model version of the enrichment it
used (None when no classifier was involved), the period and the group
(``--by``) it describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from groundswell.config import WorkspaceConfig

if TYPE_CHECKING:
    import ibis.expr.types as ir

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


@dataclass(frozen=True)
class Sources:
    """The tables a metric reads, on one engine.

    ``posts``: the workspace's posts table (columns as in store/schema.py), limited to the period.
    ``enrichments``: the enrichment rows of one model version (``model_version``), or None when the
    workspace has not been enriched; a metric that needs it raises ``MetricUnavailable``.
    """

    posts: ir.Table
    enrichments: ir.Table | None
    model_version: str | None
    config: WorkspaceConfig
    period: Period = field(default_factory=Period)
