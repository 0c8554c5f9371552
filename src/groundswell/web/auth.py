"""Who is asking: a session cookie (pages, and the API from the pages) or an API token (scripts).

Every endpoint names the action it performs; ``Forbidden`` follows when the user's role may not do it.
A state-changing request authenticated by a cookie must also carry the session's CSRF token (the form
field, or the ``X-CSRF-Token`` header), so a form another site makes the browser post is refused. API
tokens are sent as ``Authorization: Bearer gsw_...`` and need no CSRF token: no browser adds them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from groundswell.accounts import (
    CSRF_HEADER,
    SESSION_COOKIE,
    CsrfRejected,
    User,
    check_csrf,
)
from groundswell.errors import GroundswellError
from groundswell.web.state import AppState

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NotSignedIn(GroundswellError):
    """No valid session cookie or API token."""

    http_status = 401


@dataclass(frozen=True)
class Caller:
    user: User
    csrf_token: str | None  # None when the caller used an API token
    via: str  # "session" or "token"


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.groundswell
    return state


def caller(request: Request) -> Caller | None:
    """The signed-in user, or None."""
    state = app_state(request)
    bearer = _bearer(request)
    credential = _credential(request)
    remembered: Caller | None = state.remembered_caller(credential)
    if remembered is not None:
        return remembered
    with state.db() as ws:
        if bearer:
            user = ws.accounts.token_user(bearer)
            who = Caller(user, None, "token") if user is not None else None
        else:
            found = ws.accounts.session_user(request.cookies.get(SESSION_COOKIE))
            who = Caller(found.user, found.csrf_token, "session") if found is not None else None
    if who is not None:
        state.remember_caller(credential, who)
    return who


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _credential(request: Request) -> str:
    """What the caller is remembered by: their API token, else their session cookie."""
    bearer = _bearer(request)
    return f"token:{bearer}" if bearer else f"session:{request.cookies.get(SESSION_COOKIE, '')}"


def authorize(request: Request, action: str, *, form_token: str | None = None) -> Caller:
    """The caller, if they may do ``action``; for a cookie-authenticated change, the CSRF token is checked too."""
    return _allowed(request, caller(request), action, form_token)


async def authorize_async(request: Request, action: str) -> Caller:
    """``authorize`` for an ``async`` endpoint: a caller seen in the last seconds is answered on the event loop;
    otherwise the database is asked from a worker thread (never block the loop on the database lock)."""
    who = app_state(request).remembered_caller(_credential(request))
    if who is None:
        who = await run_in_threadpool(caller, request)
    return _allowed(request, who, action, None)


def _allowed(request: Request, who: Caller | None, action: str, form_token: str | None) -> Caller:
    if who is None:
        raise NotSignedIn("sign in first")
    who.user.require(action)
    if request.method not in SAFE_METHODS and who.via == "session":
        given = form_token if form_token is not None else request.headers.get(CSRF_HEADER)
        if who.csrf_token is None:
            raise CsrfRejected()
        check_csrf(who.csrf_token, given)
    return who
