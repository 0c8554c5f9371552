"""The app's hold on one workspace: its database behind one lock, and figures cached until the data changes.

DuckDB allows one writer and its connection is not thread-safe, so every request's database work runs under
``lock`` (FastAPI runs plain ``def`` endpoints in a thread pool). The scorecard and report are expensive, so
they are cached under a *data version*: the counts that change when posts, enrichments or agents' outcome
marks change. Any such change makes the next request compute them afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from groundswell.workspace import Workspace

T = TypeVar("T")


@dataclass
class AppState:
    workspace: Workspace
    secure_cookies: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, *, secure_cookies: bool = False) -> AppState:
        return cls(Workspace.open(path), secure_cookies=secure_cookies)

    @property
    def store(self) -> Any:
        return self.workspace.store

    @contextmanager
    def db(self) -> Iterator[Workspace]:
        """The workspace, for this block only and for this thread only."""
        with self.lock:
            yield self.workspace

    def data_version(self, *, marks: bool = True) -> tuple[int, ...]:
        """Counts that change whenever posts or enrichments do (and agents' outcome marks, with ``marks``)."""
        with self.lock:
            row = self.store.con.execute(
                "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM enrichments), "
                "(SELECT coalesce(max(import_id), 0) FROM imports)"
                + (", (SELECT count(*) FROM outcome_marks)" if marks else "")
            ).fetchall()[0]
        return tuple(int(x) for x in row)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T], *, marks: bool = True) -> T:
        """``compute()`` once per key and data version (older versions are dropped); ``marks=False`` for figures
        agents' outcome marks cannot change (the waiting conversations)."""
        version = self.data_version(marks=marks)
        full = (*key, version)
        if full not in self._cache:
            with self.lock:
                if full not in self._cache:
                    stale = [k for k in self._cache if k[:-1] == key]
                    for k in stale:
                        del self._cache[k]
                    self._cache[full] = compute()
        return self._cache[full]  # type: ignore[no-any-return]

    def close(self) -> None:
        with self.lock:
            self.workspace.close()
