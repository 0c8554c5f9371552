"""The app's hold on one workspace: reads side by side, writes one at a time, and figures cached until the
data changes.

FastAPI runs plain ``def`` endpoints in a thread pool. Each thread works on a database connection of its
own (``store.per_thread``): a DuckDB cursor of the workspace file, or a PostgreSQL session. Reads (``db``)
therefore run at once, each on its own snapshot of the data (both databases' MVCC), and never wait for a
write; writes (``writing``) take turns, one at a time in the process (DuckDB allows one writer). The
scorecard, metrics, report, dashboard and waiting list are cached under the generation of what they depend
on (``AppState.changed``), least recently used first out past ``cache_bytes`` (``web.cache``), each computed
once however many requests ask for it, while requests for other figures go on. On PostgreSQL others (more
servers, the command line) may write too: the generations then also move when the database's own
fingerprints do (checked every ``OTHERS_CHECK_S``).
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

from groundswell.web.cache import FigureCache, default_limit_bytes
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
    cache_bytes: int = field(default_factory=default_limit_bytes)
    generation: dict[str, int] = field(default_factory=lambda: {"posts": 0, "marks": 0, "inbox": 0})
    figures: FigureCache = field(init=False)
    _generation_lock: threading.Lock = field(default_factory=threading.Lock)
    _others_lock: threading.Lock = field(default_factory=threading.Lock)
    _callers: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _flights: dict[tuple[Any, ...], asyncio.Future[Any]] = field(default_factory=dict)  # event loop only
    _others_seen: dict[str, str] = field(default_factory=dict)
    _others_next: float = 0.0

    def __post_init__(self) -> None:
        self.figures = FigureCache(self.cache_bytes)

    @classmethod
    def open(
        cls, path: Path, *, secure_cookies: bool = False, database: str | None = None, cache_bytes: int | None = None
    ) -> AppState:
        """The workspace at ``path``, its data in ``database`` (a PostgreSQL URL; None: as ``Workspace.open``),
        figures cached up to ``cache_bytes`` (None: ``$GROUNDSWELL_CACHE_MB``, else 256 MiB)."""
        limit = cache_bytes if cache_bytes is not None else default_limit_bytes()
        return cls(Workspace.open(path, database=database), secure_cookies=secure_cookies, cache_bytes=limit)

    def watch_others(self, *, blocking: bool = True) -> None:
        """On a shared database, bump the generations of what other processes changed since the last look (at
        most every ``OTHERS_CHECK_S``, one look at a time; without ``blocking``, none when another thread is
        looking right now)."""
        if not self.workspace.shared or time.monotonic() < self._others_next:
            return
        if not self._others_lock.acquire(blocking=blocking):
            return
        try:
            if time.monotonic() < self._others_next:
                return  # another thread looked while this one waited
            self._others_next = time.monotonic() + OTHERS_CHECK_S
            seen = self.workspace.data_versions()
            changed = [name for name, value in seen.items() if self._others_seen.get(name, value) != value]
            self._others_seen = seen
            self.changed(*changed)
        finally:
            self._others_lock.release()

    @contextmanager
    def db(self) -> Iterator[Workspace]:
        """The workspace, for a block that reads: it runs beside other reads and writes, on this thread's own
        connection (``store.per_thread``)."""
        yield self.workspace

    @contextmanager
    def writing(self, *what: str) -> Iterator[Workspace]:
        """The workspace for a block that writes ``what`` (``posts``, ``marks``, ``inbox``; none for a write no
        figure reads, e.g. a session): one such block at a time in the process, reads go on meanwhile. The
        figures cached on ``what`` go stale when the block ends, whether it succeeded or not (a failed write
        may have half-happened)."""
        with self.workspace.writer():
            try:
                yield self.workspace
            finally:
                self.changed(*what)

    def changed(self, *what: str) -> None:
        """Record that the app changed ``what`` (``posts``, ``marks``, ``inbox``): figures cached on it go stale."""
        with self._generation_lock:
            for name in what:
                self.generation[name] += 1

    def _version(self, on: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self.generation[name] for name in on)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T], *, on: tuple[str, ...] = ("posts", "marks")) -> T:
        """``compute()`` once per key and generation of ``on``: concurrent requests for it wait for the one
        computation, requests for other keys do not (``web.cache.FigureCache``)."""
        self.watch_others()
        return self.figures.get_or_compute(key, compute, version=self._version(on))

    async def cached_async(
        self, key: tuple[Any, ...], compute: Callable[[], T], *, on: tuple[str, ...] = ("posts", "marks")
    ) -> T:
        """``cached`` for an ``async`` endpoint: a cached figure is answered on the event loop, and only a miss
        goes to a worker thread."""
        self.watch_others(blocking=False)
        version = self._version(on)
        missing = object()
        found = self.figures.get(key, version, missing)
        if found is not missing:
            return found  # type: ignore[no-any-return]
        # One worker thread per miss, however many requests missed: after a write, every waiting request
        # would otherwise take a thread of its own only to wait there for the value being made.
        full = (key, version)
        flight = self._flights.get(full)
        if flight is None:
            flight = asyncio.ensure_future(
                run_in_threadpool(self.figures.get_or_compute, key, compute, version=version)
            )
            self._flights[full] = flight
            flight.add_done_callback(lambda _done: self._flights.pop(full, None))
        result: T = await asyncio.shield(flight)
        return result

    def limit_cache(self, limit_bytes: int) -> None:
        """Keep at most ``limit_bytes`` of cached figures from now on (the least recently used go first)."""
        self.figures.limit(limit_bytes)

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
        with self.workspace.writer():
            self.workspace.close()
