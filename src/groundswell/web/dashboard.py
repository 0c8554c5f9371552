"""The dashboard: the scorecard and the report's charts for a period, a platform and a brand account, and the
drill-down from a figure to the posts or threads behind it.

Filters (a GET form, so a selection is a link):

- ``since`` / ``until``: the period, read by ``query.parse_period`` as on the command line;
- ``platform``: ``Workspace.computing(platform=...)`` gives the metrics that platform's posts only, so every
  figure and chart is the one of that channel alone;
- ``brand``: a peer brand's figures (``Workspace.computing(brand=...)``, its own conversations; listed when the
  data holds other brands, ``query.brands``);
- ``account``: one brand account's figures as the families' ``--by account`` define them (response and help:
  the account answering the thread; subject: the account a post addresses; voice: the account posting). The
  scorecard's indices are brand-wide (DESIGN defines them for the brand, and the library refuses ``--by``), so
  with an account the page shows that account's figures and the charts drawn from them, and says so.

Every figure is computed by the library and cached per selection and data version (``AppState.cached``).
The charts are the report's own (``report.charts``), drawn by Plotly served from this app (no CDN).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

import plotly.io as pio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from groundswell.config import normalize_handle
from groundswell.errors import UsageError
from groundswell.formatting import hours, interval, percent
from groundswell.metrics.base import Interval
from groundswell.metrics.drilldown import COMPONENT_FIGURES, DRILL_FIGURES, drill_down
from groundswell.query import Period, parse_period
from groundswell.report.account import account_figures
from groundswell.report.gather import ReportData
from groundswell.web.auth import app_state, authorize
from groundswell.web.state import AppState
from groundswell.web.templating import render

router = APIRouter()

CHART_SECTIONS = (
    "scorecard", "subject_by_month", "response_by_account", "response_by_platform", "help", "voice",
    "participation", "denominators", "fairness", "spikes",
)  # fmt: skip
"""The report sections the dashboard's charts are drawn from (the report's other sections are in /report)."""
LEFT_OUT = ("cohorts",)
"""Report charts the dashboard leaves to /report: Plotly draws heat maps with style attributes, which the
pages' policy (``style-src 'self'``) refuses."""
CHART_TITLES = {
    "quadrant": "Where the brand stands",
    "components": "What each index is made of",
    "conversation": "What customers talk about, by month",
    "response_rate": "Response rate",
    "first_response": "First response time",
    "help_outcomes": "Did we help?",
    "sentiment_lift": "Sentiment lift",
    "voice": "Conversation or broadcast",
    "lorenz": "Participation: who does the talking",
    "participation_split": "Lurkers, contributors, creators",
    "fairness": "Fairness of response, by the customer's followers",
    "spikes": "Inbound posts per day, and spikes",
    "per_store": "Per store",
}
PAGE_SIZE = 50
PLOTLY_PATH = "/assets/plotly.min.js"
PLOTLY_CSS_PATH = "/assets/plotly.css"
_JS_STRING = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_CSS_RULE = re.compile(r"\s*(" + _JS_STRING + r"|[A-Za-z_$][\w$]*)\s*:\s*" + _JS_STRING + r"\s*([,}])")
_STYLE_ON_LOAD = re.compile(r'document\.getElementById\("([^"]+)"\)\)\{var \w+=document\.createElement\("style"\)')


@dataclass(frozen=True)
class Selection:
    """What the dashboard shows: the filters as given (for the form and links) and as read."""

    since: str = ""
    until: str = ""
    platform: str = ""
    account: str = ""
    period: Period = field(default_factory=Period)
    brand: str = ""  # a peer brand's conversations (``query.brands``); empty: the workspace's brand

    @classmethod
    def parse(
        cls, since: str | None, until: str | None, platform: str | None, account: str | None, brand: str | None = None
    ) -> Selection:
        since, until = (since or "").strip(), (until or "").strip()
        return cls(
            since, until, (platform or "").strip(), (account or "").strip(), parse_period(since, until),
            (brand or "").strip(),
        )  # fmt: skip

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.period.since, self.period.until, self.platform, normalize_handle(self.account), self.brand.lower())

    def query(self, **extra: Any) -> str:
        """The selection (and ``extra``) as a query string, empty values left out."""
        values = {
            "since": self.since, "until": self.until, "platform": self.platform, "account": self.account,
            "brand": self.brand,
        }  # fmt: skip
        values.update({k: v for k, v in extra.items()})
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


@dataclass(frozen=True)
class Figure:
    """One row of the account's figures: a value with what it is a rate of, and its drill-down."""

    label: str
    value: str
    numerator: float | None = None
    denominator: float | None = None
    drill: str | None = None  # the figure's drill-down (``metrics.drilldown``)
    note: str = ""


@dataclass
class DashboardView:
    data: ReportData
    charts: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)  # the account's, with an account selected
    notes: dict[str, str] = field(default_factory=dict)


def filter_choices(state: AppState) -> tuple[list[str], list[str]]:
    """The platforms in the workspace and the brand accounts (config first, then authors of brand posts)."""
    from groundswell.threads.build import brand_accounts

    def compute() -> tuple[list[str], list[str]]:
        with state.db() as ws, ws.computing() as sources:
            platforms = sorted(ws.summary(with_counts=False).platforms)
            accounts = list(dict.fromkeys(a.handle for a in brand_accounts(sources)))
        return platforms, accounts

    return state.cached(("dashboard-choices",), compute, on=("posts",))


def brand_choices(state: AppState) -> list[str]:
    """The brands in the data to pick from (``query.brands``): the workspace's brand and its peers."""

    def compute() -> list[str]:
        with state.db() as ws, ws.computing() as sources:
            brands = sources.brand_map()
            return [brands.own.name, *(b.name for b in brands.brands if not b.own)]

    return state.cached(("dashboard-brands",), compute, on=("posts",))


def dashboard_view(state: AppState, selection: Selection) -> DashboardView:
    """The selection's figures and charts, once per selection and data version."""
    from groundswell.report import gather
    from groundswell.report.charts import build_charts
    from groundswell.report.render import _json_for_script  # the report's own escaping of JSON inside a page

    def compute() -> DashboardView:
        with (
            state.db() as ws,
            ws.computing(
                period=selection.period, platform=selection.platform or None, brand=selection.brand or None
            ) as sources,
        ):
            if selection.account:
                data = gather(sources, sections=())
                figures, notes = _account_sections(sources, data, selection)
            else:
                data = gather(sources, sections=CHART_SECTIONS)
                figures, notes = [], {}
        drawn = {name: fig for name, fig in build_charts(data).items() if name not in LEFT_OUT}
        charts = {name: json.loads(pio.to_json(fig, validate=False)) for name, fig in drawn.items()}
        return DashboardView(data, {"json": _json_for_script(charts), "names": list(charts)}, figures, notes)

    return state.cached(("dashboard", *selection.key), compute)


def _account_sections(sources: Any, data: ReportData, selection: Selection) -> tuple[list[Figure], dict[str, str]]:
    """The account's rows of the families' ``--by account`` results (``report.account``), as report sections
    and as figures."""
    found = account_figures(sources, selection.account)
    figures: list[Figure] = []
    answered = found.response
    data.sections["response_by_account"] = [answered.as_dict()]
    figures.append(
        Figure(
            "response rate", _with_ci(percent(answered.response_rate), answered.response_rate_interval),
            answered.replied, answered.needs_reply,
            "response_rate", f"replied within {answered.window_hours:g} h / inbound posts needing a reply",
        )
    )  # fmt: skip
    figures.append(
        Figure(
            "first response, median (90th percentile)",
            f"{hours(answered.first_response_median_s)} ({hours(answered.first_response_p90_s)})",
            None, answered.timed_threads, "first_response", "over the threads with a first response time",
        )
    )  # fmt: skip
    helped = found.help
    if helped is not None:
        data.sections["help"] = helped.as_dict()
        told = helped.helped + helped.not_helped
        figures.append(Figure("help rate", _with_ci(percent(helped.help_rate), helped.help_rate_interval), helped.helped,
                              told, "help_rate",
                              "helped / (helped + not helped)"))  # fmt: skip
        figures.append(Figure("help coverage", percent(helped.coverage), told, helped.replied, "help_coverage",
                              "(helped + not helped) / replied threads"))  # fmt: skip
    if found.subject is not None:
        for name, part in (("experience_share", found.subject.experience),
                           ("marketing_buzz_share", found.subject.marketing_buzz)):  # fmt: skip
            share = part.share
            figures.append(Figure(DRILL_FIGURES[name].label, _with_ci(percent(share.value), share.interval),
                                  share.numerator, share.denominator,
                                  name, "of the customer posts addressing the account"))  # fmt: skip
    voice = found.voice
    if voice is not None:
        data.sections["voice"] = voice.as_dict()
        ratio = voice.conversation_ratio
        figures.append(Figure("conversation ratio", percent(ratio.value), ratio.numerator, ratio.denominator, None,
                              "replies to people / the account's posts"))  # fmt: skip
    return figures, dict(found.notes)


def _with_ci(shown: str, found: Interval | None) -> str:
    """A share with its 95% interval beside it, when it rests on a classifier."""
    return shown if found is None else f"{shown} (95% CI {interval(found.low, found.high)})"


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    since: str | None = None,
    until: str | None = None,
    platform: str | None = None,
    account: str | None = None,
    brand: str | None = None,
) -> HTMLResponse:
    who = authorize(request, "dashboard.view")
    selection = Selection.parse(since, until, platform, account, brand)
    state = app_state(request)
    platforms, accounts = filter_choices(state)
    brands = brand_choices(state)
    if selection.platform and selection.platform not in platforms:
        raise UsageError(f"no posts from platform {selection.platform!r}; platforms: {', '.join(platforms)}")
    view = dashboard_view(state, selection)
    card = view.data.get("scorecard")
    return render(
        request, "dashboard.html.j2", who, sel=selection, view=view, card=card, platforms=platforms,
        accounts=accounts, brands=brands, drill_for=COMPONENT_FIGURES, drill_figures=DRILL_FIGURES, titles=CHART_TITLES, plotly=PLOTLY_PATH,
        plotly_css=PLOTLY_CSS_PATH, plotly_style_ids=plotly_styles()[1],
    )  # fmt: skip


@router.get("/threads", response_class=HTMLResponse)
def drill(
    request: Request,
    figure: str,
    part: str = "denominator",
    since: str | None = None,
    until: str | None = None,
    platform: str | None = None,
    account: str | None = None,
    offset: int = 0,
    brand: str | None = None,
) -> HTMLResponse:
    """The posts or threads behind a figure (``metrics.drilldown``), a page at a time."""
    who = authorize(request, "dashboard.view")
    selection = Selection.parse(since, until, platform, account, brand)
    state = app_state(request)
    offset = max(0, offset)

    def compute() -> Any:
        with (
            state.db() as ws,
            ws.computing(
                period=selection.period, platform=selection.platform or None, brand=selection.brand or None
            ) as sources,
        ):
            return drill_down(sources, figure, part, account=selection.account or None, limit=PAGE_SIZE, offset=offset)

    page = state.cached(("drill", figure, part, offset, *selection.key), compute)
    return render(
        request, "threads.html.j2", who, page=page, sel=selection, part=part,
        back="/?" + selection.query(), next_query=selection.query(figure=figure, part=part, offset=offset + PAGE_SIZE),
        prev_query=selection.query(figure=figure, part=part, offset=max(0, offset - PAGE_SIZE)),
        other_query=selection.query(figure=figure, part="numerator" if part == "denominator" else "denominator"),
        may_open=who.user.may("inbox.view"),
    )  # fmt: skip


@cache
def plotly_styles() -> tuple[str, tuple[str, ...]]:
    """Plotly's stylesheet, and the ids of the style elements its bundle would add when it loads.

    plotly.js styles its charts by injecting ``<style>`` elements, which the pages' policy (``style-src
    'self'``) refuses. It leaves its own rules out when the page already holds an element
    ``#plotly.js-style-global.no-inline-styles``, and a bundled library's when an element with that library's
    id exists. So the page links the rules, read here from the shipped plotly.min.js (``{"X,X div": ...}``,
    ``X`` and ``Y`` standing for the chart and notifier selectors, as plotly.js expands them), as a
    stylesheet of the app with that id, and holds an empty element for each other id: the policy stays the
    pages' own and no style is refused.
    """
    from groundswell.report.render import _plotly_js

    js = _plotly_js()
    rules: list[str] = []
    position = js.find('{"X,X div":')
    while position >= 0:
        found = _CSS_RULE.match(js, position + 1)
        if found is None:
            break
        key, value = found.group(1), ast.literal_eval(found.group(3))
        selector = key if key[0] not in "'\"" else ast.literal_eval(key)
        selector = (
            re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        )
        rules.append(f"{selector} {{{value}}}")
        position = found.end() - 1
        if found.group(4) == "}":
            break
    return "\n".join(rules) + "\n", tuple(_STYLE_ON_LOAD.findall(js))


@router.get(PLOTLY_PATH)
def plotly_js() -> Response:
    """Plotly's JavaScript, from the plotly package itself: the pages fetch nothing from elsewhere."""
    from groundswell.report.render import _plotly_js

    return Response(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@router.get(PLOTLY_CSS_PATH)
def plotly_css() -> Response:
    """The rules plotly.js would inject into the page (``plotly_styles``), as a stylesheet of the app."""
    return Response(plotly_styles()[0], media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})
