"""Spikes: robust detection on a hand-built daily series, labels, top posts, and the detector's invariants."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.errors import UsageError
from groundswell.metrics.response import response
from groundswell.metrics.spikes import detect_spikes, spike_days

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "Acme"
[[campaigns]]
name = "Summer"
hashtags = ["#AcmeSummer"]
"""
START = datetime(2026, 1, 1, 9)


def _world() -> tuple[str, dict[str, dict[str, Any]]]:
    """40 days of 3 inbound posts a day; day 20 a campaign burst; days 30-31 an organic story."""
    lines = ["platform,post_id,author_id,author_handle,created_at,text,in_reply_to_post_id,like_count,share_count"]
    labels: dict[str, dict[str, Any]] = {}
    n = 0

    def post(day: int, minute: int, text: str, likes: int = 0, shares: int = 0, author: str = "") -> str:
        nonlocal n
        n += 1
        at = (START + timedelta(days=day, minutes=minute)).isoformat() + "Z"
        who = author or f"u{n}"
        lines.append(f"twitter,{n},{who},{who},{at},{text},,{likes},{shares}")
        return str(n)

    for day in range(40):
        for i in range(3):
            post(day, i, "@AcmeHelp where is my order")
        post(day, 30, "thinking about tents today")  # no mention: not inbound
    for i in range(20):
        pid = post(20, 40 + i, "@Acme entered the #AcmeSummer draw" if i < 12 else "@Acme nice ad", likes=i)
        labels[pid] = {"campaign": "Summer", "subject": "marketing"} if i < 12 else {"subject": "other"}
    for day, extra in ((30, 25), (31, 15)):
        for i in range(extra):
            likes, shares = {0: (100, 5), 1: (10, 0), 2: (5, 5)}.get(i, (0, 0)) if day == 30 else (0, 0)
            pid = post(day, 40 + i, "@Acme your Leeds store staff saved my holiday", likes, shares)
            labels[pid] = {"subject": "experience", "sentiment": "positive"}
    for i in range(50):
        post(30, 100 + i, "Acme store story going round")  # talk without a mention: not inbound
    post(30, 200, "@ana glad it worked out", author="AcmeHelp")  # the brand's own post
    return "\n".join(lines) + "\n", labels


def test_spike_days_on_a_flat_series() -> None:
    counts = [5] * 30 + [40] + [5] * 5
    [day] = spike_days(counts)
    # median 5, MAD 0: scale = sqrt(5); threshold = 5 + 5 * sqrt(5)
    assert (day.index, day.posts, day.baseline) == (30, 40, 5.0)
    assert day.threshold == pytest.approx(5 + 5 * 5**0.5)
    assert spike_days([5] * 30 + [16]) == [] and len(spike_days([5] * 30 + [17])) == 1
    assert spike_days([0] * 30 + [9]) == []  # fewer than min_posts
    assert spike_days([50] * 5 + [500]) == []  # fewer than 7 days of history


def test_campaign_and_organic_spikes(make_workspace: Any, make_sources: Any) -> None:
    posts, labels = _world()
    ws = make_workspace(CONFIG, posts, labels)
    report = detect_spikes(make_sources(ws.store, ws.config))
    assert report.days == 40 and report.model_version == "hand-labelled@1"
    campaign, organic = report.spikes
    assert (campaign.start, campaign.end, campaign.posts) == (date(2026, 1, 21), date(2026, 1, 21), 23)
    assert (campaign.label, campaign.campaign, campaign.campaign_posts) == ("campaign", "Summer", 12)
    assert campaign.campaign_share == pytest.approx(12 / 23)
    assert [p.likes for p in campaign.top_posts] == [19, 18, 17, 16, 15]
    # days 30 and 31 are one spike: 28 and 18 inbound posts; baseline median 3, threshold 3 + 5 * sqrt(3)
    assert (organic.start, organic.end, organic.days, organic.posts) == (date(2026, 1, 31), date(2026, 2, 1), 2, 46)
    assert (organic.peak_day, organic.peak_posts, organic.baseline) == (date(2026, 1, 31), 28, 3.0)
    assert organic.threshold == pytest.approx(3 + 5 * 3**0.5)
    assert (organic.label, organic.campaign, organic.campaign_posts) == ("organic", None, 0)
    # most likes + shares first (105, then two with 10: the earlier first), then the earliest
    first_three = [(p.likes, p.shares) for p in organic.top_posts[:3]]
    assert first_three == [(100, 5), (10, 0), (5, 5)]
    assert organic.top_posts[0].subject == "experience" and "Leeds" in organic.top_posts[0].text
    assert [m.value for m in report.metrics()] == [2.0, 1.0, 1.0]
    assert report.as_dict()["spikes"][1]["top_posts"][0]["likes"] == 100


def test_spikes_by_account(make_workspace: Any, make_sources: Any) -> None:
    posts, labels = _world()
    ws = make_workspace(CONFIG, posts, labels)
    report = detect_spikes(make_sources(ws.store, ws.config), by="account", top=1)
    # the everyday posts all go to acmehelp, steadily; the surges all to acme
    assert [(s.group["account"], s.start.day, s.days) for s in report.spikes] == [("acme", 21, 1), ("acme", 31, 2)]
    assert all(len(s.top_posts) == 1 for s in report.spikes)


def test_without_enrichments_spikes_are_found_but_not_labelled(make_workspace: Any, make_sources: Any) -> None:
    posts, _ = _world()
    ws = make_workspace(CONFIG, posts)
    report = detect_spikes(make_sources(ws.store, ws.config))
    assert len(report.spikes) == 2 and all(s.label is None and s.campaign_posts is None for s in report.spikes)
    assert report.notes and "groundswell enrich" in report.notes[0]
    assert report.metrics()[1].value is None


def test_settings_are_checked(make_workspace: Any, make_sources: Any) -> None:
    posts, labels = _world()
    ws = make_workspace(CONFIG, posts, labels)
    src = make_sources(ws.store, ws.config)
    with pytest.raises(UsageError):
        detect_spikes(src, window_days=0)
    with pytest.raises(UsageError, match="account, platform, location"):
        detect_spikes(src, by="month")
    assert len(detect_spikes(src, k=100.0).spikes) == 0


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(0, 200), max_size=80),
    k=st.floats(0, 10),
    window=st.integers(1, 40),
    min_posts=st.integers(0, 30),
)
def test_spike_day_invariants(counts: list[int], k: float, window: int, min_posts: int) -> None:
    found = spike_days(counts, k=k, window_days=window, min_posts=min_posts, min_history_days=min(window, 7))
    for day in found:
        assert day.index >= min(window, 7)
        assert day.posts == counts[day.index] >= min_posts
        assert day.posts > day.threshold >= day.baseline + k  # the scale is at least 1
        # a bigger surge on a spike day is still a spike (its own count is not in its window)
        bigger = [*counts[: day.index], counts[day.index] * 2 + 1, *counts[day.index + 1 :]]
        again = spike_days(bigger, k=k, window_days=window, min_posts=min_posts, min_history_days=min(window, 7))
        assert day.index in {d.index for d in again}
    if counts and len(set(counts)) == 1:
        assert found == []  # a flat series never spikes


def test_the_demo_worlds_surges_are_found_and_labelled(tmp_path: Any, make_sources: Any) -> None:
    """The demo world has an ad launch and a contest launch (campaigns) and a viral story (organic)."""
    from groundswell.demo import DEFAULT_PROFILE, build_demo
    from groundswell.demo.world import make_calendar
    from groundswell.workspace import Workspace

    build_demo(tmp_path / "demo", posts=8000, seed=3, profile=DEFAULT_PROFILE)
    cal = make_calendar()
    with Workspace.open(tmp_path / "demo") as ws:
        ws.enrich("fast", workers=1)
        sources = make_sources(ws.store, ws.config)
        report = detect_spikes(sources)
        inbound = response(sources)[0].inbound
    found = {s.start: s for s in report.spikes}
    # the series the spikes were found in comes back: every inbound post on its day, peaks where the spikes peak
    [series] = report.series
    assert report.first_day is not None and len(series.posts) == report.days
    assert sum(series.posts) == inbound
    assert all(0 <= c <= p for c, p in zip(series.campaign_posts, series.posts, strict=True))
    for spike in report.spikes:
        assert series.posts[(spike.peak_day - report.first_day).days] == spike.peak_posts
    ad, contest, viral = (cal.date(d) for d in (cal.ad_start, cal.contest_start, cal.viral_day))
    assert found[ad].label == "campaign" and found[ad].campaign == "Into the Wild (film)"
    assert found[contest].label == "campaign" and found[contest].campaign == "Northwind Summit Challenge"
    assert found[viral].label == "organic" and found[viral].top_posts
