"""The metric families of DESIGN's "Metric definitions", one module each, and their registry.

``METRIC_FAMILIES`` maps the name ``groundswell metrics NAME`` takes to the family's function. A family is
called as ``family(sources, by=by)``: ``sources`` is a ``Sources`` (``metrics.engines.duckdb_sources`` or
``spark_sources``), ``by`` one of ``BY_CHOICES`` or None (the family raises ``UsageError`` for a ``by`` it
does not support), and it returns a list of rows, each with ``as_dict()`` (one JSON object per row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from groundswell.metrics.base import BY_CHOICES, MetricValue, Period, Sources, ratio
from groundswell.metrics.engines import duckdb_sources, spark_sources
from groundswell.metrics.response import ResponseFigures, fairness, response


class MetricRow(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


class MetricFamily(Protocol):
    def __call__(self, sources: Sources, *, by: str | None = None) -> Sequence[MetricRow]: ...


METRIC_FAMILIES: dict[str, MetricFamily] = {
    "response": response,
    "fairness": fairness,
}

__all__ = [
    "BY_CHOICES",
    "METRIC_FAMILIES",
    "MetricFamily",
    "MetricRow",
    "MetricValue",
    "Period",
    "ResponseFigures",
    "Sources",
    "duckdb_sources",
    "fairness",
    "ratio",
    "response",
    "spark_sources",
]
