"""What an agent does to an inbox item: assign it, mark the reply sent, record the outcome, correct a label.

Every change names the item's version it was made on; the change is written only if the item is still at
that version, and bumps it. Two agents acting on the same item: the first wins, the second gets
``InboxConflict`` saying who changed it, when, and to what, and nothing of theirs is written (issue 6:
"concurrent agents never lose each other's work"). Every change is in the audit log (who, what, when).

Outcome marks (helped, not helped, unknown) go to ``outcome_marks``; the metrics read them as
``Sources.marks``, where an agent's mark takes precedence over the outcome inferred from the thread.
Label corrections go to ``label_corrections`` beside the model's value, and export as training data.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from groundswell.clock import utcnow
from groundswell.errors import Conflict, NotFound, UsageError
from groundswell.records import INTENT_LABELS, OUTCOMES, SENTIMENT_LABELS, SUBJECT_LABELS
from groundswell.store import inbox as stored
from groundswell.store import labels
from groundswell.store.base import Store
from groundswell.store.inbox import ItemState

LABEL_VALUES: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "intent": INTENT_LABELS,
    "subject": SUBJECT_LABELS,
    "needs_reply": ("true", "false"),
}


class InboxConflict(Conflict):
    """Someone else changed the item since the version this change was made on."""

    def __init__(self, message: str, *, current: ItemState | None):
        self.current = current
        super().__init__(message)


def _audit(store: Store, *, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    from groundswell.accounts import audit

    audit.record(store, actor=actor, action=action, target=target, detail=detail)


def item_state(store: Store, platform: str, post_id: str) -> ItemState | None:
    return stored.item_state(store, platform, post_id)


def stored_states(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item's state (``inbox_items``) by (platform, post_id), with the reply being sent (``send``) for the
    items in ``sending``: small, read per request."""
    states = {(s.platform, s.post_id): asdict(s) for s in stored.item_states(store)}
    for pending in stored.pending_sends(store):
        if (pending.platform, pending.post_id) in states:
            states[(pending.platform, pending.post_id)]["send"] = pending.as_dict()
    return states


def stored_state_of(store: Store, platform: str, post_id: str) -> dict[str, Any] | None:
    """One item's entry of ``stored_states`` (None: nobody touched it), for refreshing that map after a write
    to one item without reading every item again."""
    current = stored.item_state(store, platform, post_id)
    if current is None:
        return None
    entry = asdict(current)
    pending = stored.pending_send(store, platform, post_id)
    if pending is not None:
        entry["send"] = pending.as_dict()
    return entry


def _require_post(store: Store, platform: str, post_id: str) -> None:
    if not stored.post_exists(store, platform, post_id):
        raise NotFound(f"no post {platform}:{post_id} in the workspace")


def _change(
    store: Store,
    platform: str,
    post_id: str,
    *,
    version: int,
    actor: str,
    status: str,
    assignee: str | None,
    action: str,
    detail: dict[str, Any],
    also: Callable[[ItemState], None] | None = None,
    while_sending: bool = False,
) -> ItemState:
    """Write the item's new state if it is still at ``version``, with its audit entry and ``also`` (one
    transaction: all or nothing); else ``InboxConflict`` and nothing written. An item whose reply is being sent
    (``sending``) takes only the changes that settle the send (``while_sending``)."""
    if version == 0:  # a new item: its post must exist (an item's row exists only for a stored post)
        _require_post(store, platform, post_id)
    with store.transaction():
        current = item_state(store, platform, post_id)
        if (current.version if current else 0) != version:
            raise _conflict(platform, post_id, current)
        if current is not None and current.status == "sending" and not while_sending:
            raise InboxConflict(
                f"{platform}:{post_id} has a reply being sent (started by {current.updated_by} at"
                f" {current.updated_at:%Y-%m-%d %H:%M} UTC): retry it, or mark it sent or not sent first",
                current=current,
            )
        moment = utcnow()
        # The version is checked again by the write itself: on PostgreSQL another agent's transaction may have
        # committed since the read above (the insert then meets the key, the update no longer finds the version).
        if version == 0:
            written = stored.insert_item(
                store, platform, post_id, status=status, assignee=assignee, at=moment, by=actor
            )
        else:
            written = stored.update_item(
                store, platform, post_id, version=version, status=status, assignee=assignee, at=moment, by=actor
            )
        if not written:
            raise _conflict(platform, post_id, item_state(store, platform, post_id))
        changed = item_state(store, platform, post_id)
        assert changed is not None  # noqa: S101 - an invariant (written in this transaction), not an input check
        if also is not None:
            also(changed)
        _audit(store, actor=actor, action=action, target=f"{platform}:{post_id}",
               detail={**detail, "status": status, "assignee": assignee, "version": changed.version})  # fmt: skip
    return changed


def _conflict(platform: str, post_id: str, current: ItemState | None) -> InboxConflict:
    if current is None:  # pragma: no cover - an item is never deleted
        return InboxConflict(f"{platform}:{post_id} changed meanwhile: reload it and try again", current=None)
    who = current.assignee or "nobody"
    return InboxConflict(
        f"{platform}:{post_id} was changed by {current.updated_by} at {current.updated_at:%Y-%m-%d %H:%M} UTC"
        f" (now {current.status}, assigned to {who}): reload it and try again",
        current=current,
    )


def assign(store: Store, platform: str, post_id: str, assignee: str | None, *, version: int, actor: str) -> ItemState:
    """Give the item to ``assignee`` (None: back to open)."""
    return _change(
        store, platform, post_id, version=version, actor=actor, status="assigned" if assignee else "open",
        assignee=assignee, action="inbox.assign", detail={},
    )  # fmt: skip


def mark_sent(
    store: Store, platform: str, post_id: str, *, version: int, actor: str, reply_post_id: str | None = None
) -> ItemState:
    """The reply went out (by hand, or through a connector: ``reply_post_id``). On an item whose reply is being
    sent (``sending``) this settles that send as sent: an agent found it on the platform."""
    current = item_state(store, platform, post_id)
    sending = current is not None and current.status == "sending"

    def settle(state: ItemState) -> None:
        pending = stored.pending_send(store, platform, post_id)
        if pending is not None:
            stored.finish_send(store, pending.send_key, status="sent", at=state.updated_at, by=actor,
                               reply_post_id=reply_post_id)  # fmt: skip

    return _change(
        store, platform, post_id, version=version, actor=actor, status="sent",
        assignee=current.assignee if current and current.assignee else actor,
        action="inbox.sent", detail={"reply_post_id": reply_post_id},
        also=settle if sending else None, while_sending=sending,
    )  # fmt: skip


def mark_outcome(store: Store, platform: str, post_id: str, outcome: str, *, version: int, actor: str) -> ItemState:
    """Record whether the person was helped; the thread holding the post takes this outcome in the metrics."""
    if outcome not in OUTCOMES:
        raise UsageError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    current = item_state(store, platform, post_id)

    def mark(state: ItemState) -> None:
        stored.insert_outcome_mark(store, platform, post_id, outcome=outcome, by=actor, at=state.updated_at)

    return _change(
        store, platform, post_id, version=version, actor=actor, status="closed",
        assignee=current.assignee if current and current.assignee else actor,
        action="inbox.outcome", detail={"outcome": outcome}, also=mark,
    )  # fmt: skip


def correct_label(store: Store, platform: str, post_id: str, field: str, value: str, *, actor: str) -> None:
    """Store a person's label for a post beside the newest model's (kept: a later correction adds a row)."""
    allowed = LABEL_VALUES.get(field)
    if allowed is None:
        raise UsageError(f"a label is one of {', '.join(LABEL_VALUES)}, not {field!r}")
    value = value.lower()
    if value not in allowed:
        raise UsageError(f"{field} must be one of {', '.join(allowed)}, not {value!r}")
    _require_post(store, platform, post_id)
    model = labels.model_label(store, platform, post_id, field)
    model_value, model_version = (model.value, model.model_version) if model else (None, None)
    labels.insert_correction(store, platform, post_id, field=field, model=model, value=value, by=actor, at=utcnow())
    _audit(store, actor=actor, action="labels.correct", target=f"{platform}:{post_id}",
           detail={"field": field, "value": value, "model_value": model_value, "model_version": model_version})  # fmt: skip


def export_corrections(store: Store, path: Path, *, field: str) -> int:
    """The latest correction of ``field`` per post as a labelled CSV (``text,label``), the shape
    ``groundswell eval`` and the training scripts read; returns the number of rows written."""
    if field not in LABEL_VALUES:
        raise UsageError(f"a label is one of {', '.join(LABEL_VALUES)}, not {field!r}")
    found = labels.latest_corrections(store, field)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        writer.writerows(found)
    return len(found)


def corrections(store: Store) -> list[dict[str, Any]]:
    return labels.corrections(store)


__all__ = [
    "LABEL_VALUES",
    "OUTCOMES",
    "InboxConflict",
    "ItemState",
    "assign",
    "correct_label",
    "corrections",
    "export_corrections",
    "item_state",
    "mark_outcome",
    "mark_sent",
    "stored_states",
]
