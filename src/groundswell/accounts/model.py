"""The ``User`` record and how it is read from the ``users`` table (shared by users, sessions and tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from groundswell.accounts import roles
from groundswell.accounts.errors import Forbidden
from groundswell.store.base import Store


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime  # UTC
    disabled: bool

    def may(self, action: str) -> bool:
        """Whether this user may do ``action`` now (a disabled user may do nothing)."""
        return not self.disabled and roles.allowed(self.role, action)

    def require(self, action: str) -> None:
        """``Forbidden`` unless this user may do ``action``."""
        if self.disabled:
            raise Forbidden(f"disabled {self.role}", action)
        roles.require(self.role, action)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "disabled": self.disabled,
        }


def user_columns(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{c}" for c in ("user_id", "name", "role", "created_at", "disabled"))


def user_from_row(row: tuple[Any, ...]) -> User:
    return User(id=int(row[0]), name=row[1], role=row[2], created_at=row[3], disabled=bool(row[4]))


def user_by_id(store: Store, user_id: int) -> User | None:
    rows = store.execute(f"SELECT {user_columns()} FROM users WHERE user_id = ?", [user_id])
    return user_from_row(rows[0]) if rows else None


def utcnow() -> datetime:
    """Now in UTC, naive: how every timestamp in the store is kept."""
    return datetime.now(UTC).replace(tzinfo=None)
