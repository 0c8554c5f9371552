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
from groundswell.metrics.location_days import COUNTS, location_days
from groundswell.query import Sources, rows

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
    """Every configured location's social figures per period, for periods with at least one enriched customer
    post there, from the day counts (``location_days``).

    Posts at no configured location (``(none)``) or at an unconfigured one are left out: the panel is the
    brand's stores. Raises ``MetricUnavailable`` when the workspace has not been enriched.
    """
    days = location_days(src)
    days = days.mutate(_period=days.day.truncate(_TRUNCATE[granularity]))
    found = rows(days.group_by(["location", "_period"]).aggregate(**{name: days[name].sum() for name in COUNTS}))
    buzz: dict[date, list[int]] = {}  # the brand's marketing posts and their net sentiment, every location's
    for row in found:
        brand = buzz.setdefault(_day(row["_period"]), [0, 0])
        brand[0] += row["marketing_posts"]
        brand[1] += row["marketing_net"]
    cells = []
    for row in found:
        if row["location"] is None or not row["posts"]:
            continue  # at no store, or only replies counted there (posts not enriched): no figures of a store's
        when = _day(row["_period"])
        marketing = buzz[when]
        cells.append(
            SocialCell(
                location=row["location"],
                period_start=when,
                figures={
                    "experience_posts": float(row["experience_posts"]),
                    "experience_net_sentiment": ratio(row["experience_net"], row["experience_posts"]),
                    "complaints": float(row["complaints"]),
                    "response_rate": ratio(row["replied"], row["needs_reply"]),
                    "marketing_buzz_posts": float(marketing[0]),
                    "marketing_buzz_net_sentiment": ratio(marketing[1], marketing[0]),
                },
            )
        )
    cells.sort(key=lambda c: (c.location, c.period_start))
    return cells


def _day(value: Any) -> date:
    return (
        value.date()
        if isinstance(value, datetime)
        else value
        if isinstance(value, date)
        else date.fromisoformat(str(value)[:10])
    )
