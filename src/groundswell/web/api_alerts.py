"""The alerts in the REST API: list them (by status and kind, a page at a time), read one with its delivery
log, acknowledge or snooze one.

The rights are the alerts page's: reading takes ``inbox.view`` and acting ``inbox.act`` (the engagement
team's; alerts are their work). A change made with a session cookie carries the session's CSRF token in the
``X-CSRF-Token`` header, as every other API write does; a bearer token needs none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from groundswell.alerts.desk import LIVE, STATUSES
from groundswell.alerts.model import AlertKind
from groundswell.errors import UsageError
from groundswell.web.auth import app_state, authorize

router = APIRouter(prefix="/api/v1")

AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the alert's id")]

KINDS = tuple(str(kind) for kind in AlertKind)


class SnoozeBody(BaseModel):
    hours: float = Field(default=1.0, gt=0, le=24 * 7, description="how long the alert stays quiet (at most a week)")


def _known(values: list[str], known: tuple[str, ...], what: str) -> tuple[str, ...]:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise UsageError(f"unknown {what} {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    return tuple(values)


@router.get("/alerts")
def get_alerts(
    request: Request,
    status: list[str] = Query(default=list(LIVE)),  # noqa: B008 - FastAPI's way to declare a list
    kind: list[str] | None = Query(default=None),  # noqa: B008
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> dict[str, Any]:
    """Kept alerts, the newest first: those still live unless ``status`` names others (``over`` too), of every
    kind unless ``kind`` names some (``campaign``, ``organic``, ``complaint surge``, ``waiting``...)."""
    authorize(request, "inbox.view")
    statuses = _known(status, STATUSES, "status")
    kinds = _known(kind, KINDS, "kind") if kind else None
    with app_state(request).db() as ws:
        items = ws.alerts.kept(statuses=statuses, kinds=kinds, limit=limit, offset=offset)
        total = ws.alerts.count(statuses=statuses, kinds=kinds)
    return {"items": [a.as_dict() for a in items], "total": total, "limit": limit, "offset": offset}


@router.get("/alerts/{alert_id}")
def get_alert(request: Request, alert_id: AlertId) -> dict[str, Any]:
    """One alert with its evidence and its delivery log (targets by position and scheme only)."""
    authorize(request, "inbox.view")
    with app_state(request).db() as ws:
        alert = ws.alerts.get(alert_id)
        log = ws.alerts.deliveries(alert_id)
    deliveries = [{**d, "sent_at": d["sent_at"].isoformat() if d.get("sent_at") else None} for d in log]
    return {**alert.as_dict(), "deliveries": deliveries}


@router.post("/alerts/{alert_id}/acknowledge")
def post_acknowledge(request: Request, alert_id: AlertId) -> dict[str, Any]:
    """Someone is on it: the alert stays kept, is sent no more, and closes when its condition ends."""
    who = authorize(request, "inbox.act")
    with app_state(request).writing() as ws:
        return ws.alerts.act(alert_id, "acknowledge", actor=who.user.name).as_dict()


@router.post("/alerts/{alert_id}/snooze")
def post_snooze(request: Request, alert_id: AlertId, body: SnoozeBody | None = None) -> dict[str, Any]:
    """Quiet for ``hours`` (default 1); open again after it if the condition still holds."""
    who = authorize(request, "inbox.act")
    hours = (body or SnoozeBody()).hours
    with app_state(request).writing() as ws:
        return ws.alerts.act(alert_id, "snooze", actor=who.user.name, snooze=timedelta(hours=hours)).as_dict()
