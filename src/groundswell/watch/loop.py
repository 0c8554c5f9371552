"""The watch loop: every interval, sync each connected account, enrich what is new, check the alert rules
(which bring the stored threads stage up to date first), keep and deliver the alerts.

It never stops for a platform: an account whose sync fails waits out an exponential backoff of its own
(``BACKOFF_BASE_S`` doubling to ``BACKOFF_MAX_S``) while the others go on; the connectors themselves wait
out a 429's ``Retry-After`` (bounded by the loop's stop, so a stop is never held up by a wait). Anything else a
cycle raises is logged and the loop carries on with the next cycle. ``stop`` (a ``threading.Event``, which
the CLI sets on SIGTERM and SIGINT) ends the loop between steps: each step writes whole pages, enrichment
batches or alert rows, so nothing is left half written. Each cycle leaves one log line and its health in the
store (``Workspace.alerts.health()``), which the web app shows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from groundswell.clock import utcnow
from groundswell.errors import GroundswellError
from groundswell.workspace import Workspace

BACKOFF_BASE_S = 30.0
"""An account's first failed sync waits this long before the next try; each further failure twice as long."""
BACKOFF_MAX_S = 3600.0
MAX_PLATFORM_WAIT_S = 300.0
"""The longest one wait inside a sync (a rate-limit window; the connectors' own bound)."""
PLATFORM_RETRIES = 2
"""Retries a connector makes inside one sync before the loop's own backoff takes over."""

log = logging.getLogger("groundswell.watch")


@dataclass
class AccountHealth:
    """One account as the loop sees it: ``ok``, or ``backoff`` until ``next_try_at`` after ``failures``."""

    name: str
    state: str = "ok"
    failures: int = 0
    next_try_at: datetime | None = None
    last_sync_at: datetime | None = None
    last_error: str | None = None
    last_error_kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "failures": self.failures,
            "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
            "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
            "last_error": self.last_error,
            "last_error_kind": self.last_error_kind,
        }


@dataclass
class CycleReport:
    """What one cycle did."""

    started_at: datetime
    seconds: float = 0.0
    accounts_synced: int = 0
    accounts_failed: int = 0
    accounts_waiting: int = 0
    posts_new: int = 0
    enriched: int = 0
    alerts_raised: int = 0
    alerts_delivered: int = 0
    deliveries_failed: int = 0
    stopped: bool = False
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The cycle's one log line."""
        text = (
            f"watch cycle: {self.accounts_synced} account(s) synced, {self.accounts_failed} failed, "
            f"{self.accounts_waiting} backing off; {self.posts_new} new post(s), {self.enriched} enriched; "
            f"{self.alerts_raised} alert(s) raised, {self.alerts_delivered} delivered"
            f"{f', {self.deliveries_failed} delivery failure(s)' if self.deliveries_failed else ''}; "
            f"{self.seconds:.1f} s"
        )
        if self.stopped:
            text += " (stopped)"
        if self.errors:
            text += "; errors: " + " | ".join(self.errors)
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "accounts_synced": self.accounts_synced,
            "accounts_failed": self.accounts_failed,
            "accounts_waiting": self.accounts_waiting,
            "posts_new": self.posts_new,
            "enriched": self.enriched,
            "alerts_raised": self.alerts_raised,
            "alerts_delivered": self.alerts_delivered,
            "deliveries_failed": self.deliveries_failed,
            "stopped": self.stopped,
            "errors": self.errors,
        }


def backoff_s(failures: int) -> float:
    """How long an account waits after ``failures`` failed syncs in a row."""
    return float(min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, failures - 1)))


class Watcher:
    """Runs cycles over a workspace (see the module). ``clock``: now, naive UTC (tests move it);
    ``environ``: where ``${ENV}`` references in notify URLs are read (default the process's)."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = utcnow,
        environ: Mapping[str, str] | None = None,
        model: str = "fast",
        max_wait_s: float = MAX_PLATFORM_WAIT_S,
    ):
        self.workspace = workspace
        self.stop = stop or threading.Event()
        self.clock = clock
        self.environ = environ
        self.model = model
        self.max_wait_s = max_wait_s
        self.health: dict[str, AccountHealth] = {}
        self.waits: list[float] = []  # what the connectors asked to wait, in order (a 429's Retry-After...)

    def _wait(self, seconds: float) -> None:
        """A connector's wait (a 429's Retry-After, a retry's backoff), at most ``max_wait_s``, cut short by a
        stop."""
        self.waits.append(seconds)
        self.stop.wait(min(seconds, self.max_wait_s))

    def cycle(self) -> CycleReport:
        """One cycle: sync, enrich, check the rules, deliver; stops between steps when asked to."""
        ws = self.workspace
        report = CycleReport(started_at=self.clock())
        began = time.perf_counter()
        for account in ws.connections():
            if self.stop.is_set():
                break
            self._sync(account, report)
        steps: list[tuple[str, Callable[[CycleReport], None]]] = [
            ("enrich", self._enrich),
            ("alerts", self._check),
            ("delivery", self._deliver),
        ]
        for name, step in steps:
            if self.stop.is_set():
                break
            try:
                step(report)
            except GroundswellError as exc:
                report.errors.append(f"{name}: {exc}")
            except Exception as exc:  # the loop outlives any one cycle's failure; the traceback goes to the log
                log.exception("watch %s step failed", name)
                report.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        report.stopped = self.stop.is_set()
        report.seconds = time.perf_counter() - began
        ws.alerts.save_health("cycle", report.as_dict())
        return report

    def _sync(self, account: Any, report: CycleReport) -> None:
        health = self.health.setdefault(account.name, AccountHealth(account.name))
        now = self.clock()
        if health.next_try_at is not None and now < health.next_try_at:
            report.accounts_waiting += 1
            return
        try:
            synced = self.workspace.sync(account, sleep=self._wait, max_retries=PLATFORM_RETRIES)
            failed, error, kind = synced.status == "failed", synced.error, synced.error_kind
            report.posts_new += synced.imported
        except GroundswellError as exc:  # no secret kept, an unknown platform: the account waits like a failure
            failed, error, kind = True, str(exc), getattr(exc, "kind", None)
        if failed and self.stop.is_set():  # a stop cut the connector's wait short: not the platform's fault
            report.errors.append(f"{account.name}: stopped during the sync")
            return
        if failed:
            health.failures += 1
            health.state = "backoff"
            health.next_try_at = self.clock() + timedelta(seconds=backoff_s(health.failures))
            health.last_error, health.last_error_kind = error, kind
            report.accounts_failed += 1
            report.errors.append(f"{account.name}: {error}")
        else:
            health.state, health.failures, health.next_try_at = "ok", 0, None
            health.last_sync_at = self.clock()
            report.accounts_synced += 1
        self.workspace.alerts.save_health(f"account:{account.name}", health.as_dict())

    def _enrich(self, report: CycleReport) -> None:
        report.enriched = self.workspace.enrich(self.model).enriched

    def _check(self, report: CycleReport) -> None:
        report.alerts_raised = len(self.workspace.check_alerts(self.clock()).raised)

    def _deliver(self, report: CycleReport) -> None:
        for delivery in self.workspace.alerts.deliver(self.environ):
            if delivery.ok:
                report.alerts_delivered += 1
            else:
                report.deliveries_failed += 1
                report.errors.append(f"delivery {delivery.target}: {delivery.error}")

    def run(
        self, *, interval_s: float, once: bool = False, on_cycle: Callable[[CycleReport], None] | None = None
    ) -> None:
        """Run cycles ``interval_s`` apart (start to start) until ``stop`` is set, or one with ``once``."""
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                report = self.cycle()
            except Exception as exc:  # a store that went away for a moment: log, wait, try again
                log.exception("watch cycle failed")
                report = CycleReport(started_at=self.clock(), errors=[f"{type(exc).__name__}: {exc}"])
            log.info(report.line())
            if on_cycle is not None:
                on_cycle(report)
            if once:
                return
            self.stop.wait(max(0.0, interval_s - (time.monotonic() - began)))
