"""Participation: how concentrated the talk about the brand is, and who takes part at all.

DESIGN, "Metric definitions": **Participation**: among accounts that posted
about the brand, the share of posts from the top 1% and top 10% of authors,
the Gini coefficient of posts per author, and, given an audience size
(followers), the lurker / contributor / creator split against the 90-9-1 rule.

How it is computed: one ibis query counts posts per author and returns the
*distribution* of those counts (how many authors wrote n posts, split into
creators and contributors): a small table whatever the number of posts. The
top shares, the Gini coefficient and the Lorenz curve follow from it exactly,
in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from groundswell.errors import UsageError
from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import (
    GROUP,
    annotated_customer_posts,
    check_by,
    customer_posts,
    group_label,
    group_sort_key,
    with_group,
)
from groundswell.query import Period, Sources, rows, scalar
from groundswell.threads.stage import build_threads

PARTICIPATION_BY = ("account", "platform", "location", "month", "follower_band")
RULE_90_9_1 = (0.90, 0.09, 0.01)
"""The 90-9-1 rule: lurkers, contributors, creators."""
NO_AUDIENCE = (
    "no audience size given: the lurker / contributor / creator split needs one (e.g. the brand accounts' "
    "followers, brand_audience())"
)
AUDIENCE_IS_BRAND_WIDE = "the audience is brand-wide: the split is given without --by only"


@dataclass(frozen=True, slots=True)
class ParticipationSplit:
    """Lurkers, contributors and creators in an audience, beside the 90-9-1 rule.

    ``total`` = max(audience, active authors): lurkers are floored at 0, so the three shares always sum to 1.
    """

    audience: int
    lurkers: int
    contributors: int
    creators: int
    total: int
    lurker_share: float | None
    contributor_share: float | None
    creator_share: float | None
    rule: tuple[float, float, float] = RULE_90_9_1

    def as_dict(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "lurkers": self.lurkers,
            "contributors": self.contributors,
            "creators": self.creators,
            "total": self.total,
            "lurker_share": self.lurker_share,
            "contributor_share": self.contributor_share,
            "creator_share": self.creator_share,
            "rule_90_9_1": {"lurkers": self.rule[0], "contributors": self.rule[1], "creators": self.rule[2]},
        }


@dataclass(frozen=True, slots=True)
class ParticipationFigures:
    """One group's concentration figures, Lorenz curve, creators and contributors, and the split."""

    authors: int
    posts: int
    creators: int
    contributors: int
    top1_share: MetricValue
    top10_share: MetricValue
    gini: MetricValue
    lorenz: tuple[tuple[float, float], ...]
    split: ParticipationSplit | None
    split_note: str | None
    customer_to_customer: MetricValue
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> list[MetricValue]:
        return [self.top1_share, self.top10_share, self.gini, self.customer_to_customer]

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "authors": self.authors,
            "posts": self.posts,
            "creators": self.creators,
            "contributors": self.contributors,
            "top1_share": self.top1_share.as_dict(),
            "top10_share": self.top10_share.as_dict(),
            "gini": self.gini.as_dict(),
            "lorenz": [list(point) for point in self.lorenz],
            "split": self.split.as_dict() if self.split else None,
            "split_note": self.split_note,
            "customer_to_customer": self.customer_to_customer.as_dict(),
            "period": self.period.as_dict(),
        }


def brand_audience(src: Sources) -> int | None:
    """The brand accounts' followers: for each brand account, its follower count on its latest post, summed.

    An upper bound on the audience (a person following two brand accounts counts twice). None when no brand
    post carries a follower count. Found once per ``Sources`` (the report's participation, its business
    section and the brands compared each ask).
    """
    if "brand_audience" not in src.memo:
        brand = src.posts.filter(src.posts.is_brand & src.posts.author_followers.notnull())
        latest = brand.group_by(["platform", "author_id"]).aggregate(
            followers=brand.author_followers.argmax(brand.created_at)
        )
        total = scalar(latest.followers.sum())
        src.memo["brand_audience"] = None if total is None else int(total)
    found: int | None = src.memo["brand_audience"]
    return found


def participation(src: Sources, *, by: str | None = None, audience: int | None = None) -> list[ParticipationFigures]:
    """Concentration of the customers' posts, and the lurker / contributor / creator split given an audience.

    DESIGN: "**Participation**: among accounts that posted about the brand, the
    share of posts from the top 1% and top 10% of authors, the Gini coefficient
    of posts per author, and, given an audience size (followers), the lurker /
    contributor / creator split against the 90-9-1 rule."

    - accounts that posted about the brand: the non-brand authors of the posts, one per (platform, author_id);
    - top 1% / top 10% share: posts by the ceil(1%) / ceil(10%) of authors with most posts (at least one
      author) / all their posts;
    - Gini coefficient of posts per author, 0 (everyone posts alike) to (n - 1) / n < 1 (one author posts
      everything);
    - Lorenz curve: (share of authors, share of their posts), from the least active up, from (0, 0) to (1, 1);
    - creators: authors of at least one original post (not a reply); contributors: authors who only reply;
      lurkers = audience − active authors, floored at 0. The split divides each by
      max(audience, active authors), so the three shares sum to 1, shown beside 90-9-1.
      ``audience=None``: no split, and ``split_note`` says why; with ``by`` neither (the audience is
      brand-wide).

    - customer-to-customer replies (DESIGN's **Groundswell**: "customer-to-customer replies inside brand
      conversations"): customer replies in a brand conversation (a reply tree the brand posts in or is
      mentioned in, as the threads stage defines it) whose parent is a post by another non-brand author,
      / all customer replies in brand conversations whose parent was imported.

    No classifier is involved (``model_version`` None). ``by``: account (the brand account the post
    addresses), platform, location, month or follower_band (of the post: an author may fall in two).
    """
    check_by(by, PARTICIPATION_BY, "participation")
    if audience is not None and audience < 0:
        raise UsageError(f"audience must be a number of accounts, 0 or more, not {audience}")
    if by == "account":
        table = annotated_customer_posts(src, inbound=False)
        table = with_group(table, by, src.config, account=table.addressed_account)
    else:
        table = with_group(customer_posts(src.posts), by, src.config)
    authors = table.group_by([GROUP, "platform", "author_id"]).aggregate(
        posts=table.count(), originals=table.count(where=table.in_reply_to_post_id.isnull())
    )
    authors = authors.mutate(creator=authors.originals > 0)
    histogram = rows(authors.group_by([GROUP, "posts", "creator"]).aggregate(authors=authors.count()))
    by_group: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in histogram:
        by_group[r[GROUP]].append(r)
    if by is None and not by_group:
        by_group[""] = []
    replies = _customer_replies(src, table)
    out = []
    for key in sorted(by_group, key=lambda k: group_sort_key(by, k)):
        figures = _figures(src, by, key, by_group[key], None if by is not None else audience)
        c2c, all_replies = replies.get(key, (0, 0))
        figures = replace(
            figures,
            customer_to_customer=MetricValue(
                "customer_to_customer_reply_share",
                ratio(c2c, all_replies),
                c2c,
                all_replies,
                "share of customer replies in brand conversations that answer another customer",
                period=src.period,
                group=figures.group,
            ),
        )
        out.append(figures)
    return out


def _customer_replies(src: Sources, table: Any) -> dict[Any, tuple[int, int]]:
    """Per group: (customer replies to another customer, customer replies) inside brand conversations."""
    tree = build_threads(src).posts
    tree = tree.filter(tree.brand_conversation).select("platform", "post_id")
    everyone = src.every_post
    parents = everyone.select(
        _p_platform=everyone.platform,
        _p_post_id=everyone.post_id,
        _p_author=everyone.author_id,
        _p_brand=everyone.is_brand,
    )
    replies = table.filter(table.in_reply_to_post_id.notnull()).semi_join(tree, ["platform", "post_id"])
    replies = replies.join(
        parents, [replies.platform == parents._p_platform, replies.in_reply_to_post_id == parents._p_post_id]
    )
    other = ~replies._p_brand & (replies._p_author != replies.author_id)
    counted = rows(replies.group_by(GROUP).aggregate(c2c=replies.count(where=other), replies=replies.count()))
    return {r[GROUP]: (int(r["c2c"]), int(r["replies"])) for r in counted}


def concentration(counts: dict[int, int]) -> tuple[int, int, int, int, float | None, list[tuple[float, float]]]:
    """From {posts per author: authors}: (authors, posts, top-1% posts, top-10% posts, Gini, Lorenz points).

    Top-k% posts: the posts of the max(1, ceil(k% of authors)) most active authors. Gini over authors
    sorted by posts, ascending, ranks i = 1..n: G = 2 Σ i·x_i / (n Σ x) − (n + 1) / n.
    """
    n = sum(counts.values())
    total = sum(x * c for x, c in counts.items())
    if n == 0 or total == 0:
        return n, total, 0, 0, None, []

    def top(k: float) -> int:
        left, got = max(1, math.ceil(k * n)), 0
        for x in sorted(counts, reverse=True):
            take = min(left, counts[x])
            got += take * x
            left -= take
            if not left:
                break
        return got

    weighted, rank, cum_posts = 0, 0, 0
    lorenz = [(0.0, 0.0)]
    for x in sorted(counts):
        c = counts[x]
        weighted += x * (c * rank + c * (c + 1) // 2)  # ranks rank+1 .. rank+c
        rank += c
        cum_posts += x * c
        lorenz.append((rank / n, cum_posts / total))
    gini = 2 * weighted / (n * total) - (n + 1) / n
    return n, total, top(0.01), top(0.10), max(0.0, gini), lorenz


def _figures(
    src: Sources, by: str | None, key: Any, histogram: list[dict[str, Any]], audience: int | None
) -> ParticipationFigures:
    group = group_label(by, key)
    counts: dict[int, int] = defaultdict(int)
    creators = contributors = 0
    for r in histogram:
        counts[int(r["posts"])] += int(r["authors"])
        if r["creator"]:
            creators += int(r["authors"])
        else:
            contributors += int(r["authors"])
    n, total, top1, top10, gini, lorenz = concentration(counts)
    common: dict[str, Any] = {"period": src.period, "group": group}
    split: ParticipationSplit | None = None
    note: str | None = None
    if by is not None:
        note = AUDIENCE_IS_BRAND_WIDE
    elif audience is None:
        note = NO_AUDIENCE
    else:
        active = creators + contributors
        lurkers = max(0, audience - active)
        whole = max(audience, active)
        split = ParticipationSplit(
            audience=audience,
            lurkers=lurkers,
            contributors=contributors,
            creators=creators,
            total=whole,
            lurker_share=ratio(lurkers, whole),
            contributor_share=ratio(contributors, whole),
            creator_share=ratio(creators, whole),
        )
        if audience < active:
            note = f"the audience ({audience}) is smaller than the active authors ({active}): no lurkers counted"
    return ParticipationFigures(
        authors=n,
        posts=total,
        creators=creators,
        contributors=contributors,
        top1_share=MetricValue("top1_share", ratio(top1, total), top1, total, "share of posts", **common),
        top10_share=MetricValue("top10_share", ratio(top10, total), top10, total, "share of posts", **common),
        gini=MetricValue("gini", gini, None, None, "Gini coefficient of posts per author", **common),
        lorenz=tuple(lorenz),
        split=split,
        split_note=note,
        customer_to_customer=MetricValue("customer_to_customer_reply_share", None, period=src.period, group=group),
        period=src.period,
        group=group,
    )
