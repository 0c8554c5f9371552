"""The server-rendered pages: sign-in, the report, the inbox and one conversation (the dashboard and its
drill-down are in ``web.dashboard``, the admin pages in ``web.admin``).

Pages are Jinja2 templates with autoescaping (post text is untrusted), forms carry the session's CSRF
token, and every change goes through the same library calls as the API (``groundswell.inbox``).
"""

from __future__ import annotations

import math
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from groundswell.accounts import (
    SESSION_COOKIE,
    AuthenticationFailed,
    TooManyAttempts,
    cookie_flags,
)
from groundswell.accounts.sessions import DEFAULT_LIFETIME
from groundswell.clock import utcnow
from groundswell.inbox import OUTCOMES, STATUSES, WAITING, ReplyPending
from groundswell.query import parse_period
from groundswell.web.admin import router as admin_router
from groundswell.web.alerts import router as alerts_router
from groundswell.web.api import inbox_page, retry_send, send_and_mark
from groundswell.web.auth import app_state, authorize, check_same_origin
from groundswell.web.dashboard import router as dashboard_router
from groundswell.web.headers import OWN_CSP_HEADER
from groundswell.web.templating import render as _render
from groundswell.web.templating import templates

router = APIRouter()
router.include_router(dashboard_router)
router.include_router(admin_router)
router.include_router(alerts_router)
__all__ = ["router", "templates"]


def _back(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?msg={quote(message)}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, msg: str | None = None) -> HTMLResponse:
    return _render(request, "login.html.j2", None, message=msg)


@router.post("/login")
def login(request: Request, name: str = Form(...), password: str = Form(...)) -> Response:
    check_same_origin(request)
    state = app_state(request)
    address = request.client.host if request.client else None
    try:
        with state.writing() as ws:  # attempts are counted, a session is made
            user = ws.accounts.authenticate(name, password, address=address)
            cookie, _ = ws.accounts.create_session(user)
    except TooManyAttempts as exc:
        page = _render(request, "login.html.j2", None, status_code=429, message=str(exc))
        page.headers["Retry-After"] = str(max(1, math.ceil((exc.retry_at - utcnow()).total_seconds())))
        return page
    except AuthenticationFailed as exc:
        return _render(request, "login.html.j2", None, status_code=401, message=str(exc))
    response = RedirectResponse("/inbox" if user.may("inbox.view") else "/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, cookie, max_age=int(DEFAULT_LIFETIME.total_seconds()),
        **cookie_flags(secure=state.secure_cookies),
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    authorize(request, "dashboard.view", form_token=csrf_token)
    state = app_state(request)
    with state.writing() as ws:
        ws.accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    state.forget_callers()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/report", response_class=HTMLResponse)
def report(request: Request, since: str | None = None, until: str | None = None) -> HTMLResponse:
    from groundswell.report import gather, render_report

    authorize(request, "report.view")
    period = parse_period(since, until)
    state = app_state(request)

    def compute() -> str:
        with state.db() as ws, ws.computing(period=period) as sources:
            data = gather(sources)
        return render_report(data)

    html = state.cached(("report", period.since, period.until), compute)
    # the report carries its own Content-Security-Policy (its two scripts by hash)
    return HTMLResponse(html, headers={OWN_CSP_HEADER: "1"})


@router.get("/inbox", response_class=HTMLResponse)
def inbox_view(
    request: Request, status: str = "waiting", mine: bool = False, offset: int = 0, msg: str | None = None
) -> HTMLResponse:
    who = authorize(request, "inbox.view")
    statuses = WAITING if status == "waiting" else tuple(s for s in STATUSES if s == status) or WAITING
    page = inbox_page(request, statuses=statuses, assignee=who.user.name if mine else None, offset=max(0, offset))
    return _render(
        request, "inbox.html.j2", who, page=page, status=status, mine=mine, offset=offset, statuses=STATUSES,
        message=msg,
    )  # fmt: skip


@router.get("/inbox/{platform}/{post_id}", response_class=HTMLResponse)
def item_page(request: Request, platform: str, post_id: str, msg: str | None = None) -> HTMLResponse:
    from groundswell.inbox.conversation import conversation

    who = authorize(request, "inbox.view")
    state = app_state(request)
    with state.db() as ws, ws.sources() as sources:
        talk = conversation(sources, platform, post_id)
        item = ws.inbox.item_state(platform, post_id)
        sending = next((x for x in reversed(ws.inbox.sends(platform, post_id)) if x.status == "sending"), None)
        model_version = sources.model_version
        senders = [a.name for a in ws.connections() if a.platform == platform]
    return _render(
        request, "item.html.j2", who, talk=talk, item=item, platform=platform, post_id=post_id,
        version=item.version if item else 0, outcomes=OUTCOMES, message=msg, model_version=model_version,
        may_act=who.user.may("inbox.act"), senders=senders, sending=sending,
    )  # fmt: skip


def _item_path(platform: str, post_id: str) -> str:
    return f"/inbox/{quote(platform)}/{quote(post_id)}"


@router.post("/inbox/{platform}/{post_id}/assign")
def assign_form(
    request: Request, platform: str, post_id: str, version: int = Form(...), assignee: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip

    who = authorize(request, "inbox.act", form_token=csrf_token)
    with app_state(request).writing("inbox", item=(platform, post_id)) as ws:
        ws.inbox.assign(platform, post_id, assignee or None, version=version, actor=who.user.name)
    return _back(_item_path(platform, post_id), f"assigned to {assignee}" if assignee else "unassigned")


@router.post("/inbox/{platform}/{post_id}/sent")
def sent_form(
    request: Request, platform: str, post_id: str, version: int = Form(...), text: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    who = authorize(request, "inbox.act", form_token=csrf_token)
    with app_state(request).writing(
        "inbox", "posts", item=(platform, post_id)
    ) as ws:  # a reply's text is kept as a post
        ws.mark_sent(platform, post_id, version=version, actor=who.user.name, text=text or None)
    return _back(
        _item_path(platform, post_id), "marked sent" + (", its text kept as the brand's reply" if text.strip() else "")
    )


@router.post("/inbox/{platform}/{post_id}/send")
def send_form(
    request: Request, platform: str, post_id: str, text: str = Form(...), version: int = Form(...),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    who = authorize(request, "inbox.act", form_token=csrf_token)
    try:
        sent = send_and_mark(request, who, platform, post_id, text=text, version=version, force=False, account=None)
    except ReplyPending as pending:
        return _back(_item_path(platform, post_id), str(pending))
    return _back(_item_path(platform, post_id), f"sent from {sent['account']} as {sent['post_id']}")


@router.post("/inbox/{platform}/{post_id}/send/retry")
def retry_form(
    request: Request, platform: str, post_id: str, version: int = Form(...), csrf_token: str = Form("")
) -> Response:
    who = authorize(request, "inbox.act", form_token=csrf_token)
    try:
        sent = retry_send(request, who, platform, post_id, version=version)
    except ReplyPending as pending:
        return _back(_item_path(platform, post_id), str(pending))
    return _back(_item_path(platform, post_id), f"sent from {sent['account']} as {sent['post_id']}")


@router.post("/inbox/{platform}/{post_id}/send/resolve")
def resolve_form(
    request: Request, platform: str, post_id: str, sent: bool = Form(...), version: int = Form(...),
    reply: str = Form(""), csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    who = authorize(request, "inbox.act", form_token=csrf_token)
    reply = reply.strip()
    link = reply if reply.startswith(("http://", "https://")) else None
    with app_state(request).writing("inbox", item=(platform, post_id)) as ws:
        ws.inbox.resolve_send(
            platform, post_id, sent=sent, version=version, actor=who.user.name,
            reply_post_id=None if link or not reply else reply, reply_url=link,
        )  # fmt: skip
    return _back(_item_path(platform, post_id), "marked sent" if sent else "marked not sent: a new reply may go out")


@router.post("/inbox/{platform}/{post_id}/outcome")
def outcome_form(
    request: Request, platform: str, post_id: str, outcome: str = Form(...), version: int = Form(...),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip

    who = authorize(request, "inbox.act", form_token=csrf_token)
    with app_state(request).writing("inbox", "marks", item=(platform, post_id)) as ws:
        ws.inbox.mark_outcome(platform, post_id, outcome, version=version, actor=who.user.name)
    return _back(_item_path(platform, post_id), f"outcome: {outcome.replace('_', ' ')}")


@router.post("/posts/{platform}/{post_id}/labels")
def label_form(
    request: Request, platform: str, post_id: str, field: str = Form(...), value: str = Form(...),
    item: str = Form(""), csrf_token: str = Form(""),
) -> Response:  # fmt: skip

    who = authorize(request, "labels.correct", form_token=csrf_token)
    with app_state(request).writing() as ws:
        ws.inbox.correct_label(platform, post_id, field, value, actor=who.user.name)
    back = item if item.startswith("/inbox/") else _item_path(platform, post_id)
    return _back(back, f"{field} corrected to {value}")
