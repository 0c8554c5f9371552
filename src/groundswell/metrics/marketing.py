"""Marketing: the figures social media marketing is judged by: buzz volume, broadcast engagement, follower growth.

DESIGN, "Metric definitions", the scorecard's *social media marketing index*:
"buzz volume, engagement on broadcast posts, follower growth". These are the
fan-count figures the commercial suites lead with; groundswell reports them
beside the social media figures so the difference shows.

- **Buzz volume**: customer posts whose subject is the marketing itself (the
  marketing-buzz posts of the subject family), per active day of the period:
  a UTC day of the period on which any post was made (at least 1). A day with
  no post at all is a day nothing was collected, not a day of no buzz.
- **Engagement on broadcast posts**: a broadcast is a brand post that replies
  to nobody; its engagement is likes + shares + replies (the counts the export
  carries; a broadcast with none of them is left out). Reported as the mean per
  broadcast, and per 1,000 followers of the posting account at posting time.
- **Follower growth**: for each brand account, its follower count on its first
  and on its last post of the period; growth = (sum of last − sum of first) /
  sum of first, and the same per 30 days of the time between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis

from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import brand_posts, check_by
from groundswell.metrics.subject import subject_shares
from groundswell.query import Period, Sources, rows, scalar

MONTH_DAYS = 30


@dataclass(frozen=True, slots=True)
class MarketingFigures:
    """Brand-wide marketing figures (see the module docstring for each definition)."""

    days: int
    buzz_posts: int | None
    buzz_per_day: MetricValue
    broadcasts: int
    engaged_broadcasts: int
    broadcast_engagement: MetricValue
    broadcast_engagement_per_1000_followers: MetricValue
    followers_first: int | None
    followers_last: int | None
    follower_growth: MetricValue
    follower_growth_per_month: MetricValue
    model_version: str | None = None
    period: Period = field(default_factory=Period)
    notes: tuple[str, ...] = ()

    def metrics(self) -> list[MetricValue]:
        return [
            self.buzz_per_day,
            self.broadcast_engagement,
            self.broadcast_engagement_per_1000_followers,
            self.follower_growth,
            self.follower_growth_per_month,
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "buzz_posts": self.buzz_posts,
            "buzz_per_day": self.buzz_per_day.value,
            "broadcasts": self.broadcasts,
            "engaged_broadcasts": self.engaged_broadcasts,
            "broadcast_engagement": self.broadcast_engagement.value,
            "broadcast_engagement_per_1000_followers": self.broadcast_engagement_per_1000_followers.value,
            "followers_first": self.followers_first,
            "followers_last": self.followers_last,
            "follower_growth": self.follower_growth.value,
            "follower_growth_per_month": self.follower_growth_per_month.value,
            "model_version": self.model_version,
            "period": self.period.as_dict(),
            "notes": list(self.notes),
        }


def active_days(src: Sources) -> int:
    """The period's active days (at least 1): UTC days of the period with a post. Per-day figures divide by it."""
    return max(1, int(scalar(src.posts.created_at.date().nunique())))


def marketing(src: Sources, *, by: str | None = None) -> list[MarketingFigures]:
    """Buzz volume, engagement on broadcast posts and follower growth, brand-wide.

    DESIGN: the social media marketing index is made of "buzz volume, engagement on broadcast posts,
    follower growth". Buzz volume needs enrichments (the posts' subject); without them it is None with a
    note, and the rest is computed. ``by``: the figures are brand-wide; any ``by`` is refused.
    """
    check_by(by, (), "marketing")
    days = active_days(src)
    common: dict[str, Any] = {"period": src.period}
    notes: list[str] = []

    buzz_posts: int | None = None
    if src.enrichments is not None:
        buzz_posts = subject_shares(src)[0].marketing_buzz.posts
    else:
        notes.append("buzz volume needs the posts' subject: run `groundswell enrich` first")
    buzz = MetricValue(
        "buzz_per_day",
        ratio(buzz_posts, days),
        None if buzz_posts is None else float(buzz_posts),
        float(days),
        unit="marketing-buzz customer posts per active day",
        model_version=src.model_version if buzz_posts is not None else None,
        **common,
    )

    brand = brand_posts(src.posts)
    broadcasts = brand.filter(brand.in_reply_to_post_id.isnull())
    counted = broadcasts.like_count.notnull() | broadcasts.share_count.notnull() | broadcasts.reply_count.notnull()
    interactions = (
        broadcasts.like_count.fill_null(0) + broadcasts.share_count.fill_null(0) + broadcasts.reply_count.fill_null(0)
    ).cast("float64")
    per_follower = ibis.ifelse(
        broadcasts.author_followers > 0, interactions * 1000 / broadcasts.author_followers, ibis.null()
    ).cast("float64")
    b = rows(
        broadcasts.aggregate(
            broadcasts=broadcasts.count(),
            engaged=broadcasts.count(where=counted),
            interactions=interactions.sum(where=counted),
            per_1000=per_follower.mean(where=counted),
            per_1000_n=per_follower.count(where=counted),
        )
    )[0]
    engaged = int(b["engaged"] or 0)
    engagement = MetricValue(
        "broadcast_engagement",
        ratio(b["interactions"], engaged),
        b["interactions"],
        float(engaged),
        unit="likes + shares + replies per broadcast post",
        **common,
    )
    engagement_rate = MetricValue(
        "broadcast_engagement_per_1000_followers",
        None if b["per_1000"] is None else float(b["per_1000"]),
        denominator=float(b["per_1000_n"] or 0),
        unit="likes + shares + replies per broadcast post per 1,000 followers",
        **common,
    )

    known = brand.filter(brand.author_followers.notnull())
    accounts = known.group_by(["platform", "author_id"]).aggregate(
        first=known.author_followers.argmin(known.created_at),
        last=known.author_followers.argmax(known.created_at),
        first_at=known.created_at.min(),
        last_at=known.created_at.max(),
    )
    f = rows(
        accounts.aggregate(
            first=accounts["first"].sum(),
            last=accounts["last"].sum(),
            first_at=accounts.first_at.min(),
            last_at=accounts.last_at.max(),
        )
    )[0]
    first = None if f["first"] is None else int(f["first"])
    last = None if f["last"] is None else int(f["last"])
    growth = ratio(None if first is None or last is None else last - first, first)
    span_days = (f["last_at"] - f["first_at"]).total_seconds() / 86_400 if f["first_at"] is not None else 0.0
    if first is None:
        notes.append("follower growth: no brand post carries a follower count")
    return [
        MarketingFigures(
            days=days,
            buzz_posts=buzz_posts,
            buzz_per_day=buzz,
            broadcasts=int(b["broadcasts"] or 0),
            engaged_broadcasts=engaged,
            broadcast_engagement=engagement,
            broadcast_engagement_per_1000_followers=engagement_rate,
            followers_first=first,
            followers_last=last,
            follower_growth=MetricValue(
                "follower_growth",
                growth,
                None if growth is None or last is None or first is None else float(last - first),
                None if first is None else float(first),
                unit="share of the first follower count",
                **common,
            ),
            follower_growth_per_month=MetricValue(
                "follower_growth_per_month",
                None if growth is None or span_days < 1 else growth * MONTH_DAYS / span_days,
                unit=f"follower growth per {MONTH_DAYS} days",
                **common,
            ),
            model_version=src.model_version if buzz_posts is not None else None,
            period=src.period,
            notes=tuple(notes),
        )
    ]


__all__ = ["MarketingFigures", "marketing", "active_days"]
