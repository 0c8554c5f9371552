"""Each thread its own connection to a store's database, and one writer at a time.

Neither a DuckDB connection nor a PostgreSQL session may be shared by threads that work at once (a DuckDB
connection is not thread-safe; a PostgreSQL session has one transaction at a time, which every thread on it
would share). A store therefore hands each thread a connection of its own, made on the thread's first use:
the one it was opened with for the thread that opened it, another one (a DuckDB cursor of the same database,
a new PostgreSQL session) for any other. Readers then run side by side, each on its own snapshot (both
databases' MVCC). Writes are serialised within the process by ``writer``; a connection whose thread has
ended is closed when the next one is made, and every one when the store closes.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

C = TypeVar("C")


class PerThread(Generic[C]):
    """Connections by thread: ``root`` for the thread that made this, ``open_another()`` for each other."""

    def __init__(self, root: C, open_another: Callable[[], C], close: Callable[[C], None]):
        self._root = root
        self._open_another = open_another
        self._close = close
        self._owner = threading.get_ident()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._others: dict[int, tuple[weakref.ref[threading.Thread], C]] = {}
        self._closed = False
        self.writing = threading.RLock()

    def get(self) -> C:
        """This thread's connection (made now on the thread's first call)."""
        found: C | None = getattr(self._local, "connection", None)
        if found is not None:
            return found
        if threading.get_ident() == self._owner:
            connection = self._root
        else:
            connection = self._open()
        self._local.connection = connection
        return connection

    def _open(self) -> C:
        with self._lock:
            self._close_ended()
            if self._closed:
                return self._root  # closed: using it raises the database's own "connection closed" error
            connection = self._open_another()
            self._others[threading.get_ident()] = (weakref.ref(threading.current_thread()), connection)
            return connection

    def _close_ended(self) -> None:
        """Close the connections of threads that have ended (called with ``_lock`` held)."""
        for ident, (thread, connection) in list(self._others.items()):
            alive = thread()
            if alive is None or not alive.is_alive():
                del self._others[ident]
                self._close_quietly(connection)

    @property
    def open_count(self) -> int:
        """How many connections are open: the root one and one per other thread that asked."""
        with self._lock:
            return 0 if self._closed else 1 + len(self._others)

    @contextmanager
    def writer(self, *, wait: bool = True) -> Iterator[bool]:
        """One writer at a time in this process (re-entrant: a writer may call code that writes). Yields
        whether this thread is the writer: always with ``wait``; without, only if no other thread was."""
        mine = self.writing.acquire(blocking=wait)
        try:
            yield mine
        finally:
            if mine:
                self.writing.release()

    def close_all(self) -> None:
        """Close every thread's connection, then the root one."""
        with self._lock:
            self._closed = True
            others = [connection for _thread, connection in self._others.values()]
            self._others.clear()
        for connection in others:
            self._close_quietly(connection)
        self._close(self._root)

    def _close_quietly(self, connection: C) -> None:
        try:
            self._close(connection)
        except Exception:  # noqa: BLE001, S110 - closing a connection whose database is gone already
            pass
