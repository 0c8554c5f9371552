"""API tokens for scripts: ``gsw_`` and 43 random characters, shown once; only their SHA-256 is stored.

A script sends one as ``Authorization: Bearer gsw_...``; the API finds its user with
``token_user`` and checks the user's role like a page does. A token carries its user's
role: revoke it, or disable the user, and it stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from groundswell.accounts import audit
from groundswell.accounts.errors import AccountError
from groundswell.accounts.model import User, user_columns, user_from_row, utcnow
from groundswell.store.base import Store

TOKEN_PREFIX = "gsw_"  # says what a leaked string is (secret scanners can match it)
# last_used_at is written at most this often per token: an API call should not always be a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_NAME_MAX = 64

_COLUMNS = "t.token_id, t.user_id, u.name, t.name, t.created_at, t.last_used_at, t.revoked_at"


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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, user: User, name: str, *, actor: str) -> str:
    """A new token for ``user``, named ``name`` (what it is for), returned this once: it cannot be read back."""
    name = name.strip()
    if not name or len(name) > _NAME_MAX or not name.isprintable():
        raise AccountError(f"a token's name is 1 to {_NAME_MAX} printable characters")
    if user.disabled:
        raise AccountError(f"{user.name} is disabled: a token for it would not work")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction():
        rows = store.execute(
            "INSERT INTO api_tokens (token_id, user_id, name, token_hash, created_at) "
            "VALUES (nextval('token_id_seq'), ?, ?, ?, ?) RETURNING token_id",
            [user.id, name, _digest(token), utcnow()],
        )
        token_id = int(rows[0][0])
        audit.record(
            store, actor=actor, action="tokens.create", target=user.name, detail={"token_id": token_id, "name": name}
        )
    return token


def token_user(store: Store, token: str | None, *, now: datetime | None = None) -> User | None:
    """The user a token acts for; None for a malformed, unknown or revoked token or a disabled user."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    rows = store.execute(
        f"SELECT {user_columns('u')}, t.token_id, t.last_used_at FROM api_tokens t "
        "JOIN users u ON u.user_id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        [_digest(token)],
    )
    if not rows:
        return None
    user, token_id, last_used_at = user_from_row(rows[0]), int(rows[0][5]), rows[0][6]
    if user.disabled:
        return None
    now = now or utcnow()
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        store.execute("UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?", [now, token_id])
    return user


def get_token(store: Store, token_id: int) -> ApiToken:
    rows = store.execute(
        f"SELECT {_COLUMNS} FROM api_tokens t JOIN users u ON u.user_id = t.user_id WHERE t.token_id = ?", [token_id]
    )
    if not rows:
        raise AccountError(f"no API token {token_id} (groundswell users tokens)")
    return _token(rows[0])


def revoke_token(store: Store, token_id: int, *, actor: str) -> ApiToken:
    """Stop the token from working, at once and for good; revoking a revoked token changes nothing."""
    with store.transaction():
        found = get_token(store, token_id)
        if not found.active:
            return found
        store.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?", [utcnow(), token_id])
        audit.record(
            store,
            actor=actor,
            action="tokens.revoke",
            target=found.user_name,
            detail={"token_id": token_id, "name": found.name},
        )
    return get_token(store, token_id)


def list_tokens(store: Store, user: User | None = None, *, include_revoked: bool = True) -> list[ApiToken]:
    """Every token (of ``user`` when given), oldest first, without the tokens themselves."""
    where: list[str] = []
    params: list[Any] = []
    if user is not None:
        where.append("t.user_id = ?")
        params.append(user.id)
    if not include_revoked:
        where.append("t.revoked_at IS NULL")
    sql = f"SELECT {_COLUMNS} FROM api_tokens t JOIN users u ON u.user_id = t.user_id"
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
