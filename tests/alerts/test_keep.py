"""Kept alerts on both stores: one alert per key while it lasts, sent once, a quiet period before a repeat,
and the team's acknowledge / snooze."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from groundswell.alerts.keep import keep_alerts
from groundswell.alerts.model import AlertCandidate, AlertKind, PostRef
from groundswell.errors import NotFound
from groundswell.workspace import Workspace

QUIET_S = 3600.0
T0 = datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def waiting(post_id: str, at: datetime, waited: float) -> AlertCandidate:
    return AlertCandidate(
        kind=AlertKind.WAITING,
        key=f"waiting:mastodon:{post_id}",
        title=f"waited {waited} h",
        started_at=at - timedelta(hours=waited),
        detected_at=at,
        posts=(PostRef("mastodon", post_id),),
        figures={"waited_hours": waited},
    )


def test_one_alert_per_key_while_it_lasts_and_a_quiet_period_before_a_repeat(workspace: Workspace) -> None:
    store = workspace.store
    first = keep_alerts(store, [waiting("1", T0, 1.0)], now=T0, quiet_s=QUIET_S)
    assert len(first.raised) == 1
    [alert_id] = first.raised

    later = T0 + timedelta(minutes=5)
    again = keep_alerts(store, [waiting("1", later, 1.1), waiting("1", later, 1.1)], now=later, quiet_s=QUIET_S)
    assert (again.raised, again.updated) == ([], 1)
    kept = workspace.alerts.get(alert_id)
    assert (kept.status, kept.first_seen_at, kept.last_seen_at) == ("open", T0, later)
    assert kept.figures == {"waited_hours": 1.1} and kept.posts == (("mastodon", "1"),)

    gone = T0 + timedelta(minutes=10)
    assert keep_alerts(store, [], now=gone, quiet_s=QUIET_S).ended == 1
    assert workspace.alerts.get(alert_id).status == "over"

    back = gone + timedelta(minutes=30)  # within the quiet period: the same alert again, not a new one
    revived = keep_alerts(store, [waiting("1", back, 2.0)], now=back, quiet_s=QUIET_S)
    assert (revived.raised, revived.revived) == ([], 1)
    assert workspace.alerts.get(alert_id).status == "open"

    keep_alerts(store, [], now=back + timedelta(minutes=1), quiet_s=QUIET_S)
    after = back + timedelta(hours=2)  # past the quiet period: a new alert, to be sent
    repeat = keep_alerts(store, [waiting("1", after, 3.0)], now=after, quiet_s=QUIET_S)
    assert len(repeat.raised) == 1 and repeat.raised != [alert_id]
    assert [a.alert_id for a in workspace.alerts.kept(statuses=("open",))] == repeat.raised


def test_acknowledge_and_snooze_until_the_snooze_runs_out(workspace: Workspace) -> None:
    store = workspace.store
    [alert_id] = keep_alerts(store, [waiting("7", T0, 1.0)], now=T0, quiet_s=QUIET_S).raised
    acked = workspace.alerts.act(alert_id, "acknowledge", actor="sam")
    assert (acked.status, acked.updated_by) == ("acknowledged", "sam")
    keep_alerts(store, [waiting("7", T0, 1.5)], now=T0 + timedelta(minutes=5), quiet_s=QUIET_S)
    assert workspace.alerts.get(alert_id).status == "acknowledged"  # found again, still the team's

    snoozed = workspace.alerts.act(alert_id, "snooze", actor="sam", snooze=timedelta(minutes=30))
    assert snoozed.status == "snoozed" and snoozed.snoozed_until is not None
    until = snoozed.snoozed_until
    keep_alerts(store, [waiting("7", until, 2.0)], now=until - timedelta(minutes=1), quiet_s=QUIET_S)
    assert workspace.alerts.get(alert_id).status == "snoozed"
    keep_alerts(store, [waiting("7", until, 2.0)], now=until + timedelta(minutes=1), quiet_s=QUIET_S)
    assert workspace.alerts.get(alert_id).status == "open"  # the snooze ran out and it still holds

    with pytest.raises(NotFound):
        workspace.alerts.act(alert_id + 100, "acknowledge", actor="sam")


def test_an_alert_keeps_the_posts_it_was_raised_with_first(workspace: Workspace) -> None:
    store = workspace.store

    def spike(at: datetime, posts: list[str]) -> AlertCandidate:
        return AlertCandidate(
            kind=AlertKind.ORGANIC, key="spike:organic:Acme", title=f"{len(posts)} posts", started_at=T0,
            detected_at=at, posts=tuple(PostRef("mastodon", p) for p in posts), figures={"posts": len(posts)},
        )  # fmt: skip

    [alert_id] = keep_alerts(store, [spike(T0, ["1", "2", "3"])], now=T0, quiet_s=QUIET_S).raised
    later = T0 + timedelta(minutes=5)
    keep_alerts(store, [spike(later, ["3", "4", *map(str, range(10, 30))])], now=later, quiet_s=QUIET_S)
    kept = workspace.alerts.get(alert_id)
    assert [p for _, p in kept.posts] == ["1", "2", "3", "4", *map(str, range(10, 18))]  # 12 at most
    assert (kept.title, kept.started_at) == ("22 posts", T0)


def test_the_alerts_of_a_period_are_those_that_started_in_it(workspace: Workspace) -> None:
    store = workspace.store
    for hours in (0, 5, 30):
        at = T0 + timedelta(hours=hours)
        keep_alerts(store, [waiting(f"p{hours}", at, 1.0)], now=at, quiet_s=QUIET_S)
    found = workspace.alerts.between(T0, T0 + timedelta(days=1))  # started 1 h before each raise
    assert [a.key for a in found] == ["waiting:mastodon:p5"]
    assert [a.key for a in workspace.alerts.between(None, None)] == [f"waiting:mastodon:p{h}" for h in (0, 5, 30)]
    assert workspace.alerts.count(kinds=("waiting",)) == 3 and workspace.alerts.count(kinds=()) == 0
