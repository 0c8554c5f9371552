"""Relationships: do customers come back, and do some become friends of the brand?

DESIGN, "Metric definitions": **Relationships**: returning customers (active in
two or more months), friends (two or more positive interactions), cohort
retention by month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import ibis

from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import (
    GROUP,
    annotate,
    annotated_customer_posts,
    check_by,
    customer_posts,
    group_label,
    group_sort_key,
    month_index,
    month_label,
    with_enrichments,
    with_group,
)
from groundswell.query import Period, Sources, rows

RELATIONSHIPS_BY = ("account", "platform", "location")
NO_ENRICHMENTS = "friends need the posts' sentiment: run `groundswell enrich` first"
AUTHOR = ["platform", "author_id"]


@dataclass(frozen=True, slots=True)
class Retention:
    """Of a cohort, how many were active ``offset`` months after their first month."""

    offset: int
    month: str
    active: int
    share: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"offset": self.offset, "month": self.month, "active": self.active, "share": self.share}


@dataclass(frozen=True, slots=True)
class Cohort:
    """The customers whose first post (in the period) fell in ``month``, and their retention month by month."""

    month: str
    size: int
    retention: tuple[Retention, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "size": self.size, "retention": [r.as_dict() for r in self.retention]}


@dataclass(frozen=True, slots=True)
class RelationshipFigures:
    """One group's returning customers, friends and monthly cohorts."""

    customers: int
    returning: MetricValue
    friends: MetricValue
    cohorts: tuple[Cohort, ...]
    notes: tuple[str, ...] = ()
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> list[MetricValue]:
        return [self.returning, self.friends]

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "customers": self.customers,
            "returning_customers": self.returning.as_dict(),
            "friends": self.friends.as_dict(),
            "cohorts": [c.as_dict() for c in self.cohorts],
            "notes": list(self.notes),
            "period": self.period.as_dict(),
        }


def relationships(src: Sources, *, by: str | None = None) -> list[RelationshipFigures]:
    """Returning customers, friends and monthly cohort retention of the brand's customers.

    DESIGN: "**Relationships**: returning customers (active in two or more
    months), friends (two or more positive interactions), cohort retention by
    month."

    - customers: non-brand authors, one per (platform, author_id), with a post in the period;
    - returning customers: customers with posts in two or more calendar months (UTC) /
      customers;
    - friends: customers with two or more *positive interactions*: posts the enrichment model scored
      positive that are directed at the brand (mention a brand account, or reply to a brand post) /
      customers. Carries the model version; None (with a note) when the workspace has not been enriched;
    - cohorts: a customer's cohort is the month of their first post in the period; retention at month
      offset k = share of the cohort with a post in month cohort + k (k = 0 is the whole cohort), for every
      month up to the last month with posts.

    ``by``: account (the brand account a post addresses), platform or location; a customer belongs to each
    group they posted in. Not month: cohorts are monthly already.
    """
    check_by(by, RELATIONSHIPS_BY, "relationships (cohorts are monthly already)")
    if by == "account":
        table = annotated_customer_posts(src, inbound=False)
        table = with_group(table, by, src.config, account=table.addressed_account)
    else:
        table = with_group(customer_posts(src.posts), by, src.config)
    table = table.mutate(_month=month_index(table.created_at))

    # One pass: each customer's active months, their first month and how many, by window.
    active = table.select(GROUP, *AUTHOR, "_month").distinct()
    per_author = ibis.window(group_by=[GROUP, *AUTHOR])
    active = active.mutate(_first=active._month.min().over(per_author), _months=active._month.count().over(per_author))
    active = active.mutate(_offset=active._month - active._first)
    cohort_rows = rows(
        active.group_by([GROUP, "_first", "_offset"]).aggregate(
            active=active.count(), returning=active.count(where=(active._offset == 0) & (active._months >= 2))
        )
    )
    totals: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for r in cohort_rows:
        if r["_offset"] == 0:
            totals[r[GROUP]][0] += int(r["active"])
            totals[r[GROUP]][1] += int(r["returning"])
    customers = [{GROUP: key, "customers": n, "returning": back} for key, (n, back) in totals.items()]
    last_month = max((int(r["_first"]) + int(r["_offset"]) for r in cohort_rows), default=None)

    friends: dict[Any, int] = {}
    notes: tuple[str, ...] = ()
    if src.enrichments is None:
        notes = (NO_ENRICHMENTS,)
    else:
        # positive posts first (a join that narrows), then what they are directed at
        positive = with_enrichments(customer_posts(src.posts), src.enrichments, ["sentiment"])
        positive = positive.filter(positive.sentiment == "positive")
        directed = annotate(positive, src, inbound=False)
        directed = with_group(directed, by, src.config, account=directed.addressed_account)
        directed = directed.filter(directed.mentions_brand | directed.replies_to_brand)
        per_friend = directed.group_by([GROUP, *AUTHOR]).aggregate(n=directed.count())
        per_friend = per_friend.filter(per_friend.n >= 2)
        friends = {
            r[GROUP]: int(r["friends"]) for r in rows(per_friend.group_by(GROUP).aggregate(friends=per_friend.count()))
        }

    cohorts: dict[Any, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in cohort_rows:
        cohorts[r[GROUP]][int(r["_first"])][int(r["_offset"])] = int(r["active"])
    if by is None and not customers:
        customers = [{GROUP: "", "customers": 0, "returning": 0}]
    customers.sort(key=lambda r: group_sort_key(by, r[GROUP]))
    out = []
    for r in customers:
        key = r[GROUP]
        group = group_label(by, key)
        total, returning = int(r["customers"]), int(r["returning"])
        common: dict[str, Any] = {"period": src.period, "group": group}
        friend_count = friends.get(key, 0) if src.enrichments is not None else None
        out.append(
            RelationshipFigures(
                customers=total,
                returning=MetricValue(
                    "returning_customer_share",
                    ratio(returning, total),
                    returning,
                    total,
                    "share of customers active in two or more months",
                    **common,
                ),
                friends=MetricValue(
                    "friend_share",
                    ratio(friend_count, total),
                    friend_count,
                    total,
                    "share of customers with two or more positive posts directed at the brand",
                    model_version=src.model_version,
                    **common,
                ),
                cohorts=_cohorts(cohorts.get(key, {}), last_month),
                notes=notes,
                period=src.period,
                group=group,
            )
        )
    return out


def _cohorts(found: dict[int, dict[int, int]], last_month: int | None) -> tuple[Cohort, ...]:
    out = []
    for first in sorted(found):
        offsets = found[first]
        size = offsets.get(0, 0)
        end = last_month if last_month is not None else first
        retention = tuple(
            Retention(k, month_label(first + k), offsets.get(k, 0), ratio(offsets.get(k, 0), size))
            for k in range(end - first + 1)
        )
        out.append(Cohort(month_label(first), size, retention))
    return tuple(out)
