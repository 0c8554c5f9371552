"""One conversation as an agent sees it: the thread's posts in order with their labels, and the customer's
history with the brand (their other threads: how many, how many the brand answered, how they ended)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from groundswell.errors import NotFound
from groundswell.query import Sources, rows
from groundswell.threads.stage import build_threads

HISTORY_LIMIT = 10


@dataclass(frozen=True)
class Conversation:
    platform: str
    thread_id: str
    account: str | None
    outcome: str | None
    posts: tuple[dict[str, Any], ...]
    customer: dict[str, Any]
    history: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "thread_id": self.thread_id,
            "account": self.account,
            "outcome": self.outcome,
            "posts": [_jsonable(p) for p in self.posts],
            "customer": _jsonable(self.customer),
            "history": [_jsonable(h) for h in self.history],
        }


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def conversation(sources: Sources, platform: str, post_id: str) -> Conversation:
    """The thread holding the post ``platform:post_id``; ``NotFound`` when the post is in no thread."""
    threads = build_threads(sources)
    p = threads.posts
    found = rows(p.filter((p.platform == platform) & (p.post_id == post_id)).select("thread_id", "in_thread"))
    if not found or not found[0]["thread_id"]:
        raise NotFound(f"{platform}:{post_id} is in no brand conversation")
    thread_id = found[0]["thread_id"]
    in_thread = p.filter((p.platform == platform) & (p.thread_id == thread_id))
    text = sources.every_post.select(
        _platform="platform", _post_id="post_id", text="text", url="url", in_reply_to_post_id="in_reply_to_post_id"
    )
    in_thread = in_thread.join(text, [in_thread.platform == text._platform, in_thread.post_id == text._post_id])
    posts = rows(
        in_thread.order_by("seq").select(
            "post_id", "author_id", "author_handle", "author_followers", "is_brand", "created_at", "role",
            "automated", "text", "url", "in_reply_to_post_id", "sentiment", "intent", "needs_reply", "inbound",
        )
    )  # fmt: skip
    t = threads.threads
    thread = rows(t.filter((t.platform == platform) & (t.thread_id == thread_id)))
    head = thread[0] if thread else {}
    customer_id = head.get("customer_id")
    history: list[dict[str, Any]] = []
    customer: dict[str, Any] = {"id": customer_id, "handle": head.get("customer_handle"), "threads": 0}
    if customer_id is not None:
        theirs = t.filter((t.platform == platform) & (t.customer_id == customer_id))
        history = rows(
            theirs.order_by(theirs.first_inbound_at.desc())
            .select("thread_id", "first_inbound_at", "account", "replied", "response_s", "outcome", "turns")
            .limit(HISTORY_LIMIT)
        )
        counts = rows(
            theirs.aggregate(
                threads=theirs.count(),
                replied=theirs.replied.cast("int64").sum(),
                helped=(theirs.outcome == "helped").cast("int64").sum(),
                not_helped=(theirs.outcome == "not_helped").cast("int64").sum(),
            )
        )[0]
        customer.update({k: int(v or 0) for k, v in counts.items()})
        customer["followers"] = head.get("customer_followers")
    return Conversation(
        platform=platform,
        thread_id=thread_id,
        account=head.get("account"),
        outcome=head.get("outcome"),
        posts=tuple(posts),
        customer=customer,
        history=tuple(history),
    )
