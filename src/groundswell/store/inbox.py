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
