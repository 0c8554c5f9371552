"""Which spikes were caught while they happened, and how early: the report's section on the kept spike alerts.

The watch loop keeps every alert with its evidence (``groundswell.alerts``); the report reads those of its
period, set beside the spikes the ``spikes`` metric family finds in hindsight, a day at a time:

- each kept spike alert (``campaign``, ``organic``, ``complaint surge``): what it was about, when its surge
  started, when the watch first raised it and the delay between, its leading posts (linked);
- each batch spike no alert overlaps: caught by nobody while it happened (the watch was not running, or the
  rule did not see it);
- how much earlier than the batch view an alert came: a day's spike is known to the daily figures only once
  the day is over, so an alert raised at 14:10 on that day came 9 h 50 min before them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from groundswell.query import Sources, rows
from groundswell.store.alerts import StoredAlert

SPIKE_KINDS = ("campaign", "organic", "complaint surge")
"""The alert kinds that are spikes (``alerts.model.AlertKind``'s first three); the rest are care alerts."""


def caught_spikes(sources: Sources, alerts: Sequence[StoredAlert], batch: dict[str, Any] | None) -> dict[str, Any]:
    """The section's figures: ``alerts`` (the period's kept ones), ``batch`` (the ``spikes`` section, or None
    when it could not be computed) and the leading posts read from ``sources``."""
    spikes = [a for a in alerts if a.kind in SPIKE_KINDS]
    care: dict[str, int] = {}
    for alert in alerts:
        if alert.kind not in SPIKE_KINDS:
            care[alert.kind] = care.get(alert.kind, 0) + 1
    posts = _posts(sources, {ref for a in spikes for ref in a.posts})
    batch_spikes = list(batch.get("spikes", [])) if batch else []
    caught: list[dict[str, Any]] = []
    for alert in spikes:
        matched = [n for n, s in enumerate(batch_spikes, start=1) if _overlaps(alert, s)]
        known = [_batch_knows(batch_spikes[n - 1]) for n in matched]
        caught.append(
            {
                "alert_id": alert.alert_id,
                "kind": alert.kind,
                "about": alert.key.split(":", 2)[-1],
                "title": alert.title,
                "status": alert.status,
                "started_at": alert.started_at.isoformat(),
                "alerted_at": alert.first_seen_at.isoformat(),
                "last_seen_at": alert.last_seen_at.isoformat(),
                "delay_s": max(0.0, (alert.first_seen_at - alert.started_at).total_seconds()),
                "batch_spikes": matched,
                "ahead_of_batch_s": (min(known) - alert.first_seen_at).total_seconds() if known else None,
                "posts": [posts[ref] for ref in alert.posts if ref in posts],
            }
        )
    missed = [
        {"number": n, **{k: s.get(k) for k in ("start", "end", "label", "campaign", "posts", "expected_posts")}}
        for n, s in enumerate(batch_spikes, start=1)
        if not any(n in c["batch_spikes"] for c in caught)
    ]
    delays = [c["delay_s"] for c in caught]
    return {
        "alerts": caught,
        "missed": missed,
        "batch_spikes": len(batch_spikes),
        "batch_available": batch is not None,
        "median_delay_s": median(delays) if delays else None,
        "care_alerts": dict(sorted(care.items())),
    }


def _overlaps(alert: StoredAlert, spike: dict[str, Any]) -> bool:
    """Whether the alert's span (its start to its last cycle) meets the batch spike's days."""
    first = datetime.combine(date.fromisoformat(spike["start"]), datetime.min.time())
    after = datetime.combine(date.fromisoformat(spike["end"]), datetime.min.time()) + timedelta(days=1)
    return alert.started_at < after and alert.last_seen_at >= first


def _batch_knows(spike: dict[str, Any]) -> datetime:
    """When the daily figures can first show the spike: the end of its first day."""
    return datetime.combine(date.fromisoformat(spike["start"]), datetime.min.time()) + timedelta(days=1)


def _posts(sources: Sources, refs: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The evidence posts by (platform, post_id): when, who, the text and the link."""
    if not refs:
        return {}
    table = sources.every_post
    found = table.filter(table.post_id.isin(sorted({post_id for _, post_id in refs}))).select(
        "platform", "post_id", "created_at", "author_handle", "text", "url"
    )
    out = {}
    for row in rows(found):
        ref = (row["platform"], row["post_id"])
        if ref in refs:
            created = row["created_at"]
            out[ref] = {**row, "created_at": created.isoformat() if created else None}
    return out
