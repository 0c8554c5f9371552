"""Business outcomes as figures: an outcome's brand-wide value for a goal's KPI, and the brands' per-brand
outcomes side by side (the seeds' Nordstrom: fewer fans than two rivals, more per store, a stock that held).

The values are those ``groundswell outcomes import`` stored (the ``outcomes`` table), read on the sources'
own engine, so the figures are the same on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from groundswell.metrics.base import MetricValue, ratio
from groundswell.query import Sources, rows


def outcome_values(src: Sources, metric: str | None = None) -> list[dict[str, Any]]:
    """The stored outcome values (of ``metric``, else all): metric, granularity, period_start (a date),
    location and brand (``''`` where none) and value, in that key order; none where the sources carry no
    outcomes (``Sources.outcomes``). Read once per ``Sources`` (the report's section, its goals and the brands
    compared each ask), each caller given its own rows."""
    if src.outcomes is None:
        return []
    every: list[dict[str, Any]] | None = src.memo.get("outcome_values")
    if every is None:
        table = src.outcomes.select("metric", "granularity", "period_start", "location", "brand", "value")
        every = rows(table.order_by(["metric", "granularity", "period_start", "location", "brand"]))
        for row in every:
            row["period_start"] = _day(row["period_start"])
            row["value"] = float(row["value"])
        src.memo["outcome_values"] = every
    return [dict(row) for row in every if metric is None or row["metric"] == metric]


def in_figures_period(values: list[dict[str, Any]], src: Sources) -> list[dict[str, Any]]:
    """The values whose period starts inside the sources' period."""
    since = src.period.since.date() if src.period.since else None
    until = src.period.until.date() if src.period.until else None
    return [
        v
        for v in values
        if (since is None or v["period_start"] >= since) and (until is None or v["period_start"] < until)
    ]


def outcome_kpi(src: Sources, name: str) -> MetricValue | None:
    """The brand-wide value of the outcome ``name`` over the period, for a goal's KPI; None when no
    ``[[outcomes]]`` is named so (the name is then no outcome).

    Per period of the imported granularity (week, month...), the stores' and the brand's values are combined
    with the outcome's ``aggregation`` (added up for ``sum``; averaged for ``mean`` and ``last``); the KPI is
    the mean of those periods (sales per week: numerator the total, denominator the periods), or for ``last``
    (a share price) the latest period's. Values of another brand (a peer's share price) are left out."""
    spec = next((s for s in src.config.outcomes if s.name == name), None)
    if spec is None:
        return None
    own = {"", src.brand_name.casefold()}
    values = [v for v in in_figures_period(outcome_values(src, name), src) if v["brand"].casefold() in own]
    if not values:
        return MetricValue(name, None, unit=spec.unit, period=src.period)
    granularity = max((v["granularity"] for v in values), key=_GRAIN.index)
    per_period: dict[date, list[float]] = {}
    for v in values:
        if v["granularity"] == granularity:
            per_period.setdefault(v["period_start"], []).append(v["value"])
    combined = {
        start: sum(found) if spec.aggregation == "sum" else sum(found) / len(found)
        for start, found in per_period.items()
    }
    if spec.aggregation == "last":
        latest = max(combined)
        return MetricValue(name, combined[latest], unit=f"{spec.unit}, {granularity} of {latest}", period=src.period)
    total = sum(combined.values())
    unit = f"{spec.unit} per {granularity}".strip()
    return MetricValue(name, ratio(total, len(combined)), total, len(combined), unit, period=src.period)


_GRAIN = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class BrandOutcome:
    """One brand's per-brand outcome over the period: its first and last value and the change between."""

    metric: str
    brand: str
    first_period: date
    first: float
    last_period: date
    last: float

    @property
    def change(self) -> float | None:
        """last / first − 1 (None when the first value is 0)."""
        return ratio(self.last - self.first, abs(self.first)) if self.first else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "brand": self.brand,
            "first_period": self.first_period.isoformat(),
            "first": self.first,
            "last_period": self.last_period.isoformat(),
            "last": self.last,
            "change": self.change,
        }


def brand_outcomes(src: Sources) -> list[BrandOutcome]:
    """Every per-brand outcome (imported with a ``brand``, e.g. a share price), each brand's first and last
    value inside the period, by metric and brand."""
    per: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for v in in_figures_period(outcome_values(src), src):
        if v["brand"] and not v["location"]:
            per.setdefault((v["metric"], v["brand"]), []).append(v)
    out = []
    for (metric, brand), found in sorted(per.items()):
        found.sort(key=lambda v: v["period_start"])
        first, last = found[0], found[-1]
        out.append(BrandOutcome(metric, brand, first["period_start"], first["value"], last["period_start"],
                                last["value"]))  # fmt: skip
    return out


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
