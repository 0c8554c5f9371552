"""API tokens (``api_tokens``), kept by the SHA-256 of the token, never the token itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.store.base import Store
from groundswell.store.users import UserRecord, user_columns, user_record

_COLUMNS = "t.token_id, t.user_id, u.name, t.name, t.created_at, t.last_used_at, t.revoked_at"
_FROM = "FROM api_tokens t JOIN users u ON u.user_id = t.user_id"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token as listed: everything but the token."""

    id: int
    user_id: int
    user_name: str
    name: str  # what it is for, e.g. "nightly export"
    created_at: datetime  # UTC
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user_name,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """The user an unrevoked token acts for, and when the token was last used."""

    user: UserRecord
    token_id: int
    last_used_at: datetime | None


def insert_token(store: Store, *, user_id: int, name: str, token_hash: str, created_at: datetime) -> int:
    """A new token with the next id; its id."""
    rows = store.execute(
        "INSERT INTO api_tokens (token_id, user_id, name, token_hash, created_at) "
        "VALUES (nextval('token_id_seq'), ?, ?, ?, ?) RETURNING token_id",
        [user_id, name, token_hash, created_at],
    )
    return int(rows[0][0])


def holder(store: Store, token_hash: str) -> TokenHolder | None:
    """Who the unrevoked token of this hash acts for; None for no such token or a revoked one."""
    rows = store.execute(
        f"SELECT {user_columns('u')}, t.token_id, t.last_used_at {_FROM} WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        [token_hash],
    )
    if not rows:
        return None
    return TokenHolder(user=user_record(rows[0]), token_id=int(rows[0][5]), last_used_at=rows[0][6])


def set_last_used(store: Store, token_id: int, at: datetime) -> None:
    store.execute("UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?", [at, token_id])


def set_revoked(store: Store, token_id: int, at: datetime) -> None:
    store.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?", [at, token_id])


def token_by_id(store: Store, token_id: int) -> ApiToken | None:
    rows = store.execute(f"SELECT {_COLUMNS} {_FROM} WHERE t.token_id = ?", [token_id])
    return _token(rows[0]) if rows else None


def tokens(store: Store, *, user_id: int | None = None, include_revoked: bool = True) -> list[ApiToken]:
    """Every token (of the user ``user_id`` when given), oldest first."""
    where: list[str] = []
    params: list[Any] = []
    if user_id is not None:
        where.append("t.user_id = ?")
        params.append(user_id)
    if not include_revoked:
        where.append("t.revoked_at IS NULL")
    sql = f"SELECT {_COLUMNS} {_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_token(row) for row in store.execute(sql + " ORDER BY t.token_id", params)]


def _token(row: tuple[Any, ...]) -> ApiToken:
    return ApiToken(
        id=int(row[0]),
        user_id=int(row[1]),
        user_name=row[2],
        name=row[3],
        created_at=row[4],
        last_used_at=row[5],
        revoked_at=row[6],
    )
