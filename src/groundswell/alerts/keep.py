"""Keep what the rules found: one alert per key while it lasts, a quiet period before it is raised again.

A candidate whose key has a live alert updates it (the same alert, grouped): its title and figures become the
latest, and its evidence keeps the posts it was raised with first, then adds those later cycles name (at most
``MAX_EVIDENCE_POSTS``), so the posts that led it stay with it. A key whose last alert ended less
than ``quiet_s`` ago revives that alert, which was already sent. Any other key is a new alert, to be
delivered. Every rule runs each cycle, so a live alert that no rule found this time are over; a snooze that ran out
opens its alert again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from groundswell.alerts.model import AlertCandidate
from groundswell.clock import naive_utc
from groundswell.store import alerts as stored
from groundswell.store.base import Store

MAX_EVIDENCE_POSTS = 12


@dataclass
class KeepReport:
    """What one cycle did to the kept alerts: the ids of those raised now (to deliver), and counts."""

    raised: list[int] = field(default_factory=list)
    updated: int = 0
    revived: int = 0
    ended: int = 0


def keep_alerts(store: Store, candidates: list[AlertCandidate], *, now: datetime, quiet_s: float) -> KeepReport:
    """Store ``candidates``, all that every rule found at ``now`` (see the module)."""
    moment = naive_utc(now)
    report = KeepReport()
    keys: set[str] = set()
    for candidate in candidates:
        if candidate.key in keys:
            continue
        keys.add(candidate.key)
        posts = [(p.platform, p.post_id) for p in candidate.posts]
        last = stored.latest_by_key(store, candidate.key)
        if last is not None and last.status in stored.LIVE:
            snooze_over = last.status == "snoozed" and (last.snoozed_until is None or last.snoozed_until <= moment)
            status = "open" if snooze_over else last.status
            stored.seen_again(
                store, last.alert_id, title=candidate.title, seen_at=moment, posts=_evidence(last.posts, posts),
                figures=candidate.figures, status=status,
            )  # fmt: skip
            report.updated += 1
        elif last is not None and (moment - last.last_seen_at).total_seconds() < quiet_s:
            stored.seen_again(
                store, last.alert_id, title=candidate.title, seen_at=moment, posts=_evidence(last.posts, posts),
                figures=candidate.figures, status="open",
            )  # fmt: skip
            report.revived += 1
        else:
            report.raised.append(
                stored.add_alert(
                    store,
                    key=candidate.key,
                    kind=str(candidate.kind),
                    title=candidate.title,
                    started_at=naive_utc(candidate.started_at),
                    seen_at=moment,
                    posts=posts,
                    figures=candidate.figures,
                )
            )
    report.ended = stored.end_alerts(store, keep=keys)
    return report


def _evidence(kept: tuple[tuple[str, str], ...], found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The posts an alert keeps: those it already had, first, then the new ones, at most ``MAX_EVIDENCE_POSTS``."""
    return list(dict.fromkeys([*kept, *found]))[:MAX_EVIDENCE_POSTS]
