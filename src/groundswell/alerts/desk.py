"""The alerts of one workspace: check the rules, keep and deliver what they find, and the team's actions.

``AlertDesk`` is what ``Workspace.alerts`` hands out (the store and config bound), as ``Workspace.inbox`` is
for the inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from groundswell.alerts.deliver import Delivery, deliver_open
from groundswell.alerts.keep import KeepReport, keep_alerts
from groundswell.alerts.model import AlertRule
from groundswell.alerts.rules import rules_of
from groundswell.clock import naive_utc, utcnow
from groundswell.config import WorkspaceConfig
from groundswell.errors import UsageError
from groundswell.query import Sources
from groundswell.store import alerts as stored
from groundswell.store.alerts import StoredAlert
from groundswell.store.base import Store

ACTIONS = ("acknowledge", "snooze", "reopen")
STATUSES = stored.STATUSES
LIVE = stored.LIVE
"""The statuses of an alert whose condition still holds."""
DEFAULT_SNOOZE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class AlertDesk:
    store: Store
    config: WorkspaceConfig

    def rules(self) -> list[AlertRule]:
        return rules_of(self.config)

    def check(self, sources: Sources, now: datetime | None = None) -> KeepReport:
        """Evaluate every rule on ``sources`` as of ``now`` and keep what they find (``alerts.keep``)."""
        moment = naive_utc(now) if now is not None else utcnow()
        found = [candidate for rule in self.rules() for candidate in rule.evaluate(sources, moment)]
        return keep_alerts(self.store, found, now=moment, quiet_s=self.config.alerts.quiet_s)

    def deliver(self, environ: Mapping[str, str] | None = None) -> list[Delivery]:
        """Send open alerts to the configured targets they have not reached."""
        return deliver_open(self.store, self.config.alerts.notify, environ=environ)

    def kept(
        self,
        *,
        statuses: tuple[str, ...] = stored.STATUSES,
        kinds: tuple[str, ...] | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[StoredAlert]:
        """Kept alerts with one of ``statuses`` (and ``kinds``, when given), the newest first."""
        return stored.alerts(self.store, statuses=statuses, kinds=kinds, limit=limit, offset=offset)

    def count(self, *, statuses: tuple[str, ...] = stored.STATUSES, kinds: tuple[str, ...] | None = None) -> int:
        return stored.count_alerts(self.store, statuses=statuses, kinds=kinds)

    def between(self, since: datetime | None, until: datetime | None) -> list[StoredAlert]:
        """Every kept alert whose condition started in [since, until) (None: open), oldest first."""
        return stored.alerts_between(self.store, since, until)

    def get(self, alert_id: int) -> StoredAlert:
        return stored.alert(self.store, alert_id)

    def deliveries(self, alert_id: int) -> list[dict[str, Any]]:
        return stored.deliveries(self.store, alert_id)

    def act(self, alert_id: int, action: str, *, actor: str, snooze: timedelta = DEFAULT_SNOOZE) -> StoredAlert:
        """A person's action on an alert: ``acknowledge``, ``snooze`` (for ``snooze``) or ``reopen``."""
        if action == "acknowledge":
            return stored.set_status(self.store, alert_id, status="acknowledged", actor=actor)
        if action == "snooze":
            until = utcnow() + snooze
            return stored.set_status(self.store, alert_id, status="snoozed", actor=actor, snoozed_until=until)
        if action == "reopen":
            return stored.set_status(self.store, alert_id, status="open", actor=actor)
        raise UsageError(f"unknown alert action {action!r} (known: {', '.join(ACTIONS)})")

    def health(self) -> dict[str, dict[str, Any]]:
        """The watch loop's kept state: ``cycle`` (the last cycle) and ``account:<name>`` per account."""
        return stored.watch_state(self.store)

    def save_health(self, name: str, state: dict[str, Any]) -> None:
        stored.save_watch_state(self.store, name, state)
