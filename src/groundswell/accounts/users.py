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
from groundswell.accounts.model import User, user_from
from groundswell.accounts.roles import ROLES
from groundswell.clock import utcnow
from groundswell.store import users as stored
from groundswell.store.base import Store

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")

# Sign-in attempts are kept this long (for the rate limits and for looking into an attack), then pruned.
ATTEMPTS_KEPT = timedelta(days=7)
_ATTEMPT_NAME_MAX = 128


@dataclass(frozen=True, slots=True)
class RateLimits:
    """How failed sign-ins slow down further ones, refused unchecked while they apply.

    Failures count per name *and* client address together (since that name's last good sign-in from that
    address), so failures from elsewhere never hold back the user at their own address: after ``free`` of
    them each further try waits ``first_delay``, doubling up to ``max_delay``; ``per_pair`` within ``window``
    lock the pair until the oldest leaves it. ``per_address`` counts every failure from the address, whatever
    the names (one address trying many names). Names that exist or not are limited alike, so a limit says
    nothing about which names exist. A refused attempt is not recorded and does not count (the password was
    never checked), so ``TooManyAttempts.retry_at`` holds however often one tries before it.
    """

    per_pair: int = 10
    per_address: int = 30
    free: int = 3
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=1)
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
    passwords.validate_password(password, user_name=name)
    password_hash = passwords.hash_password(password)  # before the transaction: it takes a while
    with store.transaction():
        taken = stored.name_taken(store, name)
        if taken is not None:
            raise UserExists(f"there is already a user {taken!r}")
        user = user_from(
            stored.insert_user(store, name=name, role=role, password_hash=password_hash, created_at=utcnow())
        )
        audit.record(store, actor=actor, action="users.add", target=name, detail={"role": role})
    return user


def find_user(store: Store, name: str) -> User | None:
    record = stored.user_named(store, name)
    return user_from(record) if record else None


def get_user(store: Store, name: str) -> User:
    """The user called ``name``; ``UnknownUser`` when there is none."""
    user = find_user(store, name)
    if user is None:
        raise UnknownUser(f"no user {name!r} (groundswell users list)")
    return user


def list_users(store: Store, *, include_disabled: bool = True) -> list[User]:
    return [user_from(record) for record in stored.all_users(store, include_disabled=include_disabled)]


def has_users(store: Store) -> bool:
    return stored.count_users(store) > 0


def set_role(store: Store, name: str, role: str, *, actor: str) -> User:
    validate_role(role)
    with store.transaction():
        user = get_user(store, name)
        if user.role == role:
            return user
        if user.role == "admin" and not user.disabled:
            _keep_an_admin(store, user, f"make {name} a {role}")
        stored.set_role(store, user.id, role)
        audit.record(store, actor=actor, action="users.set_role", target=name, detail={"from": user.role, "to": role})
    return get_user(store, name)


def set_password(store: Store, name: str, password: str, *, actor: str) -> User:
    """Replace the password and end the user's sessions (a stolen cookie dies with the old password)."""
    passwords.validate_password(password, user_name=name)
    password_hash = passwords.hash_password(password)
    with store.transaction():
        user = get_user(store, name)
        stored.set_password_hash(store, user.id, password_hash)
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
        stored.set_disabled(store, user.id, True)
        ended = sessions.end_user_sessions(store, user.id)
        audit.record(store, actor=actor, action="users.disable", target=name, detail={"sessions_ended": ended})
    return get_user(store, name)


def enable_user(store: Store, name: str, *, actor: str) -> User:
    with store.transaction():
        user = get_user(store, name)
        if not user.disabled:
            return user
        stored.set_disabled(store, user.id, False)
        audit.record(store, actor=actor, action="users.enable", target=name)
    return get_user(store, name)


def _keep_an_admin(store: Store, user: User, what: str) -> None:
    # Nobody could manage users any more: the web app has no other way back in.
    if stored.other_active_admins(store, user.id) == 0:
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
    while the name failed too often lately from this address (the client's IP, None from the command
    line), or the address did (``RateLimits``). Every attempt that checked a password is recorded in
    ``login_attempts``. A good sign-in upgrades a hash made with older parameters.
    """
    now = now or utcnow()
    name = name[:_ATTEMPT_NAME_MAX]  # no name is longer; an attacker's megabyte is not worth keeping
    retry_at = _locked_until(store, name, address, limits, now)
    if retry_at is not None:
        raise TooManyAttempts(retry_at)
    found = stored.credentials(store, name)
    if found is None:
        passwords.burn_verify(password)
        _record_attempt(store, name, address, ok=False, now=now)
        raise AuthenticationFailed()
    user, password_hash = user_from(found.user), found.password_hash
    ok = passwords.verify_password(password_hash, password) and not user.disabled
    _record_attempt(store, name, address, ok=ok, now=now)
    if not ok:
        raise AuthenticationFailed()
    if passwords.needs_rehash(password_hash):
        stored.set_password_hash(store, user.id, passwords.hash_password(password))
    return user


def _locked_until(store: Store, name: str, address: str | None, limits: RateLimits, now: datetime) -> datetime | None:
    """When this name may try again from this address, or None when it may now."""
    since = now - limits.window
    pair = stored.failures_since_success(store, name, address, since)
    candidates = [_retry_at(pair, limits.per_pair, limits.window), _delayed_until(pair, limits)]
    if address is not None:
        candidates.append(_retry_at(stored.failures_from(store, address, since), limits.per_address, limits.window))
    found = [c for c in candidates if c is not None and c > now]
    return max(found) if found else None


def _retry_at(failures: list[datetime], limit: int, window: timedelta) -> datetime | None:
    # Locked while ``limit`` failures lie in the window: it opens when the oldest of the newest ``limit`` leaves it.
    if len(failures) < limit:
        return None
    return failures[len(failures) - limit] + window


def _delayed_until(failures: list[datetime], limits: RateLimits) -> datetime | None:
    # After ``free`` failures, the next try waits first_delay after the last one, doubling with each failure.
    beyond = len(failures) - limits.free
    if beyond < 0:
        return None
    delay: timedelta = min(limits.first_delay * (1 << min(beyond, 30)), limits.max_delay)
    return failures[-1] + delay


def _record_attempt(store: Store, name: str, address: str | None, *, ok: bool, now: datetime) -> None:
    stored.record_attempt(
        store, name=name, address=address[:_ATTEMPT_NAME_MAX] if address else address, attempted_at=now, ok=ok
    )
    stored.prune_attempts(store, now - ATTEMPTS_KEPT)
