"""The inbox: the conversations waiting for the brand's answer, most urgent first, with the team's work on them.

DESIGN, "Rules of engagement" 5: "every inbound post that needs a reply has an owner". An inbox item is a
thread whose customer is waiting: it holds an inbound post that needs a reply (``needs_reply``) with no
non-automated brand post after it in the thread. The item is named by the first such post (the wait is
measured from it, as the first response time is). Its state (open, assigned, sent, closed, the assignee and
a version that every change bumps) lives in ``inbox_items``; an item nobody touched yet is ``open``.

Order (issue 6: "complaints and questions before chit-chat, negative before neutral, waiting longest, and
never ordered by follower count alone: fairness is a feature"): complaints and questions first, then
other posts that need a reply; within those, negative before neutral before positive; then the longest
wait. The follower count is shown, never used to order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis

from groundswell.metrics.base import Sources
from groundswell.metrics.engines import in_period
from groundswell.metrics.frames import rows, scalar
from groundswell.threads.build import build_threads

STATUSES = ("open", "assigned", "sent", "closed")
WAITING = ("open", "assigned")
"""The statuses of items still waiting for the brand (the default view)."""
_URGENT_INTENTS = {"complaint": 0, "question": 0}
_SENTIMENT_RANK = {"negative": 0, "neutral": 1, "positive": 2}


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One waiting conversation: the post that needs the answer, what the classifier says, the team's state."""

    platform: str
    post_id: str
    thread_id: str
    account: str | None
    author_handle: str | None
    author_followers: int | None
    created_at: datetime
    waiting_s: float
    text: str
    url: str | None
    intent: str | None
    sentiment: str | None
    status: str
    assignee: str | None
    version: int
    updated_by: str | None
    updated_at: datetime | None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.post_id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "platform": self.platform,
            "post_id": self.post_id,
            "thread_id": self.thread_id,
            "account": self.account,
            "author_handle": self.author_handle,
            "author_followers": self.author_followers,
            "created_at": self.created_at.isoformat(),
            "waiting_s": self.waiting_s,
            "text": self.text,
            "url": self.url,
            "intent": self.intent,
            "sentiment": self.sentiment,
            "status": self.status,
            "assignee": self.assignee,
            "version": self.version,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass(frozen=True, slots=True)
class InboxPage:
    """A page of the inbox and how many items match in all."""

    items: tuple[InboxItem, ...]
    total: int
    model_version: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"items": [i.as_dict() for i in self.items], "total": self.total, "model_version": self.model_version}


def inbox(
    sources: Sources,
    state: Any,
    *,
    statuses: tuple[str, ...] = WAITING,
    assignee: str | None = None,
    platform: str | None = None,
    account: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> InboxPage:
    """The waiting conversations of ``sources`` (see the module), with their state from the ``state`` table
    (``inbox_items`` on the same engine), filtered and cut to one page.

    ``now``: the moment waits are measured to (default: the current time, UTC).
    """
    moment = (now or datetime.now(UTC)).replace(tzinfo=None)
    threads = build_threads(sources)
    p = threads.posts
    waiting = p.filter(p.inbound & p.needs_reply.fill_null(False) & p.reply_delay_s.isnull() & p.in_thread)
    waiting = in_period(waiting, sources.period)
    first = waiting.group_by(["platform", "thread_id"]).aggregate(_first_t=waiting.t.min())
    item = waiting.join(first, [waiting.platform == first.platform, waiting.thread_id == first.thread_id])
    item = item.filter(item.t == item._first_t).select(
        "platform",
        "post_id",
        "thread_id",
        "author_handle",
        "author_followers",
        "created_at",
        "intent",
        "sentiment",
        "t",
    )
    # one item per thread even when two posts share the first moment: the smallest post id
    item = item.mutate(_n=ibis.row_number().over(group_by=["platform", "thread_id"], order_by="post_id"))
    item = item.filter(item._n == 0).drop("_n")
    t = threads.threads.select(_t_platform="platform", _t_thread="thread_id", account="account")
    item = item.left_join(t, [item.platform == t._t_platform, item.thread_id == t._t_thread]).drop(
        "_t_platform", "_t_thread"
    )
    posts = sources.every_post.select(_p_platform="platform", _p_post_id="post_id", text="text", url="url")
    item = item.left_join(posts, [item.platform == posts._p_platform, item.post_id == posts._p_post_id]).drop(
        "_p_platform", "_p_post_id"
    )
    s = state.select(
        _s_platform="platform",
        _s_post_id="post_id",
        status="status",
        assignee="assignee",
        version="version",
        updated_by="updated_by",
        updated_at="updated_at",
    )
    item = item.left_join(s, [item.platform == s._s_platform, item.post_id == s._s_post_id]).drop(
        "_s_platform", "_s_post_id"
    )
    item = item.mutate(status=item.status.fill_null("open"), version=item.version.fill_null(0))
    item = item.filter(item.status.isin(list(statuses)))
    if assignee is not None:
        item = item.filter(item.assignee == assignee)
    if platform is not None:
        item = item.filter(item.platform == platform)
    if account is not None:
        item = item.filter(item.account == account)
    urgent = item.intent.cases(*_URGENT_INTENTS.items(), else_=1)
    mood = item.sentiment.cases(*_SENTIMENT_RANK.items(), else_=1)
    ordered = item.order_by([urgent, mood, item.t, item.platform, item.post_id])
    found = rows(ordered.limit(limit, offset=offset))
    total = int(scalar(item.count()))
    return InboxPage(
        items=tuple(_item(r, moment) for r in found),
        total=total,
        model_version=sources.model_version if sources.enrichments is not None else None,
    )


def _item(row: dict[str, Any], now: datetime) -> InboxItem:
    created: datetime = row["created_at"]
    return InboxItem(
        platform=row["platform"],
        post_id=row["post_id"],
        thread_id=row["thread_id"],
        account=row.get("account"),
        author_handle=row.get("author_handle"),
        author_followers=row.get("author_followers"),
        created_at=created,
        waiting_s=max(0.0, (now - created).total_seconds()),
        text=row.get("text") or "",
        url=row.get("url"),
        intent=row.get("intent"),
        sentiment=row.get("sentiment"),
        status=row["status"],
        assignee=row.get("assignee"),
        version=int(row["version"]),
        updated_by=row.get("updated_by"),
        updated_at=row.get("updated_at"),
    )
