"""The engagement team's inbox as stored: each touched item's state (``inbox_items``) and the outcomes agents
marked (``outcome_marks``).

An item's row exists only once someone changed it; every write names the version it replaces, so a change
made on a stale version writes nothing (``groundswell.inbox.actions`` turns that into ``InboxConflict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.store.base import Store

_COLUMNS = "platform, post_id, status, assignee, version, updated_at, updated_by"


@dataclass(frozen=True, slots=True)
class ItemState:
    platform: str
    post_id: str
    status: str
    assignee: str | None
    version: int
    updated_at: datetime
    updated_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": f"{self.platform}:{self.post_id}",
            "status": self.status,
            "assignee": self.assignee,
            "version": self.version,
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


def item_state(store: Store, platform: str, post_id: str) -> ItemState | None:
    found = store.execute(f"SELECT {_COLUMNS} FROM inbox_items WHERE platform = ? AND post_id = ?", [platform, post_id])
    return ItemState(*found[0]) if found else None


def item_states(store: Store) -> list[ItemState]:
    """Every touched item's state."""
    return [ItemState(*row) for row in store.execute(f"SELECT {_COLUMNS} FROM inbox_items")]


def post_exists(store: Store, platform: str, post_id: str) -> bool:
    return bool(store.execute("SELECT 1 FROM posts WHERE platform = ? AND post_id = ?", [platform, post_id]))


def insert_item(
    store: Store, platform: str, post_id: str, *, status: str, assignee: str | None, at: datetime, by: str
) -> bool:
    """The item's first state, at version 1; False (nothing written) when it has a row already."""
    written = store.execute(
        "INSERT INTO inbox_items VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING RETURNING version",
        [platform, post_id, status, assignee, at, by],
    )
    return bool(written)


def update_item(
    store: Store,
    platform: str,
    post_id: str,
    *,
    version: int,
    status: str,
    assignee: str | None,
    at: datetime,
    by: str,
) -> bool:
    """The item's next state, if it is still at ``version`` (bumped); False (nothing written) when it is not."""
    written = store.execute(
        "UPDATE inbox_items SET status = ?, assignee = ?, version = version + 1, updated_at = ?, "
        "updated_by = ? WHERE platform = ? AND post_id = ? AND version = ? RETURNING version",
        [status, assignee, at, by, platform, post_id, version],
    )
    return bool(written)


def insert_outcome_mark(store: Store, platform: str, post_id: str, *, outcome: str, by: str, at: datetime) -> None:
    """An agent's outcome for the thread holding the post (the metrics read the latest per thread)."""
    store.execute("INSERT INTO outcome_marks VALUES (?, ?, ?, ?, ?)", [platform, post_id, outcome, by, at])


# -- replies sent through a connected account (``reply_sends``) ----------------------------------------------

_SEND_COLUMNS = (
    "send_key, platform, post_id, account, text, verdict, forced, status, prior_status, prior_assignee, started_at, "
    "started_by, attempts, attempt_at, in_flight, error, reply_post_id, reply_url, finished_at, finished_by"
)


@dataclass(frozen=True, slots=True)
class ReplySend:
    """A reply recorded before the platform was called, and what became of it.

    ``status``: ``sending`` (the platform has not confirmed it: an attempt is in flight, or it timed out, lost its
    connection or kept failing), ``sent``, ``failed`` (the platform refused it: nothing was posted) or
    ``not_sent`` (an agent checked the platform and found no reply). ``send_key`` goes with every attempt.
    """

    send_key: str
    platform: str
    post_id: str
    account: str
    text: str
    verdict: str
    forced: bool
    status: str
    prior_status: str
    prior_assignee: str | None
    started_at: datetime
    started_by: str
    attempts: int
    attempt_at: datetime
    in_flight: bool
    error: str | None
    reply_post_id: str | None
    reply_url: str | None
    finished_at: datetime | None
    finished_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "send_key": self.send_key,
            "account": self.account,
            "text": self.text,
            "verdict": self.verdict,
            "forced": self.forced,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "started_by": self.started_by,
            "attempts": self.attempts,
            "attempt_at": self.attempt_at.isoformat(),
            "in_flight": self.in_flight,
            "error": self.error,
            "reply_post_id": self.reply_post_id,
            "reply_url": self.reply_url,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "finished_by": self.finished_by,
        }


def insert_send(
    store: Store,
    *,
    send_key: str,
    platform: str,
    post_id: str,
    account: str,
    text: str,
    verdict: str,
    forced: bool,
    prior_status: str,
    prior_assignee: str | None,
    at: datetime,
    by: str,
) -> None:
    """A send about to go out: ``sending``, its first attempt in flight."""
    store.execute(
        f"INSERT INTO reply_sends ({_SEND_COLUMNS}) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, 'sending', ?, ?, ?, ?, 1, ?, true, NULL, NULL, NULL, NULL, NULL)",
        [send_key, platform, post_id, account, text, verdict, forced, prior_status, prior_assignee, at, by, at],
    )


def reply_send(store: Store, send_key: str) -> ReplySend | None:
    found = store.execute(f"SELECT {_SEND_COLUMNS} FROM reply_sends WHERE send_key = ?", [send_key])
    return ReplySend(*found[0]) if found else None


def pending_send(store: Store, platform: str, post_id: str) -> ReplySend | None:
    """The item's send still ``sending``, if any (there is at most one: an item in ``sending`` takes no other)."""
    found = store.execute(
        f"SELECT {_SEND_COLUMNS} FROM reply_sends WHERE platform = ? AND post_id = ? AND status = 'sending' "
        "ORDER BY started_at DESC LIMIT 1",
        [platform, post_id],
    )
    return ReplySend(*found[0]) if found else None


def pending_sends(store: Store) -> list[ReplySend]:
    """Every send still ``sending``."""
    return [
        ReplySend(*row) for row in store.execute(f"SELECT {_SEND_COLUMNS} FROM reply_sends WHERE status = 'sending'")
    ]


def item_sends(store: Store, platform: str, post_id: str) -> list[ReplySend]:
    """Every send made for the item, oldest first."""
    found = store.execute(
        f"SELECT {_SEND_COLUMNS} FROM reply_sends WHERE platform = ? AND post_id = ? ORDER BY started_at",
        [platform, post_id],
    )
    return [ReplySend(*row) for row in found]


def start_attempt(store: Store, send_key: str, *, at: datetime, stale_before: datetime) -> bool:
    """Another attempt of a ``sending`` send; False (nothing written) when one is in flight since ``stale_before``
    or later, or the send is no longer ``sending``."""
    written = store.execute(
        "UPDATE reply_sends SET attempts = attempts + 1, attempt_at = ?, in_flight = true, error = NULL "
        "WHERE send_key = ? AND status = 'sending' AND (NOT in_flight OR attempt_at < ?) RETURNING attempts",
        [at, send_key, stale_before],
    )
    return bool(written)


def end_attempt(store: Store, send_key: str, *, error: str) -> None:
    """The attempt ended without the platform's confirmation: the send stays ``sending``."""
    store.execute(
        "UPDATE reply_sends SET in_flight = false, error = ? WHERE send_key = ? AND status = 'sending'",
        [error, send_key],
    )


def finish_send(
    store: Store,
    send_key: str,
    *,
    status: str,
    at: datetime,
    by: str,
    error: str | None = None,
    reply_post_id: str | None = None,
    reply_url: str | None = None,
) -> bool:
    """The send's end (``sent``, ``failed``, ``not_sent``); False (nothing written) when it had ended already."""
    written = store.execute(
        "UPDATE reply_sends SET status = ?, in_flight = false, error = ?, reply_post_id = ?, reply_url = ?, "
        "finished_at = ?, finished_by = ? WHERE send_key = ? AND status = 'sending' RETURNING attempts",
        [status, error, reply_post_id, reply_url, at, by, send_key],
    )
    return bool(written)
