"""Browser sessions (``sessions``), kept by the SHA-256 of their cookie's value, never the value itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from groundswell.store.base import Store
from groundswell.store.users import UserRecord, user_columns, user_record


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session's user, CSRF token and end, as stored."""

    user: UserRecord
    csrf_token: str
    expires_at: datetime  # UTC


def insert_session(
    store: Store, *, session_hash: str, user_id: int, csrf_token: str, created_at: datetime, expires_at: datetime
) -> None:
    store.execute(
        "INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        [session_hash, user_id, csrf_token, created_at, expires_at],
    )


def session_by_hash(store: Store, session_hash: str) -> StoredSession | None:
    rows = store.execute(
        f"SELECT {user_columns('u')}, s.csrf_token, s.expires_at FROM sessions s "
        "JOIN users u ON u.user_id = s.user_id WHERE s.session_hash = ?",
        [session_hash],
    )
    if not rows:
        return None
    return StoredSession(user=user_record(rows[0]), csrf_token=str(rows[0][5]), expires_at=rows[0][6])


def delete_expired(store: Store, now: datetime) -> None:
    """Forget the sessions that ended by ``now``."""
    store.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])


def delete_session(store: Store, session_hash: str) -> None:
    store.execute("DELETE FROM sessions WHERE session_hash = ?", [session_hash])


def delete_user_sessions(store: Store, user_id: int) -> int:
    """Forget every session of the user; how many there were."""
    count = store.execute("SELECT count(*) FROM sessions WHERE user_id = ?", [user_id])[0][0]
    store.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
    return int(count)
