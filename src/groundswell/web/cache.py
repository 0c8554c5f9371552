"""Figures kept in memory, least recently used first out past a size in bytes, each computed once.

A key missing from the cache is computed by the first request that asks for it; others asking for the same
key meanwhile wait for that result (one computation, however many asked), and requests for other keys go on
(a miss for one key never waits for another key's computation). A computation that fails is not kept: its
waiters get the error, and the next request tries again.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_LIMIT_BYTES = 256 * 2**20
CACHE_ENV = "GROUNDSWELL_CACHE_MB"
"""The figure cache's size in MiB (``groundswell serve --cache-mb`` sets it too)."""


def default_limit_bytes() -> int:
    """``$GROUNDSWELL_CACHE_MB`` MiB, else ``DEFAULT_LIMIT_BYTES``."""
    from groundswell.errors import UsageError

    given = os.environ.get(CACHE_ENV)
    if not given:
        return DEFAULT_LIMIT_BYTES
    try:
        megabytes = float(given)
    except ValueError:
        raise UsageError(f"{CACHE_ENV}={given!r} is not a number of MiB") from None
    if megabytes < 0:
        raise UsageError(f"{CACHE_ENV}={given!r}: the cache size cannot be negative")
    return int(megabytes * 2**20)


_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def _sizes_by_parts(obj: object) -> bool:
    """Whether ``obj`` is a plain object, measured by its attributes: not a class, module or function, and
    not one that measures itself (``__sizeof__`` of its own, e.g. a DataFrame)."""
    own: object = type(obj).__sizeof__
    return own is _PLAIN_SIZEOF and not isinstance(obj, _OPAQUE)


_PLAIN_SIZEOF: object = object.__sizeof__


SAMPLE = 200
"""A container of more items than this is measured by this many of them, evenly spaced, scaled up: a
waiting list of 177,000 conversations is sized in milliseconds instead of seconds."""


def size_of(value: Any) -> int:
    """About how many bytes ``value`` holds: ``sys.getsizeof`` of it and of everything it refers to (each
    object once; a large container by a sample of its items), Arrow tables and arrays by their buffers."""
    return _size(value, set())


def _size(obj: Any, seen: set[int]) -> int:
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    nbytes = getattr(obj, "nbytes", None)
    if isinstance(nbytes, int) and type(obj).__module__.startswith("pyarrow"):
        return nbytes
    own = sys.getsizeof(obj)
    if isinstance(obj, str | bytes | bytearray | int | float | bool | type(None)):
        return own
    parts: list[Any]
    if isinstance(obj, dict):
        parts = [*obj.items()] if len(obj) <= SAMPLE else _sample(list(obj.items()))
        return own + _scaled(sum(_size(k, seen) + _size(v, seen) for k, v in parts), len(obj), len(parts))
    if isinstance(obj, list | tuple | set | frozenset):
        parts = list(obj) if len(obj) <= SAMPLE else _sample(obj if isinstance(obj, list | tuple) else list(obj))
        return own + _scaled(sum(_size(item, seen) for item in parts), len(obj), len(parts))
    if is_dataclass(obj) and not isinstance(obj, type):
        return own + sum(_size(getattr(obj, f.name), seen) for f in fields(obj) if hasattr(obj, f.name))
    if _sizes_by_parts(obj):
        # a plain object: its attributes (one that sizes itself, e.g. a DataFrame, has said it all)
        attributes = getattr(obj, "__dict__", None)
        parts = [attributes] if attributes is not None else []
        parts += [getattr(obj, name) for name in getattr(type(obj), "__slots__", ()) if hasattr(obj, name)]
        return own + sum(_size(part, seen) for part in parts)
    return own


def _sample(items: list[Any] | tuple[Any, ...]) -> list[Any]:
    step = len(items) / SAMPLE
    return [items[int(i * step)] for i in range(SAMPLE)]


def _scaled(measured: int, count: int, sampled: int) -> int:
    return measured if sampled == count or sampled == 0 else round(measured * count / sampled)


class FigureCache:
    """Values by key and version, at most ``limit_bytes`` of them (``size_of``), least recently used dropped
    first.

    A key holds one version at a time: keeping a newer version drops the older one, which no request asks
    for again, and a value computed for an older version than the one kept (its data changed while it was
    computed) is handed to those who asked for it but not kept. Versions are tuples of counters that only
    grow (``AppState.generation``).
    """

    def __init__(self, limit_bytes: int = DEFAULT_LIMIT_BYTES, *, measure: Callable[[Any], int] = size_of):
        self.limit_bytes = limit_bytes
        self._measure = measure
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Hashable, tuple[Any, ...]], tuple[Any, int]] = OrderedDict()
        self._versions: dict[Hashable, tuple[Any, ...]] = {}
        self._flights: dict[tuple[Hashable, tuple[Any, ...]], Future[Any]] = {}
        self.bytes = 0
        self.computed = 0  # how many computations ran
        self.waiting = 0  # how many callers wait now for a computation another caller runs

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._versions

    def get(self, key: Hashable, version: tuple[Any, ...] = (), default: Any = None) -> Any:
        """The value of ``key`` at ``version`` (now the most recently used), else ``default``."""
        with self._lock:
            found = self._entries.get((key, version))
            if found is None:
                return default
            self._entries.move_to_end((key, version))
            return found[0]

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], *, version: tuple[Any, ...] = ()) -> T:
        """The value of ``key`` at ``version``, else ``compute()`` once (concurrent callers for the same key and
        version wait for it; callers for other keys never do) and keep it."""
        full = (key, version)
        with self._lock:
            found = self._entries.get(full)
            if found is not None:
                self._entries.move_to_end(full)
                return found[0]  # type: ignore[no-any-return]
            flight = self._flights.get(full)
            mine = flight is None
            if flight is None:
                flight = self._flights[full] = Future()
        if not mine:
            with self._lock:
                self.waiting += 1
            try:
                return flight.result()  # type: ignore[no-any-return]
            finally:
                with self._lock:
                    self.waiting -= 1
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                del self._flights[full]
            flight.set_exception(exc)
            raise
        # the callers waiting for it have it before it is measured for keeping (they need not wait for that);
        # those who come meanwhile find the flight done
        flight.set_result(value)
        size: int | None = None
        try:
            size = self._measure(value)
        finally:
            with self._lock:
                self.computed += 1
                del self._flights[full]
                if size is not None:
                    self._put(key, version, value, size)
        return value

    def put(self, key: Hashable, version: tuple[Any, ...], value: Any) -> None:
        """Keep ``value`` as ``key`` at ``version``, made by the caller (e.g. carried forward from the previous
        version after a write whose effect is known), unless a newer version is kept already."""
        size = self._measure(value)
        with self._lock:
            self._put(key, version, value, size)

    def _put(self, key: Hashable, version: tuple[Any, ...], value: Any, size: int) -> None:
        """Keep ``value`` (called with ``_lock`` held): not when a newer version of the key is kept, nor when it
        is larger than the whole cache; then drop the least recently used values past the limit."""
        kept = self._versions.get(key)
        if kept is not None:
            if kept > version:
                return
            self._drop((key, kept))
        if size > self.limit_bytes:
            return
        self._entries[(key, version)] = (value, size)
        self._versions[key] = version
        self.bytes += size
        while self.bytes > self.limit_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, full: tuple[Hashable, tuple[Any, ...]]) -> None:
        found = self._entries.pop(full, None)
        if found is None:
            return
        self.bytes -= found[1]
        key, version = full
        if self._versions.get(key) == version:
            del self._versions[key]

    def limit(self, limit_bytes: int) -> None:
        """A new size limit, applied at once (the least recently used values go first)."""
        with self._lock:
            self.limit_bytes = limit_bytes
            while self.bytes > self.limit_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._versions.clear()
            self.bytes = 0
