"""Who is asking: a session cookie (pages, and the API from the pages) or an API token (scripts).

Every endpoint names the action it performs; ``Forbidden`` follows when the user's role may not do it.
A state-changing request authenticated by a cookie must also carry the session's CSRF token (the form
field, or the ``X-CSRF-Token`` header), so a form another site makes the browser post is refused. API
tokens are sent as ``Authorization: Bearer gsw_...`` and need no CSRF token: no browser adds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from groundswell.accounts import (
    CSRF_HEADER,
    SESSION_COOKIE,
    CsrfRejected,
    Forbidden,
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


async def authorize_before_body(request: Request, action: str) -> Caller:
    """``authorize_async`` for a request whose CSRF token may be in its body (an upload form): the caller and
    their role are checked before the body is read; a cookie-authenticated caller's CSRF token is checked now
    when the ``X-CSRF-Token`` header carries it, else by ``check_form_csrf`` once the form is read."""
    who: Caller | None = app_state(request).remembered_caller(_credential(request))
    if who is None:
        who = await run_in_threadpool(caller, request)
    if who is None:
        raise NotSignedIn("sign in first")
    with _refusing(who):
        who.user.require(action)
    if request.headers.get(CSRF_HEADER) is not None:
        check_form_csrf(request, who, None)
    return who


def check_form_csrf(request: Request, who: Caller, form_token: str | None) -> None:
    """For a change made with a session cookie: ``CsrfRejected`` unless the form field (or else the
    ``X-CSRF-Token`` header) carries the session's CSRF token. API tokens need none."""
    if request.method in SAFE_METHODS or who.via != "session":
        return
    given = form_token if form_token is not None else request.headers.get(CSRF_HEADER)
    with _refusing(who):
        if who.csrf_token is None:
            raise CsrfRejected()
        check_csrf(who.csrf_token, given)


@contextmanager
def _refusing(who: Caller) -> Iterator[None]:
    """A refusal names who was refused, for the audit log (``web.audit_refusal``)."""
    try:
        yield
    except (Forbidden, CsrfRejected) as exc:
        exc.actor = who.user.name
        raise


def _allowed(request: Request, who: Caller | None, action: str, form_token: str | None) -> Caller:
    if who is None:
        raise NotSignedIn("sign in first")
    with _refusing(who):
        who.user.require(action)
    check_form_csrf(request, who, form_token)
    return who


def check_same_origin(request: Request) -> None:
    """``CsrfRejected`` for a form another site made the browser post: its ``Origin`` (else its ``Referer``) names
    another host than this one. The sign-in form has no session yet, so no CSRF token: browsers send ``Origin``
    with every cross-site POST, and a request with neither header did not come from a browser page."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return
    host = request.headers.get("host", "")
    if sent == "null" or not host or urlsplit(sent).netloc.lower() != host.lower():
        raise CsrfRejected(f"a sign-in posted from another site ({sent[:100]}) is refused; sign in on this page")
