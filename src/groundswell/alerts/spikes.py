"""Online spike detection: a surge of inbound posts found while it still rises, and labelled there and then.

Each cycle the rule recounts, from the store, the inbound posts per topic (the brand as a whole, each
campaign, hashtag and subject, complaints: ``alerts.spike_series``) in bins of the watch interval (or of
``[spikes] bin``) over the last ``history_days`` days, up to ``now`` and never past it. Per topic it fits a
baseline that knows the hour of day and the day of week on the whole days before today, and tests the posts
of the last 5 minutes to 3 hours (``[spikes] windows``) against what that baseline expected for exactly
those minutes (``alerts.spike_detector``, which also says why a fitted seasonal model and a tail test rather
than a change-point library). Nothing is kept between cycles that the store cannot give again: a restarted
loop finds the same spikes.

At alert time a surge is labelled by the posts above the baseline (the *surge*), as ``metrics.spikes`` does
for whole days: a **complaint surge** when complaints (or negative experience posts), beyond their usual
share, make more than half of it; a **campaign** spike when posts matching an active campaign (or about the
marketing) do, or when it comes while a campaign's own posts surge; else **organic**. Its key names the label and the campaign or the brand, so the watch loop
groups every cycle of one spike, whichever topic shows it most. Its evidence is the first posts of the
surge, then its most engaged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import numpy as np

from groundswell.alerts.model import AlertCandidate, AlertKind, PostRef
from groundswell.alerts.spike_detector import Baseline, Surge, find_surge, fit_baseline, surge_start
from groundswell.alerts.spike_series import (
    BRAND_TOPIC,
    CAMPAIGN_PREFIX,
    TopicSeries,
    floor_to,
    topic_posts,
    topic_series,
)
from groundswell.config import WorkspaceConfig
from groundswell.errors import UsageError
from groundswell.query import Sources, rows

DEFAULT_BIN_SECONDS = 300
DEFAULT_HISTORY_DAYS = 28
MIN_HISTORY_DAYS = 7
"""A workspace with fewer whole days of posts than this has no baseline yet: no spike is raised."""
DEFAULT_WINDOWS_SECONDS = (300, 600, 900, 1800, 3600, 7200, 10800)
DEFAULT_ALPHA = 1e-7
"""Per window and topic; small, because each cycle tests several windows of every topic, 288 cycles a day."""
DEFAULT_MIN_POSTS = 10
DEFAULT_MIN_RATIO = 3.0
DEFAULT_LEAD_POSTS = 3
MAX_SPIKE_HOURS = 24
"""How far back a surge's start is traced."""


@dataclass(frozen=True, slots=True)
class SpikeFinding:
    """A surge of one topic as of ``detected_at``, labelled, with the window that shows it."""

    kind: AlertKind
    key: str
    topic: str
    campaign: str | None
    started_at: datetime
    detected_at: datetime
    surge: Surge
    window_seconds: int
    topics: int = 1


class SpikeRule:
    """The spike alert rule (an ``alerts.model.AlertRule``): see the module docstring."""

    name = "spikes"

    def __init__(
        self,
        *,
        brand: str = "brand",
        bin_seconds: int = DEFAULT_BIN_SECONDS,
        history_days: int = DEFAULT_HISTORY_DAYS,
        windows_seconds: tuple[int, ...] = DEFAULT_WINDOWS_SECONDS,
        alpha: float = DEFAULT_ALPHA,
        min_posts: int = DEFAULT_MIN_POSTS,
        min_ratio: float = DEFAULT_MIN_RATIO,
        lead_posts: int = DEFAULT_LEAD_POSTS,
    ):
        if bin_seconds < 1 or 3600 % bin_seconds:
            raise UsageError(f"spikes: the bin must divide an hour into whole seconds, not {bin_seconds} s")
        if history_days < MIN_HISTORY_DAYS or not 0 < alpha < 1 or min_posts < 1 or min_ratio < 1:
            raise UsageError(
                f"spikes: history_days must be >= {MIN_HISTORY_DAYS}, alpha in (0, 1), min_posts >= 1, min_ratio >= 1"
            )
        if not windows_seconds or min(windows_seconds) < 1:
            raise UsageError("spikes: give at least one window, each at least one second")
        self.brand = brand
        self.bin = bin_seconds
        self.history_days = history_days
        self.windows = tuple(sorted({max(1, w // bin_seconds) for w in windows_seconds}))
        self.alpha = alpha
        self.min_posts = min_posts
        self.min_ratio = min_ratio
        self.lead_posts = lead_posts
        self._baselines: dict[tuple[str, datetime, int], Baseline] = {}  # a cache: refitted when lost

    @classmethod
    def from_config(cls, config: WorkspaceConfig, **settings: object) -> SpikeRule:
        """The rule for a workspace's brand (its campaigns are matched at enrichment, per their dates), with
        ``[spikes]``'s settings, bins of the watch interval unless it names one; ``settings`` override both."""
        given = config.spikes
        chosen: dict[str, object] = {
            "bin_seconds": given.bin_s or spike_bin_seconds(config.watch.interval_s),
            "history_days": given.history_days,
            "windows_seconds": given.windows_s,
            "min_posts": given.min_posts,
            "min_ratio": given.min_ratio,
            "alpha": given.alpha,
        }
        chosen = {name: value for name, value in chosen.items() if value is not None} | settings
        return cls(brand=config.brand, **chosen)  # type: ignore[arg-type]

    def evaluate(self, sources: Sources, now: datetime) -> list[AlertCandidate]:
        """The spikes rising as of ``now`` (naive UTC), from the posts created before the last whole bin."""
        end = floor_to(now, self.bin)
        since = end.replace(hour=0, minute=0, second=0) - timedelta(days=self.history_days)
        series = topic_series(sources, since, end, self.bin)
        return [self._candidate(sources, found, end) for found in self.detect(series, end)]

    def detect(self, series: dict[str, TopicSeries], now: datetime) -> list[SpikeFinding]:
        """The labelled surges of ``series`` as of ``now`` (a bin boundary), one per key; counts after ``now``
        are ignored, so a whole period's series can be replayed cycle by cycle."""
        born = functools.cache(lambda: _first_post(series, now))  # read only when some topic is busy
        found_topics = [f for f in (self._detect_topic(s, now, series, born) for s in series.values()) if f]
        running = [f for f in found_topics if f.kind is AlertKind.CAMPAIGN and f.topic.startswith(CAMPAIGN_PREFIX)]
        findings: dict[str, SpikeFinding] = {}
        for found in found_topics:
            if found.kind is AlertKind.ORGANIC and running:
                found = _as_campaign(found, max(running, key=lambda f: f.surge.posts))
            known = findings.get(found.key)
            if known is None:
                findings[found.key] = found
                continue
            lead = max((known, found), key=lambda f: f.surge.posts - f.surge.expected)
            findings[found.key] = SpikeFinding(
                lead.kind, lead.key, lead.topic, lead.campaign, min(known.started_at, found.started_at),
                now, lead.surge, lead.window_seconds, known.topics + 1,
            )  # fmt: skip
        return sorted(findings.values(), key=lambda f: (f.started_at, f.key))

    def _detect_topic(
        self, s: TopicSeries, now: datetime, series: dict[str, TopicSeries], born: Callable[[], datetime | None]
    ) -> SpikeFinding | None:
        per_hour = 3600 // s.bin_seconds if 3600 % s.bin_seconds == 0 else 0
        n = int((now - s.start).total_seconds() // s.bin_seconds)
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        today = int((day_start - s.start).total_seconds() // s.bin_seconds)
        if per_hour == 0 or n <= today:
            return None
        first = max(0, today - self.history_days * 24 * per_hour)
        first -= first % per_hour
        counts = s.posts[:n]
        recent = min(n, max(self.windows) + MAX_SPIKE_HOURS * per_hour)
        if counts[n - max(self.windows) :].sum() < self.min_posts:
            return None  # the common case, settled before any fitting
        first_post = born()
        if first_post is None or day_start - first_post < timedelta(days=MIN_HISTORY_DAYS):
            return None
        history = counts[first:today].reshape(-1, per_hour).sum(axis=1)
        baseline = self._baseline(s.topic, s.start + timedelta(seconds=s.bin_seconds * first), history)
        window_start = s.start + timedelta(seconds=s.bin_seconds * (n - recent))
        expected = baseline.expected(window_start, recent, s.bin_seconds)
        latest = counts[n - recent : n]
        surge = find_surge(
            latest, expected, baseline.dispersion,
            windows=self.windows, alpha=self.alpha, min_posts=self.min_posts, min_ratio=self.min_ratio,
        )  # fmt: skip
        if surge is None:
            return None
        back = surge_start(latest, expected, surge, min_ratio=self.min_ratio, limit=recent)
        kind, campaign = self._label(s, n, surge, first, today, series)
        anchor = campaign if kind is AlertKind.CAMPAIGN and campaign else self.brand
        return SpikeFinding(
            kind=kind,
            key=f"spike:{kind.value}:{anchor}",
            topic=s.topic,
            campaign=campaign if kind is AlertKind.CAMPAIGN else None,
            started_at=now - timedelta(seconds=s.bin_seconds * back),
            detected_at=now,
            surge=surge,
            window_seconds=surge.bins * s.bin_seconds,
        )

    def _baseline(self, topic: str, first_hour: datetime, history: np.ndarray) -> Baseline:
        key = (topic, first_hour, hash(history.tobytes()))
        found = self._baselines.get(key)
        if found is None:
            if len(self._baselines) > 4096:
                self._baselines.clear()
            found = self._baselines[key] = fit_baseline(history, first_hour)
        return found

    def _label(
        self, s: TopicSeries, n: int, surge: Surge, first: int, today: int, series: dict[str, TopicSeries]
    ) -> tuple[AlertKind, str | None]:
        """Complaint surge, campaign or organic, by what the posts beyond the baseline are (see the module).

        A narrower topic's surge is part of the brand's whenever the brand's posts are above their own
        baseline in the same minutes, and is then labelled as the brand's: one event, one label (the
        experience posts of a viral story are not an outage because a few of them complain).
        """
        w = slice(n - surge.bins, n)
        whole = series.get(BRAND_TOPIC)
        if whole is not None and whole is not s and len(whole.posts) >= n:
            history = whole.posts[first:today].reshape(-1, 3600 // whole.bin_seconds).sum(axis=1)
            baseline = self._baseline(BRAND_TOPIC, whole.start + timedelta(seconds=whole.bin_seconds * first), history)
            window_start = whole.start + timedelta(seconds=whole.bin_seconds * (n - surge.bins))
            expected = float(baseline.expected(window_start, surge.bins, whole.bin_seconds).sum())
            if float(whole.posts[w].sum()) > expected:
                s, surge = whole, Surge(surge.bins, int(whole.posts[w].sum()), expected, surge.p_value)
        extra = max(surge.posts - surge.expected, 1e-9)
        history_posts = max(float(s.posts[first:today].sum()), 1.0)

        def beyond(flags: np.ndarray) -> float:
            usual = float(flags[first:today].sum()) / history_posts * surge.expected
            return (float(flags[w].sum()) - usual) / extra

        complaint, campaign = beyond(s.complaint), beyond(s.campaign)
        if complaint > 0.5 and complaint >= campaign:
            return AlertKind.COMPLAINT_SURGE, None
        if campaign > 0.5:
            return AlertKind.CAMPAIGN, _campaign_of(s, w, series)
        return AlertKind.ORGANIC, None

    def _candidate(self, sources: Sources, found: SpikeFinding, now: datetime) -> AlertCandidate:
        surge = found.surge
        what = {
            AlertKind.CAMPAIGN: f"Campaign spike ({found.campaign})" if found.campaign else "Campaign spike",
            AlertKind.COMPLAINT_SURGE: "Complaint surge",
            AlertKind.ORGANIC: "Organic spike",
        }[found.kind]
        title = (
            f"{what}: {surge.posts} posts in {_span(found.window_seconds)} on {found.topic}, "
            f"{_times(surge.ratio)} times the usual {_usual(surge.expected)}"
        )
        return AlertCandidate(
            kind=found.kind,
            key=found.key,
            title=title,
            started_at=found.started_at,
            detected_at=found.detected_at,
            posts=self.leading_posts(sources, found.topic, found.started_at, now),
            figures={
                "posts": float(surge.posts),
                "expected_posts": surge.expected,
                "ratio": surge.ratio,
                "p_value": surge.p_value,
                "window_minutes": found.window_seconds / 60,
                "topics": float(found.topics),
            },
        )

    def leading_posts(self, sources: Sources, topic: str, since: datetime, until: datetime) -> tuple[PostRef, ...]:
        """The surge's first posts, then its most engaged (likes and shares), ``lead_posts`` of each."""
        if self.lead_posts < 1:
            return ()
        table = topic_posts(sources, since, until)
        table = table.filter(table.topic == topic)
        first = table.order_by(["created_at", "post_id"]).limit(self.lead_posts)
        engaged = table.order_by([ibis.desc("engagement"), "created_at", "post_id"]).limit(self.lead_posts)
        out: dict[PostRef, None] = {}
        for r in rows(first.select("platform", "post_id")) + rows(engaged.select("platform", "post_id")):
            out.setdefault(PostRef(r["platform"], r["post_id"]), None)
        return tuple(out)


def spike_bin_seconds(interval_s: float) -> int:
    """The spike counts' bin for a watch interval: the interval in whole seconds, rounded down to one that
    divides an hour (the baseline is per hour of day), at most an hour."""
    wanted = max(1, min(3600, int(interval_s)))
    return max(s for s in range(1, wanted + 1) if 3600 % s == 0)


def _span(seconds: int) -> str:
    """A window's length as the title says it: ``30 min``, or ``20 s`` below whole minutes."""
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _first_post(series: dict[str, TopicSeries], now: datetime) -> datetime | None:
    """When the first inbound post before ``now`` came (the start of the first bin with one)."""
    firsts = []
    for s in series.values():
        known = s.posts[: int((now - s.start).total_seconds() // s.bin_seconds)]
        if known.any():
            firsts.append(s.start + timedelta(seconds=s.bin_seconds * int(np.argmax(known > 0))))
    return min(firsts, default=None)


def _as_campaign(found: SpikeFinding, campaign: SpikeFinding) -> SpikeFinding:
    """An unlabelled surge while a campaign's own posts surge: the campaign's (its broadcasts' replies, people
    talking of the brand after the ad), under the campaign's key."""
    return SpikeFinding(
        AlertKind.CAMPAIGN, campaign.key, found.topic, campaign.campaign, found.started_at, found.detected_at,
        found.surge, found.window_seconds, found.topics,
    )  # fmt: skip


def _campaign_of(s: TopicSeries, window: slice, series: dict[str, TopicSeries]) -> str | None:
    """The campaign whose posts make most of the window (the topic's own, for a campaign's topic)."""
    if s.topic.startswith(CAMPAIGN_PREFIX):
        return s.topic.removeprefix(CAMPAIGN_PREFIX)
    best, most = None, 0.0
    for topic, other in series.items():
        if topic.startswith(CAMPAIGN_PREFIX) and other.start == s.start:
            posts = float(other.posts[window].sum())
            if posts > most:
                best, most = topic.removeprefix(CAMPAIGN_PREFIX), posts
    return best


def _times(ratio: float) -> str:
    """A surge's ratio: one decimal while small, whole (with separators) once it is large."""
    return f"{ratio:.1f}" if ratio < 100 else f"{ratio:,.0f}"


def _usual(expected: float) -> str:
    """The posts a window usually holds: two significant digits below one (a quiet topic's 0.00039, not 0.0)."""
    return f"{expected:.1f}" if expected >= 1 else f"{expected:.2g}"
