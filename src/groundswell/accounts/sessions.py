"""Browser sessions: a random cookie value of which only the SHA-256 is stored, and a CSRF token per session.

What the web layer must do with them:

- set the cookie ``SESSION_COOKIE`` with ``COOKIE_FLAGS`` (HttpOnly, so page scripts cannot read it;
  SameSite=Lax, so other sites' forms and scripts do not carry it; Path=/), plus ``Secure`` whenever the
  app is served over https (``cookie_flags(secure=True)``), and a Max-Age of the session's lifetime;
- change state only on POST (PUT, PATCH, DELETE), never on GET, so that Lax is enough;
- put the session's CSRF token in every form as the hidden field ``CSRF_FIELD`` (or, from scripts in
  the page, the header ``CSRF_HEADER``) and call ``check_csrf`` before any change: a forged cross-site
  form cannot know the token;
- on sign-in always ``create_session`` anew (never reuse a cookie from before the sign-in), and on
  sign-out ``end_session``.

API clients use tokens (``tokens.py``), not cookies, and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from groundswell.accounts.errors import CsrfRejected
from groundswell.accounts.model import User, user_from
from groundswell.clock import utcnow
from groundswell.store import sessions as stored
from groundswell.store.base import Store

SESSION_COOKIE = "groundswell_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
DEFAULT_LIFETIME = timedelta(hours=12)
# Strict would also drop the cookie when a person follows a link to the dashboard from mail or chat,
# and Lax already keeps it off cross-site POSTs, which with the CSRF token is what matters.
COOKIE_FLAGS: dict[str, Any] = {"httponly": True, "samesite": "lax", "path": "/"}


def cookie_flags(*, secure: bool) -> dict[str, Any]:
    """The keyword arguments for Starlette's ``Response.set_cookie`` (less key, value and max_age)."""
    return {**COOKIE_FLAGS, "secure": secure}


class Session(NamedTuple):
    """Unpacks as ``user, csrf_token = session_user(...)``."""

    user: User
    csrf_token: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def create_session(
    store: Store, user: User, *, lifetime: timedelta = DEFAULT_LIFETIME, now: datetime | None = None
) -> tuple[str, str]:
    """A new session for ``user``: ``(cookie_value, csrf_token)``. The cookie value is never stored."""
    now = now or utcnow()
    cookie_value = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    stored.delete_expired(store, now)  # housekeeping, cheap
    stored.insert_session(
        store,
        session_hash=_digest(cookie_value),
        user_id=user.id,
        csrf_token=csrf_token,
        created_at=now,
        expires_at=now + lifetime,
    )
    return cookie_value, csrf_token


def session_user(store: Store, cookie_value: str | None, *, now: datetime | None = None) -> Session | None:
    """The session's user and CSRF token; None for no cookie, an unknown or expired one, or a disabled user."""
    if not cookie_value:
        return None
    found = stored.session_by_hash(store, _digest(cookie_value))
    if found is None or found.user.disabled or found.expires_at <= (now or utcnow()):
        return None
    return Session(user_from(found.user), found.csrf_token)


def end_session(store: Store, cookie_value: str) -> None:
    """Sign out: the cookie value stops working (whether or not it was a session)."""
    stored.delete_session(store, _digest(cookie_value))


def end_user_sessions(store: Store, user_id: int) -> int:
    """End every session of the user (password changed, user disabled); return how many there were."""
    return stored.delete_user_sessions(store, user_id)


def check_csrf(expected: str, given: str | None) -> None:
    """``CsrfRejected`` unless ``given`` is the session's token (compared in constant time)."""
    if not expected or not given or not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")):
        raise CsrfRejected()
