"""The audit log: who changed what, when. Every change to users, tokens, the inbox and the config writes one entry.

``actor`` is the acting user's name, or ``cli:<os user>`` for the command line.
``detail`` is a small JSON object; it never holds a password or a token.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from groundswell.accounts.model import utcnow
from groundswell.errors import UsageError
from groundswell.store.base import Store

_COLUMNS = "audit_id, logged_at, actor, action, target, detail"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    logged_at: datetime  # UTC
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "logged_at": self.logged_at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "detail": dict(self.detail),
        }


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
    rows = store.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?) RETURNING audit_id",
        [now or utcnow(), actor, action, target, json.dumps(detail or {}, sort_keys=True, default=str)],
    )
    return int(rows[0][0])


def entries(
    store: Store,
    *,
    limit: int | None = 100,
    action: str | None = None,
    actor: str | None = None,
    target: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first. ``action`` is exact (``users.add``) or a family (``users`` matches ``users.*``)."""
    where: list[str] = []
    params: list[Any] = []
    if action:
        where.append("(action = ? OR substr(action, 1, ?) = ?)")
        params += [action, len(action) + 1, f"{action}."]
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if target:
        where.append("target = ?")
        params.append(target)
    sql = f"SELECT {_COLUMNS} FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY audit_id DESC"
    if limit is not None:
        if limit < 0:
            raise UsageError("limit cannot be negative")
        sql += " LIMIT ?"
        params.append(limit)
    return [_entry(row) for row in store.execute(sql, params)]


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


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(
        id=int(row[0]),
        logged_at=row[1],
        actor=row[2],
        action=row[3],
        target=row[4],
        detail=json.loads(row[5] or "{}"),
    )
