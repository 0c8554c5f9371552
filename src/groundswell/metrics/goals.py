"""Goal attainment: each business goal's KPIs against their targets.

DESIGN, "Metric definitions": **Goal attainment**: each business goal's KPIs
against their targets.

A KPI in the config names a metric (``[[goals.kpis]] metric = "experience_share"``).
Each name this module can compute has a resolver
(``Sources`` -> ``MetricValue``, brand-wide); per-denominator figures resolve by
pattern (``complaints_per_1000_orders``); a configured ``[[outcomes]]`` name (``sales``) resolves to the
outcome's brand-wide value per period (``outcome_figures.outcome_kpi``). Other code adds its own with
``register_kpi_metric``, or a caller passes ``resolvers=`` for one evaluation. A name nothing resolves is
reported as ``unknown_metric``, with the names that are known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from groundswell.config import Kpi
from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.base import MetricValue
from groundswell.metrics.denominators import COUNTS, count_values, parse_figure_name, resolve_figure
from groundswell.metrics.frames import check_by
from groundswell.metrics.help import ENRICH_NOTE as HELP_ENRICH_NOTE
from groundswell.metrics.help import help_figures
from groundswell.metrics.marketing import marketing
from groundswell.metrics.outcome_figures import outcome_kpi
from groundswell.metrics.participation import participation
from groundswell.metrics.relationships import relationships
from groundswell.metrics.response import ENRICH_NOTE as RESPONSE_ENRICH_NOTE
from groundswell.metrics.response import ResponseFigures, response
from groundswell.metrics.spikes import detect_spikes
from groundswell.metrics.subject import subject_shares
from groundswell.metrics.voice import conversation_ratio
from groundswell.query import Sources

KpiResolver = Callable[[Sources], MetricValue | None]
STATUSES = ("met", "missed", "no_data", "unavailable", "unknown_metric")


def _family(name: str, compute: Callable[[Sources], Any]) -> Callable[[Sources, dict[str, Any]], Any]:
    """A family's brand-wide result, computed once per evaluation."""

    def get(src: Sources, memo: dict[str, Any]) -> Any:
        if name not in memo:
            memo[name] = compute(src)
        return memo[name]

    return get


_SUBJECT = _family("subject", lambda src: subject_shares(src)[0])
_VOICE = _family("voice", lambda src: conversation_ratio(src)[0])
_PARTICIPATION = _family("participation", lambda src: participation(src)[0])
_RELATIONSHIPS = _family("relationships", lambda src: relationships(src)[0])
_SPIKES = _family("spikes", detect_spikes)
_RESPONSE = _family("response", lambda src: response(src, business_hours=False)[0])
_HELP = _family("help", lambda src: help_figures(src)[0])
_MARKETING = _family("marketing", lambda src: marketing(src)[0])


def _enriched(figure: MetricValue, notes: tuple[str, ...], note: str) -> MetricValue:
    """``figure``, or ``MetricUnavailable`` when the family said it lacked the enrichments (``note``)."""
    if note in notes:
        raise MetricUnavailable(note)
    return figure


def _hours(name: str, seconds: float | None, r: ResponseFigures) -> MetricValue:
    return MetricValue(
        name, None if seconds is None else seconds / 3600, unit="hours", period=r.period, denominator=r.timed_threads
    )


# name -> (family, how to take the figure from the family's result)
_BUILT_IN: dict[str, tuple[Callable[[Sources, dict[str, Any]], Any], Callable[[Any], MetricValue]]] = {
    "response_rate": (_RESPONSE, lambda r: _enriched(r.metrics()[1], r.notes, RESPONSE_ENRICH_NOTE)),
    "first_response_median_hours": (
        _RESPONSE,
        lambda r: _hours("first_response_median_hours", r.first_response_median_s, r),
    ),
    "first_response_p90_hours": (_RESPONSE, lambda r: _hours("first_response_p90_hours", r.first_response_p90_s, r)),
    "help_rate": (_HELP, lambda r: _enriched(r.metrics()[0], r.notes, HELP_ENRICH_NOTE)),
    "help_coverage": (_HELP, lambda r: _enriched(r.metrics()[1], r.notes, HELP_ENRICH_NOTE)),
    "sentiment_lift": (_HELP, lambda r: _enriched(r.metrics()[2], r.notes, HELP_ENRICH_NOTE)),
    "experience_share": (_SUBJECT, lambda r: r.experience.share),
    "experience_net_sentiment": (_SUBJECT, lambda r: r.experience.net_sentiment),
    "marketing_buzz_share": (_SUBJECT, lambda r: r.marketing_buzz.share),
    "marketing_buzz_net_sentiment": (_SUBJECT, lambda r: r.marketing_buzz.net_sentiment),
    "conversation_ratio": (_VOICE, lambda r: r.conversation_ratio),
    "top1_share": (_PARTICIPATION, lambda r: r.top1_share),
    "top10_share": (_PARTICIPATION, lambda r: r.top10_share),
    "gini": (_PARTICIPATION, lambda r: r.gini),
    "returning_customer_share": (_RELATIONSHIPS, lambda r: r.returning),
    "friend_share": (_RELATIONSHIPS, lambda r: r.friends),
    "buzz_per_day": (_MARKETING, lambda r: r.buzz_per_day),
    "broadcast_engagement": (_MARKETING, lambda r: r.broadcast_engagement),
    "follower_growth_per_month": (_MARKETING, lambda r: r.follower_growth_per_month),
    "spikes": (_SPIKES, lambda r: r.metrics()[0]),
    "campaign_spikes": (_SPIKES, lambda r: r.metrics()[1]),
    "organic_spikes": (_SPIKES, lambda r: r.metrics()[2]),
}
_REGISTERED: dict[str, KpiResolver] = {}


def register_kpi_metric(name: str, resolver: KpiResolver) -> None:
    """Let goals name ``name``: ``resolver(src)`` gives its brand-wide value (None: no data)."""
    if not name or not name.replace("_", "").isalnum():
        raise UsageError(f"a KPI metric name is letters, digits and underscores, not {name!r}")
    _REGISTERED[name] = resolver


def kpi_metric_names(extra: Mapping[str, KpiResolver] | None = None) -> list[str]:
    """Every KPI metric name resolved by name (per-denominator figures resolve by pattern besides)."""
    return sorted({*_BUILT_IN, *_REGISTERED, *(extra or {})})


def _unknown(name: str, src: Sources, extra: Mapping[str, KpiResolver] | None) -> str:
    denominators = ", ".join(src.config.denominators) or "none configured"
    outcomes = ", ".join(o.name for o in src.config.outcomes) or "none configured"
    return (
        f"no metric named {name!r}. Known: {', '.join(kpi_metric_names(extra))}; and COUNT_per_[N_]DENOMINATOR "
        f"with COUNT one of {', '.join(COUNTS)} and DENOMINATOR one of [denominators] ({denominators}), "
        f"e.g. complaints_per_1000_orders; and the [[outcomes]] ({outcomes})"
    )


def resolve_kpi(
    src: Sources,
    name: str,
    *,
    resolvers: Mapping[str, KpiResolver] | None = None,
    memo: dict[str, Any] | None = None,
) -> MetricValue | None:
    """The brand-wide value of the KPI metric ``name``.

    Looks in ``resolvers``, then the registered ones, then the built-in names, then the per-denominator
    pattern, then the configured ``[[outcomes]]``. Raises ``UsageError`` for a name nothing resolves (the message lists the known ones), and
    ``MetricUnavailable`` from a family that lacks its data (e.g. no enrichments).
    """
    memo = {} if memo is None else memo
    if resolvers and name in resolvers:
        return resolvers[name](src)
    if name in _REGISTERED:
        return _REGISTERED[name](src)
    if name in _BUILT_IN:
        family, pick = _BUILT_IN[name]
        return pick(family(src, memo))
    if parse_figure_name(name, src.config.denominators) is not None:
        if "denominators" not in memo:
            memo["denominators"] = count_values(src)[""]
        return resolve_figure(src, name, memo["denominators"])
    if any(o.name == name for o in src.config.outcomes):
        return outcome_kpi(src, name)
    raise UsageError(_unknown(name, src, resolvers))


@dataclass(frozen=True, slots=True)
class KpiResult:
    """One KPI: its target, its value and whether it is met.

    ``status``: ``met``, ``missed``, ``no_data`` (the metric has no value, e.g. nothing to divide by),
    ``unavailable`` (the workspace lacks what it needs: ``note`` says what) or ``unknown_metric``.
    ``gap`` = value − target (positive is better for ``at_least``, negative for ``at_most``).
    """

    metric: str
    target: float
    direction: str
    value: MetricValue | None
    status: str
    met: bool | None
    gap: float | None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "target": self.target,
            "direction": self.direction,
            "value": self.value.value if self.value else None,
            "figure": self.value.as_dict() if self.value else None,
            "status": self.status,
            "met": self.met,
            "gap": self.gap,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class GoalResult:
    """A goal and its KPIs. ``attained``: all met (True), one missed (False), else unknown (None)."""

    name: str
    kpis: tuple[KpiResult, ...]

    @property
    def met(self) -> int:
        return sum(1 for k in self.kpis if k.met)

    @property
    def attained(self) -> bool | None:
        if any(k.met is False for k in self.kpis):
            return False
        return True if all(k.met for k in self.kpis) else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "goal": self.name,
            "attained": self.attained,
            "kpis_met": self.met,
            "kpis": [k.as_dict() for k in self.kpis],
        }


def evaluate_kpi(
    src: Sources,
    kpi: Kpi,
    *,
    resolvers: Mapping[str, KpiResolver] | None = None,
    memo: dict[str, Any] | None = None,
) -> KpiResult:
    """One KPI against its target: never raises for a missing metric or missing data, it reports them."""
    common: dict[str, Any] = {"metric": kpi.metric, "target": kpi.target, "direction": kpi.direction}
    try:
        value = resolve_kpi(src, kpi.metric, resolvers=resolvers, memo=memo)
    except UsageError as exc:
        return KpiResult(**common, value=None, status="unknown_metric", met=None, gap=None, note=str(exc))
    except MetricUnavailable as exc:
        return KpiResult(**common, value=None, status="unavailable", met=None, gap=None, note=str(exc))
    if value is None or value.value is None:
        return KpiResult(**common, value=value, status="no_data", met=None, gap=None, note="the metric has no value")
    met = value.value >= kpi.target if kpi.direction == "at_least" else value.value <= kpi.target
    return KpiResult(**common, value=value, status="met" if met else "missed", met=met, gap=value.value - kpi.target)


def goal_attainment(
    src: Sources, *, by: str | None = None, resolvers: Mapping[str, KpiResolver] | None = None
) -> list[GoalResult]:
    """Each configured goal's KPIs against their targets.

    DESIGN: "**Goal attainment**: each business goal's KPIs against their
    targets."

    Each ``[[goals]]``'s ``[[goals.kpis]]`` (``metric``, ``target``, ``direction`` ``at_least`` or
    ``at_most``) is resolved brand-wide over the period (``resolve_kpi``) and compared with its target: met
    when value >= target (``at_least``) or value <= target (``at_most``). A KPI naming an unknown metric,
    or one the workspace cannot compute yet, is reported with its status and a note, never raised. Each
    family is computed once however many KPIs use it. Goals in config order; [] when none is configured.

    ``by``: goals are brand-wide; any ``by`` is refused.
    """
    check_by(by, (), "goals")
    memo: dict[str, Any] = {}
    return [
        GoalResult(goal.name, tuple(evaluate_kpi(src, kpi, resolvers=resolvers, memo=memo) for kpi in goal.kpis))
        for goal in src.config.goals
    ]
