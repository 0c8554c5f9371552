"""API tokens for scripts: ``gsw_`` and 43 random characters, shown once; only their SHA-256 is stored.

A script sends one as ``Authorization: Bearer gsw_...``; the API finds its user with
``token_user`` and checks the user's role like a page does. A token carries its user's
role: revoke it, or disable the user, and it stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from groundswell.accounts import audit
from groundswell.accounts.errors import AccountError
from groundswell.accounts.model import User, user_from
from groundswell.clock import utcnow
from groundswell.store import tokens as stored
from groundswell.store.base import Store
from groundswell.store.tokens import ApiToken

TOKEN_PREFIX = "gsw_"  # noqa: S105 - a prefix, not a secret; it says what a leaked string is (secret scanners can match it)
# last_used_at is written at most this often per token: an API call should not always be a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_NAME_MAX = 64


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
        token_id = stored.insert_token(
            store, user_id=user.id, name=name, token_hash=_digest(token), created_at=utcnow()
        )
        audit.record(
            store, actor=actor, action="tokens.create", target=user.name, detail={"token_id": token_id, "name": name}
        )
    return token


def token_user(store: Store, token: str | None, *, now: datetime | None = None) -> User | None:
    """The user a token acts for; None for a malformed, unknown or revoked token or a disabled user."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    found = stored.holder(store, _digest(token))
    if found is None or found.user.disabled:
        return None
    now = now or utcnow()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        with store.writer(wait=False) as writer:
            if writer:  # a stamp, not worth waiting for a writer: the next request sets it
                stored.set_last_used(store, found.token_id, now)
    return user_from(found.user)


def get_token(store: Store, token_id: int) -> ApiToken:
    found = stored.token_by_id(store, token_id)
    if found is None:
        raise AccountError(f"no API token {token_id} (groundswell users tokens)")
    return found


def revoke_token(store: Store, token_id: int, *, actor: str) -> ApiToken:
    """Stop the token from working, at once and for good; revoking a revoked token changes nothing."""
    with store.transaction():
        found = get_token(store, token_id)
        if not found.active:
            return found
        stored.set_revoked(store, token_id, utcnow())
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
    return stored.tokens(store, user_id=user.id if user is not None else None, include_revoked=include_revoked)
