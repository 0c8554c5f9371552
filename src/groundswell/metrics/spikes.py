"""Spikes: days when people suddenly talk to the brand far more than usual, and why.

DESIGN, "Metric definitions": **Spikes**: unusual surges of mentions, each
labelled campaign-driven or organic by what its posts are about, with the
posts that drove it.

How it is computed: the daily counts of inbound posts come from one ibis
query (a few hundred rows per group, whatever the number of posts); the robust
statistics (trailing median and MAD) run in Python over that small series
(``spike_days``); the spikes' labels and top posts come from a second ibis
query over the posts of the spike days only.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import pyarrow as pa

from groundswell.errors import UsageError
from groundswell.metrics.base import MetricValue
from groundswell.metrics.frames import (
    GROUP,
    annotated_customer_posts,
    check_by,
    group_label,
    group_sort_key,
    with_group,
)
from groundswell.query import Period, Sources, rows

SPIKES_BY = ("account", "platform", "location")
DEFAULT_WINDOW_DAYS = 28
DEFAULT_K = 5.0
DEFAULT_MIN_POSTS = 10
DEFAULT_MIN_HISTORY_DAYS = 7
DEFAULT_TOP_POSTS = 5
MAD_TO_SIGMA = 1.4826
"""Scales the median absolute deviation to a standard deviation for normally distributed counts."""
NO_ENRICHMENTS = "spikes are not labelled campaign-driven or organic: run `groundswell enrich` first"


@dataclass(frozen=True, slots=True)
class SpikeDay:
    """A day of the series above its threshold: index in the series, count, trailing median, threshold."""

    index: int
    posts: int
    baseline: float
    threshold: float


def spike_days(
    counts: Sequence[int],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    k: float = DEFAULT_K,
    min_posts: int = DEFAULT_MIN_POSTS,
    min_history_days: int = DEFAULT_MIN_HISTORY_DAYS,
) -> list[SpikeDay]:
    """The days of a daily series (consecutive days, zeros included) that are spikes.

    Day i is a spike when it has at least ``min_posts`` posts and more than
    ``median + k * scale`` of the trailing window (the ``window_days`` days before it, not itself), where
    scale = max(1.4826 * MAD, sqrt(median), 1): MAD is the median absolute deviation, scaled to a standard
    deviation; sqrt(median), the Poisson noise of the count, keeps a flat series (MAD 0) from flagging every
    small wobble. Days with fewer than ``min_history_days`` days before them are never spikes.
    """
    if window_days < 1 or min_history_days < 1 or k < 0 or min_posts < 0:
        raise UsageError("spikes: window_days and min_history_days must be >= 1, k and min_posts >= 0")
    out = []
    for i, count in enumerate(counts):
        history = counts[max(0, i - window_days) : i]
        if len(history) < min_history_days:
            continue
        median = float(statistics.median(history))
        mad = float(statistics.median(abs(x - median) for x in history))
        scale = max(MAD_TO_SIGMA * mad, math.sqrt(median), 1.0)
        threshold = median + k * scale
        if count >= min_posts and count > threshold:
            out.append(SpikeDay(i, int(count), median, threshold))
    return out


@dataclass(frozen=True, slots=True)
class SpikePost:
    """One of the posts that drove a spike (most liked and shared first, then earliest)."""

    platform: str
    post_id: str
    author_handle: str | None
    created_at: datetime
    text: str
    likes: int
    shares: int
    url: str | None
    campaign: str | None
    subject: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "post_id": self.post_id,
            "author_handle": self.author_handle,
            "created_at": self.created_at.isoformat(),
            "text": self.text,
            "likes": self.likes,
            "shares": self.shares,
            "url": self.url,
            "campaign": self.campaign,
            "subject": self.subject,
        }


@dataclass(frozen=True, slots=True)
class Spike:
    """Consecutive spike days of one group, with what they were about and the posts that drove them.

    ``expected_posts``: what the days' baselines (trailing medians) predicted; ``surge`` = ``posts`` minus
    that. ``campaign_posts``: posts matching a campaign or about the marketing (``campaign_share`` of
    ``posts``); ``surge_campaign_share``: the share of the surge they explain, beyond what the baseline's
    own rate of such posts predicts. ``label``: ``campaign`` when that is more than half, else ``organic``;
    None without enrichments. ``campaign``: the campaign most of its posts name (campaign spikes only).
    """

    start: date
    end: date
    posts: int
    expected_posts: float
    peak_day: date
    peak_posts: int
    baseline: float
    threshold: float
    label: str | None
    campaign: str | None
    campaign_posts: int | None
    campaign_share: float | None
    surge_campaign_share: float | None
    top_posts: tuple[SpikePost, ...]
    model_version: str | None = None
    group: dict[str, str] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def surge(self) -> float:
        return self.posts - self.expected_posts

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "posts": self.posts,
            "expected_posts": self.expected_posts,
            "surge": self.surge,
            "peak_day": self.peak_day.isoformat(),
            "peak_posts": self.peak_posts,
            "baseline": self.baseline,
            "threshold": self.threshold,
            "label": self.label,
            "campaign": self.campaign,
            "campaign_posts": self.campaign_posts,
            "campaign_share": self.campaign_share,
            "surge_campaign_share": self.surge_campaign_share,
            "model_version": self.model_version,
            "top_posts": [p.as_dict() for p in self.top_posts],
        }


@dataclass(frozen=True, slots=True)
class DailySeries:
    """One group's inbound posts per UTC day from the report's ``first_day`` on, and how many matched a campaign."""

    group: dict[str, str]
    posts: tuple[int, ...]
    campaign_posts: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "posts": list(self.posts),
            "campaign_posts": list(self.campaign_posts),
        }


@dataclass(frozen=True, slots=True)
class SpikeReport:
    """The spikes found, in time order, with the detector's settings and the daily series they were found in."""

    spikes: tuple[Spike, ...]
    days: int
    window_days: int
    k: float
    min_posts: int
    min_history_days: int
    model_version: str | None
    notes: tuple[str, ...] = ()
    period: Period = field(default_factory=Period)
    first_day: date | None = None
    series: tuple[DailySeries, ...] = ()

    def metrics(self) -> list[MetricValue]:
        labels = Counter(s.label for s in self.spikes)
        common: dict[str, Any] = {"unit": "spikes", "period": self.period}
        labelled = self.model_version if self.spikes and self.model_version else None
        return [
            MetricValue("spikes", float(len(self.spikes)), **common),
            MetricValue(
                "campaign_spikes", float(labels["campaign"]) if labelled else None, model_version=labelled, **common
            ),
            MetricValue(
                "organic_spikes", float(labels["organic"]) if labelled else None, model_version=labelled, **common
            ),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "spikes": [s.as_dict() for s in self.spikes],
            "days": self.days,
            "settings": {
                "window_days": self.window_days,
                "k": self.k,
                "min_posts": self.min_posts,
                "min_history_days": self.min_history_days,
            },
            "model_version": self.model_version,
            "notes": list(self.notes),
            "period": self.period.as_dict(),
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "series": [s.as_dict() for s in self.series],
        }


def detect_spikes(
    src: Sources,
    *,
    by: str | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    k: float = DEFAULT_K,
    min_posts: int = DEFAULT_MIN_POSTS,
    min_history_days: int = DEFAULT_MIN_HISTORY_DAYS,
    top: int = DEFAULT_TOP_POSTS,
) -> SpikeReport:
    """Unusual surges of inbound posts, each labelled campaign-driven or organic, with its top posts.

    DESIGN: "**Spikes**: unusual surges of mentions, each labelled
    campaign-driven or organic by what its posts are about, with the posts that
    drove it."

    - the series: inbound posts (DESIGN: a post by a non-brand account that mentions a brand account or
      replies into a brand conversation) per UTC day, from the first to the last day with any, zeros
      included;
    - a spike day: see ``spike_days`` (more than median + k × robust scale of the trailing ``window_days``,
      and at least ``min_posts``); consecutive spike days make one spike; its peak is its busiest day;
    - what its posts are about: a post is *campaign* when it matches a configured campaign
      (``enrichments.campaign``) or its subject is ``marketing`` (posts not yet enriched are not);
    - the label is decided on the *surge*, the posts above what the days' baselines predicted, since the
      everyday posts of a spike day say nothing about what drove it: ``campaign`` when the campaign posts
      beyond the baseline's own rate of them (the campaign share of the ``window_days`` before the spike,
      times the expected posts) make more than half of the surge, else ``organic``. None, with a note,
      without enrichments. ``campaign_share`` (of all the spike's posts) is given beside it;
    - top posts: the ``top`` posts of the spike with most likes + shares, then the earliest.

    ``by``: account (the brand account a post addresses), platform or location: a series, and spikes, per
    group.
    """
    check_by(by, SPIKES_BY, "spikes")
    if top < 0:
        raise UsageError(f"top must be 0 or more, not {top}")
    settings: dict[str, Any] = {
        "window_days": window_days, "k": k, "min_posts": min_posts, "min_history_days": min_history_days,
    }  # fmt: skip
    spike_days([], **settings)  # checks the settings
    table = annotated_customer_posts(src)
    table = table.filter(table.inbound)
    table = with_group(table, by, src.config, account=table.addressed_account)
    table = table.mutate(_day=table.created_at.date())
    labelled = src.enrichments is not None
    if src.enrichments is not None:
        e = src.enrichments
        e = e.select(_e_platform=e.platform, _e_post_id=e.post_id, campaign=e.campaign, subject=e.subject)
        table = table.left_join(e, [table.platform == e._e_platform, table.post_id == e._e_post_id]).drop(
            "_e_platform", "_e_post_id"
        )
    else:
        table = table.mutate(campaign=ibis.null().cast("string"), subject=ibis.null().cast("string"))
    table = table.mutate(_matched=table.campaign.notnull() | (table.subject.fill_null("") == "marketing"))
    daily = rows(
        table.group_by([GROUP, "_day"]).aggregate(posts=table.count(), matched=table.count(where=table._matched))
    )
    notes = () if labelled else (NO_ENRICHMENTS,)
    model_version = src.model_version if labelled else None
    if not daily:
        return SpikeReport((), 0, model_version=model_version, notes=notes, period=src.period, **settings)
    first = min(r["_day"] for r in daily)
    length = (max(r["_day"] for r in daily) - first).days + 1
    counts: dict[Any, list[int]] = defaultdict(lambda: [0] * length)
    matched: dict[Any, list[int]] = defaultdict(lambda: [0] * length)
    for r in daily:
        counts[r[GROUP]][(r["_day"] - first).days] = int(r["posts"])
        matched[r[GROUP]][(r["_day"] - first).days] = int(r["matched"])

    found: list[tuple[Any, list[SpikeDay]]] = []
    for key in sorted(counts, key=lambda g: group_sort_key(by, g)):
        run: list[SpikeDay] = []
        for day in spike_days(counts[key], **settings):
            if run and day.index != run[-1].index + 1:
                found.append((key, run))
                run = []
            run.append(day)
        if run:
            found.append((key, run))
    campaigns, top_posts = _details(table, found, first, top) if found else ({}, {})
    spikes = []
    for number, (key, run) in enumerate(found):
        peak = max(run, key=lambda d: (d.posts, -d.index))
        posts = sum(d.posts for d in run)
        expected = sum(d.baseline for d in run)
        label = campaign_posts = campaign_share = surge_share = None
        if labelled:
            before = slice(max(0, run[0].index - window_days), run[0].index)
            window_posts, window_matched = sum(counts[key][before]), sum(matched[key][before])
            campaign_posts = sum(matched[key][d.index] for d in run)
            campaign_share = campaign_posts / posts
            beyond = campaign_posts - (window_matched / window_posts * expected if window_posts else 0.0)
            surge_share = min(1.0, max(0.0, beyond / (posts - expected)))
            label = "campaign" if surge_share > 0.5 else "organic"
        spikes.append(
            Spike(
                start=first + timedelta(days=run[0].index),
                end=first + timedelta(days=run[-1].index),
                posts=posts,
                expected_posts=expected,
                peak_day=first + timedelta(days=peak.index),
                peak_posts=peak.posts,
                baseline=peak.baseline,
                threshold=peak.threshold,
                label=label,
                campaign=campaigns.get(number) if label == "campaign" else None,
                campaign_posts=campaign_posts,
                campaign_share=campaign_share,
                surge_campaign_share=surge_share,
                top_posts=tuple(top_posts.get(number, ())),
                model_version=model_version,
                group=group_label(by, key),
            )
        )
    spikes.sort(key=lambda s: (s.start, group_sort_key(by, next(iter(s.group.values()), ""))))
    series = tuple(
        DailySeries(group_label(by, key), tuple(counts[key]), tuple(matched[key]))
        for key in sorted(counts, key=lambda g: group_sort_key(by, g))
    )
    return SpikeReport(
        tuple(spikes),
        length,
        model_version=model_version,
        notes=notes,
        period=src.period,
        first_day=first,
        series=series,
        **settings,
    )


def _details(
    table: Any, found: list[tuple[Any, list[SpikeDay]]], first: date, top: int
) -> tuple[dict[int, str], dict[int, list[SpikePost]]]:
    """Per spike number: the campaign most of its posts name, and its top posts."""
    keys, days, numbers = [], [], []
    for number, (key, run) in enumerate(found):
        for d in run:
            keys.append(key)
            days.append(first + timedelta(days=d.index))
            numbers.append(number)
    key_type = pa.int64() if isinstance(keys[0], int) else pa.string()
    spike_map = ibis.memtable(
        pa.table({GROUP: pa.array(keys, key_type), "_day": pa.array(days, pa.date32()), "_spike": numbers})
    )
    posts = table.join(spike_map, [GROUP, "_day"])
    named = posts.filter(posts.campaign.notnull())
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for r in rows(named.group_by(["_spike", "campaign"]).aggregate(n=named.count())):
        votes[r["_spike"]][r["campaign"]] = int(r["n"])
    campaigns = {  # the most named; ties to the first by name
        number: min(c for c, n in counter.items() if n == max(counter.values())) for number, counter in votes.items()
    }
    tops: dict[int, list[SpikePost]] = defaultdict(list)
    if top:
        posts = posts.mutate(_engagement=posts.like_count.fill_null(0) + posts.share_count.fill_null(0))
        window = ibis.window(group_by="_spike", order_by=[ibis.desc("_engagement"), "created_at", "post_id"])
        ranked = posts.mutate(_rank=ibis.row_number().over(window))
        ranked = ranked.filter(ranked._rank < top).order_by(["_spike", "_rank"])
        for r in rows(ranked.select(
            "_spike", "platform", "post_id", "author_handle", "created_at", "text", "like_count", "share_count",
            "url", "campaign", "subject",
        )):  # fmt: skip
            tops[r["_spike"]].append(
                SpikePost(
                    platform=r["platform"],
                    post_id=r["post_id"],
                    author_handle=r["author_handle"],
                    created_at=r["created_at"],
                    text=r["text"],
                    likes=int(r["like_count"] or 0),
                    shares=int(r["share_count"] or 0),
                    url=r["url"],
                    campaign=r["campaign"],
                    subject=r["subject"],
                )
            )
    return campaigns, tops
