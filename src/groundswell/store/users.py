"""The team's users (``users``) and their sign-in attempts (``login_attempts``), as stored.

The rules (names, roles, passwords, the last admin, rate limits) are ``groundswell.accounts``'s; this module
only reads and writes the rows. Passwords are kept as their argon2id hash, never in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.store.base import Store


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as stored (``accounts.User`` adds what the role allows)."""

    id: int
    name: str
    role: str
    created_at: datetime  # UTC
    disabled: bool


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user and the hash its password is checked against."""

    user: UserRecord
    password_hash: str


def user_columns(alias: str = "") -> str:
    """The columns ``user_record`` reads, first in a row (``alias``: the ``users`` table's name in a join)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{c}" for c in ("user_id", "name", "role", "created_at", "disabled"))


def user_record(row: tuple[Any, ...]) -> UserRecord:
    """The user in the first columns of ``row`` (``user_columns``)."""
    return UserRecord(id=int(row[0]), name=row[1], role=row[2], created_at=row[3], disabled=bool(row[4]))


def count_users(store: Store) -> int:
    return int(store.execute("SELECT count(*) FROM users")[0][0])


def user_named(store: Store, name: str) -> UserRecord | None:
    """The user called exactly ``name``."""
    rows = store.execute(f"SELECT {user_columns()} FROM users WHERE name = ?", [name])
    return user_record(rows[0]) if rows else None


def name_taken(store: Store, name: str) -> str | None:
    """The stored name equal to ``name`` in any letter case, or None."""
    rows = store.execute("SELECT name FROM users WHERE lower(name) = lower(?)", [name])
    return str(rows[0][0]) if rows else None


def user_by_id(store: Store, user_id: int) -> UserRecord | None:
    rows = store.execute(f"SELECT {user_columns()} FROM users WHERE user_id = ?", [user_id])
    return user_record(rows[0]) if rows else None


def all_users(store: Store, *, include_disabled: bool = True) -> list[UserRecord]:
    """Every user by name."""
    sql = f"SELECT {user_columns()} FROM users"
    if not include_disabled:
        sql += " WHERE NOT disabled"
    return [user_record(row) for row in store.execute(sql + " ORDER BY name")]


def credentials(store: Store, name: str) -> Credentials | None:
    """The user called exactly ``name`` with its password hash."""
    rows = store.execute(f"SELECT {user_columns()}, password_hash FROM users WHERE name = ?", [name])
    return Credentials(user_record(rows[0]), str(rows[0][5])) if rows else None


def insert_user(store: Store, *, name: str, role: str, password_hash: str, created_at: datetime) -> UserRecord:
    """A new, enabled user with the next id."""
    rows = store.execute(
        "INSERT INTO users (user_id, name, role, password_hash, created_at, disabled) "
        f"VALUES (nextval('user_id_seq'), ?, ?, ?, ?, false) RETURNING {user_columns()}",
        [name, role, password_hash, created_at],
    )
    return user_record(rows[0])


def set_role(store: Store, user_id: int, role: str) -> None:
    store.execute("UPDATE users SET role = ? WHERE user_id = ?", [role, user_id])


def set_password_hash(store: Store, user_id: int, password_hash: str) -> None:
    store.execute("UPDATE users SET password_hash = ? WHERE user_id = ?", [password_hash, user_id])


def set_disabled(store: Store, user_id: int, disabled: bool) -> None:
    store.execute("UPDATE users SET disabled = ? WHERE user_id = ?", [disabled, user_id])


def other_active_admins(store: Store, user_id: int) -> int:
    """How many enabled admins there are besides the user ``user_id``."""
    found = store.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND user_id <> ?", [user_id]
    )
    return int(found[0][0])


# -- sign-in attempts -------------------------------------------------------------


def failures_since_success(store: Store, name: str, address: str | None, since: datetime) -> list[datetime]:
    """When ``name``'s failed sign-ins from ``address`` after ``since``, and after its last good one from there,
    happened, oldest first (``address`` None: the command line's)."""
    rows = store.execute(
        """
        SELECT attempted_at FROM login_attempts
        WHERE name = ? AND address IS NOT DISTINCT FROM ? AND NOT ok AND attempted_at > ?
          AND attempted_at > COALESCE(
            (SELECT max(attempted_at) FROM login_attempts WHERE name = ? AND address IS NOT DISTINCT FROM ? AND ok), ?)
        ORDER BY attempted_at
        """,
        [name, address, since, name, address, since],
    )
    return [row[0] for row in rows]


def failures_from(store: Store, address: str, since: datetime) -> list[datetime]:
    """When the failed sign-ins from ``address`` after ``since`` happened, oldest first."""
    rows = store.execute(
        "SELECT attempted_at FROM login_attempts WHERE address = ? AND NOT ok AND attempted_at > ? "
        "ORDER BY attempted_at",
        [address, since],
    )
    return [row[0] for row in rows]


def record_attempt(store: Store, *, name: str, address: str | None, attempted_at: datetime, ok: bool) -> None:
    store.execute(
        "INSERT INTO login_attempts (name, address, attempted_at, ok) VALUES (?, ?, ?, ?)",
        [name, address, attempted_at, ok],
    )


def prune_attempts(store: Store, before: datetime) -> None:
    """Forget the sign-in attempts older than ``before``."""
    store.execute("DELETE FROM login_attempts WHERE attempted_at < ?", [before])
