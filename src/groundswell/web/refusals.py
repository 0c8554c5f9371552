"""Refused requests in the audit log: a role's forbidden action (403) and a missing or wrong CSRF token, with
who was refused (``anonymous`` before signing in), from where, and what they asked for."""

from __future__ import annotations

import logging

from fastapi import Request

from groundswell.accounts import CsrfRejected, Forbidden
from groundswell.errors import GroundswellError, driver_errors
from groundswell.web.state import AppState

log = logging.getLogger(__name__)


def audit_refusal(state: AppState, request: Request, refused: Forbidden | CsrfRejected) -> None:
    """Record the refusal as ``access.forbidden`` or ``access.csrf``; a failure to record it is logged, and the
    refusal is answered all the same."""
    action = "access.csrf" if isinstance(refused, CsrfRejected) else "access.forbidden"
    detail = {
        "method": request.method,
        "address": request.client.host if request.client else None,
        "reason": str(refused),
    }
    try:
        with state.db() as ws:
            ws.accounts.record(
                actor=refused.actor or "anonymous", action=action, target=request.url.path[:200], detail=detail
            )
    except (GroundswellError, *driver_errors()):  # type: ignore[misc]  # a tuple of exception classes
        log.exception("could not audit-log a refused request to %s", request.url.path)
