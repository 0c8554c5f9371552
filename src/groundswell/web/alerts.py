"""The alerts page: what the watch raised (open first), each with its evidence and links to the inbox, the
team's acknowledge / snooze, and the watch loop's last cycle and health per account.

Seeing it takes ``inbox.view`` and acting ``inbox.act`` (the engagement team's rights: alerts are their
work); forms carry the session's CSRF token as every other form does.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from groundswell.web.auth import app_state, authorize
from groundswell.web.templating import render

router = APIRouter()

SNOOZES = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1)}
SHOWN = {"live": ("open", "acknowledged", "snoozed"), "all": ("open", "acknowledged", "snoozed", "over")}


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, show: str = "live", msg: str | None = None) -> HTMLResponse:
    who = authorize(request, "inbox.view")
    with app_state(request).db() as ws:
        kept = ws.alerts.kept(statuses=SHOWN.get(show, SHOWN["live"]))
        deliveries = {a.alert_id: ws.alerts.deliveries(a.alert_id) for a in kept}
        health = ws.alerts.health()
    accounts = sorted((v for k, v in health.items() if k.startswith("account:")), key=lambda a: str(a["name"]))
    return render(
        request, "alerts.html.j2", who, alerts=kept, deliveries=deliveries, cycle=health.get("cycle"),
        accounts=accounts, show=show, snoozes=list(SNOOZES), may_act=who.user.may("inbox.act"), message=msg,
    )  # fmt: skip


@router.post("/alerts/{alert_id}/{action}")
def alert_action(
    request: Request, alert_id: int, action: str, snooze: str = Form("1h"), csrf_token: str = Form("")
) -> Response:
    who = authorize(request, "inbox.act", form_token=csrf_token)
    with app_state(request).writing() as ws:
        done = ws.alerts.act(alert_id, action, actor=who.user.name, snooze=SNOOZES.get(snooze, SNOOZES["1h"]))
    return RedirectResponse(f"/alerts?msg={quote(f'alert {alert_id} {done.status}')}", status_code=303)
