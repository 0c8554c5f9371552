"""The metric families of DESIGN's "Metric definitions", one module each, and their registry.

``METRIC_FAMILIES`` maps the name ``groundswell metrics NAME`` takes to the family's function. A family is
called as ``family(sources, by=by)``: ``sources`` is a ``Sources`` (``Workspace.sources()``, or
``groundswell.query.spark_sources``), ``by`` one of ``BY_CHOICES`` or None (the family raises ``UsageError`` for a ``by`` it
does not support), and it returns a list of rows, each with ``as_dict()`` (one JSON object per row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from groundswell.metrics.base import BY_CHOICES, MetricValue, ratio
from groundswell.metrics.denominators import per_denominator
from groundswell.metrics.goals import goal_attainment
from groundswell.metrics.help import HelpFigures, help_figures
from groundswell.metrics.marketing import marketing
from groundswell.metrics.participation import participation
from groundswell.metrics.peers import BrandCard, brand_scorecards, compare_with_peers, share_of_voice
from groundswell.metrics.relationships import relationships
from groundswell.metrics.reply_times import PER_CHOICES, ReplyTimes, reply_times
from groundswell.metrics.response import ResponseFigures, fairness, response
from groundswell.metrics.spikes import detect_spikes
from groundswell.metrics.subject import subject_shares
from groundswell.metrics.voice import conversation_ratio
from groundswell.query import Sources


class MetricRow(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


class MetricFamily(Protocol):
    def __call__(self, sources: Sources, /, *, by: str | None = None) -> Sequence[MetricRow]: ...


def _spikes(sources: Sources, *, by: str | None = None) -> Sequence[MetricRow]:
    """Unusual surges of inbound posts, each labelled campaign-driven or organic, with the posts behind it."""
    return [detect_spikes(sources, by=by)]


def _denominators(sources: Sources, *, by: str | None = None) -> Sequence[MetricRow]:
    """Counts per business denominator from the config: fans per store, complaints per 1,000 orders."""
    return [per_denominator(sources, by=by)]


METRIC_FAMILIES: dict[str, MetricFamily] = {
    "response": response,
    "help": help_figures,
    "subject": subject_shares,
    "voice": conversation_ratio,
    "share_of_voice": share_of_voice,
    "participation": participation,
    "relationships": relationships,
    "marketing": marketing,
    "denominators": _denominators,
    "fairness": fairness,
    "spikes": _spikes,
    "goals": goal_attainment,
}

__all__ = [
    "BY_CHOICES",
    "PER_CHOICES",
    "BrandCard",
    "ReplyTimes",
    "brand_scorecards",
    "compare_with_peers",
    "reply_times",
    "share_of_voice",
    "METRIC_FAMILIES",
    "HelpFigures",
    "MetricFamily",
    "MetricRow",
    "MetricValue",
    "ResponseFigures",
    "conversation_ratio",
    "detect_spikes",
    "fairness",
    "goal_attainment",
    "help_figures",
    "marketing",
    "participation",
    "per_denominator",
    "ratio",
    "relationships",
    "response",
    "subject_shares",
]
