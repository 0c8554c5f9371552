"""The report's "Spikes caught in time" section on a demo world with its outage on: the watch's checks replayed
over the viral story's morning and the outage's afternoon keep their spike alerts; the report lists each with
its start, alert time, delay and leading posts, and names the daily spikes no alert caught (the campaigns,
when the watch was not running). Screenshot in Chromium: artifacts/report-caught.png."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from chromium_session import ARTIFACTS
from groundswell.demo import build_demo
from groundswell.demo.conversations import OUTAGE_START_HOUR
from groundswell.demo.profiles import BrandProfile
from groundswell.demo.world import make_calendar
from groundswell.workspace import Workspace
from report_page import open_report

POSTS = 20_000


@pytest.fixture(scope="module")
def watched_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo world (outage on) whose watch ran, hour by hour, through the viral story's first hours and the
    outage's afternoon only; its report."""
    path = tmp_path_factory.mktemp("caught") / "demo"
    build_demo(path, posts=POSTS, seed=3, profile=BrandProfile(outage=3.0))
    cal = make_calendar()
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
        for day, first_hour in ((cal.viral_day, 6), (cal.outage_day, OUTAGE_START_HOUR)):
            for hour in range(first_hour, first_hour + 6):
                ws.check_alerts(cal.start + timedelta(days=day, hours=hour, minutes=5))
        out = path / "report.html"
        ws.report(out)
    return path, out


@pytest.mark.slow
def test_the_report_says_which_spikes_were_caught_and_how_early(watched_demo: tuple[Path, Path]) -> None:
    path, out = watched_demo
    cal = make_calendar()
    html = out.read_text(encoding="utf-8")
    section = html[html.index('<section id="caught">') : html.index("</section>", html.index('<section id="caught">'))]
    rows = re.findall(r'<tr data-kind="([^"]+)">(.*?)</tr>', section, flags=re.S)
    kinds = [kind for kind, _ in rows]
    with Workspace.open(path) as ws:
        kept = {a.kind: a for a in ws.alerts.between(None, None)}
    assert kinds == sorted(("organic", "complaint surge"), key=lambda k: kept[k].started_at), kinds
    outage = kept["complaint surge"]
    outage_start = cal.start + timedelta(days=cal.outage_day, hours=OUTAGE_START_HOUR)
    assert outage_start - timedelta(hours=1) <= outage.started_at <= outage.first_seen_at
    cells = dict(rows)
    # the times as kept, the delay between them, and the leading posts with their text
    assert f"{outage.started_at:%Y-%m-%d %H:%M}" in cells["complaint surge"]
    assert f"{outage.first_seen_at:%Y-%m-%d %H:%M}" in cells["complaint surge"]
    delay_min = round((outage.first_seen_at - outage.started_at).total_seconds() / 60)
    assert (
        f"{delay_min} min" in cells["complaint surge"]
        or f"{delay_min // 60} h {delay_min % 60:02d} min" in cells["complaint surge"]
    )
    with Workspace.open(path) as ws:
        led = ws.lookup_posts(outage.posts[0][1])
    assert led and unescape(cells["complaint surge"]).count(led[0].text) == 1
    # ahead of the daily figures: the outage's day ends at midnight, the alert came that afternoon
    ahead = re.search(r"(\d+) h (\d+) min \(spike (\d+)\)", cells["complaint surge"])
    assert ahead, cells["complaint surge"]
    midnight = outage_start.replace(hour=0) + timedelta(days=1)
    assert int(ahead.group(1)) == int((midnight - outage.first_seen_at).total_seconds() // 3600)
    # the campaigns' spikes came while the watch was not running: found only in hindsight
    missed = re.findall(r'<tr data-missed="(\d+)">(.*?)</tr>', section, flags=re.S)
    assert len(missed) >= 2 and all("campaign" in body for _, body in missed[:2]), missed
    assert "Care alerts in the period" in section
    delays = [(kept[k].first_seen_at - kept[k].started_at).total_seconds() for k in ("organic", "complaint surge")]
    middle = round(sum(delays) / 2 / 60)  # two alerts: the median is their mean
    said = f"median delay from the surge's start to the alert {middle // 60} h {middle % 60:02d} min"
    assert said in unescape(section)


@pytest.mark.browser
@pytest.mark.slow
def test_the_caught_section_in_the_browser(watched_demo: tuple[Path, Path], chromium: Any) -> None:
    _, out = watched_demo
    loaded = open_report(chromium, out)
    section = loaded.page.locator("#caught")
    assert section.locator("tr[data-kind]").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    loaded.page.evaluate("window.scrollTo(0, 0)")  # the page's own coordinates: clear of the sticky nav
    box = section.bounding_box()
    assert box is not None
    loaded.page.screenshot(path=str(ARTIFACTS / "report-caught.png"), full_page=True, clip=box)
    assert loaded.console_errors == [] and loaded.requests == []
    loaded.page.close()
