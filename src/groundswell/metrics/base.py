"""What every metric family shares: the typed result, and the ``--by`` choices.

A metric is written once, as an ibis expression over ``Sources`` (``groundswell.query``); the same
expression runs on the embedded DuckDB workspace, PostgreSQL and Spark. Results come back as
``MetricValue`` rows: the value with its numerator and denominator, the model version of the enrichment it
used (None when no classifier was involved), the period and the group (``--by``) it describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from groundswell.query.period import Period

BY_CHOICES = ("account", "platform", "location", "month", "follower_band")


@dataclass(frozen=True, slots=True)
class Interval:
    """A 95% interval for a figure's true value, and how it was made (``metrics.intervals``)."""

    low: float
    high: float
    method: str

    def as_dict(self) -> dict[str, Any]:
        return {"ci_low": self.low, "ci_high": self.high, "ci_method": self.method}


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One figure: ``value`` = ``numerator`` / ``denominator`` where it is a rate or share.

    ``interval``: for a figure that rests on a classifier, the 95% interval of its true value (allowing for
    sampling and the classifier's measured errors); JSON gives it as ``ci_low`` / ``ci_high``."""

    metric: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    unit: str = ""
    model_version: str | None = None
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)
    interval: Interval | None = None

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
            **(self.interval.as_dict() if self.interval else {}),
        }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when the denominator is 0 or unknown (never a made-up 0)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
