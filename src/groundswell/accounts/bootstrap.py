"""The first admin of a workspace, created by ``groundswell init``: nobody could add users without one."""

from __future__ import annotations

import secrets

from groundswell.accounts import audit, passwords
from groundswell.accounts.model import User, user_from
from groundswell.accounts.users import validate_name
from groundswell.clock import utcnow
from groundswell.store import users as stored
from groundswell.store.base import Store

FIRST_ADMIN = "admin"


def create_first_admin(
    store: Store, *, name: str = FIRST_ADMIN, password: str | None = None, actor: str = "init"
) -> tuple[User, str | None] | None:
    """Create the admin ``name`` when the workspace has no user yet; None (and nothing done) when it has.

    Returns the user and, when ``password`` was not given, the generated one: show it once, it is
    not kept anywhere but as its hash.
    """
    validate_name(name)
    chosen = password if password is not None else secrets.token_urlsafe(18)  # 24 characters, 144 bits
    generated = None if password is not None else chosen
    passwords.validate_password(chosen, user_name=name)
    password_hash = passwords.hash_password(chosen)
    with store.transaction():
        if stored.count_users(store) > 0:
            return None
        user = user_from(
            stored.insert_user(store, name=name, role="admin", password_hash=password_hash, created_at=utcnow())
        )
        audit.record(store, actor=actor, action="users.add", target=name, detail={"role": "admin", "first": True})
    return user, generated
