"""The report's charts: Plotly figures built from ``ReportData`` sections, one function per chart.

Every mark carries its numerator and denominator in its hover text, so no rate is shown without what it
is a rate of. Post text never goes into a chart (it is shown, escaped, in the page's tables): chart labels
hold only account names, platforms, locations and months, HTML-escaped because Plotly reads tags in labels.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from html import escape
from typing import Any

import plotly.graph_objects as go

from groundswell.formatting import count, duration, hours, percent, signed
from groundswell.metrics.base import BY_CHOICES
from groundswell.report.gather import ReportData

SOCIAL = "#0f766e"
MARKETING = "#c2410c"
POSITIVE = "#15803d"
NEGATIVE = "#b91c1c"
NEUTRAL = "#94a3b8"
INK = "#1e293b"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def _layout(fig: go.Figure, *, height: int = 320, **extra: Any) -> go.Figure:
    settings: dict[str, Any] = {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 56, "r": 24, "t": 40, "b": 48},
        "font": {"family": FONT, "size": 12, "color": INK},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"font": {"family": FONT}},
    }
    fig.update_layout(**{**settings, **extra})
    # the margins grow to fit tick labels and titles, at any width the page gives the chart
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def _group(row: dict[str, Any]) -> dict[str, Any]:
    """A row's group: nested under ``group`` in most families, at the top level in response's rows."""
    return dict(row.get("group") or {k: row[k] for k in BY_CHOICES if k in row})


def _group_name(row: dict[str, Any]) -> str:
    return escape(", ".join(str(v) for v in _group(row).values()) or "all")


def quadrant(data: ReportData) -> go.Figure | None:
    card = data.get("scorecard")
    if not card:
        return None
    social, marketing = card["social_media_index"], card["social_media_marketing_index"]
    high = card["threshold"]
    fig = go.Figure()
    corners = [
        (0, high, 0, high, "neither", "#f1f5f9"),
        (high, 100, 0, high, "marketing only", "#fff7ed"),
        (0, high, high, 100, "social only", "#f0fdfa"),
        (high, 100, high, 100, "both high", "#ecfdf5"),
    ]
    for x0, x1, y0, y1, name, colour in corners:
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, fillcolor=colour, line={"width": 0}, layer="below")
        # each name in its outer corner: the brand's point sits nearer the middle, so the two never meet
        left, low = x0 == 0, y0 == 0
        fig.add_annotation(
            x=x0 + 1 if left else x1 - 1, y=y0 + 1 if low else y1 - 1, text=name, showarrow=False,
            xanchor="left" if left else "right", yanchor="bottom" if low else "top",
            font={"color": "#64748b", "size": 12},
        )  # fmt: skip
    if social is not None and marketing is not None:
        fig.add_trace(
            go.Scatter(
                x=[marketing],
                y=[social],
                mode="markers+text",
                marker={"size": 18, "color": INK},
                text=[escape(data.brand)],
                # the name leans away from the nearer side edge and may run past the plotting area
                textposition="top right" if marketing < 30 else "top left" if marketing > 70 else "top center",
                cliponaxis=False,
                hovertemplate=(
                    f"social media index {social:.0f} / 100<br>social media marketing index {marketing:.0f} / 100"
                    "<extra></extra>"
                ),
            )
        )
    fig.update_xaxes(range=[-4, 104], title="social media marketing index", dtick=25, zeroline=False)
    fig.update_yaxes(range=[-4, 104], title="social media index", dtick=25, zeroline=False)
    return _layout(fig, height=360, showlegend=False)


def peers_quadrant(data: ReportData) -> go.Figure | None:
    """Every brand in the data on the scorecard's quadrant, the report's brand drawn apart and named."""
    peers = data.get("peers")
    if not peers:
        return None
    placed = [
        b
        for b in peers["brands"]
        if b["social_media_index"] is not None and b["social_media_marketing_index"] is not None
    ]
    if not placed:
        return None
    high = peers["threshold"]
    fig = go.Figure()
    fig.add_shape(type="line", x0=high, x1=high, y0=0, y1=100, line={"color": NEUTRAL, "dash": "dot"})
    fig.add_shape(type="line", x0=0, x1=100, y0=high, y1=high, line={"color": NEUTRAL, "dash": "dot"})
    for own in (False, True):
        chosen = [b for b in placed if (b["brand"] == peers["brand"]) == own]
        if not chosen:
            continue
        fig.add_trace(
            go.Scatter(
                x=[b["social_media_marketing_index"] for b in chosen],
                y=[b["social_media_index"] for b in chosen],
                mode="markers+text" if own else "markers",
                name=escape(peers["brand"]) if own else "peers",
                marker={"size": 16 if own else 9, "color": INK if own else SOCIAL, "opacity": 1 if own else 0.55},
                text=[escape(b["brand"]) for b in chosen],
                textposition="top right",
                hovertemplate="%{text}<br>social media %{y:.0f}<br>marketing %{x:.0f}<extra></extra>",
            )
        )
    fig.update_xaxes(range=[-4, 104], title="social media marketing index", dtick=25, zeroline=False)
    fig.update_yaxes(range=[-4, 104], title="social media index", dtick=25, zeroline=False)
    return _layout(fig, height=380)


def components(data: ReportData) -> go.Figure | None:
    card = data.get("scorecard")
    if not card:
        return None
    fig = go.Figure()
    for index, colour in zip(card["indices"], (SOCIAL, MARKETING), strict=True):
        rows = [c for c in index["components"] if c["weight"] > 0]
        labels = [c["label"] for c in rows]
        scores = [c["score"] for c in rows]
        hover = [_component_hover(c) for c in rows]
        fig.add_trace(
            go.Bar(
                x=scores,
                y=labels,
                orientation="h",
                marker_color=colour,
                name="social media index" if index["name"] == "social_media" else "social media marketing index",
                hovertext=hover,
                hoverinfo="text",
                text=[("n/a" if s is None else f"{s:.0f}") for s in scores],
                textposition="outside",
                cliponaxis=False,
            )
        )
    fig.update_xaxes(range=[0, 100], title="score (0-100)")
    fig.update_yaxes(autorange="reversed")
    return _layout(
        fig,
        height=40 + 30 * sum(len(i["components"]) for i in card["indices"]),
        barmode="group",
        margin={"l": 10, "r": 36, "t": 40, "b": 48},
    )


def _component_hover(component: dict[str, Any]) -> str:
    figure = component.get("figure") or {}
    parts = [f"<b>{component['label']}</b>", f"weight {component['weight']:g}"]
    raw = component.get("raw")
    shown = "n/a" if raw is None else f"{raw:,.4g}"
    parts.append(f"value {shown} (0 at {component['bad']:g}, 100 at {component['good']:g})")
    if figure.get("numerator") is not None and figure.get("denominator") is not None:
        parts.append(f"{count(figure['numerator'])} / {count(figure['denominator'])}")
    if figure.get("model_version"):
        parts.append(f"model {figure['model_version']}")
    if component.get("note"):
        parts.append(component["note"])
    return "<br>".join(parts)


def conversation_over_time(data: ReportData) -> go.Figure | None:
    months = data.get("subject_by_month")
    if not months:
        return None
    x = [m["group"]["month"] for m in months]
    fig = go.Figure()
    for key, name, colour in (("experience", "experience", SOCIAL), ("marketing_buzz", "marketing buzz", MARKETING)):
        shares = [m[key]["share"] for m in months]
        nets = [m[key]["net_sentiment"] for m in months]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[s["value"] for s in shares],
                name=f"{name} share",
                mode="lines+markers",
                line={"color": colour, "width": 3},
                hovertext=[
                    f"{name}: {percent(s['value'])} of customer posts ({count(s['numerator'])} / {count(s['denominator'])})"
                    for s in shares
                ],
                hoverinfo="text+x",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[n["value"] for n in nets],
                name=f"{name} net sentiment",
                mode="lines",
                yaxis="y2",
                line={"color": colour, "dash": "dot"},
                hovertext=[
                    f"{name} net sentiment {signed(n['value'])}"
                    f" ((positive − negative) {count(n['numerator'])} / all {count(n['denominator'])})"
                    for n in nets
                ],
                hoverinfo="text+x",
            )
        )
    return _layout(
        fig,
        # half a month of room each side: the first and last month's labels stay clear of the y axes' ticks
        xaxis={"type": "category", "title": "month", "range": [-0.5, len(x) - 0.5]},
        yaxis={"title": "share of customer posts", "tickformat": ".0%", "rangemode": "tozero"},
        yaxis2={
            "title": "net sentiment",
            "overlaying": "y",
            "side": "right",
            "range": [-1, 1],
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "showgrid": False,
        },
    )


def _rows_height(n: int) -> int:
    return 90 + 26 * n


def response_rate(data: ReportData) -> go.Figure | None:
    rows = (data.get("response_by_account") or []) + (data.get("response_by_platform") or [])
    rows = [r for r in rows if r.get("needs_reply")]
    if not rows:
        return None
    names = [_label(r) for r in rows]
    fig = go.Figure(
        go.Bar(
            y=names,
            x=[r["response_rate"] for r in rows],
            orientation="h",
            marker_color=[SOCIAL if "account" in _group(r) else "#5eead4" for r in rows],
            text=[percent(r["response_rate"]) for r in rows],
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"{n}: {percent(r['response_rate'])} replied within {data.window_hours:g} h"
                f" ({count(r['replied'])} / {count(r['needs_reply'])} inbound posts needing a reply)"
                for n, r in zip(names, rows, strict=True)
            ],
            hoverinfo="text",
            showlegend=False,
        )
    )
    if data.response_rate_target is not None:
        _target(fig, data.response_rate_target, f"target {percent(data.response_rate_target)}")
    fig.update_xaxes(tickformat=".0%", range=[0, 1], title="response rate")
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, height=_rows_height(len(rows)), margin={"l": 10, "r": 52, "t": 40, "b": 48})


def _target(fig: go.Figure, x: float, text: str) -> None:
    """A target as a dashed vertical line, named in the legend rather than by a label on the plot, where it
    would sit on a bar or on the legend at some width."""
    fig.add_vline(x=x, line={"color": INK, "dash": "dash"})
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line={"color": INK, "dash": "dash"}, name=text))


def _label(row: dict[str, Any]) -> str:
    group = _group(row)
    if "platform" in group:
        return f"{escape(group['platform'])} (channel)"
    return _group_name(row)


RESPONSE_TICKS = ((1 / 60, "1 min"), (10 / 60, "10 min"), (1, "1 h"), (24, "1 d"), (168, "1 week"), (720, "30 d"))
"""The first-response axis's ticks (hours, label): a log axis, so one slow account leaves the others readable."""


def first_response(data: ReportData) -> go.Figure | None:
    """Median and 90th percentile first response per account and channel, on a log axis of hours: times
    run from seconds to days, and a linear axis would hide every bar behind the slowest."""
    rows = (data.get("response_by_account") or []) + (data.get("response_by_platform") or [])
    rows = [r for r in rows if r.get("timed_threads")]
    if not rows:
        return None
    names = [_label(r) for r in rows]
    times = [_hours(r[k]) for r in rows for k in ("first_response_median_s", "first_response_p90_s")]
    shown = [t for t in times if t]
    floor = min([RESPONSE_TICKS[0][0], *shown, data.response_target_hours]) / 1.5
    top = max([RESPONSE_TICKS[2][0], *shown, data.response_target_hours]) * 1.5
    fig = go.Figure()
    for key, name, colour in (
        ("first_response_median_s", "median", SOCIAL),
        ("first_response_p90_s", "90th percentile", "#99f6e4"),
    ):
        values = [_hours(r[key]) for r in rows]
        fig.add_trace(
            go.Bar(
                y=names,
                # an answer within the clock's resolution (0 s) is drawn at the axis's floor, not left out
                x=[None if v is None else max(v, floor) for v in values],
                orientation="h",
                name=name,
                marker_color=colour,
                hovertext=[
                    f"{n}: {name} first response {duration(r[key])} over {count(r['timed_threads'])} replied threads"
                    for n, r in zip(names, rows, strict=True)
                ],
                hoverinfo="text",
            )
        )
    target = data.response_target_hours
    _target(fig, target, f"target {target:g} h")
    ticks = [(v, t) for v, t in RESPONSE_TICKS if floor <= v <= top]
    fig.update_xaxes(
        type="log",
        range=[math.log10(floor), math.log10(top)],
        tickvals=[v for v, _ in ticks],
        ticktext=[t for _, t in ticks],
        title="log scale",
    )
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(
        fig, height=_rows_height(len(rows)) + 20, barmode="group", margin={"l": 10, "r": 24, "t": 40, "b": 48}
    )


def help_outcomes(data: ReportData) -> go.Figure | None:
    figures = data.get("help")
    if not figures or not figures.get("replied"):
        return None
    replied = figures["replied"]
    fig = go.Figure()
    for key, name, colour in (("helped", "helped", POSITIVE), ("not_helped", "not helped", NEGATIVE),
                              ("unknown", "unknown (customer went silent)", NEUTRAL)):  # fmt: skip
        value = figures[key] or 0
        fig.add_trace(
            go.Bar(
                x=[value],
                y=["replied threads"],
                orientation="h",
                name=name,
                marker_color=colour,
                hovertext=[f"{name}: {count(value)} / {count(replied)} replied threads ({percent(value / replied)})"],
                hoverinfo="text",
            )
        )
    return _layout(fig, height=170, barmode="stack", margin={"l": 110, "r": 24, "t": 10, "b": 30})


def sentiment_lift(data: ReportData) -> go.Figure | None:
    figures = data.get("help")
    if not figures or figures.get("sentiment_lift_replied") is None:
        return None
    keys = (("sentiment_lift_replied", "replied threads", SOCIAL), ("sentiment_lift_unreplied", "unreplied", NEUTRAL))
    fig = go.Figure(
        go.Bar(
            x=[name for _, name, _ in keys],
            y=[figures[key] for key, _, _ in keys],
            marker_color=[colour for _, _, colour in keys],
            text=[("n/a" if figures[k] is None else f"{figures[k]:+.2f}") for k, _, _ in keys],
            textposition="outside",
            hovertext=[
                f"{name}: mean end − start customer sentiment"
                f" {signed(figures[k], 3)} over {count(figures[k + '_threads'])} threads"
                for k, name, _ in keys
            ],
            hoverinfo="text",
        )
    )
    fig.update_yaxes(title="sentiment lift (−2 to +2)", zeroline=True)
    return _layout(fig, height=280)


MIN_LABELLED_SLICE = 0.08
"""The smallest donut slice that carries its share as a label (thinner ones have it in the legend)."""


def voice(data: ReportData) -> go.Figure | None:
    figures = data.get("voice")
    if not figures or not figures.get("brand_posts"):
        return None
    parts = (
        ("replies_to_people", "replies to people", SOCIAL),
        ("broadcasts", "broadcasts", MARKETING),
        ("automated_replies", "automated replies", NEUTRAL),
        ("thread_continuations", "thread continuations", "#cbd5e1"),
    )
    total = figures["brand_posts"]
    values = [figures.get(key) or 0 for key, _, _ in parts]
    shares = [v / total for v in values]
    fig = go.Figure(
        go.Pie(
            # the legend carries every share; a slice too thin for its label leaves it out, so labels never collide
            labels=[f"{name} {percent(share)}" for (_, name, _), share in zip(parts, shares, strict=True)],
            values=values,
            marker={"colors": [colour for _, _, colour in parts]},
            hole=0.55,
            sort=False,
            text=[percent(share, 0) if share >= MIN_LABELLED_SLICE else "" for share in shares],
            textinfo="text",
            textposition="inside",
            insidetextorientation="horizontal",
            hovertext=[
                f"{name}: {count(v)} / {count(total)} brand posts"
                for (_, name, _), v in zip(parts, values, strict=True)
            ],
            hoverinfo="text",
        )
    )
    return _layout(fig, height=300)


def lorenz(data: ReportData) -> go.Figure | None:
    figures = data.get("participation")
    if not figures or not figures.get("lorenz"):
        return None
    points = figures["lorenz"]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="every author alike", line={"color": NEUTRAL, "dash": "dash"})
    )
    fig.add_trace(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="lines",
            name="customers' posts",
            line={"color": SOCIAL, "width": 3},
            fill="tonexty",
            hovertemplate="the least active %{x:.0%} of authors wrote %{y:.0%} of the posts<extra></extra>",
        )
    )
    fig.update_xaxes(title=f"{figures['authors']:,} authors, least active first", tickformat=".0%")
    fig.update_yaxes(title=f"share of {figures['posts']:,} posts", tickformat=".0%")
    return _layout(fig, height=340)


def participation_split(data: ReportData) -> go.Figure | None:
    figures = data.get("participation")
    split = figures.get("split") if figures else None
    if not split:
        return None
    names = ("lurkers", "contributors", "creators")
    ours = [split["lurker_share"], split["contributor_share"], split["creator_share"]]
    counts = [split["lurkers"], split["contributors"], split["creators"]]
    rule = split.get("rule") or [0.90, 0.09, 0.01]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=list(names),
            y=ours,
            name=escape(data.brand),
            marker_color=SOCIAL,
            hovertext=[
                f"{n}: {percent(v)} ({count(c)} / {count(split['total'])} of the audience)"
                for n, v, c in zip(names, ours, counts, strict=True)
            ],
            hoverinfo="text",
        )
    )
    fig.add_trace(go.Bar(x=list(names), y=list(rule), name="90-9-1 rule", marker_color=NEUTRAL))
    fig.update_yaxes(type="log", title="share of the audience (log)", tickformat=".1%")
    return _layout(fig, height=300, barmode="group")


def cohorts(data: ReportData) -> go.Figure | None:
    figures = data.get("relationships")
    rows = figures.get("cohorts") if figures else None
    if not rows:
        return None
    width = max(len(r["retention"]) for r in rows)
    z: list[list[float | None]] = []
    hover: list[list[str]] = []
    for r in rows:
        shares: list[float | None] = [cell["share"] for cell in r["retention"]]
        texts = [
            f"cohort {r['month']}, month +{cell['offset']} ({cell['month']}): "
            f"{count(cell['active'])} / {count(r['size'])} customers active ({percent(cell['share'])})"
            for cell in r["retention"]
        ]
        z.append(shares + [None] * (width - len(shares)))
        hover.append(texts + [""] * (width - len(texts)))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"+{i}" for i in range(width)],
            y=[f"{r['month']} ({r['size']:,})" for r in rows],
            colorscale="Teal",
            zmin=0,
            zmax=1,
            hovertext=hover,
            hoverinfo="text",
            colorbar={"tickformat": ".0%", "title": {"text": "active", "side": "right"}},
        )
    )
    fig.update_xaxes(title="months after the first post", type="category")
    fig.update_yaxes(title="cohort (customers)", autorange="reversed", type="category")
    return _layout(fig, height=80 + 34 * len(rows))


def fairness(data: ReportData) -> go.Figure | None:
    rows = [r for r in data.get("fairness") or [] if r.get("needs_reply")]
    if not rows:
        return None
    bands = [r["follower_band"] for r in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=bands,
            y=[r["response_rate"] for r in rows],
            name="response rate",
            marker_color=SOCIAL,
            hovertext=[
                f"{b} followers: {percent(r['response_rate'])} ({count(r['replied'])} / {count(r['needs_reply'])})"
                for b, r in zip(bands, rows, strict=True)
            ],
            hoverinfo="text",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=bands,
            y=[_hours(r["first_response_median_s"]) for r in rows],
            name="median first response (h)",
            yaxis="y2",
            mode="lines+markers",
            line={"color": MARKETING},
            hovertext=[
                f"{b} followers: median first response "
                f"{hours(r['first_response_median_s'])}"
                f" over {count(r['timed_threads'])} threads"
                for b, r in zip(bands, rows, strict=True)
            ],
            hoverinfo="text",
        )
    )
    return _layout(
        fig,
        xaxis={"title": "customer's followers"},
        yaxis={"title": "response rate", "tickformat": ".0%", "range": [0, 1.05]},
        yaxis2={"title": "hours", "overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False},
    )


def spikes(data: ReportData) -> go.Figure | None:
    report = data.get("spikes")
    if not report or not report.get("series") or not report.get("first_day"):
        return None
    first = date.fromisoformat(report["first_day"])
    series = report["series"][0]
    days = [first + timedelta(days=i) for i in range(len(series["posts"]))]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=days, y=series["posts"], name="inbound posts", mode="lines", line={"color": SOCIAL},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,} inbound posts<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=days,
            y=series["campaign_posts"],
            name="about a campaign or the marketing",
            mode="lines",
            line={"color": MARKETING, "width": 1},
            fill="tozeroy",
            hovertemplate="%{x|%Y-%m-%d}: %{y:,} about a campaign or the marketing<extra></extra>",
        )
    )
    for number, spike in enumerate(report["spikes"], start=1):
        colour = MARKETING if spike["label"] == "campaign" else SOCIAL
        fig.add_vrect(
            x0=date.fromisoformat(spike["start"]) - timedelta(hours=12),
            x1=date.fromisoformat(spike["end"]) + timedelta(hours=12),
            fillcolor=colour,
            opacity=0.15,
            line_width=0,
        )
        fig.add_annotation(
            x=spike["peak_day"],
            y=spike["peak_posts"],
            text=f"{number}: {spike['label'] or 'unlabelled'}",
            showarrow=True,
            arrowhead=2,
            font={"color": colour},
        )
    fig.update_yaxes(title="posts per day", rangemode="tozero")
    fig.update_xaxes(ticks="outside", ticklen=8)  # the first date's label clear of the "0" beside it
    return _layout(fig, height=340)


def per_store(data: ReportData) -> go.Figure | None:
    figures = data.get("denominators")
    locations = figures.get("locations") if figures else None
    if not locations:
        return None
    # The first per-location figure every location has is the one charted; the table shows them all.
    names = [f["metric"] for f in locations[0]["figures"]]
    chosen = next((n for n in names if n.startswith("complaints_per")), names[0] if names else None)
    if chosen is None:
        return None
    rows = []
    for loc in locations:
        figure = next((f for f in loc["figures"] if f["metric"] == chosen), None)
        if figure is not None and figure["value"] is not None:
            rows.append((escape(loc["location"]), figure))
    if not rows:
        return None
    rows.sort(key=lambda r: r[1]["value"], reverse=True)
    unit = rows[0][1]["unit"]
    fig = go.Figure(
        go.Bar(
            x=[name for name, _ in rows],
            y=[f["value"] for _, f in rows],
            marker_color=SOCIAL,
            hovertext=[
                f"{name}: {f['value']:.2f} {unit} ({count(f['numerator'])} / {count(f['denominator'])})"
                for name, f in rows
            ],
            hoverinfo="text",
        )
    )
    fig.update_yaxes(title=unit.replace(" per ", " per<br>", 1))
    return _layout(fig, height=340, margin={"l": 70, "r": 24, "t": 24, "b": 110})


CHARTS = {
    "quadrant": quadrant,
    "peers_quadrant": peers_quadrant,
    "components": components,
    "conversation": conversation_over_time,
    "response_rate": response_rate,
    "first_response": first_response,
    "help_outcomes": help_outcomes,
    "sentiment_lift": sentiment_lift,
    "voice": voice,
    "lorenz": lorenz,
    "participation_split": participation_split,
    "cohorts": cohorts,
    "fairness": fairness,
    "spikes": spikes,
    "per_store": per_store,
}
"""Every chart of the report by its element id; a chart with nothing to draw returns None and is left out."""


def build_charts(data: ReportData) -> dict[str, go.Figure]:
    out = {}
    for name, chart in CHARTS.items():
        figure = chart(data)
        if figure is not None:
            out[name] = figure
    return out
