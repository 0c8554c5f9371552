"""Users: add, read, change role or password, disable; and signing in with rate limiting.

Every change writes an audit entry in the same transaction. Names are 1-64 ASCII
letters, digits and ``._-@``, unique whatever their letter case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from groundswell.accounts import audit, passwords, sessions
from groundswell.accounts.errors import AccountError, AuthenticationFailed, TooManyAttempts, UnknownUser, UserExists
from groundswell.accounts.model import User, user_columns, user_from_row, utcnow
from groundswell.accounts.roles import ROLES
from groundswell.store.base import Store

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")

# Sign-in attempts are kept this long (for the rate limits and for looking into an attack), then pruned.
ATTEMPTS_KEPT = timedelta(days=7)
_ATTEMPT_NAME_MAX = 128


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Failed sign-ins allowed within ``window`` before further ones are refused unchecked.

    ``per_name`` counts failures for the name since its last success (names that exist or not alike,
    so the limit says nothing about which names exist); ``per_address`` counts every failure from the
    client address. A refused attempt is not recorded and does not count (the password was never
    checked), so ``TooManyAttempts.retry_at`` holds however often one tries before it.
    """

    per_name: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


DEFAULT_LIMITS = RateLimits()


def validate_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise AccountError(f"a user name is 1 to 64 ASCII letters, digits and . _ - @; not {name!r}")


def validate_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"no role {role!r}; roles: {', '.join(ROLES)}")


def add_user(store: Store, name: str, role: str, password: str, *, actor: str) -> User:
    """Create a user; ``UserExists`` when the name is taken in any letter case."""
    validate_name(name)
    validate_role(role)
    passwords.validate_password(password)
    password_hash = passwords.hash_password(password)  # before the transaction: it takes a while
    with store.transaction():
        taken = store.execute("SELECT name FROM users WHERE lower(name) = lower(?)", [name])
        if taken:
            raise UserExists(f"there is already a user {taken[0][0]!r}")
        rows = store.execute(
            "INSERT INTO users (user_id, name, role, password_hash, created_at, disabled) "
            f"VALUES (nextval('user_id_seq'), ?, ?, ?, ?, false) RETURNING {user_columns()}",
            [name, role, password_hash, utcnow()],
        )
        user = user_from_row(rows[0])
        audit.record(store, actor=actor, action="users.add", target=name, detail={"role": role})
    return user


def find_user(store: Store, name: str) -> User | None:
    rows = store.execute(f"SELECT {user_columns()} FROM users WHERE name = ?", [name])
    return user_from_row(rows[0]) if rows else None


def get_user(store: Store, name: str) -> User:
    """The user called ``name``; ``UnknownUser`` when there is none."""
    user = find_user(store, name)
    if user is None:
        raise UnknownUser(f"no user {name!r} (groundswell users list)")
    return user


def list_users(store: Store, *, include_disabled: bool = True) -> list[User]:
    sql = f"SELECT {user_columns()} FROM users"
    if not include_disabled:
        sql += " WHERE NOT disabled"
    return [user_from_row(row) for row in store.execute(sql + " ORDER BY name")]


def has_users(store: Store) -> bool:
    return int(store.execute("SELECT count(*) FROM users")[0][0]) > 0


def set_role(store: Store, name: str, role: str, *, actor: str) -> User:
    validate_role(role)
    with store.transaction():
        user = get_user(store, name)
        if user.role == role:
            return user
        if user.role == "admin" and not user.disabled:
            _keep_an_admin(store, user, f"make {name} a {role}")
        store.execute("UPDATE users SET role = ? WHERE user_id = ?", [role, user.id])
        audit.record(store, actor=actor, action="users.set_role", target=name, detail={"from": user.role, "to": role})
    return get_user(store, name)


def set_password(store: Store, name: str, password: str, *, actor: str) -> User:
    """Replace the password and end the user's sessions (a stolen cookie dies with the old password)."""
    passwords.validate_password(password)
    password_hash = passwords.hash_password(password)
    with store.transaction():
        user = get_user(store, name)
        store.execute("UPDATE users SET password_hash = ? WHERE user_id = ?", [password_hash, user.id])
        ended = sessions.end_user_sessions(store, user.id)
        audit.record(store, actor=actor, action="users.password", target=name, detail={"sessions_ended": ended})
    return user


def disable_user(store: Store, name: str, *, actor: str) -> User:
    """Refuse every sign-in, session and API token of the user from now on; the user and its history stay."""
    with store.transaction():
        user = get_user(store, name)
        if user.disabled:
            return user
        if user.role == "admin":
            _keep_an_admin(store, user, f"disable {name}")
        store.execute("UPDATE users SET disabled = true WHERE user_id = ?", [user.id])
        ended = sessions.end_user_sessions(store, user.id)
        audit.record(store, actor=actor, action="users.disable", target=name, detail={"sessions_ended": ended})
    return get_user(store, name)


def enable_user(store: Store, name: str, *, actor: str) -> User:
    with store.transaction():
        user = get_user(store, name)
        if not user.disabled:
            return user
        store.execute("UPDATE users SET disabled = false WHERE user_id = ?", [user.id])
        audit.record(store, actor=actor, action="users.enable", target=name)
    return get_user(store, name)


def _keep_an_admin(store: Store, user: User, what: str) -> None:
    # Nobody could manage users any more: the web app has no other way back in.
    others = store.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND user_id <> ?", [user.id]
    )[0][0]
    if int(others) == 0:
        raise AccountError(f"cannot {what}: {user.name} is the last admin; make another admin first")


# -- signing in -------------------------------------------------------------------


def authenticate(
    store: Store,
    name: str,
    password: str,
    *,
    address: str | None,
    limits: RateLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> User:
    """The user whose name and password these are.

    ``AuthenticationFailed`` (one message) for an unknown name, a wrong password or a disabled
    user, each taking as long as the others; ``TooManyAttempts`` without checking the password
    when the name or the address (the client's IP, None from the command line) failed too often
    within ``limits.window``. Every attempt that checked a password is recorded in
    ``login_attempts``. A good sign-in upgrades a hash made with older parameters.
    """
    now = now or utcnow()
    name = name[:_ATTEMPT_NAME_MAX]  # no name is longer; an attacker's megabyte is not worth keeping
    retry_at = _locked_until(store, name, address, limits, now)
    if retry_at is not None:
        raise TooManyAttempts(retry_at)
    rows = store.execute(f"SELECT {user_columns()}, password_hash FROM users WHERE name = ?", [name])
    if not rows:
        passwords.burn_verify(password)
        _record_attempt(store, name, address, ok=False, now=now)
        raise AuthenticationFailed()
    user, password_hash = user_from_row(rows[0]), str(rows[0][5])
    ok = passwords.verify_password(password_hash, password) and not user.disabled
    _record_attempt(store, name, address, ok=ok, now=now)
    if not ok:
        raise AuthenticationFailed()
    if passwords.needs_rehash(password_hash):
        store.execute(
            "UPDATE users SET password_hash = ? WHERE user_id = ?", [passwords.hash_password(password), user.id]
        )
    return user


def _locked_until(store: Store, name: str, address: str | None, limits: RateLimits, now: datetime) -> datetime | None:
    """When the name or address may try again, or None when it may now."""
    since = now - limits.window
    by_name = store.execute(
        """
        SELECT attempted_at FROM login_attempts
        WHERE name = ? AND NOT ok AND attempted_at > ?
          AND attempted_at > COALESCE((SELECT max(attempted_at) FROM login_attempts WHERE name = ? AND ok), ?)
        ORDER BY attempted_at
        """,
        [name, since, name, since],
    )
    candidates = [_retry_at(by_name, limits.per_name, limits.window)]
    if address is not None:
        by_address = store.execute(
            "SELECT attempted_at FROM login_attempts WHERE address = ? AND NOT ok AND attempted_at > ? "
            "ORDER BY attempted_at",
            [address, since],
        )
        candidates.append(_retry_at(by_address, limits.per_address, limits.window))
    found = [c for c in candidates if c is not None]
    return max(found) if found else None


def _retry_at(failures: list[tuple[datetime]], limit: int, window: timedelta) -> datetime | None:
    # Locked while ``limit`` failures lie in the window: it opens when the oldest of the newest ``limit`` leaves it.
    if len(failures) < limit:
        return None
    return failures[len(failures) - limit][0] + window


def _record_attempt(store: Store, name: str, address: str | None, *, ok: bool, now: datetime) -> None:
    store.execute(
        "INSERT INTO login_attempts (name, address, attempted_at, ok) VALUES (?, ?, ?, ?)",
        [name, address[:_ATTEMPT_NAME_MAX] if address else address, now, ok],
    )
    store.execute("DELETE FROM login_attempts WHERE attempted_at < ?", [now - ATTEMPTS_KEPT])
