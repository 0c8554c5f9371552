"""Response time per reply: every brand reply timed against the customer post it answers.

A second, named definition beside DESIGN's **first response time** (one wait per thread, from the thread's
first inbound post to the first brand reply; ``metrics.response``), for comparing with published analyses of
data such as TWCS, which time each brand reply against the post it replies to:

- a *timed reply* is a brand post (``is_brand``) in the period whose parent (``in_reply_to_post_id``) is a
  customer post (not a brand post), automated replies left out as everywhere (``[response]
  automation_patterns``);
- its *reply time* is its ``created_at`` minus the parent's, held at 0 when the clock says the reply came
  first;
- reported as the count, median, 90th percentile and mean (the mean beside the median, never alone).

A thread with three exchanges gives three reply times here and one first response time there, so the two
medians differ; neither is wrong, they answer different questions ("how long until someone first hears from
us" against "how long does each answer take").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis

from groundswell.metrics.base import MetricValue
from groundswell.metrics.frames import check_by
from groundswell.query import Period, Sources, rows
from groundswell.query.automation import automated
from groundswell.query.brands import handle_key

PER_CHOICES = ("thread", "reply")
"""``groundswell metrics response --per``: thread (DESIGN's first response time, the default) or reply."""


@dataclass(frozen=True, slots=True)
class ReplyTimes:
    """One group's reply times in seconds (``group`` empty for the whole brand)."""

    group: dict[str, str]
    timed_replies: int
    median_s: float | None
    p90_s: float | None
    mean_s: float | None
    period: Period = field(default_factory=Period)

    def metrics(self) -> list[MetricValue]:
        common: dict[str, Any] = {"period": self.period, "group": dict(self.group), "unit": "seconds"}
        return [
            MetricValue("reply_time_median", self.median_s, **common),
            MetricValue("reply_time_p90", self.p90_s, **common),
            MetricValue("reply_time_mean", self.mean_s, **common),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "definition": "per reply",
            "timed_replies": self.timed_replies,
            "reply_time_median_s": self.median_s,
            "reply_time_p90_s": self.p90_s,
            "reply_time_mean_s": self.mean_s,
            "period": self.period.as_dict(),
        }


def reply_times(sources: Sources, *, by: str | None = None) -> list[ReplyTimes]:
    """Every brand reply's time to the customer post it answers (see the module doc), brand-wide or by
    ``account`` (the replying account)."""
    check_by(by, ("account",), "response per reply")
    replies = sources.posts.filter(sources.posts.is_brand & sources.posts.in_reply_to_post_id.notnull())
    replies = replies.filter(~automated(replies.text, sources.config.response.automation_patterns))
    every = sources.every_post
    parents = every.select(
        _p_platform=every.platform, _p_id=every.post_id, _p_at=every.created_at, _p_brand=every.is_brand
    )
    joined = replies.join(
        parents, [replies.platform == parents._p_platform, replies.in_reply_to_post_id == parents._p_id]
    )
    joined = joined.filter(~joined._p_brand)
    delay = joined.created_at.epoch_seconds() - joined._p_at.epoch_seconds()
    timed = joined.select(account=handle_key(joined), delay_s=ibis.greatest(delay, 0).cast("float64"))
    measures = {
        "timed_replies": timed.count(),
        "median": timed.delay_s.quantile(0.5),
        "p90": timed.delay_s.quantile(0.9),
        "mean": timed.delay_s.mean(),
    }
    found = rows(
        timed.group_by("account").aggregate(**measures).order_by("account") if by else timed.aggregate(**measures)
    )
    return [
        ReplyTimes(
            group={"account": str(r["account"])} if by else {},
            timed_replies=int(r["timed_replies"] or 0),
            median_s=_float(r["median"]),
            p90_s=_float(r["p90"]),
            mean_s=_float(r["mean"]),
            period=sources.period,
        )
        for r in found
    ]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


__all__ = ["PER_CHOICES", "ReplyTimes", "reply_times"]
