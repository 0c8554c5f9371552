"""The audit log: who changed what, when. Every change to users, tokens, the inbox and the config writes one entry.

``actor`` is the acting user's name, or ``cli:<os user>`` for the command line.
``detail`` is a small JSON object; it never holds a password or a token.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from groundswell.clock import utcnow
from groundswell.errors import UsageError
from groundswell.store import audit as stored
from groundswell.store.audit import AuditEntry
from groundswell.store.base import Store


def record(
    store: Store,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    """Append one entry and return its id. Call it in the same transaction as the change it records."""
    if not actor or not action:
        raise UsageError("an audit entry needs an actor and an action")
    return stored.append(
        store, logged_at=now or utcnow(), actor=actor, action=action, target=target, detail=detail or {}
    )


def entries(
    store: Store,
    *,
    limit: int | None = 100,
    action: str | None = None,
    actor: str | None = None,
    target: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first. ``action`` is exact (``users.add``) or a family (``users`` matches ``users.*``)."""
    if limit is not None and limit < 0:
        raise UsageError("limit cannot be negative")
    return stored.newest(store, limit=limit, action=action, actor=actor, target=target)


def export_csv(store: Store, path: Path | str) -> int:
    """Write the whole log, oldest first, as CSV (detail as a JSON string); return the number of entries."""
    rows = list(reversed(entries(store, limit=None)))
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "logged_at", "actor", "action", "target", "detail"])
        for e in rows:
            writer.writerow(
                [
                    e.id,
                    e.logged_at.isoformat(),
                    _cell(e.actor),
                    _cell(e.action),
                    _cell(e.target or ""),
                    json.dumps(e.detail, sort_keys=True),
                ]
            )
    return len(rows)


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with one of these as a formula (CSV injection): quote it as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
