"""The spike rule on synthetic series: a daily and weekly cycle raises nothing, a rising burst is caught at once
and labelled by what its posts are."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from groundswell.alerts.model import AlertKind
from groundswell.alerts.spike_detector import fit_baseline, upper_tail
from groundswell.alerts.spike_series import BRAND_TOPIC, CAMPAIGN_PREFIX, COMPLAINT_TOPIC, TopicSeries
from groundswell.alerts.spikes import SpikeRule
from groundswell.errors import UsageError

START = datetime(2026, 1, 5)  # a Monday
DAYS = 35
HOUR_SHAPE = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 1.7, 1.8, 1.9,
                       2.2, 2.0, 1.8, 1.7, 1.7, 1.9, 2.2, 2.5, 2.6, 2.2, 1.5, 0.8])  # fmt: skip
WEEKDAY = np.array([1.0, 0.95, 0.95, 0.95, 1.05, 1.6, 1.4])  # busy weekends


def rates(bin_minutes: int, level: float) -> np.ndarray:
    """Expected posts per bin over DAYS days: ``level`` posts per hour on an average hour, with both cycles."""
    per_hour = 60 // bin_minutes
    out = []
    for d in range(DAYS):
        day = HOUR_SHAPE / HOUR_SHAPE.mean() * WEEKDAY[(START + timedelta(days=d)).weekday()] * level
        out.append(np.repeat(day / per_hour, per_hour))
    return np.concatenate(out)


def series(topic: str, posts: np.ndarray, bin_minutes: int, *, campaign: float = 0.0, complaint: float = 0.0,
           rng: np.random.Generator) -> TopicSeries:  # fmt: skip
    """A topic's series, each post a campaign post or a complaint with the given chances."""
    return TopicSeries(
        topic, START, bin_minutes * 60, posts.astype(float),
        rng.binomial(posts.astype(int), campaign).astype(float), rng.binomial(posts.astype(int), complaint).astype(float),
    )  # fmt: skip


def replay(rule: SpikeRule, topics: dict[str, TopicSeries], first_day: int, days: int, bin_minutes: int) -> list:  # type: ignore[type-arg]
    found = []
    now = START + timedelta(days=first_day)
    while now < START + timedelta(days=first_day + days):
        now += timedelta(minutes=bin_minutes)
        found += rule.detect(topics, now)
    return found


@pytest.mark.parametrize("bin_minutes", [5, 60])
def test_a_daily_and_weekly_cycle_with_no_spike_raises_nothing(bin_minutes: int) -> None:
    rng = np.random.default_rng(1)
    posts = rng.poisson(rates(bin_minutes, 6.0))
    topics = {BRAND_TOPIC: series(BRAND_TOPIC, posts, bin_minutes, complaint=0.15, rng=rng)}
    rule = SpikeRule(bin_seconds=bin_minutes * 60)
    # the last week, weekends included (a busy Saturday evening is the cycle, not a spike)
    assert replay(rule, topics, DAYS - 7, 7, bin_minutes) == []


def test_the_baseline_learns_the_weekday_and_the_hour() -> None:
    """The weekday and hour factors are what keep the cycle quiet: Saturday evening is expected to be busy."""
    rng = np.random.default_rng(2)
    hourly = rng.poisson(rates(60, 6.0)).astype(float)
    baseline = fit_baseline(hourly[: 28 * 24], START)
    saturday_evening = START + timedelta(days=33, hours=19)
    assert saturday_evening.weekday() == 5
    assert baseline.hourly[5, 19] > 1.3 * baseline.hourly[1, 19]  # learnt: Saturday evening is busier
    assert baseline.hourly[5, 19] > 5 * baseline.hourly[5, 3]  # and the evening busier than the night


def _burst(bin_minutes: int, start_bin: int, per_bin: list[int], length: int) -> np.ndarray:
    extra = np.zeros(DAYS * 24 * 60 // bin_minutes)
    for i, n in enumerate(per_bin):
        if start_bin + i < len(extra) and i < length:
            extra[start_bin + i] = n
    return extra


@pytest.mark.parametrize("bin_minutes", [5, 60])
def test_a_rising_burst_is_caught_within_two_intervals_and_labelled_organic(bin_minutes: int) -> None:
    rng = np.random.default_rng(3)
    base = rng.poisson(rates(bin_minutes, 6.0))
    start_bin = (DAYS - 2) * 24 * 60 // bin_minutes + 10 * 60 // bin_minutes  # 10:00, two days before the end
    rising = [4, 8, 14, 20, 30, 40] if bin_minutes == 5 else [25, 60, 120]
    burst = _burst(bin_minutes, start_bin, rising, 6)
    topics = {BRAND_TOPIC: series(BRAND_TOPIC, base + burst, bin_minutes, complaint=0.1, rng=rng)}
    rule = SpikeRule(bin_seconds=bin_minutes * 60, brand="Acme")
    begins = START + timedelta(minutes=bin_minutes * start_bin)
    before = rule.detect(topics, begins)
    assert before == []
    caught = [rule.detect(topics, begins + timedelta(minutes=bin_minutes * k)) for k in (1, 2)]
    found = caught[0] or caught[1]
    assert found, "not caught within two intervals"
    [spike] = found
    assert spike.kind is AlertKind.ORGANIC and spike.key == "spike:organic:Acme"
    assert spike.started_at >= begins - timedelta(minutes=bin_minutes) and spike.detected_at > begins


def test_a_campaign_burst_is_labelled_campaign_and_named() -> None:
    rng = np.random.default_rng(4)
    base = rng.poisson(rates(5, 6.0))
    start_bin = (DAYS - 1) * 288 + 9 * 12  # the launch, 09:00
    burst = _burst(5, start_bin, [10, 15, 20, 25], 4)
    brand = series(BRAND_TOPIC, base, 5, campaign=0.02, rng=rng)
    campaign = series(CAMPAIGN_PREFIX + "Summer", burst, 5, campaign=1.0, rng=rng)
    # the burst's posts count in the brand's topic too, all of them campaign posts
    brand = TopicSeries(BRAND_TOPIC, START, 300, brand.posts + burst, brand.campaign + burst, brand.complaint)
    rule = SpikeRule(brand="Acme")
    found = rule.detect({BRAND_TOPIC: brand, campaign.topic: campaign}, START + timedelta(minutes=5 * (start_bin + 2)))
    assert [(f.kind, f.key, f.campaign) for f in found] == [(AlertKind.CAMPAIGN, "spike:campaign:Summer", "Summer")]
    assert found[0].topics == 2  # both topics show it; one alert


def test_complaints_rising_are_a_complaint_surge() -> None:
    rng = np.random.default_rng(5)
    base = rng.poisson(rates(5, 6.0))
    start_bin = (DAYS - 1) * 288 + 13 * 12
    burst = _burst(5, start_bin, [12, 18, 25], 3)
    brand = series(BRAND_TOPIC, base, 5, complaint=0.12, rng=rng)
    brand = TopicSeries(BRAND_TOPIC, START, 300, brand.posts + burst, brand.campaign, brand.complaint + burst)
    complaints = TopicSeries(COMPLAINT_TOPIC, START, 300, brand.complaint, np.zeros_like(burst), brand.complaint)
    found = SpikeRule(brand="Acme").detect(
        {BRAND_TOPIC: brand, COMPLAINT_TOPIC: complaints}, START + timedelta(minutes=5 * (start_bin + 2))
    )
    assert [(f.kind, f.key) for f in found] == [(AlertKind.COMPLAINT_SURGE, "spike:complaint surge:Acme")]


def test_a_workspace_younger_than_a_week_raises_nothing() -> None:
    rng = np.random.default_rng(6)
    posts = rng.poisson(rates(5, 6.0))
    posts[5 * 288 + 120 : 5 * 288 + 130] += 50  # a burst on day 5: no baseline yet
    topics = {BRAND_TOPIC: series(BRAND_TOPIC, posts, 5, rng=rng)}
    assert SpikeRule().detect(topics, START + timedelta(days=5, minutes=5 * 130)) == []


def test_a_week_of_posts_after_empty_weeks_is_still_no_baseline() -> None:
    """The counts of a young workspace start with zeros (the rule reads the last 28 days): no baseline yet."""
    rng = np.random.default_rng(8)
    posts = rng.poisson(rates(5, 6.0))
    posts[: 29 * 288] = 0  # the first post on day 29
    posts[34 * 288 + 120 : 34 * 288 + 130] += 50  # a burst five days later
    topics = {BRAND_TOPIC: series(BRAND_TOPIC, posts, 5, rng=rng)}
    assert SpikeRule().detect(topics, START + timedelta(days=34, minutes=5 * 130)) == []
    posts[: 29 * 288] = rng.poisson(rates(5, 6.0))[: 29 * 288]  # with its history, the same burst is a spike
    topics = {BRAND_TOPIC: series(BRAND_TOPIC, posts, 5, rng=rng)}
    assert SpikeRule().detect(topics, START + timedelta(days=34, minutes=5 * 130))


def test_counts_after_now_are_never_read() -> None:
    rng = np.random.default_rng(7)
    posts = rng.poisson(rates(5, 6.0))
    now = START + timedelta(days=30, hours=12)
    cut = 30 * 288 + 144
    later = posts.copy()
    later[cut:] += 500  # whatever happens after now
    rule = SpikeRule()
    a = rule.detect({BRAND_TOPIC: series(BRAND_TOPIC, posts, 5, rng=np.random.default_rng(0))}, now)
    b = rule.detect({BRAND_TOPIC: series(BRAND_TOPIC, later, 5, rng=np.random.default_rng(0))}, now)
    assert a == b == []


def test_the_tail_widens_with_dispersion_and_settings_are_checked() -> None:
    assert upper_tail(30, 10, 1.0) < upper_tail(30, 10, 2.0) < 1.0
    assert upper_tail(0, 10, 1.0) == 1.0
    with pytest.raises(UsageError):
        SpikeRule(bin_seconds=7 * 60)
    with pytest.raises(UsageError):
        SpikeRule(alpha=2.0)
