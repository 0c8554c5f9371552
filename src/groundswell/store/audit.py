"""The audit log (``audit_log``): who changed what, when; ``detail`` kept as a JSON object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


def append(
    store: Store, *, logged_at: datetime, actor: str, action: str, target: str | None, detail: dict[str, Any]
) -> int:
    """Append one entry with the next id; its id."""
    rows = store.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?) RETURNING audit_id",
        [logged_at, actor, action, target, json.dumps(detail, sort_keys=True, default=str)],
    )
    return int(rows[0][0])


def newest(
    store: Store,
    *,
    limit: int | None,
    action: str | None = None,
    actor: str | None = None,
    target: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first, at most ``limit``; ``action`` exact or a family (``users`` matches ``users.*``)."""
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
        sql += " LIMIT ?"
        params.append(limit)
    return [_entry(row) for row in store.execute(sql, params)]


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(
        id=int(row[0]),
        logged_at=row[1],
        actor=row[2],
        action=row[3],
        target=row[4],
        detail=json.loads(row[5] or "{}"),
    )
