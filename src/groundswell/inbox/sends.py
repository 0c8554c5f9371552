"""A reply sent through a connected account, as the inbox records it: before, and after, the platform is called.

Sending takes three steps, and the database is held only for the first and the last, never while the platform
is waited on:

1. ``begin_send``: the item's version is checked and the intent recorded in one short write: a ``reply_sends``
   row with its idempotency key (``groundswell.connect.new_idempotency_key``), and the item marked ``sending``, which every agent sees;
2. the platform is called with that key and nothing held (``groundswell.connect.deliver_reply``);
3. ``send_confirmed`` (the item becomes ``sent`` with the reply's id), ``send_refused`` (the platform refused
   it, nothing was posted: the item goes back to what it was) or ``attempt_unconfirmed`` (a timeout, a
   dropped connection, server errors: the reply may or may not be out, so the item stays ``sending``).

An item left ``sending`` is settled by an agent: ``begin_retry`` sends again with the same key (the platform
then answers with the reply it already has, never a second one), or ``resolve_send`` records what the agent
found on the platform (sent, with the reply's id or link; or not sent). Until then the item takes no other
change. Every step is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from groundswell.clock import utcnow
from groundswell.errors import GroundswellError, NotFound
from groundswell.inbox.actions import InboxConflict, _audit, _change, _conflict, item_state
from groundswell.store import inbox as stored
from groundswell.store.base import Store
from groundswell.store.inbox import ItemState, ReplySend

STALE_ATTEMPT = timedelta(minutes=10)
"""An attempt still marked in flight after this long was cut short (its process stopped): a retry may start."""


class ReplyPending(GroundswellError):
    """The platform did not confirm the reply (timeout, dropped connection, server errors): it may be out or not.
    The item stays ``sending`` (``current``) until an agent retries it or marks it sent or not sent."""

    http_status = 504

    def __init__(self, message: str, *, current: ItemView):
        self.current = current
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ItemView:
    """An item's state with the reply being sent for it, if any."""

    state: ItemState
    send: ReplySend | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.state.as_dict(), "send": self.send.as_dict() if self.send else None}


def item_view(store: Store, platform: str, post_id: str) -> ItemView:
    state = item_state(store, platform, post_id)
    if state is None:
        raise NotFound(f"nothing was done yet on {platform}:{post_id}")
    return ItemView(state, stored.pending_send(store, platform, post_id))


def sends(store: Store, platform: str, post_id: str) -> list[ReplySend]:
    """Every reply sent (or tried) for the item through a connected account, oldest first."""
    return stored.item_sends(store, platform, post_id)


def begin_send(
    store: Store,
    platform: str,
    post_id: str,
    *,
    version: int,
    actor: str,
    account: str,
    text: str,
    verdict: str,
    forced: bool,
    key: str,
) -> ReplySend:
    """Record the intent to send ``text`` from ``account`` with the idempotency ``key``: the item (still at
    ``version``) becomes ``sending`` and the send is stored, both in one transaction; else ``InboxConflict`` and
    nothing written."""
    current = item_state(store, platform, post_id)

    def record(state: ItemState) -> None:
        stored.insert_send(
            store, send_key=key, platform=platform, post_id=post_id, account=account, text=text, verdict=verdict,
            forced=forced, prior_status=current.status if current else "open",
            prior_assignee=current.assignee if current else None, at=state.updated_at, by=actor,
        )  # fmt: skip

    _change(
        store, platform, post_id, version=version, actor=actor, status="sending",
        assignee=current.assignee if current and current.assignee else actor, action="inbox.send",
        detail={"send_key": key, "account": account}, also=record,
    )  # fmt: skip
    found = stored.reply_send(store, key)
    assert found is not None  # noqa: S101 - an invariant (written above), not an input check
    return found


def begin_retry(store: Store, platform: str, post_id: str, *, version: int, actor: str) -> ReplySend:
    """Another attempt of the item's pending send, with its key; ``InboxConflict`` when the item is not at
    ``version`` or has no pending send, or an attempt is in flight (it may yet succeed)."""
    with store.transaction():
        current = item_state(store, platform, post_id)
        if (current.version if current else 0) != version:
            raise _conflict(platform, post_id, current)
        pending = stored.pending_send(store, platform, post_id)
        if current is None or current.status != "sending" or pending is None:
            raise InboxConflict(f"{platform}:{post_id} has no reply being sent: nothing to retry", current=current)
        moment = utcnow()
        if not stored.start_attempt(store, pending.send_key, at=moment, stale_before=moment - STALE_ATTEMPT):
            raise InboxConflict(
                f"{platform}:{post_id}'s reply is being sent right now (attempt {pending.attempts}, started"
                f" {pending.attempt_at:%H:%M:%S} UTC): wait for its answer",
                current=current,
            )
        _audit(store, actor=actor, action="inbox.send_retry", target=f"{platform}:{post_id}",
               detail={"send_key": pending.send_key, "attempt": pending.attempts + 1})  # fmt: skip
        found = stored.reply_send(store, pending.send_key)
    assert found is not None  # noqa: S101 - an invariant (read in the transaction above), not an input check
    return found


def attempt_unconfirmed(store: Store, send: ReplySend, *, error: str, actor: str) -> ItemView:
    """The attempt ended without the platform's answer: the send and the item stay ``sending``, with the error."""
    with store.transaction():
        stored.end_attempt(store, send.send_key, error=error)
        _audit(store, actor=actor, action="inbox.send_unconfirmed", target=f"{send.platform}:{send.post_id}",
               detail={"send_key": send.send_key, "attempt": send.attempts, "error": error})  # fmt: skip
    return item_view(store, send.platform, send.post_id)


def send_refused(store: Store, send: ReplySend, *, error: str, actor: str) -> ItemState:
    """The platform refused the reply (nothing was posted): the send is ``failed`` and the item back to the
    status and assignee it had."""
    current = item_state(store, send.platform, send.post_id)
    assert current is not None  # noqa: S101 - an invariant (the send made the item), not an input check

    def record(state: ItemState) -> None:
        stored.finish_send(store, send.send_key, status="failed", at=state.updated_at, by=actor, error=error)

    return _change(
        store, send.platform, send.post_id, version=current.version, actor=actor, status=send.prior_status,
        assignee=send.prior_assignee, action="inbox.send_failed", detail={"send_key": send.send_key, "error": error},
        also=record, while_sending=True,
    )  # fmt: skip


def send_confirmed(
    store: Store, send: ReplySend, *, actor: str, reply_post_id: str, reply_url: str | None
) -> ItemState:
    """The platform confirmed the reply: the send and the item are ``sent``, with the reply's id."""
    current = item_state(store, send.platform, send.post_id)
    assert current is not None  # noqa: S101 - an invariant (the send made the item), not an input check

    def record(state: ItemState) -> None:
        stored.finish_send(store, send.send_key, status="sent", at=state.updated_at, by=actor,
                           reply_post_id=reply_post_id, reply_url=reply_url)  # fmt: skip

    return _change(
        store, send.platform, send.post_id, version=current.version, actor=actor, status="sent",
        assignee=current.assignee or actor, action="inbox.sent",
        detail={"send_key": send.send_key, "reply_post_id": reply_post_id}, also=record, while_sending=True,
    )  # fmt: skip


def resolve_send(
    store: Store,
    platform: str,
    post_id: str,
    *,
    sent: bool,
    version: int,
    actor: str,
    reply_post_id: str | None = None,
    reply_url: str | None = None,
) -> ItemState:
    """An agent settles the item's pending send from what the platform shows: ``sent`` (the item becomes
    ``sent``, with the reply's id or link) or not (``not_sent``: the item goes back to what it was, and a new
    send may be made)."""
    pending = stored.pending_send(store, platform, post_id)
    if pending is None:
        raise InboxConflict(
            f"{platform}:{post_id} has no reply being sent: nothing to settle",
            current=item_state(store, platform, post_id),
        )
    status = "sent" if sent else "not_sent"
    current = item_state(store, platform, post_id)

    def record(state: ItemState) -> None:
        stored.finish_send(store, pending.send_key, status=status, at=state.updated_at, by=actor,
                           reply_post_id=reply_post_id, reply_url=reply_url)  # fmt: skip

    return _change(
        store, platform, post_id, version=version, actor=actor, status="sent" if sent else pending.prior_status,
        assignee=(current.assignee if current and current.assignee else actor) if sent else pending.prior_assignee,
        action="inbox.send_resolved",
        detail={"send_key": pending.send_key, "sent": sent, "reply_post_id": reply_post_id, "reply_url": reply_url},
        also=record, while_sending=True,
    )  # fmt: skip


__all__ = [
    "STALE_ATTEMPT",
    "ItemView",
    "ReplyPending",
    "ReplySend",
    "attempt_unconfirmed",
    "begin_retry",
    "begin_send",
    "item_view",
    "resolve_send",
    "send_confirmed",
    "send_refused",
    "sends",
]
