"""The report's section "Does social media move the business?": a business outcome beside the social figures.

From one ``Sources`` (the report's engine and period), as JSON-ready dicts:

- the outcomes analysis (``metrics.outcomes``) of a per-store outcome: which side of the scorecard goes with
  it, and per social figure its strongest lagged relationship within stores (interval, corrected p-value)
  beside the comparison across stores at the same lag; the same numbers as ``groundswell metrics outcomes``;
- per store, the outcome and one social figure over time (the small multiples);
- the brand's fans in total and per store (the seeds' Nordstrom: fewer fans than two rivals, more per store);
- with per-brand outcomes (a share price per brand), each brand's change over the period beside its fans.

Without any outcome imported the section holds only ``missing``: the command that imports them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from groundswell.metrics.base import ratio
from groundswell.metrics.outcome_figures import brand_outcomes, outcome_values
from groundswell.metrics.outcomes import (
    DEFAULT_MAX_LAG,
    OutcomesAnalysis,
    Relationship,
    aggregate_outcome,
    analyse_outcome,
    as_grid,
    lagged,
    outcome_frame,
)
from groundswell.metrics.participation import brand_audience
from groundswell.metrics.social_panel import FIGURE_UNITS, MARKETING_FIGURES, Granularity, social_panel
from groundswell.query import Sources

NO_OUTCOMES = (
    "No business outcome imported yet: `groundswell outcomes import FILE` reads sales, visits or NPS per store "
    "and week (CSV or Parquet, docs/outcomes.md) and sets them beside the social figures."
)
DEFAULT_FIGURE = "experience_net_sentiment"
"""The figure drawn beside the outcome when no relationship stands out: what customers say of their visits."""
FIGURE_LABELS = {
    "experience_posts": "experience posts",
    "experience_net_sentiment": "experience net sentiment",
    "complaints": "complaints",
    "response_rate": "response rate",
    "marketing_buzz_posts": "marketing-buzz posts",
    "marketing_buzz_net_sentiment": "marketing-buzz net sentiment",
}


def outcomes_section(sources: Sources, *, max_lag: int = DEFAULT_MAX_LAG) -> dict[str, Any]:
    """The section's figures; only ``missing`` (how to import them) when no outcome is imported."""
    values = outcome_values(sources)
    if not values:
        return {"missing": NO_OUTCOMES}
    fans = fans_per_store(sources)
    section: dict[str, Any] = {
        "fans": fans,
        "configured": [o.name for o in sources.config.outcomes],  # the names a goal's KPI may give
        **_brands(sources, fans["stores"]),
    }
    per_store = [v for v in values if v["location"]]
    names = _store_outcomes(sources, per_store)
    section["outcomes"] = names
    if not names:
        section["note"] = (
            "no outcome per store imported (a `location` column): the relationship with the stores' social "
            "figures needs one"
        )
        return section
    if sources.brand_name != sources.config.brand:
        section["note"] = f"the outcomes per store are {sources.config.brand}'s, not {sources.brand_name}'s"
        return section
    name = names[0]
    spec = sources.config.outcome(name)
    chosen = [v for v in per_store if v["metric"] == name]
    granularity: Granularity = "month" if any(v["granularity"] == "month" for v in chosen) else "week"
    frame = outcome_frame(
        aggregate_outcome(chosen, granularity, spec.aggregation),
        social_panel(sources, granularity=granularity),
        "MS" if granularity == "month" else "W-MON",
    )
    analysis = analyse_outcome(frame, outcome=name, unit=spec.unit, granularity=granularity, max_lag=max_lag)
    section["analysis"] = {k: v for k, v in analysis.as_dict().items() if k != "relationships"}
    section["answer"] = answer(analysis)
    section["table"] = relationship_table(analysis)
    section["multiples"] = small_multiples(frame, analysis)
    return section


SIDE_WORDS = {"social_media": "the social media side", "marketing": "the marketing side"}


def answer(analysis: OutcomesAnalysis) -> str:
    """Which side of the scorecard goes with the outcome, in a few sentences, in the words of correlation."""
    name = analysis.outcome
    tested = sum(1 for r in analysis.relationships if r.p_value is not None)
    if analysis.goes_with is None:
        return f"Too few stores or periods to say what goes with {name}: " + "; ".join(analysis.notes[1:])
    if analysis.goes_with == "neither":
        return (
            f"Neither side goes with {name}: no social figure's relationship with it within stores stays "
            f"significant once corrected for the {tested} relationships tested."
        )
    sides = "both sides" if analysis.goes_with == "both" else SIDE_WORDS[analysis.goes_with]
    found = analysis.strongest()
    parts = [
        f"{name.capitalize()} goes with {sides} of the scorecard: most strongly with {_relation(found[0], analysis)}"
    ]
    other = next((r for r in found if r.side != found[0].side), None)
    if analysis.goes_with == "both" and other is not None:
        parts.append(f"; on {SIDE_WORDS[other.side]}, with {_relation(other, analysis)}")
    parts.append(".")
    fits = {f.side: f.variance_explained for f in analysis.fits if f.variance_explained is not None}
    if len(fits) == 2:
        parts.append(
            f" The social media figures explain {fits['social_media']:.0%} of its variation within stores, the "
            f"marketing figures {fits['marketing']:.0%}."
        )
    parts.append(" A correlation, not a cause.")
    return "".join(parts)


def _relation(rel: Relationship, analysis: OutcomesAnalysis) -> str:
    grain = analysis.granularity
    when = f"in the same {grain}" if rel.lag == 0 else f"{rel.lag} {grain}{'s' if rel.lag > 1 else ''} before"
    return (
        f"{FIGURE_LABELS.get(rel.figure, rel.figure)} {when} (within-store correlation {rel.correlation:+.2f}, "
        f"95% interval {rel.correlation_low:+.2f} to {rel.correlation_high:+.2f})"
    )


def relationship_table(analysis: OutcomesAnalysis) -> list[dict[str, Any]]:
    """Per social figure, its within-store relationship at the lag with the smallest corrected p-value (else
    the first lag, with the note saying why it has no number), beside the comparison across stores at that
    lag; the significant first, then the strongest."""
    out = []
    for figure in dict.fromkeys(r.figure for r in analysis.relationships):
        within = [r for r in analysis.relationships if r.figure == figure and r.kind == "within_stores"]
        tested = [r for r in within if r.p_adjusted is not None]
        best = min(tested, key=lambda r: (r.p_adjusted, r.lag)) if tested else within[0]
        across = next(
            r for r in analysis.relationships if r.figure == figure and r.kind == "across_stores" and r.lag == best.lag
        )
        out.append({**best.as_dict(), "label": FIGURE_LABELS.get(figure, figure), "across": across.as_dict()})
    return sorted(out, key=lambda r: (not r["significant"], -abs(r["correlation"] or 0)))


def small_multiples(frame: pd.DataFrame, analysis: OutcomesAnalysis) -> dict[str, Any]:
    """Per store, the outcome and one social figure per period: the figure of the strongest relationship
    within stores at its lag (the value ``lag`` periods before, beside the outcome it goes with), else
    ``DEFAULT_FIGURE`` in the same period."""
    strongest: list[Relationship] = analysis.strongest(1)
    figure = strongest[0].figure if strongest else DEFAULT_FIGURE
    lag = strongest[0].lag if strongest else 0
    # the frame is every store's periods on one grid (outcome_frame): the same periods for each store
    locations = frame.index.get_level_values("location").unique() if not frame.empty else []
    outcome = as_grid(frame, frame.outcome)
    drawn = lagged(as_grid(frame, frame[figure]), lag)
    periods = [p.date().isoformat() for p in frame.index.get_level_values("period")[: outcome.shape[1]]]
    stores = [
        {
            "location": str(location),
            "periods": periods,
            "outcome": _numbers(outcome[i]),
            "figure": _numbers(drawn[i]),
        }
        for i, location in enumerate(locations)
        if not np.isnan(outcome[i]).all()
    ]
    return {
        "figure": figure,
        "label": FIGURE_LABELS.get(figure, figure),
        "unit": FIGURE_UNITS.get(figure, ""),
        "side": "marketing" if figure in MARKETING_FIGURES else "social_media",
        "lag": lag,
        "stores": stores,
    }


def fans_per_store(sources: Sources) -> dict[str, Any]:
    """The brand accounts' followers in total and per store: stores from ``[denominators] stores`` (or
    ``locations``), else the configured locations."""
    config = sources.config
    key = next((k for k in ("stores", "locations") if k in config.denominators), None)
    stores = config.denominators[key] if key else float(len(config.locations)) or None
    fans = brand_audience(sources)
    return {
        "fans": fans,
        "stores": stores,
        "stores_from": f"[denominators] {key}" if key else "the configured locations",
        "per_store": ratio(fans, stores),
    }


def _store_outcomes(sources: Sources, per_store: list[dict[str, Any]]) -> list[str]:
    """The outcomes imported per store, configured ones first in config order, then alphabetically."""
    found = {v["metric"] for v in per_store}
    configured = [o.name for o in sources.config.outcomes if o.name in found]
    return configured + sorted(found - set(configured))


def _brands(sources: Sources, own_stores: float | None) -> dict[str, Any]:
    """Per-brand outcomes side by side, with each brand's fans where the data holds its support accounts'
    posts, and its fans per store where its stores are known (``[[peers]] stores``)."""
    found = brand_outcomes(sources)
    if not found:
        return {"brands": []}
    own = sources.brand_name.casefold()
    stores = {p.name.casefold(): p.stores for p in sources.config.peers} | {own: own_stores}
    known = {b.name.casefold(): b for b in sources.brand_map().brands} if sources.scope is not None else {}
    fans: dict[str, int | None] = {}
    for key in dict.fromkeys(item.brand.casefold() for item in found):
        if key == own:
            fans[key] = brand_audience(sources)
        elif key in known:
            with sources.for_brand(known[key]) as peer:
                fans[key] = brand_audience(peer)
        else:
            fans[key] = None
    brands = []
    for item in found:
        key = item.brand.casefold()
        brands.append({**item.as_dict(), "own": key == own, "fans": fans[key], "stores": stores.get(key),
                       "fans_per_store": ratio(fans[key], stores.get(key))})  # fmt: skip
    return {"brands": brands}


def _numbers(values: np.ndarray) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in values.tolist()]
