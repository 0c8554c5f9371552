"""The small multiples of "Does social media move the business?": one small chart per store, the outcome and a
social figure over time, each store on its own scale.

One Plotly figure per store, laid out by the page's grid (several to a row on a laptop, one or two on a
phone), so that no store's chart shrinks below reading size however many stores there are. The charts carry
no text of their own: the store's name is the page's, the values are in the hover.
"""

from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go

from groundswell.formatting import decimal, signed
from groundswell.report.charts import FONT, INK, MARKETING, SOCIAL
from groundswell.report.gather import ReportData

MULTIPLE_HEIGHT = 120
SHARES = frozenset({"response_rate"})
SIGNED = frozenset({"experience_net_sentiment", "marketing_buzz_net_sentiment"})
RANGES = {name: [-1.08, 1.08] for name in SIGNED} | {name: [-0.04, 1.04] for name in SHARES}
"""Figures with bounds are drawn on their whole range, a little room each side so a line at a bound shows."""


def multiple_id(index: int) -> str:
    """The chart id of the ``index``-th store's small multiple."""
    return f"outcome_store_{index}"


def outcome_charts(data: ReportData) -> dict[str, go.Figure]:
    """Every store's small multiple, by chart id; none without the section's analysis."""
    section = data.get("outcomes")
    multiples = section.get("multiples") if section else None
    if not multiples:
        return {}
    analysis = section["analysis"]
    return {multiple_id(i): _multiple(store, multiples, analysis) for i, store in enumerate(multiples["stores"])}


def _figure_text(name: str, value: float | None) -> str:
    if value is None:
        return "no posts"
    if name in SHARES:
        return f"{value:.0%}"
    return signed(value) if name in SIGNED else decimal(value)


def _padded(values: list[float | None]) -> list[float] | None:
    """The values' range with a tenth of it spare each side, so no line runs along the chart's edge."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    spare = (high - low) / 10 or 1.0
    return [low - spare, high + spare]


def _multiple(store: dict[str, Any], multiples: dict[str, Any], analysis: dict[str, Any]) -> go.Figure:
    outcome, unit, grain = analysis["outcome"], analysis["unit"], analysis["granularity"]
    figure, label = multiples["figure"], multiples["label"]
    colour = MARKETING if multiples["side"] == "marketing" else SOCIAL
    place = escape(store["location"])
    lag = multiples["lag"]
    before = f" {lag} {grain}{'s' if lag != 1 else ''} before" if lag else ""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=store["periods"],
            y=store["outcome"],
            name=escape(outcome),
            mode="lines",
            line={"color": INK, "width": 2},
            hovertext=[f"{place}: {escape(outcome)} {decimal(v)} {escape(unit)}" for v in store["outcome"]],
            hoverinfo="text+x",
            connectgaps=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=store["periods"],
            y=store["figure"],
            name=label,
            mode="lines",
            yaxis="y2",
            line={"color": colour, "width": 1.5, "dash": "dot"},
            hovertext=[f"{place}: {label}{before} {_figure_text(figure, v)}" for v in store["figure"]],
            hoverinfo="text+x",
            connectgaps=False,
        )
    )
    quiet = {"showticklabels": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    fig.update_layout(
        template="plotly_white",
        height=MULTIPLE_HEIGHT,
        margin={"l": 6, "r": 6, "t": 6, "b": 6},
        font={"family": FONT, "size": 11, "color": INK},
        showlegend=False,
        hoverlabel={"font": {"family": FONT}},
        xaxis={**quiet, "type": "date", "showline": True, "linecolor": "#cbd5e1"},
        yaxis={**quiet, "range": _padded(store["outcome"])},
        yaxis2={**quiet, "overlaying": "y", "side": "right", "range": RANGES.get(figure, _padded(store["figure"]))},
    )
    return fig
