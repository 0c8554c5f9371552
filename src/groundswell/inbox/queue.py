"""The inbox: the conversations waiting for the brand's answer, most urgent first, with the team's work on them.

DESIGN, "Rules of engagement" 5: "every inbound post that needs a reply has an owner". An inbox item is a
*waiting* thread as ``groundswell.threads.counts`` defines it (the count every view shows): it holds an
inbound post that needs a reply (``needs_reply``) with no non-automated brand post after it in the thread.
The item is named by the first such post; its wait runs from that post to the counts' "as of" moment
(``counts.as_of``: the data's last post for an import, now for a workspace that syncs), as in the report.
Its state (open, assigned, sent, closed, the assignee and a version that every change bumps) lives in ``inbox_items``; an item nobody touched yet is ``open``.

Order (issue 6: "complaints and questions before chit-chat, negative before neutral, waiting longest, and
never ordered by follower count alone: fairness is a feature"): complaints and questions first, then
other posts that need a reply; within those, negative before neutral before positive; then the longest
wait. The follower count is shown, never used to order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import ibis

from groundswell.clock import naive_utc, utcnow
from groundswell.query import Sources, rows
from groundswell.threads.attention import urgency
from groundswell.threads.counts import as_of, counted_threads, waiting_posts
from groundswell.threads.stage import build_threads

STATUSES = ("open", "assigned", "sending", "sent", "closed")
WAITING = ("open", "assigned", "sending")
"""The statuses of items still waiting for the brand (the default view): ``sending`` is a reply the platform
has not confirmed yet (``groundswell.inbox.sends``), which an agent may have to settle."""


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
    send: dict[str, Any] | None = None  # the reply being sent, while ``sending`` (``ReplySend.as_dict``)

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
            "send": self.send,
        }


@dataclass(frozen=True, slots=True)
class InboxPage:
    """A page of the inbox and how many items match in all."""

    items: tuple[InboxItem, ...]
    total: int
    model_version: str | None
    as_of: datetime | None = None  # the moment the waits run to

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": [i.as_dict() for i in self.items],
            "total": self.total,
            "model_version": self.model_version,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


@dataclass(frozen=True, slots=True)
class WaitingPost:
    """A waiting conversation as the threads stage sees it, before the team's state is joined."""

    platform: str
    post_id: str
    thread_id: str
    account: str | None
    author_handle: str | None
    author_followers: int | None
    created_at: datetime
    text: str
    url: str | None
    intent: str | None
    sentiment: str | None


def waiting(sources: Sources) -> list[WaitingPost]:
    """Every waiting conversation of ``sources`` (see the module), most urgent first.

    The expensive part of the inbox (it rebuilds the threads); its result changes only when posts or
    enrichments do, so a server computes it once per data version and joins the team's state per request.
    """
    threads = build_threads(sources)
    counted = counted_threads(threads, sources.period)
    pending = waiting_posts(threads)
    chosen = counted.filter(counted.waiting).select(_c_platform="platform", _c_thread="thread_id")
    pending = pending.semi_join(chosen, [pending.platform == chosen._c_platform, pending.thread_id == chosen._c_thread])
    # the thread's first waiting post names the item; the smallest post id when two share the moment
    pending = pending.mutate(
        _n=ibis.row_number().over(group_by=["platform", "thread_id"], order_by=[pending.t, pending.post_id])
    )
    item = pending.filter(pending._n == 0).select(
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
    t = threads.threads.select(_t_platform="platform", _t_thread="thread_id", account="account")
    item = item.left_join(t, [item.platform == t._t_platform, item.thread_id == t._t_thread]).drop(
        "_t_platform", "_t_thread"
    )
    posts = sources.every_post.select(_p_platform="platform", _p_post_id="post_id", text="text", url="url")
    item = item.left_join(posts, [item.platform == posts._p_platform, item.post_id == posts._p_post_id]).drop(
        "_p_platform", "_p_post_id"
    )
    ordered = item.order_by([*urgency(item.intent, item.sentiment), item.t, item.platform, item.post_id])
    return [
        WaitingPost(
            platform=r["platform"],
            post_id=r["post_id"],
            thread_id=r["thread_id"],
            account=r.get("account"),
            author_handle=r.get("author_handle"),
            author_followers=r.get("author_followers"),
            created_at=r["created_at"],
            text=r.get("text") or "",
            url=r.get("url"),
            intent=r.get("intent"),
            sentiment=r.get("sentiment"),
        )
        for r in rows(ordered.drop("t"))
    ]


def page_of(
    candidates: list[WaitingPost],
    state: dict[tuple[str, str], dict[str, Any]],
    *,
    statuses: tuple[str, ...] = WAITING,
    assignee: str | None = None,
    platform: str | None = None,
    account: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
    model_version: str | None = None,
    keys: frozenset[tuple[str, str]] | None = None,
) -> InboxPage:
    """One page of ``candidates`` (already in urgency order) with the team's ``state`` per (platform, post_id).

    The state is small (the items someone touched); the candidates may be many. So the default view (no
    assignee, platform or account filter) skips the touched items that are filtered out and stops once the
    page is full, and counts the total from the state alone. ``keys``: the candidates' (platform, post_id),
    when the caller keeps them (else made here). ``now``: the moment waits run to (``counts.as_of``; default
    the clock). The default view's total is the threads waiting for a reply less those the team marked sent
    or closed (a reply made outside the imported data).
    """
    moment = naive_utc(now) if now is not None else utcnow()

    def status_of(c: WaitingPost) -> str:
        return str(state.get((c.platform, c.post_id), {}).get("status", "open"))

    def keep(c: WaitingPost) -> bool:
        if status_of(c) not in statuses:
            return False
        if assignee is not None and state.get((c.platform, c.post_id), {}).get("assignee") != assignee:
            return False
        return (platform is None or c.platform == platform) and (account is None or c.account == account)

    chosen: list[WaitingPost] = []
    if "open" in statuses and assignee is None and platform is None and account is None:
        if keys is None and state:
            keys = frozenset((c.platform, c.post_id) for c in candidates)
        out = {k for k, s in state.items() if s.get("status", "open") not in statuses and keys and k in keys}
        total = len(candidates) - len(out)
        seen = 0
        for c in candidates:
            if (c.platform, c.post_id) in out:
                continue
            seen += 1
            if seen > offset:
                chosen.append(c)
            if len(chosen) >= limit:
                break
    else:
        kept = [c for c in candidates if keep(c)]
        total = len(kept)
        chosen = kept[offset : offset + limit]
    items = []
    for c in chosen:
        s = state.get((c.platform, c.post_id), {})
        items.append(
            InboxItem(
                platform=c.platform,
                post_id=c.post_id,
                thread_id=c.thread_id,
                account=c.account,
                author_handle=c.author_handle,
                author_followers=c.author_followers,
                created_at=c.created_at,
                waiting_s=max(0.0, (moment - c.created_at).total_seconds()),
                text=c.text,
                url=c.url,
                intent=c.intent,
                sentiment=c.sentiment,
                status=status_of(c),
                assignee=s.get("assignee"),
                version=int(s.get("version", 0)),
                updated_by=s.get("updated_by"),
                updated_at=s.get("updated_at"),
                send=s.get("send"),
            )
        )
    return InboxPage(items=tuple(items), total=total, model_version=model_version, as_of=moment)


def item_states(state: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """The ``inbox_items`` table (any ibis table of it) as a dict by (platform, post_id): small, read per request."""
    return {(r["platform"], r["post_id"]): r for r in rows(state)}


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

    ``now``: the moment waits are measured to (default: ``counts.as_of``, the one the report uses).
    """
    return page_of(
        waiting(sources), item_states(state), statuses=statuses, assignee=assignee, platform=platform,
        account=account, limit=limit, offset=offset, now=now if now is not None else as_of(sources),
        model_version=sources.model_version if sources.enrichments is not None else None,
    )  # fmt: skip
