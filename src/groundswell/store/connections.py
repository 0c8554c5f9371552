"""The workspace's connected accounts (``connected_accounts``) and the replies sent through them (``sent_replies``).

The secrets are never stored here: ``connect.credentials`` keeps them. A sync's cursor is saved after each page
it imported, in the same database as the posts, so a resumed sync starts exactly after what was kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.clock import utcnow
from groundswell.errors import UsageError
from groundswell.store.base import Store


@dataclass(frozen=True, slots=True)
class ConnectedAccount:
    """A connected account as stored, with its sync state."""

    name: str
    platform: str
    handle: str
    server: str
    credential_key: str
    cursor: dict[str, Any]
    connected_at: datetime
    last_sync_at: datetime | None
    last_status: str | None
    last_error: str | None
    synced_read: int
    synced_imported: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform,
            "handle": self.handle,
            "server": self.server,
            "connected_at": self.connected_at.isoformat(),
            "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "synced_read": self.synced_read,
            "synced_imported": self.synced_imported,
        }


_COLUMNS = (
    "name, platform, handle, server, credential_key, cursor, connected_at, last_sync_at, last_status, last_error, "
    "synced_read, synced_imported"
)


def add_account(store: Store, *, name: str, platform: str, handle: str, server: str, credential_key: str) -> None:
    """Register an account (or update where it lives, keeping its cursor when it was connected before)."""
    store.execute(
        f"""
        INSERT INTO connected_accounts ({_COLUMNS})
        VALUES (?, ?, ?, ?, ?, '{{}}', ?, NULL, NULL, NULL, 0, 0)
        ON CONFLICT (name) DO UPDATE SET platform = excluded.platform, handle = excluded.handle,
            server = excluded.server, credential_key = excluded.credential_key
        """,
        [name, platform, handle, server, credential_key, utcnow()],
    )


def accounts(store: Store) -> list[ConnectedAccount]:
    rows = store.execute(f"SELECT {_COLUMNS} FROM connected_accounts ORDER BY name")
    return [_account(row) for row in rows]


def account(store: Store, name: str) -> ConnectedAccount:
    """The account called ``name``; ``UsageError`` listing the connected ones when there is none."""
    found = [a for a in accounts(store) if a.name == name]
    if not found:
        known = ", ".join(a.name for a in accounts(store)) or "none yet (groundswell connect ...)"
        raise UsageError(f"no connected account {name!r}; connected: {known}")
    return found[0]


def _account(row: tuple[Any, ...]) -> ConnectedAccount:
    return ConnectedAccount(
        name=row[0],
        platform=row[1],
        handle=row[2],
        server=row[3],
        credential_key=row[4],
        cursor=json.loads(row[5] or "{}"),
        connected_at=row[6],
        last_sync_at=row[7],
        last_status=row[8],
        last_error=row[9],
        synced_read=int(row[10]),
        synced_imported=int(row[11]),
    )


def save_cursor(store: Store, name: str, cursor: dict[str, Any]) -> None:
    """After a page was imported: where the next sync resumes."""
    store.execute("UPDATE connected_accounts SET cursor = ? WHERE name = ?", [json.dumps(cursor, sort_keys=True), name])


def add_totals(store: Store, name: str, *, read: int, imported: int) -> None:
    """The account's running totals of records read and posts imported by its syncs."""
    store.execute(
        "UPDATE connected_accounts SET synced_read = synced_read + ?, synced_imported = synced_imported + ? "
        "WHERE name = ?",
        [read, imported, name],
    )


def finish_sync(store: Store, name: str, *, status: str, error: str | None = None) -> None:
    store.execute(
        "UPDATE connected_accounts SET last_sync_at = ?, last_status = ?, last_error = ? WHERE name = ?",
        [utcnow(), status, error, name],
    )


def record_sent(
    store: Store,
    *,
    account: str,
    platform: str,
    in_reply_to: str,
    post_id: str,
    text: str,
    verdict: str,
    forced: bool,
) -> None:
    store.execute(
        "INSERT INTO sent_replies VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [account, platform, in_reply_to, post_id, text, verdict, forced, utcnow()],
    )


def sent_replies(store: Store) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM sent_replies ORDER BY sent_at")
