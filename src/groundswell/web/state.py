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
STATES_KEY = ("states",)
STATES_ON = ("inbox",)
"""The team's item states are cached under this key, on the inbox's generation."""
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
        workspace = Workspace.open(path, database=database)
        # pages answer in milliseconds from the workspace's own store, whatever engine batch commands use
        workspace.use_engine("workspace")
        return cls(workspace, secure_cookies=secure_cookies, cache_bytes=limit)

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
    def writing(self, *what: str, item: tuple[str, str] | None = None) -> Iterator[Workspace]:
        """The workspace for a block that writes ``what`` (``posts``, ``marks``, ``inbox``; none for a write no
        figure reads, e.g. a session): one such block at a time in the process, reads go on meanwhile. The
        figures cached on ``what`` go stale when the block ends, whether it succeeded or not (a failed write
        may have half-happened).

        ``item``: the one inbox item (platform, post_id) the block changes. The team's item states are then
        carried forward with that item read again, so the readers of the next inbox page find them cached
        instead of all reading every item's state at once after each agent's click."""
        with self.workspace.writer():
            try:
                yield self.workspace
            finally:
                before, after = self._bump(what)
                if item is not None and "inbox" in what:
                    self._carry_states_forward(item, before, after)

    def changed(self, *what: str) -> None:
        """Record that the app changed ``what`` (``posts``, ``marks``, ``inbox``): figures cached on it go stale."""
        self._bump(what)

    def _bump(self, what: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Move ``what`` on; the item states' version before and after (one atomic step, so a version never
        stands for two different sets of changes)."""
        with self._generation_lock:
            before = self._version(STATES_ON)
            for name in what:
                self.generation[name] += 1
            return before, self._version(STATES_ON)

    def item_states(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every touched item's state (``Inbox.stored_states``), cached until the inbox changes."""

        def read_states() -> dict[tuple[str, str], dict[str, Any]]:
            with self.db() as ws:
                return ws.inbox.stored_states()

        return self.cached(STATES_KEY, read_states, on=STATES_ON)

    def _carry_states_forward(self, item: tuple[str, str], before: tuple[int, ...], after: tuple[int, ...]) -> None:
        """Called by the writer, after its write, with the writer lock held: the states kept at ``before`` (if
        any) plus ``item`` as stored now become the states at ``after``. Nothing else moved the inbox between
        the two versions (``_bump`` is atomic and writers take turns), so this equals reading every state
        again. Another process's write (PostgreSQL) moves the version past ``after``: this value is then not
        asked for, and the next reader reads every state."""
        missing = object()
        kept = self.figures.get(STATES_KEY, before, missing)
        if kept is missing or before == after:
            return
        states = dict(kept)
        with self.db() as ws:
            entry = ws.inbox.stored_state_of(*item)
        if entry is None:
            states.pop(item, None)
        else:
            states[item] = entry
        self.figures.put(STATES_KEY, after, states)

    def _version(self, on: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self.generation[name] for name in on)

    def cached(
        self,
        key: tuple[Any, ...],
        compute: Callable[[], T],
        *,
        on: tuple[str, ...] = ("posts", "marks"),
        until: tuple[int, ...] = (),
    ) -> T:
        """``compute()`` once per key and generation of ``on``: concurrent requests for it wait for the one
        computation, requests for other keys do not (``web.cache.FigureCache``). ``until``: more that makes the
        value stale when it grows (e.g. the current second, for a value that shows the time)."""
        self.watch_others()
        return self.figures.get_or_compute(key, compute, version=self._version(on) + until)

    async def cached_async(
        self,
        key: tuple[Any, ...],
        compute: Callable[[], T],
        *,
        on: tuple[str, ...] = ("posts", "marks"),
        until: tuple[int, ...] = (),
    ) -> T:
        """``cached`` for an ``async`` endpoint: a cached figure is answered on the event loop, and only a miss
        goes to a worker thread."""
        self.watch_others(blocking=False)
        version = self._version(on) + until
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
