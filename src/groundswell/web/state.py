"""The app's hold on one workspace: its database behind one lock, and figures cached until the data changes.

DuckDB allows one writer and its connection is not thread-safe, so every request's database work runs under
``lock`` (FastAPI runs plain ``def`` endpoints in a thread pool). The scorecard and report are expensive, so
they are cached under the generation of what they depend on (``AppState.changed``). On PostgreSQL the app
holds one connection the same way, and others (more servers, the command line) may write too: the
generations then also move when the database's own fingerprints do (checked every ``OTHERS_CHECK_S``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from groundswell.workspace import Workspace

T = TypeVar("T")
CALLER_TTL_S = 5.0
"""How long an authenticated session or token is trusted before the database is asked again: sign-out and
changes made through the app forget it at once; a user disabled from the command line (the server stopped)
is refused on restart."""
OTHERS_CHECK_S = 2.0
"""On a shared database (PostgreSQL): how often the app asks whether other processes changed the data, so a
figure cached here is at most this much older than a change made elsewhere."""


@dataclass
class AppState:
    """``generation``: bumped by every write the app makes that changes figures (imports: posts; ``marks``:
    agents' outcome marks; ``inbox``: the team's item states). While the app runs it is the workspace's only
    writer (DuckDB lets one process open the file for writing), so the counters are a complete record of
    change and figures cached under them are never stale. On PostgreSQL, others' writes move them too
    (``watch_others``)."""

    workspace: Workspace
    secure_cookies: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)
    generation: dict[str, int] = field(default_factory=lambda: {"posts": 0, "marks": 0, "inbox": 0})
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _callers: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _flights: dict[tuple[Any, ...], asyncio.Future[Any]] = field(default_factory=dict)  # event loop only
    _others_seen: dict[str, str] = field(default_factory=dict)
    _others_next: float = 0.0

    @classmethod
    def open(cls, path: Path, *, secure_cookies: bool = False, database: str | None = None) -> AppState:
        """The workspace at ``path``, its data in ``database`` (a PostgreSQL URL; None: as ``Workspace.open``)."""
        return cls(Workspace.open(path, database=database), secure_cookies=secure_cookies)

    def watch_others(self, *, blocking: bool = True) -> None:
        """On a shared database, bump the generations of what other processes changed since the last look (at
        most every ``OTHERS_CHECK_S``; without ``blocking``, only when the database is free right now)."""
        if not self.workspace.shared or time.monotonic() < self._others_next:
            return
        if not self.lock.acquire(blocking=blocking):
            return
        try:
            self._others_next = time.monotonic() + OTHERS_CHECK_S
            seen = self.workspace.data_versions()
            for name, value in seen.items():
                if name in self._others_seen and self._others_seen[name] != value:
                    self.generation[name] += 1
            self._others_seen = seen
        finally:
            self.lock.release()

    @contextmanager
    def db(self) -> Iterator[Workspace]:
        """The workspace, for this block only and for this thread only."""
        with self.lock:
            yield self.workspace

    @contextmanager
    def writing(self, *what: str) -> Iterator[Workspace]:
        """The workspace for a block that writes ``what`` (``posts``, ``marks``, ``inbox``): the figures cached
        on it go stale when the block ends, whether it succeeded or not (a failed write may have half-happened)."""
        with self.lock:
            try:
                yield self.workspace
            finally:
                self.changed(*what)

    def changed(self, *what: str) -> None:
        """Record that the app changed ``what`` (``posts``, ``marks``, ``inbox``): figures cached on it go stale."""
        with self.lock:
            for name in what:
                self.generation[name] += 1

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T], *, on: tuple[str, ...] = ("posts", "marks")) -> T:
        """``compute()`` once per key and generation of ``on`` (older results for the key are dropped)."""
        self.watch_others()
        full = (*key, tuple(self.generation[name] for name in on))
        found = self._cache.get(full)
        if found is not None:
            return found  # type: ignore[no-any-return]
        with self.lock:
            if full not in self._cache:
                for k in [k for k in self._cache if k[:-1] == key]:
                    del self._cache[k]
                self._cache[full] = compute()
            return self._cache[full]  # type: ignore[no-any-return]

    async def cached_async(
        self, key: tuple[Any, ...], compute: Callable[[], T], *, on: tuple[str, ...] = ("posts", "marks")
    ) -> T:
        """``cached`` for an ``async`` endpoint: a cached figure is answered on the event loop, and only a miss
        goes to a worker thread (where it may wait for the lock while another request writes or computes)."""
        self.watch_others(blocking=False)
        full = (*key, tuple(self.generation[name] for name in on))
        found = self._cache.get(full)
        if found is not None:
            return found  # type: ignore[no-any-return]
        # One worker thread per miss, however many requests missed: after a write, every waiting request
        # would otherwise take its own thread and queue for the lock in turn, only to find the value made.
        flight = self._flights.get(full)
        if flight is None:
            flight = asyncio.ensure_future(run_in_threadpool(self.cached, key, compute, on=on))
            self._flights[full] = flight
            flight.add_done_callback(lambda _done: self._flights.pop(full, None))
        result: T = await asyncio.shield(flight)
        return result

    def remembered_caller(self, credential: str) -> Any | None:
        """A caller authenticated by ``credential`` within the last ``CALLER_TTL_S`` seconds."""
        found = self._callers.get(credential)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def remember_caller(self, credential: str, who: Any) -> None:
        if len(self._callers) > 10_000:
            self._callers.clear()
        self._callers[credential] = (time.monotonic() + CALLER_TTL_S, who)

    def forget_callers(self) -> None:
        """After a sign-out or any change to users and tokens: every credential is checked afresh."""
        self._callers.clear()

    def close(self) -> None:
        with self.lock:
            self.workspace.close()
