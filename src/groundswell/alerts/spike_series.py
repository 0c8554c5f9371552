"""Inbound posts per topic and per time bin, from one ibis query: what the spike rule tests.

A post counts in several topics at once: ``brand`` (every inbound post), ``campaign:<name>`` (the campaign
enrichment matched), ``hashtag:<#tag>`` (each hashtag of its text, lower case), ``subject:<subject>``, and
``complaint`` (a complaint that is negative: a post about a problem, which an outage multiplies). Per topic and bin the query also counts
the posts that are about a campaign (a matched campaign or the marketing subject) and the complaints, which
label a surge. Without enrichments only ``brand`` and the hashtags are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import ibis
import numpy as np

from groundswell.metrics.frames import annotated_customer_posts
from groundswell.query import Sources, rows

if TYPE_CHECKING:
    import ibis.expr.types as ir

BRAND_TOPIC = "brand"
COMPLAINT_TOPIC = "complaint"
CAMPAIGN_PREFIX = "campaign:"
HASHTAG_PREFIX = "hashtag:"
SUBJECT_PREFIX = "subject:"
SUBJECTS = ("experience", "marketing")


@dataclass(frozen=True, slots=True)
class TopicSeries:
    """One topic's posts per bin from ``start`` (bins of ``bin_seconds``), with its campaign and complaint posts."""

    topic: str
    start: datetime
    bin_seconds: int
    posts: np.ndarray
    campaign: np.ndarray
    complaint: np.ndarray

    def upto(self, bins: int) -> TopicSeries:
        """The first ``bins`` bins only (what was known at the end of bin ``bins - 1``)."""
        return TopicSeries(
            self.topic, self.start, self.bin_seconds, self.posts[:bins], self.campaign[:bins], self.complaint[:bins]
        )


def topic_posts(src: Sources, since: datetime, until: datetime) -> ir.Table:
    """One row per (inbound post, topic) created in [since, until): the post's keys, time, engagement and flags."""
    table = annotated_customer_posts(src)
    table = table.filter(table.inbound, table.created_at >= since, table.created_at < until)
    if src.enrichments is not None:
        e = src.enrichments
        e = e.select(
            _e_platform=e.platform, _e_post_id=e.post_id, campaign=e.campaign, subject=e.subject,
            sentiment=e.sentiment, intent=e.intent,
        )  # fmt: skip
        table = table.left_join(e, [table.platform == e._e_platform, table.post_id == e._e_post_id])
        # the campaign of the post that opened the conversation: a reply under a campaign's broadcast is its buzz
        r = src.enrichments
        r = r.select(_r_platform=r.platform, _r_post_id=r.post_id, root_campaign=r.campaign)
        table = table.left_join(r, [table.platform == r._r_platform, table.conversation_id == r._r_post_id])
    else:
        none = ibis.null().cast("string")
        table = table.mutate(campaign=none, subject=none, sentiment=none, intent=none, root_campaign=none)
    subject = table.subject.fill_null("")
    table = table.select(
        "platform", "post_id", "created_at", "text", "campaign", "subject",
        engagement=table.like_count.fill_null(0) + table.share_count.fill_null(0),
        is_campaign=table.campaign.notnull() | table.root_campaign.notnull() | (subject == "marketing"),
        # both labels: a model that reads a moving story as "negative" alone must not make it an outage
        is_complaint=(table.intent.fill_null("") == "complaint") & (table.sentiment.fill_null("") == "negative"),
    )  # fmt: skip
    parts = [table.mutate(topic=ibis.literal(BRAND_TOPIC))]
    words = table.mutate(_word=table.text.re_split(r"\s+").unnest())
    tags = words.filter(words._word.startswith("#"))
    tags = tags.mutate(_tag=tags._word.lower().re_replace(r"[^#\w]+$", ""))
    tags = tags.filter(tags._tag.length() > 1)
    parts.append(tags.mutate(topic=HASHTAG_PREFIX + tags._tag).drop("_word", "_tag"))
    if src.enrichments is not None:
        named = table.filter(table.campaign.notnull())
        parts.append(named.mutate(topic=CAMPAIGN_PREFIX + named.campaign))
        about = table.filter(table.subject.isin(SUBJECTS))
        parts.append(about.mutate(topic=SUBJECT_PREFIX + about.subject))
        parts.append(table.filter(table.is_complaint).mutate(topic=ibis.literal(COMPLAINT_TOPIC)))
    return ibis.union(*parts, distinct=False)


def topic_series(src: Sources, since: datetime, until: datetime, bin_seconds: int) -> dict[str, TopicSeries]:
    """Every topic's counts per bin over [since, until) (``until - since`` a whole number of bins)."""
    table = topic_posts(src, since, until)
    bin_s = bin_seconds
    offset = table.created_at.epoch_seconds() - int(_epoch(since))
    table = table.mutate(_bin=(offset // bin_s).cast("int64"))
    counted = table.group_by(["topic", "_bin"]).aggregate(
        posts=table.count(),
        campaign=table.count(where=table.is_campaign),
        complaint=table.count(where=table.is_complaint),
    )
    bins = int((until - since).total_seconds() // bin_s)
    found: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for r in rows(counted):
        arrays = found.setdefault(r["topic"], (np.zeros(bins), np.zeros(bins), np.zeros(bins)))
        i = int(r["_bin"])
        if 0 <= i < bins:
            arrays[0][i], arrays[1][i], arrays[2][i] = r["posts"], r["campaign"], r["complaint"]
    return {topic: TopicSeries(topic, since, bin_seconds, *arrays) for topic, arrays in sorted(found.items())}


def _epoch(moment: datetime) -> float:
    return (moment - datetime(1970, 1, 1)).total_seconds()


def floor_to(moment: datetime, seconds: int) -> datetime:
    """``moment`` (naive UTC) rounded down to a multiple of ``seconds`` since midnight."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    whole = int((moment - midnight).total_seconds() // seconds) * seconds
    return midnight + timedelta(seconds=whole)
