"""The social figures per store and period: what the outcomes analysis sets beside sales, visits or NPS.

For each configured location (``frames.location_key``) and week (starting Monday) or month, from the same
definitions as the families (DESIGN, "Metric definitions"):

- the *social media* side: experience posts and their net sentiment (``subject``), complaints (customer posts
  the enrichment classes as complaints), and the response rate (``response``: inbound posts needing a reply
  that got a brand reply within the window);
- the *marketing* side: marketing-buzz posts and their net sentiment, brand-wide in the period (buzz about an
  ad or a contest is about no store; every store's cell carries the brand's buzz of that period).

Net sentiment is (positive − negative) / all posts of the subject, not / (positive + negative). A figure with
no posts under it is None (never a made-up 0): a week without experience posts has no experience sentiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from groundswell.metrics.base import ratio
from groundswell.metrics.frames import (
    customer_posts,
    require_enrichments,
    with_customer_location,
    with_enrichments,
)
from groundswell.metrics.response import grouped
from groundswell.query import Sources, in_period, rows
from groundswell.threads.stage import build_threads

Granularity = Literal["week", "month"]
SOCIAL_MEDIA_FIGURES = ("experience_posts", "experience_net_sentiment", "complaints", "response_rate")
"""The figures of the social media side of the scorecard (the groundswell: the experience, problems, answers)."""
MARKETING_FIGURES = ("marketing_buzz_posts", "marketing_buzz_net_sentiment")
"""The figures of the social media marketing side (buzz about the marketing itself)."""
FIGURE_UNITS = {
    "experience_posts": "customer posts about the experience",
    "experience_net_sentiment": "net sentiment of experience posts: (positive − negative) / all",
    "complaints": "customer posts classed as complaints",
    "response_rate": "share of inbound posts needing a reply, replied within the window",
    "marketing_buzz_posts": "customer posts about the marketing",
    "marketing_buzz_net_sentiment": "net sentiment of marketing-buzz posts: (positive − negative) / all",
}
_TRUNCATE = {"week": "W", "month": "M"}


@dataclass(frozen=True, slots=True)
class SocialCell:
    """One store's social figures in one period."""

    location: str
    period_start: date
    figures: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        return {"location": self.location, "period_start": self.period_start.isoformat(), **self.figures}


def social_panel(src: Sources, *, granularity: Granularity = "week") -> list[SocialCell]:
    """Every configured location's social figures per period, for periods with at least one post there.

    Posts at no configured location (``(none)``) or at an unconfigured one are left out: the panel is the
    brand's stores. Raises ``MetricUnavailable`` when the workspace has not been enriched.
    """
    enrichments = require_enrichments(src, "the social figures per store")
    names = {loc.name for loc in src.config.locations}
    unit = _TRUNCATE[granularity]

    every = customer_posts(src.posts)
    every = with_enrichments(every.mutate(_period=every.created_at.truncate(unit)), enrichments,
                             ["subject", "sentiment", "intent"])  # fmt: skip
    buzz = {
        _day(r["_period"]): r for r in rows(every.group_by("_period").aggregate(**_subject_counts(every, "marketing")))
    }
    # each post's store as found once for these sources (a regular expression over every text), shared with
    # the response rate below; grouped by every location key, the unconfigured dropped afterwards
    table = with_customer_location(every, src)
    found = rows(
        table.group_by(["_location", "_period"]).aggregate(
            complaints=table.count(where=table.intent == "complaint"), **_subject_counts(table, "experience")
        )
    )

    threads = build_threads(src)
    inbound = in_period(threads.posts, src.period)
    inbound = grouped(inbound.filter(inbound.inbound), ("location",), src, thread_level=False)
    inbound = inbound.mutate(_period=inbound.created_at.truncate(unit))
    window_s = src.config.response.window_hours * 3600
    in_window = inbound.reply_delay_s.notnull() & (inbound.reply_delay_s <= window_s)
    answered = rows(
        inbound.group_by([inbound._g0.name("_location"), "_period"]).aggregate(
            needs_reply=inbound.needs_reply.cast("int64").sum(),
            replied=(inbound.needs_reply & in_window).cast("int64").sum(),
        )
    )
    replies = {(r["_location"], _day(r["_period"])): r for r in answered}

    cells = []
    for row in (r for r in found if r["_location"] in names):
        key = (row["_location"], _day(row["_period"]))
        reply = replies.get(key, {})
        marketing = buzz.get(key[1], {})
        cells.append(
            SocialCell(
                location=key[0],
                period_start=key[1],
                figures={
                    "experience_posts": float(row["experience_posts"]),
                    "experience_net_sentiment": ratio(row["experience_net"], row["experience_posts"]),
                    "complaints": float(row["complaints"]),
                    "response_rate": ratio(reply.get("replied"), reply.get("needs_reply")),
                    "marketing_buzz_posts": float(marketing.get("marketing_posts") or 0),
                    "marketing_buzz_net_sentiment": ratio(
                        marketing.get("marketing_net"), marketing.get("marketing_posts")
                    ),
                },
            )
        )
    cells.sort(key=lambda c: (c.location, c.period_start))
    return cells


def _subject_counts(table: Any, label: str) -> dict[str, Any]:
    """The posts of subject ``label`` and their positive minus negative count, as aggregations of ``table``."""
    of = table.subject == label
    positive = table.count(where=of & (table.sentiment == "positive"))
    return {
        f"{label}_posts": table.count(where=of),
        f"{label}_net": positive - table.count(where=of & (table.sentiment == "negative")),
    }


def _day(value: Any) -> date:
    return (
        value.date()
        if isinstance(value, datetime)
        else value
        if isinstance(value, date)
        else date.fromisoformat(str(value)[:10])
    )
