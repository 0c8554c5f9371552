"""Care alerts: a customer waiting too long, a returning customer's complaint, a post taking off.

DESIGN, "The data": **Alert** ... "a care event (a reply overdue, a returning customer's complaint, a post
gaining engagement fast), with its evidence". Three rules, each an ``AlertRule``:

- ``WaitingRule``: a thread that needs a reply (an inbound post with ``needs_reply`` and no brand reply after
  it, as the inbox reads it) has waited past ``[response] target_hours``; in business hours when the config
  gives ``[business_hours]`` (the same clock as the business-hours first response time). Only posts made
  within the reply window (``[response] window_hours``) count: past it the reply is late for the response
  rate anyway, and a first cycle over a year of history would otherwise raise every old unanswered post.
- ``ReturningComplaintRule``: an inbound complaint, posted within the reply window, by an author with an
  earlier post to the brand.
- ``FastPostRule``: an inbound post gaining likes and reposts per minute since it was posted well above the
  brand's usual rate, whoever wrote it. The author's follower count plays no part (DESIGN, "Fairness of
  response"): the rule reads what the post gathers, never who posted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import ibis

from groundswell.alerts.model import AlertCandidate, AlertKind, PostRef
from groundswell.clock import naive_utc
from groundswell.config import BusinessHours
from groundswell.metrics.response import business_seconds
from groundswell.query import Sources, rows, scalar
from groundswell.threads.stage import build_threads

FAST_FACTOR = 10.0
"""A post is taking off when its engagement per minute is this many times the brand's usual."""
FAST_MIN_ENGAGEMENT = 20
"""Too few likes and reposts to call a post fast, whatever its rate (a post with 2 likes in 1 minute)."""
FAST_BASELINE_DAYS = 30
"""The brand's usual rate: inbound posts of the last this many days, each as seen when it was imported."""
FAST_USUAL_FLOOR = 0.01
"""Engagement per minute the usual never goes below (a brand whose posts gather nothing)."""


def _waiting_posts(sources: Sources) -> Any:
    """The first post of each thread still waiting for a reply (the inbox's items), with the thread's intent."""
    threads = build_threads(sources)
    p = threads.posts
    pending = p.filter(p.inbound & p.needs_reply.fill_null(False) & p.reply_delay_s.isnull() & p.in_thread)
    pending = pending.mutate(
        _n=ibis.row_number().over(group_by=["platform", "thread_id"], order_by=[pending.t, pending.post_id])
    )
    return pending.filter(pending._n == 0).select("platform", "post_id", "thread_id", "created_at", "intent")


@dataclass(slots=True)
class WaitingRule:
    """A thread that needs a reply has waited past the response target (see the module)."""

    target_hours: float
    window_hours: float
    business_hours: BusinessHours | None = None
    name: str = "waiting"

    def waited_hours(self, since: datetime, now: datetime) -> float:
        """Hours from ``since`` to ``now``, business hours only when there is a schedule."""
        if self.business_hours is not None:
            return business_seconds(since, now, self.business_hours) / 3600
        return (now - since).total_seconds() / 3600

    def evaluate(self, sources: Sources, now: datetime) -> list[AlertCandidate]:
        moment = naive_utc(now)
        found: list[AlertCandidate] = []
        waiting = _waiting_posts(sources)
        recent = waiting.filter(
            (waiting.created_at <= moment) & (waiting.created_at >= moment - timedelta(hours=self.window_hours))
        )
        for row in rows(recent.order_by(["created_at", "post_id"])):
            waited = self.waited_hours(row["created_at"], moment)
            if waited < self.target_hours:
                continue
            found.append(
                AlertCandidate(
                    kind=AlertKind.WAITING,
                    key=f"waiting:{row['platform']}:{row['post_id']}",
                    title=f"A customer has waited {waited:.1f} h for a reply (target {self.target_hours:g} h)",
                    started_at=row["created_at"],
                    detected_at=moment,
                    posts=(PostRef(row["platform"], row["post_id"]),),
                    figures={"waited_hours": round(waited, 2), "target_hours": self.target_hours},
                )
            )
        return found


@dataclass(slots=True)
class ReturningComplaintRule:
    """A complaint, posted within ``window_hours``, by an author who posted to the brand before."""

    window_hours: float
    name: str = "returning complaint"

    def evaluate(self, sources: Sources, now: datetime) -> list[AlertCandidate]:
        moment = naive_utc(now)
        threads = build_threads(sources)
        p = threads.posts
        inbound = p.filter(p.inbound & (p.created_at <= moment))
        recent = inbound.filter(
            (inbound.intent == "complaint") & (inbound.created_at >= moment - timedelta(hours=self.window_hours))
        )
        earlier = inbound.select(_platform="platform", _author="author_id", _at="created_at", _id="post_id")
        joined = recent.join(
            earlier,
            [
                recent.platform == earlier._platform,
                recent.author_id == earlier._author,
                earlier._at < recent.created_at,
            ],
        )
        counted = joined.group_by(["platform", "post_id", "created_at", "author_handle"]).aggregate(
            earlier_posts=joined._id.nunique()
        )
        found: list[AlertCandidate] = []
        for row in rows(counted.order_by(["created_at", "post_id"])):
            who = row.get("author_handle") or "a customer"
            found.append(
                AlertCandidate(
                    kind=AlertKind.RETURNING_COMPLAINT,
                    key=f"returning:{row['platform']}:{row['post_id']}",
                    title=f"A complaint from {who}, who has posted to the brand {row['earlier_posts']} time(s) before",
                    started_at=row["created_at"],
                    detected_at=moment,
                    posts=(PostRef(row["platform"], row["post_id"]),),
                    figures={"earlier_posts": float(row["earlier_posts"])},
                )
            )
        return found


@dataclass(slots=True)
class FastPostRule:
    """An inbound post, made within ``window_hours``, gaining engagement unusually fast (see the module)."""

    window_hours: float
    factor: float = FAST_FACTOR
    min_engagement: int = FAST_MIN_ENGAGEMENT
    name: str = "fast post"

    def evaluate(self, sources: Sources, now: datetime) -> list[AlertCandidate]:
        moment = naive_utc(now)
        threads = build_threads(sources)
        t = threads.posts
        inbound = t.filter(t.inbound).select(_platform="platform", _post_id="post_id")
        posts = sources.every_post
        engaged = posts.join(inbound, [posts.platform == inbound._platform, posts.post_id == inbound._post_id]).select(
            "platform", "post_id", "created_at", "ingested_at",
            engagement=posts.like_count.fill_null(0) + posts.share_count.fill_null(0),
        )  # fmt: skip
        engaged = _latest_sighting(engaged, sources.engagement, moment)
        minutes = (engaged.seen_at.epoch_seconds() - engaged.created_at.epoch_seconds()) / 60
        engaged = engaged.mutate(rate=engaged.engagement / ibis.greatest(minutes, 1.0))
        window_start = moment - timedelta(hours=self.window_hours)
        before = engaged.filter(
            (engaged.created_at >= moment - timedelta(days=FAST_BASELINE_DAYS)) & (engaged.created_at < window_start)
        )
        usual = max(FAST_USUAL_FLOOR, float(scalar(before.rate.median()) or 0.0))
        recent = rows(
            engaged.filter(
                (engaged.created_at >= window_start)
                & (engaged.created_at <= moment)
                & (engaged.engagement >= self.min_engagement)
            )
        )
        found: list[AlertCandidate] = []
        for row in sorted(recent, key=lambda r: (r["created_at"], r["post_id"])):
            engagement, rate = float(row["engagement"]), float(row["rate"])
            if rate < self.factor * usual:
                continue
            found.append(
                AlertCandidate(
                    kind=AlertKind.FAST_POST,
                    key=f"fast:{row['platform']}:{row['post_id']}",
                    title=f"A post about the brand is gaining {rate:.1f} likes and reposts a minute ({rate / usual:.0f}x usual)",
                    started_at=row["created_at"],
                    detected_at=moment,
                    posts=(PostRef(row["platform"], row["post_id"]),),
                    figures={
                        "engagement": engagement,
                        "per_minute": round(rate, 3),
                        "usual_per_minute": round(usual, 3),
                    },
                )
            )
        return found


def _latest_sighting(engaged: Any, snapshots: Any, moment: datetime) -> Any:
    """Each post's engagement as last seen by ``moment``: at its import (``ingested_at``), or the latest
    sighting a sync kept since (``engagement_snapshots``), as ``engagement`` and ``seen_at``."""
    imported = engaged.mutate(seen_at=engaged.ingested_at).drop("ingested_at")
    if snapshots is None:
        return imported
    s = snapshots.filter(snapshots.seen_at <= moment)
    keys = imported.select(_p="platform", _i="post_id", _created="created_at")
    s = s.join(keys, [s.platform == keys._p, s.post_id == keys._i])
    again = s.select(
        "platform", "post_id", created_at=s._created, engagement=s.like_count.fill_null(0) + s.share_count.fill_null(0),
        seen_at=s.seen_at,
    )  # fmt: skip
    # one schema for both sides: the posts' columns are NOT NULL, the join's are not
    schema = ibis.schema({name: kind.copy(nullable=True) for name, kind in again.schema().items()})
    every = ibis.union(imported.select(*again.columns).cast(schema), again.cast(schema), distinct=False)
    ranked = every.mutate(_n=ibis.row_number().over(group_by=["platform", "post_id"], order_by=ibis.desc("seen_at")))
    return ranked.filter(ranked._n == 0).drop("_n")
