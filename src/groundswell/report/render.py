"""One self-contained HTML file from ``ReportData``: Jinja2 page, Plotly charts, Plotly's JavaScript inline.

Safe with hostile post text, in two layers: Jinja2 escapes everything the data puts into the page
(autoescape), and the page's Content-Security-Policy lets only its own scripts run (each by its SHA-256
hash), so markup that slipped through still could not execute. The chart data travels as JSON inside a
``<script type="application/json">`` element with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no
string in it can close the element. No request leaves the page: no CDN, no web fonts.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from groundswell._version import __version__
from groundswell.formatting import count, decimal, duration, interval_of, percent, signed, wait
from groundswell.metrics.verdict import verdict as sentence
from groundswell.report.charts import build_charts
from groundswell.report.gather import ReportData
from groundswell.report.glossary import GLOSSARY
from groundswell.report.outcomes_charts import outcome_charts

_DRAW_SCRIPT = """
(function () {
  var charts = JSON.parse(document.getElementById("chart-data").textContent);
  var drawn = 0;
  Object.keys(charts).forEach(function (id) {
    var element = document.getElementById("chart-" + id);
    if (!element) { return; }
    var figure = charts[id];
    Plotly.newPlot(element, figure.data, figure.layout, {displaylogo: false, responsive: true});
    drawn += 1;
  });
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
"""


@cache
def _plotly_js() -> str:
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def _script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _json_for_script(document: Any) -> str:
    """JSON that cannot end its ``<script>`` element nor open a comment in it."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(raw, escaped)
    return text


def _safe_url(url: Any) -> str | None:
    """A link target only when it is plainly http(s); anything else (``javascript:``, ``data:``) is no link."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def _moment(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return str(value.strftime("%Y-%m-%d %H:%M"))


def _kpi_value(kpi: dict[str, Any]) -> str:
    value = kpi.get("value")
    name = kpi.get("metric", "")
    if value is None:
        return "n/a"
    if name.endswith(("_rate", "_share", "_ratio", "coverage")) or "growth" in name:
        return percent(value)
    return decimal(value)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("groundswell.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=percent, count=count, num=decimal, signed=signed, duration=duration, wait=wait, moment=_moment,
        safe_url=_safe_url, kpi_value=_kpi_value, ci=interval_of,
    )  # fmt: skip
    return env


def verdict(data: ReportData) -> str:
    """The report's first sentence: the quadrant, each clause backed by its components (``metrics.verdict``)."""
    return sentence(data.brand, data.get("scorecard"), data.kpi_targets)


def levers(data: ReportData, *, per_index: int = 3) -> list[dict[str, Any]]:
    """What moves each index most: the components whose score, raised to 100, would add the most points."""
    card = data.get("scorecard")
    if not card:
        return []
    out = []
    for index in card["indices"]:
        scored = [c for c in index["components"] if c["score"] is not None and c["weight"] > 0]
        weights = sum(c["weight"] for c in scored)
        if not weights:
            continue
        gains = sorted(
            ((c["weight"] * (100 - c["score"]) / weights, c) for c in scored), key=lambda g: g[0], reverse=True
        )
        for gain, component in gains[:per_index]:
            if gain >= 0.5:
                out.append({"index": index["name"], "component": component, "points": gain})
    return out


def render_report(data: ReportData) -> str:
    """The report as one HTML document."""
    figures = {**build_charts(data), **outcome_charts(data)}
    chart_json = _json_for_script({name: json.loads(pio.to_json(fig, validate=False)) for name, fig in figures.items()})
    plotly_js = _plotly_js()
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_script_hash(plotly_js)} {_script_hash(_DRAW_SCRIPT)}",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src data:",
        )
    )
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        sections=data.sections,
        unavailable=data.unavailable,
        charts=set(figures),
        verdict=verdict(data),
        levers=levers(data),
        glossary=GLOSSARY,
        version=__version__,
        csp=csp,
        # our own files and JSON, escaped for a <script> by _json_for_script; never text from a post
        plotly_js=Markup(plotly_js),  # noqa: S704
        draw_script=Markup(_DRAW_SCRIPT),  # noqa: S704
        chart_json=Markup(chart_json),  # noqa: S704
    )
