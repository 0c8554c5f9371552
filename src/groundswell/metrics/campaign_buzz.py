"""The brand's buzz per period, told apart by the campaign it names: what each campaign's counterfactual reads.

Buzz is a customer post about the marketing (subject ``marketing``) or one naming a configured campaign (by its
hashtags, keywords or links, within its dates: ``enrichments.campaign``). Each row counts the posts of a period
that name one campaign, or none (``campaign`` None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from groundswell.metrics.frames import customer_posts, require_enrichments, with_enrichments
from groundswell.metrics.social_panel import Granularity
from groundswell.query import Sources, rows

_TRUNCATE = {"week": "W", "month": "M"}


@dataclass(frozen=True, slots=True)
class CampaignBuzz:
    """Buzz posts per (period start, campaign or None), and the first and last period with any customer post
    (None: no post)."""

    posts: dict[tuple[date, str | None], int]
    span: tuple[date, date] | None


def buzz_by_campaign(src: Sources, *, granularity: Granularity = "week") -> CampaignBuzz:
    """The buzz of every period, by the campaign it names. Raises ``MetricUnavailable`` without enrichments."""
    enrichments = require_enrichments(src, "the buzz per campaign")
    every = customer_posts(src.posts)
    every = every.mutate(_period=every.created_at.truncate(_TRUNCATE[granularity]))
    span = rows(every.aggregate(first=every._period.min(), last=every._period.max()))[0]
    posts = with_enrichments(every, enrichments, ["subject", "campaign"])
    buzz = posts.filter((posts.subject == "marketing") | posts.campaign.notnull())
    found = rows(buzz.group_by(["_period", "campaign"]).aggregate(posts=buzz.count()))
    return CampaignBuzz(
        {(_day(r["_period"]), r["campaign"]): int(r["posts"]) for r in found},
        None if span["first"] is None else (_day(span["first"]), _day(span["last"])),
    )


def _day(value: Any) -> date:
    return value if type(value) is date else date.fromisoformat(str(value)[:10])
