"""The threads that most need a person: unanswered complaints and questions, and threads that did not help.

DESIGN asks of every thread: *did I help this person?* Two lists answer where the answer is no:

- **unanswered**: threads needing a reply that got no brand reply (``groundswell.threads.counts``, where
  every view's counts are defined). Most urgent first (``urgency``, the inbox's order):
  complaints and questions, then the rest; within those, negative before neutral before positive; then
  the longest wait. The customer's
  follower count plays no part in the order (DESIGN, "Fairness of response").
- **not helped**: replied threads whose outcome is ``not_helped`` (an agent's mark, or the customer's
  last post after the reply was negative or repeated the complaint), most negative ending first, then
  the oldest.

Threads count when their first inbound post is in the period, as in the response and help metrics.
Waiting time runs from the first inbound post to the counts' "as of" moment (``counts.as_of``: the last post
of the period for an import, now for a workspace that syncs), the moment the inbox measures to as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.query import Sources, rows, scalar
from groundswell.threads.counts import as_of, counted_threads
from groundswell.threads.stage import build_threads

DEFAULT_LIMIT = 10
URGENT_INTENTS = {"complaint": 0, "question": 0}
"""Complaints and questions come before other posts that need a reply (the inbox orders the same way)."""
SENTIMENT_RANK = {"negative": 0, "neutral": 1, "positive": 2}


def urgency(intent: Any, sentiment: Any) -> list[Any]:
    """Sort keys, most urgent first: complaints and questions before the rest, then negative before neutral
    before positive. The follower count is never one of them (DESIGN, "Fairness of response")."""
    return [intent.cases(*URGENT_INTENTS.items(), else_=1), sentiment.cases(*SENTIMENT_RANK.items(), else_=1)]


@dataclass(frozen=True, slots=True)
class AttentionThread:
    """A thread that needs a person, with its first inbound post (the words that started it)."""

    reason: str
    platform: str
    thread_id: str
    account: str | None
    customer_handle: str | None
    first_inbound_post_id: str
    first_inbound_at: datetime
    waiting_s: float | None
    intent: str | None
    sentiment: str | None
    outcome: str | None
    marked: bool
    text: str
    url: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "platform": self.platform,
            "thread_id": self.thread_id,
            "account": self.account,
            "customer_handle": self.customer_handle,
            "first_inbound_post_id": self.first_inbound_post_id,
            "first_inbound_at": self.first_inbound_at.isoformat(),
            "waiting_s": self.waiting_s,
            "intent": self.intent,
            "sentiment": self.sentiment,
            "outcome": self.outcome,
            "marked": self.marked,
            "text": self.text,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Attention:
    """The two lists, each cut to ``limit``, and how many threads each holds in all."""

    unanswered: tuple[AttentionThread, ...]
    unanswered_total: int
    not_helped: tuple[AttentionThread, ...]
    not_helped_total: int
    model_version: str | None
    as_of: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "unanswered": [t.as_dict() for t in self.unanswered],
            "unanswered_total": self.unanswered_total,
            "not_helped": [t.as_dict() for t in self.not_helped],
            "not_helped_total": self.not_helped_total,
            "model_version": self.model_version,
        }


def threads_needing_attention(sources: Sources, *, limit: int = DEFAULT_LIMIT) -> Attention:
    """Unanswered threads that need a reply and not-helped threads, most urgent first (see the module)."""
    threads = build_threads(sources)
    table = counted_threads(threads, sources.period)
    first = threads.posts.select(
        platform=threads.posts.platform,
        first_inbound_post_id=threads.posts.post_id,
        intent=threads.posts.intent,
        sentiment=threads.posts.sentiment,
    )
    table = table.left_join(first, ["platform", "first_inbound_post_id"]).drop(
        "platform_right", "first_inbound_post_id_right"
    )
    posts = sources.every_post.select(
        platform=sources.every_post.platform,
        first_inbound_post_id=sources.every_post.post_id,
        text=sources.every_post.text,
        url=sources.every_post.url,
    )
    table = table.left_join(posts, ["platform", "first_inbound_post_id"]).drop(
        "platform_right", "first_inbound_post_id_right"
    )
    unanswered = table.filter(table.unanswered)
    not_helped = table.filter(table.outcome == "not_helped")
    end = as_of(sources)
    first_unanswered = rows(
        unanswered.order_by([*urgency(table.intent, table.sentiment), table.first_inbound_at, table.thread_id]).limit(
            limit
        )
    )
    end_rank = not_helped.end_sentiment_label.cases(*SENTIMENT_RANK.items(), else_=1)
    first_not_helped = rows(not_helped.order_by([end_rank, table.first_inbound_at, table.thread_id]).limit(limit))
    return Attention(
        unanswered=tuple(_item(r, _unanswered_reason(r), end) for r in first_unanswered),
        unanswered_total=int(scalar(unanswered.count())),
        not_helped=tuple(_item(r, "not helped", end) for r in first_not_helped),
        not_helped_total=int(scalar(not_helped.count())),
        model_version=sources.model_version if sources.enrichments is not None else None,
        as_of=end,
    )


def _unanswered_reason(row: dict[str, Any]) -> str:
    kind = {"complaint": "complaint", "question": "question"}.get(row.get("intent") or "", "post needing a reply")
    return f"unanswered {kind}"


def _item(row: dict[str, Any], reason: str, end: datetime | None) -> AttentionThread:
    started: datetime = row["first_inbound_at"]
    waiting = (end - started).total_seconds() if end is not None and reason.startswith("unanswered") else None
    return AttentionThread(
        reason=reason,
        platform=row["platform"],
        thread_id=row["thread_id"],
        account=row.get("account"),
        customer_handle=row.get("customer_handle"),
        first_inbound_post_id=row["first_inbound_post_id"],
        first_inbound_at=started,
        waiting_s=max(0.0, waiting) if waiting is not None else None,
        intent=row.get("intent"),
        sentiment=row.get("sentiment"),
        outcome=row.get("outcome"),
        marked=bool(row.get("marked")),
        text=row.get("text") or "",
        url=row.get("url"),
    )


__all__ = ["Attention", "AttentionThread", "threads_needing_attention"]
