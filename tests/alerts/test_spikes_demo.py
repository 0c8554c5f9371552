"""The spike rule on a seeded demo world with its outage on, through a real DuckDB workspace: each seeded spike is
found while it happens and labelled as what it is."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from groundswell.alerts.model import AlertKind, PostRef
from groundswell.alerts.spike_series import topic_series
from groundswell.alerts.spikes import SpikeRule
from groundswell.demo import build_demo
from groundswell.demo.conversations import OUTAGE_START_HOUR
from groundswell.demo.profiles import BrandProfile
from groundswell.demo.world import make_calendar
from groundswell.workspace import Workspace

POSTS = 20_000  # the demo's default size: at a few thousand posts the ad's launch is a day-level surge only


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo world with its two campaigns, its organic story and the outage, enriched with the fast model."""
    path = tmp_path_factory.mktemp("spikes") / "demo"
    build_demo(path, posts=POSTS, seed=3, profile=BrandProfile(outage=3.0))
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
    return path


def test_each_seeded_spike_is_found_in_time_and_labelled_right(demo: Path) -> None:
    cal = make_calendar()
    day = lambda d: cal.start + timedelta(days=d)  # noqa: E731
    seeded = {  # where each spike starts, what it is, and the key it must carry
        "contest": (day(cal.contest_start) + timedelta(hours=9), AlertKind.CAMPAIGN, "Northwind Summit Challenge"),
        "ad": (day(cal.ad_start), AlertKind.CAMPAIGN, "Into the Wild (film)"),
        "viral": (day(cal.viral_day) + timedelta(hours=7), AlertKind.ORGANIC, "Northwind Outfitters"),
        "outage": (day(cal.outage_day) + timedelta(hours=OUTAGE_START_HOUR), AlertKind.COMPLAINT_SURGE,
                   "Northwind Outfitters"),
    }  # fmt: skip
    with Workspace.open(demo) as ws:
        with ws.sources() as src:
            rule = SpikeRule.from_config(ws.config, bin_seconds=3600)
            series = topic_series(src, cal.start, cal.start + timedelta(days=cal.days), 3600)
            for name, (start, kind, anchor) in seeded.items():
                caught = None
                for hour in range(1, 25):  # the first day of each spike, hour by hour
                    now = start + timedelta(hours=hour)
                    found = [f for f in rule.detect(series, now) if f.key == f"spike:{kind.value}:{anchor}"]
                    if found:
                        caught = found[0]
                        break
                assert caught is not None, f"{name} not found within a day"
                # known the same day: before a daily batch, run after midnight, could know
                midnight = start.replace(hour=0) + timedelta(days=1)
                assert caught.started_at <= caught.detected_at < midnight, name
            # the rule as the loop calls it: the same finding, with its evidence from the store
            now = seeded["outage"][0] + timedelta(hours=2)
            [alert] = [a for a in rule.evaluate(src, now) if a.kind is AlertKind.COMPLAINT_SURGE]
            [finding] = [f for f in rule.detect(series, now) if f.key == alert.key]
            assert alert.started_at == finding.started_at and alert.figures["posts"] == finding.surge.posts
            # restart-safe: a new rule (nothing kept from the cycles above) raises the same alerts
            assert SpikeRule.from_config(ws.config, bin_seconds=3600).evaluate(src, now) == rule.evaluate(src, now)
            assert alert.posts and all(isinstance(p, PostRef) for p in alert.posts)
            led = ws.lookup_posts(alert.posts[0].post_id)
            assert led and all(p.created_at >= alert.started_at - timedelta(hours=1) for p in led)
            assert all("down" in p.text.lower() or "check" in p.text.lower() or "error" in p.text.lower()
                       or "crash" in p.text.lower() or "log in" in p.text.lower() for p in led)  # fmt: skip


def test_a_quiet_week_raises_nothing(demo: Path) -> None:
    """Far from any seeded spike, hour by hour for a week: no alert."""
    cal = make_calendar()
    with Workspace.open(demo) as ws:
        with ws.sources() as src:
            rule = SpikeRule.from_config(ws.config, bin_seconds=3600)
            series = topic_series(src, cal.start, cal.start + timedelta(days=cal.days), 3600)
    quiet = cal.start + timedelta(days=cal.outage_day + 8)
    assert quiet + timedelta(days=7) < cal.start + timedelta(days=cal.viral_day)
    raised = [f for h in range(1, 7 * 24) for f in rule.detect(series, quiet + timedelta(hours=h))]
    assert raised == []
