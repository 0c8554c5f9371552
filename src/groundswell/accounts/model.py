"""The ``User``: a stored user (``store.users.UserRecord``) and what its role allows (shared by users, sessions
and tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.accounts import roles
from groundswell.accounts.errors import Forbidden
from groundswell.store import users as stored
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


def user_from(record: stored.UserRecord) -> User:
    return User(
        id=record.id, name=record.name, role=record.role, created_at=record.created_at, disabled=record.disabled
    )


def user_by_id(store: Store, user_id: int) -> User | None:
    record = stored.user_by_id(store, user_id)
    return user_from(record) if record else None
