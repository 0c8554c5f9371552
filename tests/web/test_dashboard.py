"""The dashboard over real HTTP, on the embedded workspace and on PostgreSQL: filters change the figures as the
library computes them, and the drill-down lists exactly what a figure counts.

The workspace holds two platforms with one brand account each. Expected figures are computed by the library
before the server starts: over a workspace holding only one platform's posts (so the platform filter is
checked against the library on that platform's posts alone), and with ``metrics.drilldown``.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from groundswell.accounts import add_user
from groundswell.formatting import interval_of
from groundswell.metrics import help_figures, response, subject_shares
from groundswell.metrics.drilldown import DRILL_FIGURES, drill_down
from groundswell.metrics.scorecard import scorecard
from groundswell.web.headers import PAGE_CSP
from groundswell.workspace import Workspace
from labelled_workspaces import write_enrichments
from web_server import PASSWORDS, free_port

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "mastodon"
handle = "AcmeMasto"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
TWITTER = (
    "twitter,t1,u1,ana,10,2026-03-02T10:00:00Z,@AcmeHelp my order is late,\n"
    "twitter,t2,h,AcmeHelp,9000,2026-03-02T10:30:00Z,@ana so sorry - on it,t1\n"
    "twitter,t3,u1,ana,10,2026-03-02T11:00:00Z,@AcmeHelp thanks - sorted!,t2\n"
    "twitter,t4,u2,bo,10,2026-03-02T12:00:00Z,@AcmeHelp love the new ad,\n"
    'twitter,t5,u3,<b>eve</b>,10,2026-03-02T13:00:00Z,"@AcmeHelp <script>window.__pwned=1</script> refund?",\n'
    "twitter,t6,h,AcmeHelp,9000,2026-03-02T14:00:00Z,Big sale this weekend,\n"
)
MASTODON = (
    "mastodon,m1,v1,cy,20,2026-03-03T09:00:00Z,@AcmeMasto does the app work offline?,\n"
    "mastodon,m2,hm,AcmeMasto,500,2026-03-03T09:20:00Z,@cy it does - try this,m1\n"
    "mastodon,m3,v1,cy,20,2026-03-03T10:00:00Z,@AcmeMasto still broken,m2\n"
    "mastodon,m4,v2,di,20,2026-03-03T11:00:00Z,@AcmeMasto the trailer was fun,\n"
    "mastodon,m5,v3,ed,20,2026-03-04T11:00:00Z,@AcmeMasto which stores are open?,\n"
)
LABELS: dict[str, dict[str, Any]] = {
    "t1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True, "subject": "experience"},
    "t3": {"sentiment": "positive", "intent": "praise", "gratitude": True, "subject": "experience"},
    "t4": {"sentiment": "positive", "intent": "praise", "subject": "marketing"},
    "t5": {"sentiment": "negative", "intent": "complaint", "needs_reply": True, "subject": "experience"},
    "m1": {"platform": "mastodon", "sentiment": "neutral", "intent": "question", "needs_reply": True},
    "m3": {"platform": "mastodon", "sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "m4": {"platform": "mastodon", "sentiment": "positive", "intent": "praise", "subject": "marketing"},
    "m5": {"platform": "mastodon", "sentiment": "neutral", "intent": "question", "needs_reply": True},
}
LABELS["m1"]["subject"] = LABELS["m3"]["subject"] = "experience"
SELECTIONS: dict[str, dict[str, str]] = {
    "all": {},
    "mastodon": {"platform": "mastodon"},
    "AcmeMasto": {"account": "AcmeMasto"},
    "AcmeHelp on twitter": {"platform": "twitter", "account": "AcmeHelp"},
}
# What each figure counts, by hand from the posts above (DESIGN's definitions)
COUNTED = {
    ("response_rate", "denominator"): {"twitter:t1", "twitter:t5", "mastodon:m1", "mastodon:m3", "mastodon:m5"},
    ("response_rate", "numerator"): {"twitter:t1", "mastodon:m1"},
    ("help_rate", "denominator"): {"twitter:t1", "mastodon:m1"},
    ("help_rate", "numerator"): {"twitter:t1"},
    ("experience_share", "numerator"): {"twitter:t1", "twitter:t3", "twitter:t5", "mastodon:m1", "mastodon:m3"},
    ("experience_share", "denominator"): {f"twitter:t{i}" for i in (1, 3, 4, 5)}
    | {f"mastodon:m{i}" for i in (1, 3, 4, 5)},
}


@dataclass
class Dashboard:
    url: str
    scorecards: dict[str, dict[str, Any]]  # platform -> the library's scorecard over that platform's posts alone
    library: dict[tuple[str, str, str], tuple[int, list[str]]]  # (selection, figure, part) -> total, keys


def _workspace(root: Path, posts: str, labels: dict[str, dict[str, Any]], database: str = "") -> Workspace:
    ws = Workspace.init(root, config_text=CONFIG, database=database)
    (root / "posts.csv").write_text(HEAD + posts, encoding="utf-8")
    assert ws.import_files([root / "posts.csv"]).rejected == 0
    write_enrichments(ws.store, labels)
    return ws


def _expected(root: Path) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str, str], Any]]:
    cards = {}
    for name, posts in (("twitter", TWITTER), ("mastodon", MASTODON)):
        labels = {k: v for k, v in LABELS.items() if k.startswith(name[0])}
        with _workspace(root / name, posts, labels) as alone, alone.sources() as sources:
            cards[name] = scorecard(sources)[0].as_dict()
    with _workspace(root / "whole", TWITTER + MASTODON, LABELS) as whole:
        return cards, _library(whole)


def _library(whole: Workspace) -> dict[tuple[str, str, str], Any]:
    library: dict[tuple[str, str, str], Any] = {}
    for name, sel in SELECTIONS.items():
        with whole.sources(platform=sel.get("platform")) as sources:
            for figure, spec in DRILL_FIGURES.items():
                for part in ("numerator", "denominator") if spec.numerator else ("denominator",):
                    page = drill_down(sources, figure, part, account=sel.get("account"), limit=500)
                    library[(name, figure, part)] = (page.total, [f"{r['platform']}:{r['post_id']}" for r in page.rows])
            # the drill-down's totals are the families' own numerators and denominators
            account = sel.get("account")
            r = next(x for x in response(sources, by="account" if account else None)
                     if not account or x.group["account"] == account)  # fmt: skip
            h = next(x for x in help_figures(sources, by="account" if account else None)
                     if not account or x.group["account"] == account)  # fmt: skip
            assert library[(name, "response_rate", "numerator")][0] == r.replied
            assert library[(name, "response_rate", "denominator")][0] == r.needs_reply
            assert library[(name, "first_response", "denominator")][0] == r.timed_threads
            assert library[(name, "help_rate", "numerator")][0] == h.helped
            assert library[(name, "help_rate", "denominator")][0] == h.helped + h.not_helped
            assert library[(name, "help_coverage", "denominator")][0] == h.replied
            if not account:
                s = subject_shares(sources)[0]
                assert library[(name, "experience_share", "numerator")][0] == s.experience.posts
                assert library[(name, "experience_share", "denominator")][0] == s.customer_posts
    return library


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def dashboard(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """One server for the module (its tests only read), on the embedded workspace and then on PostgreSQL;
    the expected figures are the library's on the embedded workspace either way."""
    import uvicorn

    from groundswell.web import create_app

    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    database = server.new_database() if server is not None else ""
    root = tmp_path_factory.mktemp("dashboard")
    cards, library = _expected(root / "expected")
    ws = _workspace(root / "served", TWITTER + MASTODON, LABELS, database)
    for name, role in (("val", "viewer"), ("kim", "agent")):
        add_user(ws.store, name, role, PASSWORDS[name], actor="test")
    path = ws.path
    ws.close()
    port = free_port()
    app = create_app(path, database=database)
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield Dashboard(f"http://127.0.0.1:{port}", cards, library)
    instance.should_exit = True
    thread.join(timeout=20)
    if server is not None:
        server.drop_database(database)


def _login(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
    assert client.post("/login", data={"name": name, "password": PASSWORDS[name]}).status_code == 303
    return client


def _component(page: str, name: str) -> dict[str, str]:
    found = re.search(rf'<tr id="component-{name}"([^>]*)>', page)
    assert found, name
    return dict(re.findall(r'data-(\w+)="([^"]*)"', found.group(1)))


def _number(text: str) -> float | None:
    return None if text == "None" else float(text)


def test_a_platform_filter_gives_the_library_figures_over_that_platforms_posts(dashboard: Dashboard) -> None:
    viewer = _login(dashboard.url, "val")
    for platform, card in dashboard.scorecards.items():
        page = viewer.get("/", params={"platform": platform})
        assert page.status_code == 200
        assert f'id="social-index">{card["social_media_index"]:.0f}<' in page.text
        for index in card["indices"]:
            for component in index["components"]:
                figure = component["figure"]
                if figure is None:
                    continue
                shown = _component(page.text, component["name"])
                for key in ("value", "numerator", "denominator"):
                    want, got = figure[key], _number(shown[key])
                    assert got == pytest.approx(want), (platform, component["name"], key)
                name = component["name"]
                cell = re.search(rf'<tr id="component-{name}".*?<td class="n ci">([^<]*)</td>', page.text, re.S)
                assert cell, name
                share = name.endswith(("_rate", "_share"))
                assert cell.group(1) == (interval_of(figure, share) or ""), (platform, name)
                if name in ("response_rate", "help_rate", "experience_share") and figure["value"] is not None:
                    assert "ci_low" in figure and cell.group(1), (platform, name)  # classified: never bare
    everything = viewer.get("/").text
    response_rate = _component(everything, "response_rate")
    assert (response_rate["numerator"], response_rate["denominator"]) == ("2.0", "5.0")
    twitter = _component(viewer.get("/", params={"platform": "twitter"}).text, "response_rate")
    assert (twitter["numerator"], twitter["denominator"]) == ("1.0", "2.0")


def test_an_account_filter_shows_that_accounts_by_account_figures(dashboard: Dashboard) -> None:
    viewer = _login(dashboard.url, "val")
    page = viewer.get("/", params={"account": "AcmeMasto"}).text
    assert 'id="account">AcmeMasto<' in page and 'id="quadrant"' not in page  # the indices are brand-wide
    rate = re.search(r'<tr id="figure-response_rate" data-numerator="(\d+)" data-denominator="(\d+)"', page)
    assert rate and rate.groups() == ("1", "3")
    total, _ = dashboard.library[("AcmeMasto", "response_rate", "denominator")]
    assert total == 3
    unknown = viewer.get("/", params={"account": "nobody"})
    assert unknown.status_code == 400 and "no brand account" in unknown.text
    assert viewer.get("/", params={"platform": "myspace"}).status_code == 400
    assert viewer.get("/", params={"since": "yesterday"}).status_code == 400


def _drill(client: httpx.Client, **params: str) -> tuple[int, list[str]]:
    page = client.get("/threads", params=params)
    assert page.status_code == 200, page.text[:300]
    total = re.search(r'id="drill-total">([\d,]+)<', page.text)
    assert total
    return int(total.group(1).replace(",", "")), re.findall(r'<tr class="row" data-key="([^"]+)"', page.text)


def test_the_drill_down_lists_exactly_what_each_figure_counts(dashboard: Dashboard) -> None:
    viewer = _login(dashboard.url, "val")
    for (figure, part), keys in COUNTED.items():
        total, rows = _drill(viewer, figure=figure, part=part)
        assert (total, set(rows)) == (len(keys), keys), (figure, part)
    for (name, figure, part), (total, keys) in dashboard.library.items():
        shown = _drill(viewer, figure=figure, part=part, **SELECTIONS[name])
        assert shown == (total, keys), (name, figure, part)
    # the dashboard's counts link to the same lists
    page = html.unescape(viewer.get("/", params={"platform": "mastodon"}).text)
    assert "/threads?platform=mastodon&figure=response_rate&part=numerator" in page
    assert viewer.get("/threads", params={"figure": "conversation_ratio"}).status_code == 400
    assert viewer.get("/threads", params={"figure": "first_response", "part": "numerator"}).status_code == 400


def test_the_drill_down_pages_and_links_conversations_for_agents_only(dashboard: Dashboard) -> None:
    viewer, agent = _login(dashboard.url, "val"), _login(dashboard.url, "kim")
    assert 'href="/inbox/' not in viewer.get("/threads", params={"figure": "help_rate"}).text
    page = agent.get("/threads", params={"figure": "help_rate"}).text
    assert 'href="/inbox/twitter/t1"' in page and 'href="/inbox/mastodon/m1"' in page
    assert agent.get("/inbox/twitter/t1").status_code == 200
    second = viewer.get("/threads", params={"figure": "experience_share", "offset": "5"}).text
    assert len(re.findall(r'<tr class="row"', second)) == 3 and "6–8 of 8" in second


def test_hostile_post_text_is_text_on_the_drill_down(dashboard: Dashboard) -> None:
    viewer = _login(dashboard.url, "val")
    page = viewer.get("/threads", params={"figure": "response_rate"}).text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page and "<script>window" not in page
    assert "&lt;b&gt;eve&lt;/b&gt;" in page


def test_the_charts_come_from_the_app_under_a_strict_script_policy(dashboard: Dashboard) -> None:
    viewer = _login(dashboard.url, "val")
    page = viewer.get("/")
    assert page.headers["content-security-policy"] == PAGE_CSP  # no inline script nor style, charts and all
    assert '<script src="/assets/plotly.min.js"></script>' in page.text
    assert not re.search(r"<script(?![^>]*(src=|application/json))", page.text)  # no inline script runs
    data = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page.text, re.DOTALL)
    assert data and '"quadrant"' in data.group(1) and '"response_rate"' in data.group(1)
    plotly = viewer.get("/assets/plotly.min.js")
    assert plotly.status_code == 200 and plotly.headers["content-type"].startswith("text/javascript")
    assert len(plotly.content) > 1_000_000
    css = viewer.get("/assets/plotly.css")  # the rules plotly.js would otherwise inject as a style element
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".js-plotly-plot .plotly .main-svg {" in css.text
    assert 'id="plotly.js-style-global" class="no-inline-styles" href="/assets/plotly.css"' in page.text
