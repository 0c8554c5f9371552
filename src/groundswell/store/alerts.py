"""Alerts as kept (``alerts``), each delivery of one (``alert_deliveries``), and the watch loop's health
(``watch_state``).

An alert is one row per condition while it lasts: its ``key`` is the rule's name for the condition, and a
cycle that finds the same key again only moves ``last_seen_at`` and the evidence. A condition no longer found
is ``over``. Notify targets are recorded by their URL's scheme and position, never the URL (it may hold a
secret).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.clock import utcnow
from groundswell.errors import NotFound
from groundswell.store.base import Store

STATUSES = ("open", "acknowledged", "snoozed", "over")
LIVE = ("open", "acknowledged", "snoozed")
"""The statuses of an alert whose condition still holds."""


@dataclass(frozen=True, slots=True)
class StoredAlert:
    alert_id: int
    key: str
    kind: str
    title: str
    status: str
    started_at: datetime
    first_seen_at: datetime
    last_seen_at: datetime
    posts: tuple[tuple[str, str], ...]
    figures: dict[str, float]
    snoozed_until: datetime | None
    updated_by: str | None
    updated_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "first_seen_at": self.first_seen_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "posts": [{"platform": p, "post_id": i} for p, i in self.posts],
            "figures": self.figures,
            "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


_COLUMNS = (
    "alert_id, key, kind, title, status, started_at, first_seen_at, last_seen_at, posts, figures, snoozed_until, "
    "updated_by, updated_at"
)


def _alert(row: tuple[Any, ...]) -> StoredAlert:
    return StoredAlert(
        alert_id=int(row[0]),
        key=row[1],
        kind=row[2],
        title=row[3],
        status=row[4],
        started_at=row[5],
        first_seen_at=row[6],
        last_seen_at=row[7],
        posts=tuple((str(p), str(i)) for p, i in json.loads(row[8])),
        figures={str(k): float(v) for k, v in json.loads(row[9]).items()},
        snoozed_until=row[10],
        updated_by=row[11],
        updated_at=row[12],
    )


def latest_by_key(store: Store, key: str) -> StoredAlert | None:
    """The newest alert kept under ``key`` (live or over), or None."""
    found = store.execute(f"SELECT {_COLUMNS} FROM alerts WHERE key = ? ORDER BY alert_id DESC LIMIT 1", [key])
    return _alert(found[0]) if found else None


def add_alert(
    store: Store,
    *,
    key: str,
    kind: str,
    title: str,
    started_at: datetime,
    seen_at: datetime,
    posts: list[tuple[str, str]],
    figures: dict[str, float],
) -> int:
    """A new open alert; its id."""
    found = store.execute(
        f"INSERT INTO alerts ({_COLUMNS}) VALUES (nextval('alert_id_seq'), ?, ?, ?, 'open', ?, ?, ?, ?, ?, "
        "NULL, NULL, NULL) RETURNING alert_id",
        [key, kind, title, started_at, seen_at, seen_at, json.dumps(posts), json.dumps(figures, sort_keys=True)],
    )
    return int(found[0][0])


def seen_again(
    store: Store,
    alert_id: int,
    *,
    title: str,
    seen_at: datetime,
    posts: list[tuple[str, str]],
    figures: dict[str, float],
    status: str,
) -> None:
    """A cycle found the alert's condition again: its latest evidence, and ``status`` (an over alert revived
    within the quiet period, or a snooze that ran out, is open again)."""
    store.execute(
        "UPDATE alerts SET title = ?, last_seen_at = ?, posts = ?, figures = ?, status = ?, "
        "snoozed_until = CASE WHEN ? = 'snoozed' THEN snoozed_until ELSE NULL END WHERE alert_id = ?",
        [title, seen_at, json.dumps(posts), json.dumps(figures, sort_keys=True), status, status, alert_id],
    )


def end_alerts(store: Store, *, keep: set[str]) -> int:
    """Mark ``over`` the live alerts whose key a cycle no longer found; how many."""
    live = store.execute(
        f"SELECT alert_id, key FROM alerts WHERE status IN ({', '.join('?' for _ in LIVE)})", list(LIVE)
    )
    ended = [int(a) for a, key in live if key not in keep]
    for alert_id in ended:
        store.execute("UPDATE alerts SET status = 'over' WHERE alert_id = ?", [alert_id])
    return len(ended)


def set_status(
    store: Store, alert_id: int, *, status: str, actor: str, snoozed_until: datetime | None = None
) -> StoredAlert:
    """A person acknowledged, snoozed (until a moment) or reopened an alert; ``NotFound`` for an unknown id."""
    found = store.execute(
        "UPDATE alerts SET status = ?, snoozed_until = ?, updated_by = ?, updated_at = ? WHERE alert_id = ? "
        "RETURNING alert_id",
        [status, snoozed_until, actor, utcnow(), alert_id],
    )
    if not found:
        raise NotFound(f"no alert {alert_id}")
    return alert(store, alert_id)


def alert(store: Store, alert_id: int) -> StoredAlert:
    found = store.execute(f"SELECT {_COLUMNS} FROM alerts WHERE alert_id = ?", [alert_id])
    if not found:
        raise NotFound(f"no alert {alert_id}")
    return _alert(found[0])


def _where(statuses: tuple[str, ...], kinds: tuple[str, ...] | None) -> tuple[str, list[Any]]:
    where = f"status IN ({', '.join('?' for _ in statuses)})"
    if kinds is not None:
        where += f" AND kind IN ({', '.join('?' for _ in kinds)})" if kinds else " AND FALSE"
    return where, [*statuses, *(kinds or ())]


def alerts(
    store: Store,
    *,
    statuses: tuple[str, ...] = STATUSES,
    kinds: tuple[str, ...] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[StoredAlert]:
    """Alerts with one of ``statuses`` (and of ``kinds``, when given), the newest first, from ``offset``."""
    if not statuses:
        return []
    where, values = _where(statuses, kinds)
    found = store.execute(
        f"SELECT {_COLUMNS} FROM alerts WHERE {where} ORDER BY first_seen_at DESC, alert_id DESC LIMIT ? OFFSET ?",
        [*values, limit, offset],
    )
    return [_alert(row) for row in found]


def count_alerts(store: Store, *, statuses: tuple[str, ...] = STATUSES, kinds: tuple[str, ...] | None = None) -> int:
    """How many alerts ``alerts`` would list with no limit."""
    if not statuses:
        return 0
    where, values = _where(statuses, kinds)
    return int(store.execute(f"SELECT count(*) FROM alerts WHERE {where}", values)[0][0])


def alerts_between(store: Store, since: datetime | None, until: datetime | None) -> list[StoredAlert]:
    """Every alert whose condition started in [since, until) (either end open when None), oldest first."""
    where, values = "TRUE", list[Any]()
    if since is not None:
        where, values = where + " AND started_at >= ?", [*values, since]
    if until is not None:
        where, values = where + " AND started_at < ?", [*values, until]
    found = store.execute(f"SELECT {_COLUMNS} FROM alerts WHERE {where} ORDER BY started_at, alert_id", values)
    return [_alert(row) for row in found]


def record_delivery(store: Store, alert_id: int, *, target: str, ok: bool, error: str | None = None) -> None:
    store.execute("INSERT INTO alert_deliveries VALUES (?, ?, ?, ?, ?)", [alert_id, target, utcnow(), ok, error])


def deliveries(store: Store, alert_id: int) -> list[dict[str, Any]]:
    """An alert's delivery log, oldest first."""
    return store.query(
        "SELECT target, sent_at, ok, error FROM alert_deliveries WHERE alert_id = ? ORDER BY sent_at", [alert_id]
    )


def delivered_targets(store: Store, alert_id: int) -> set[str]:
    """The targets an alert reached."""
    found = store.execute("SELECT DISTINCT target FROM alert_deliveries WHERE alert_id = ? AND ok", [alert_id])
    return {str(row[0]) for row in found}


def save_watch_state(store: Store, name: str, state: dict[str, Any]) -> None:
    store.execute(
        "INSERT INTO watch_state VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at",
        [name, json.dumps(state, sort_keys=True, default=str), utcnow()],
    )


def watch_state(store: Store) -> dict[str, dict[str, Any]]:
    """Every kept watch state by name (``cycle``, ``account:<name>``)."""
    return {str(name): json.loads(state) for name, state in store.execute("SELECT name, state FROM watch_state")}
