"""``groundswell serve --watch``: the watch loop in a background thread of the server, for a small team.

It runs over the app's own workspace (DuckDB lets one process write the file), each write as one writer
beside the app's, and after a cycle that brought posts or labels the app's cached figures go stale.
"""

from __future__ import annotations

import logging
import threading

from groundswell.watch.loop import CycleReport, Watcher
from groundswell.web.state import AppState

log = logging.getLogger("groundswell.watch")
STOP_WAIT_S = 60.0
"""How long the server's shutdown waits for a cycle to reach a step boundary."""


class BackgroundWatch:
    """The loop's thread: ``start`` with the server, ``stop`` when it shuts down."""

    def __init__(self, state: AppState, *, interval_s: float | None = None):
        self.state = state
        self.stop_event = threading.Event()
        self.interval_s = interval_s or state.workspace.config.watch.interval_s
        self.watcher = Watcher(state.workspace, stop=self.stop_event)
        self.thread = threading.Thread(target=self._run, name="groundswell-watch", daemon=True)

    def _cycled(self, report: CycleReport) -> None:
        if report.posts_new or report.enriched:
            self.state.changed("posts")
        log.warning(report.line())  # the server logs at warning: a cycle's line is shown as the CLI's is

    def _run(self) -> None:
        self.watcher.run(interval_s=self.interval_s, on_cycle=self._cycled)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=STOP_WAIT_S)
