"""Subject: what customers talk about, the experience or the marketing, and how they feel about each.

DESIGN, "Metric definitions": **Experience share**: share of customer posts
whose subject is the product or service experience; **marketing-buzz share**:
share about the marketing itself. Each with its net sentiment =
(positive − negative) / all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import (
    GROUP,
    annotated_customer_posts,
    check_by,
    customer_posts,
    group_label,
    group_sort_key,
    require_enrichments,
    with_enrichments,
    with_group,
)
from groundswell.query import Period, Sources, rows

SUBJECT_BY = ("account", "platform", "location", "month", "follower_band")
SHARE_UNIT = "share of customer posts"
NET_SENTIMENT_UNIT = "net sentiment: (positive − negative) / all posts of the subject, not / (positive + negative)"
NET_SENTIMENT_NOTE = (
    "net sentiment is (positive − negative) / all posts of the subject, not / (positive + negative) as some "
    "vendors compute it"
)
# subject label in the enrichments -> the name its figures take
SUBJECTS = {"experience": "experience", "marketing": "marketing_buzz"}


@dataclass(frozen=True, slots=True)
class SubjectSlice:
    """One subject's posts among the customer posts, with their sentiment counts and the two figures."""

    subject: str
    posts: int
    positive: int
    negative: int
    share: MetricValue
    net_sentiment: MetricValue

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "posts": self.posts,
            "positive": self.positive,
            "negative": self.negative,
            "share": self.share.as_dict(),
            "net_sentiment": self.net_sentiment.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class SubjectFigures:
    """Experience and marketing-buzz shares of one group's customer posts (all of them without ``--by``)."""

    customer_posts: int
    experience: SubjectSlice
    marketing_buzz: SubjectSlice
    model_version: str | None
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> list[MetricValue]:
        return [
            self.experience.share,
            self.experience.net_sentiment,
            self.marketing_buzz.share,
            self.marketing_buzz.net_sentiment,
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "customer_posts": self.customer_posts,
            "experience": self.experience.as_dict(),
            "marketing_buzz": self.marketing_buzz.as_dict(),
            "model_version": self.model_version,
            "period": self.period.as_dict(),
            "notes": [NET_SENTIMENT_NOTE],
        }


def subject_shares(src: Sources, *, by: str | None = None) -> list[SubjectFigures]:
    """Experience share and marketing-buzz share of customer posts, each with its net sentiment.

    DESIGN: "**Experience share**: share of customer posts whose subject is the
    product or service experience; **marketing-buzz share**: share about the
    marketing itself. Each with its net sentiment = (positive − negative) / all."

    - customer posts: posts by non-brand accounts that the enrichment model version ``src.model_version``
      has classified (posts not yet enriched are left out of numerator and denominator alike);
    - share = posts of the subject / customer posts;
    - net sentiment = (positive − negative) / *all* posts of that subject, **not** / (positive + negative);
      the figure's unit says so. None when the subject has no posts.

    ``by``: account (the brand account a post addresses: replies to, else first mentions; ``(none)`` when
    it addresses none), platform, location, month or follower_band. One ``SubjectFigures`` per group,
    groups in order; without ``by`` exactly one, also for no posts.
    Raises ``MetricUnavailable`` when the workspace has not been enriched.
    """
    check_by(by, SUBJECT_BY, "subject")
    enrichments = require_enrichments(src, "the subject metrics")
    if by == "account":
        table = annotated_customer_posts(src, inbound=False)
        table = with_group(table, by, src.config, account=table.addressed_account)
    else:
        table = with_group(customer_posts(src.posts), by, src.config)
    table = with_enrichments(table, enrichments, ["subject", "sentiment"])
    metrics: dict[str, Any] = {"posts": table.count()}
    for label in SUBJECTS:
        of_subject = table.subject == label
        metrics[f"{label}_posts"] = table.count(where=of_subject)
        metrics[f"{label}_positive"] = table.count(where=of_subject & (table.sentiment == "positive"))
        metrics[f"{label}_negative"] = table.count(where=of_subject & (table.sentiment == "negative"))
    found = rows(table.group_by(GROUP).aggregate(**metrics))
    if by is None and not found:
        found = [{GROUP: "", "posts": 0, **{k: 0 for k in metrics if k != "posts"}}]
    found.sort(key=lambda r: group_sort_key(by, r[GROUP]))
    return [_figures(src, by, r) for r in found]


def _figures(src: Sources, by: str | None, row: dict[str, Any]) -> SubjectFigures:
    group = group_label(by, row[GROUP])
    total = int(row["posts"])
    slices = {}
    for label, name in SUBJECTS.items():
        posts, positive, negative = (int(row[f"{label}_{k}"]) for k in ("posts", "positive", "negative"))
        common: dict[str, Any] = {"model_version": src.model_version, "period": src.period, "group": group}
        slices[name] = SubjectSlice(
            subject=label,
            posts=posts,
            positive=positive,
            negative=negative,
            share=MetricValue(f"{name}_share", ratio(posts, total), posts, total, SHARE_UNIT, **common),
            net_sentiment=MetricValue(
                f"{name}_net_sentiment",
                ratio(positive - negative, posts),
                positive - negative,
                posts,
                NET_SENTIMENT_UNIT,
                **common,
            ),
        )
    return SubjectFigures(
        customer_posts=total,
        experience=slices["experience"],
        marketing_buzz=slices["marketing_buzz"],
        model_version=src.model_version,
        period=src.period,
        group=group,
    )
