"""The scorecard: is the brand good at social media, or only at social media marketing?

DESIGN, "Metric definitions": **Scorecard**: a *social media index*
(experience share and sentiment, response rate and time, help rate,
conversation ratio, relationships) and a *social media marketing index* (buzz
volume, engagement on broadcast posts, follower growth), each 0-100 with its
components and weights shown, placed on a quadrant: high both, marketing only,
social only, neither.

How an index is made:

- each component is one raw figure of a metric family (``COMPONENTS``);
- its *score* (0-100) places the raw value between ``bad`` (0) and ``good``
  (100), linearly, or linearly in the logarithm for figures that span orders
  of magnitude (response time, volumes, engagement); values beyond either end
  are held at 0 or 100. ``bad`` above ``good`` means lower is better;
- the index is the weighted mean of the scores of the components that have a
  value; a component without one (nothing to measure, no enrichments) is
  shown with its reason and left out of the mean, so it neither helps nor
  hurts. An index with no component that has a value is None;
- an index is *high* at or above ``[scorecard] high`` (default 50), and the
  quadrant follows from the two.

Weights and the bad/good ends are defaults chosen from what the figures mean
(e.g. a first response within 1 h is good practice, a day is bad); a workspace
overrides any of them under ``[scorecard.components.NAME]`` (``weight``, ``bad``,
``good``; weight 0 leaves a component out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.base import MetricValue
from groundswell.metrics.frames import check_by
from groundswell.metrics.goals import resolve_kpi
from groundswell.query import Period, Sources

SOCIAL = "social_media"
MARKETING = "social_media_marketing"
QUADRANTS = {
    (True, True): "both high",
    (False, True): "marketing only",
    (True, False): "social only",
    (False, False): "neither",
}


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """One component: which index, which figure (a KPI metric name, ``goals.resolve_kpi``), its default weight
    and the raw values scoring 0 and 100."""

    name: str
    index: str
    label: str
    weight: float
    bad: float
    good: float
    log: bool = False


COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec("experience_share", SOCIAL, "experience share", 1.0, 0.3, 0.8),
    ComponentSpec("experience_net_sentiment", SOCIAL, "experience net sentiment", 1.0, -0.5, 0.5),
    ComponentSpec("response_rate", SOCIAL, "response rate", 1.5, 0.2, 0.9),
    ComponentSpec("first_response_median_hours", SOCIAL, "first response median (h)", 1.0, 24.0, 1.0, log=True),
    ComponentSpec("help_rate", SOCIAL, "help rate", 1.5, 0.3, 0.9),
    ComponentSpec("conversation_ratio", SOCIAL, "conversation ratio", 1.0, 0.2, 0.8),
    ComponentSpec("returning_customer_share", SOCIAL, "returning customers", 0.5, 0.05, 0.4),
    ComponentSpec("friend_share", SOCIAL, "friends", 0.5, 0.01, 0.2),
    ComponentSpec("buzz_per_day", MARKETING, "buzz posts per day", 1.0, 1.0, 100.0, log=True),
    ComponentSpec(
        "broadcast_engagement",
        MARKETING,
        "engagement per broadcast",
        1.0,
        1.0,
        1000.0,
        log=True,
    ),
    ComponentSpec("follower_growth_per_month", MARKETING, "follower growth / 30 days", 1.0, 0.0, 0.05),
)
COMPONENT_NAMES = tuple(c.name for c in COMPONENTS)


@dataclass(frozen=True, slots=True)
class Component:
    """One component as scored: its settings, raw figure and score (None, with ``note``, when it has no value)."""

    name: str
    label: str
    weight: float
    bad: float
    good: float
    log: bool
    figure: MetricValue | None
    score: float | None
    note: str | None = None

    @property
    def raw(self) -> float | None:
        return None if self.figure is None else self.figure.value

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "weight": self.weight,
            "bad": self.bad,
            "good": self.good,
            "scale": "log" if self.log else "linear",
            "raw": self.raw,
            "score": self.score,
            "figure": self.figure.as_dict() if self.figure else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Index:
    """One index: the weighted mean of its scored components (None when none has a value)."""

    name: str
    value: float | None
    high: bool | None
    components: tuple[Component, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "high": self.high,
            "components": [c.as_dict() for c in self.components],
        }


@dataclass(frozen=True, slots=True)
class Scorecard:
    """Both indices and the quadrant they place the brand in (``unknown`` when an index has no value)."""

    social: Index
    marketing: Index
    quadrant: str
    threshold: float
    model_version: str | None
    period: Period = field(default_factory=Period)

    def as_dict(self) -> dict[str, Any]:
        return {
            "quadrant": self.quadrant,
            "social_media_index": self.social.value,
            "social_media_marketing_index": self.marketing.value,
            "threshold": self.threshold,
            "indices": [self.social.as_dict(), self.marketing.as_dict()],
            "model_version": self.model_version,
            "period": self.period.as_dict(),
        }


def score(value: float, bad: float, good: float, *, log: bool = False) -> float:
    """``value`` placed between ``bad`` (0) and ``good`` (100), held within 0-100.

    ``log``: in the logarithm of the values (which must then be positive; a value of 0 or less scores as
    the lowest possible value).
    """
    if log:
        if bad <= 0 or good <= 0:
            raise UsageError(f"a log-scale component needs positive bad and good values, not {bad} and {good}")
        if value <= 0:
            return 0.0 if good > bad else 100.0
        value, bad, good = math.log(value), math.log(bad), math.log(good)
    share = (value - bad) / (good - bad)
    return 100.0 * min(1.0, max(0.0, share))


def component_specs(sources: Sources) -> list[ComponentSpec]:
    """``COMPONENTS`` with the workspace's ``[scorecard.components.NAME]`` overrides applied."""
    overrides = sources.config.scorecard.components
    unknown = sorted(set(overrides) - set(COMPONENT_NAMES))
    if unknown:
        raise UsageError(
            f"groundswell.toml [scorecard.components.{unknown[0]}]: no scorecard component named {unknown[0]!r}; "
            f"known: {', '.join(COMPONENT_NAMES)}"
        )
    specs = []
    for spec in COMPONENTS:
        o = overrides.get(spec.name)
        if o is not None:
            bad = spec.bad if o.bad is None else o.bad
            good = spec.good if o.good is None else o.good
            if bad == good:
                raise UsageError(
                    f"groundswell.toml [scorecard.components.{spec.name}]: bad and good must differ ({bad})"
                )
            if spec.log and (bad <= 0 or good <= 0):
                raise UsageError(
                    f"groundswell.toml [scorecard.components.{spec.name}]: this component is scored on a log "
                    f"scale, so bad and good must be above 0 (not {bad} and {good})"
                )
            spec = ComponentSpec(
                spec.name, spec.index, spec.label, spec.weight if o.weight is None else o.weight, bad, good, spec.log
            )  # fmt: skip
        specs.append(spec)
    return specs


def scorecard(sources: Sources, *, by: str | None = None) -> list[Scorecard]:
    """The social media index, the social media marketing index (0-100) and the quadrant, brand-wide.

    DESIGN: "a *social media index* (experience share and sentiment, response rate and time, help rate,
    conversation ratio, relationships) and a *social media marketing index* (buzz volume, engagement on
    broadcast posts, follower growth), each 0-100 with its components and weights shown, placed on a
    quadrant: high both, marketing only, social only, neither." See the module docstring for the scoring.

    Each component is the KPI metric of its name (``goals.resolve_kpi``: the same figure a goal names),
    each family computed once. A figure that cannot be had (``MetricUnavailable``: no enrichments) leaves
    its component without a value, with the reason. ``by``: brand-wide only; any ``by`` is refused.
    """
    check_by(by, (), "the scorecard")
    specs = component_specs(sources)
    memo: dict[str, Any] = {}  # each family computed once, whatever number of components it gives
    threshold = sources.config.scorecard.high
    indices = {name: _index(sources, name, [s for s in specs if s.index == name], memo, threshold)
               for name in (SOCIAL, MARKETING)}  # fmt: skip
    social, market = indices[SOCIAL], indices[MARKETING]
    quadrant = "unknown" if social.high is None or market.high is None else QUADRANTS[(social.high, market.high)]
    return [
        Scorecard(
            social=social,
            marketing=market,
            quadrant=quadrant,
            threshold=threshold,
            model_version=sources.model_version if sources.enrichments is not None else None,
            period=sources.period,
        )
    ]


def _index(sources: Sources, name: str, specs: list[ComponentSpec], memo: dict[str, Any], threshold: float) -> Index:
    components = []
    for spec in specs:
        figure: MetricValue | None = None
        note: str | None = None
        if spec.weight == 0:
            note = "weight 0: left out"
        else:
            try:
                figure = resolve_kpi(sources, spec.name, memo=memo)
            except MetricUnavailable as exc:
                note = str(exc)
            if figure is not None and figure.value is None:
                note = "no value in this period (nothing to measure)"
        value = None if figure is None else figure.value
        points = None if value is None or spec.weight == 0 else score(value, spec.bad, spec.good, log=spec.log)
        components.append(
            Component(spec.name, spec.label, spec.weight, spec.bad, spec.good, spec.log, figure, points, note)
        )
    weighted = [(c.weight, c.score) for c in components if c.score is not None and c.weight > 0]
    total = sum(w for w, _ in weighted)
    value = sum(w * s for w, s in weighted) / total if total else None
    return Index(name, value, None if value is None else value >= threshold, tuple(components))


__all__ = ["COMPONENTS", "Component", "ComponentSpec", "Index", "Scorecard", "component_specs", "score", "scorecard"]
