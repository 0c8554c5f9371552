"""The verdict: one sentence that says what the scorecard says, each clause backed by its components.

The quadrant alone would say "people get answers" of a brand that answers 47% of the people who need it:
an index is high on the weighted mean of its components, and one strong component can carry a weak one.
So each clause of the sentence stands on the components it names:

- "people talk about their experience": experience share;
- "get answers": response rate;
- "and help": help rate;
- "the marketing draws buzz": the social media marketing index being high.

A component *meets* its target when its value does or, for a figure with a 95% interval (one that rests
on a classifier, ``metrics.intervals``), when the whole interval does; it is *below* when its value (its
whole interval) is below; it is *unsettled* when the interval straddles the target. The target is the workspace
goal's KPI target for that metric (``[[goals.kpis]]``, ``at_least``) when there is one, else the value its
scorecard component scores 50 at (halfway between its ``bad`` and ``good``). A clause is said only of
components that meet their target; otherwise the sentence names the weakest component (the furthest below
its target, relative to the target) with its figure and target, and lists the others below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from groundswell.config import WorkspaceConfig
from groundswell.formatting import percent

# component -> the clause it backs, and what is said when it falls short
CLAUSES: dict[str, tuple[str, str, str]] = {
    "experience_share": (
        "talk about their experience", "of customer posts are about the experience", "the experience share",
    ),
    "response_rate": ("get answers", "of the people who need a reply get one", "the response rate"),
    "help_rate": ("get help", "of the people answered say they were helped", "the help rate"),
}  # fmt: skip
MEETS, BELOW, UNSETTLED = "meets", "below", "unsettled"


@dataclass(frozen=True, slots=True)
class Check:
    """One component against its target."""

    name: str
    value: float
    target: float
    status: str
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def shortfall(self) -> float:
        return (self.target - self.value) / self.target if self.target else self.target - self.value

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "target": self.target, "status": self.status,
                "ci_low": self.ci_low, "ci_high": self.ci_high}  # fmt: skip


def kpi_targets(config: WorkspaceConfig) -> dict[str, float]:
    """The workspace's ``at_least`` KPI targets, by metric (the first goal naming a metric wins)."""
    out: dict[str, float] = {}
    for goal in config.goals:
        for kpi in goal.kpis:
            if kpi.direction == "at_least":
                out.setdefault(kpi.metric, kpi.target)
    return out


def check_components(card: Mapping[str, Any], targets: Mapping[str, float]) -> list[Check]:
    """Each clause's component in the scorecard (``Scorecard.as_dict()``) against its target."""
    found = {c["name"]: c for index in card.get("indices", ()) for c in index["components"]}
    checks = []
    for name in CLAUSES:
        component = found.get(name)
        if component is None or component.get("raw") is None:
            continue
        figure = component.get("figure") or {}
        value = float(component["raw"])
        target = targets.get(name, (component["bad"] + component["good"]) / 2)
        low, high = figure.get("ci_low"), figure.get("ci_high")
        lowest, highest = (value, value) if low is None or high is None else (low, high)
        status = MEETS if lowest >= target else BELOW if highest < target else UNSETTLED
        checks.append(Check(name, value, target, status, low, high))
    return checks


def _shortfall_text(check: Check) -> str:
    _, said, noun = CLAUSES[check.name]
    share = percent(check.value, 0)
    if check.status == UNSETTLED:
        return (
            f"{noun} ({share} counted; {percent(check.ci_low, 0)} to {percent(check.ci_high, 0)} allowing for the"
            f" classifier's errors) may be above or below its {percent(check.target, 0)} target"
        )
    lead = "fewer than half" if check.value < 0.5 and check.target > 0.5 else f"only {share}"
    figure = (
        f" ({share} against a target of {percent(check.target, 0)})"
        if lead == "fewer than half"
        else (f" (target {percent(check.target, 0)})")
    )
    return f"{lead} {said}{figure}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def verdict(brand: str, card: Mapping[str, Any] | None, targets: Mapping[str, float]) -> str:
    """The report's first sentence (see the module docstring)."""
    if not card or card.get("quadrant") not in ("both high", "social only", "marketing only", "neither"):
        return f"There is not enough data to place {brand} on the quadrant yet."
    quadrant = card["quadrant"]
    head = {
        "both high": f"{brand} scores high on social media and on social media marketing",
        "social only": f"{brand} scores high on social media, not on social media marketing",
        "marketing only": f"{brand} scores high on social media marketing only",
        "neither": f"{brand} scores high neither on social media nor on social media marketing yet",
    }[quadrant]
    checks = check_components(card, targets)
    met = [CLAUSES[c.name][0] for c in checks if c.status == MEETS]
    people = f"people {_join(met)}" if met else ""
    short = sorted((c for c in checks if c.status != MEETS), key=lambda c: (c.status == UNSETTLED, -c.shortfall))
    buzz = (
        "the marketing draws buzz"
        if quadrant in ("both high", "marketing only")
        else ("the marketing draws little buzz")
    )
    if not checks:
        social = "there are no figures yet on whether people get answers and help"
    elif not short:
        social = people
    else:
        weakest = _shortfall_text(short[0])
        social = f"{people}, but {weakest}" if met else weakest
        others = short[1:]
        if others:
            also = "; ".join(
                f"{CLAUSES[c.name][2].removeprefix('the ')} {percent(c.value, 0)} against {percent(c.target, 0)}"
                + (" (not settled)" if c.status == UNSETTLED else "")
                for c in others
            )
            social += f" (also short of target: {also})"
    return f"{head}: {social}; {buzz}."
