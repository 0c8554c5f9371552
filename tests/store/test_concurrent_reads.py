"""Threads on one store: each reads on a connection of its own, beside a write held open, and writers take
turns (``store.per_thread``). Embedded and on PostgreSQL (the ``backend`` switch), with real threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from groundswell.store.duckdb import DuckDBStore
from groundswell.workspace import Workspace

WAIT_S = 60  # how long a step may take before the test fails; an ordering check, never a time measured


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


@pytest.fixture
def counter(workspace: Workspace) -> Workspace:
    """The workspace with a one-row table ``counter (n)`` at 0."""
    workspace.store.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
    workspace.store.execute("INSERT INTO counter VALUES (0)")
    return workspace


def _count(ws: Workspace) -> int:
    return int(ws.store.execute("SELECT n FROM counter")[0][0])


def _on_thread(work: Callable[[], Any]) -> Any:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result(timeout=WAIT_S)


def test_a_read_completes_while_a_write_transaction_is_held_open(counter: Workspace) -> None:
    held, read_done = threading.Event(), threading.Event()
    seen_by_writer: list[bool] = []

    def write() -> None:
        with counter.writer(), counter.store.transaction():
            counter.store.execute("UPDATE counter SET n = 1")
            held.set()
            # the transaction stays open until the reader has its answer
            seen_by_writer.append(read_done.wait(WAIT_S))

    with ThreadPoolExecutor(2) as pool:
        writing = pool.submit(write)
        assert held.wait(WAIT_S)
        during = pool.submit(_count, counter).result(timeout=WAIT_S)
        read_done.set()
        writing.result(timeout=WAIT_S)
    assert seen_by_writer == [True]  # the read finished while the write was open, not after it
    assert during == 0  # its own snapshot: not the uncommitted change
    assert _on_thread(lambda: _count(counter)) == 1  # committed: every thread sees it


def test_a_read_held_open_does_not_hold_up_a_write(counter: Workspace) -> None:
    reading, written = threading.Event(), threading.Event()

    def long_read() -> tuple[int, bool, int]:
        with counter.store.transaction():  # a read spanning several statements, on one snapshot
            first = _count(counter)
            reading.set()
            finished = written.wait(WAIT_S)
            return first, finished, _count(counter)

    def write() -> None:
        assert reading.wait(WAIT_S)
        with counter.writer():
            counter.store.execute("UPDATE counter SET n = n + 1")
        written.set()

    with ThreadPoolExecutor(2) as pool:
        read = pool.submit(long_read)
        pool.submit(write).result(timeout=WAIT_S)
        first, finished, last = read.result(timeout=WAIT_S)
    assert finished  # the write committed while the read was still open
    assert first == 0
    # DuckDB keeps a transaction's snapshot throughout; PostgreSQL's default (read committed) takes one per statement
    assert last == (0 if counter.store.dialect == "duckdb" else 1)
    assert _count(counter) == 1


def test_writers_take_turns(counter: Workspace) -> None:
    """Read-modify-write from four threads: serialised, none is lost (unserialised, DuckDB would refuse the
    overlapping updates with a write-write conflict, and PostgreSQL would lose increments)."""
    rounds = 40

    def add(times: int) -> None:
        for _ in range(times):
            with counter.writer(), counter.store.transaction():
                n = _count(counter)
                counter.store.execute("UPDATE counter SET n = ?", [n + 1])

    with ThreadPoolExecutor(4) as pool:
        for done in [pool.submit(add, rounds) for _ in range(4)]:
            done.result(timeout=WAIT_S)
    assert _count(counter) == 4 * rounds


def test_a_second_writer_waits_for_the_first(counter: Workspace) -> None:
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with counter.writer():
            order.append("first in")
            inside.set()
            assert release.wait(WAIT_S)
            order.append("first out")

    def second() -> None:
        with counter.writer():
            order.append("second in")

    def try_now() -> bool:
        with counter.writer(wait=False) as got:
            return got

    with ThreadPoolExecutor(3) as pool:
        one = pool.submit(first)
        assert inside.wait(WAIT_S)
        assert pool.submit(try_now).result(timeout=WAIT_S) is False  # another thread cannot write now
        two = pool.submit(second)
        release.set()
        one.result(timeout=WAIT_S)
        two.result(timeout=WAIT_S)
    assert order == ["first in", "first out", "second in"]
    assert _on_thread(try_now) is True  # and can once the writer is done
    with counter.writer(), counter.writer(wait=False) as again:
        assert again  # re-entrant: a writer may call code that writes


def test_each_thread_has_a_connection_of_its_own_closed_with_the_store(counter: Workspace) -> None:
    store = counter.store
    mine = store.con  # type: ignore[attr-defined]
    others = [_on_thread(lambda: store.con) for _ in range(2)]  # type: ignore[attr-defined]
    assert mine is store.con  # type: ignore[attr-defined]
    assert all(other is not mine for other in others)
    assert others[0] is not others[1]
    # the connections of ended threads are closed when the next thread opens one
    _on_thread(lambda: store.con)  # type: ignore[attr-defined]
    assert store.open_connections == 2  # type: ignore[attr-defined]
    store.close()
    assert store.open_connections == 0  # type: ignore[attr-defined]


def test_threads_computing_figures_keep_the_larger_buffer_pool_until_the_last_is_done(tmp_path: Any) -> None:
    """DuckDB's memory limit is the database's, not a connection's: one thread done computing does not take
    it from another still computing."""
    store = DuckDBStore.open(tmp_path / "w.duckdb", create=True)

    def limit() -> str:
        return str(store.execute("SELECT current_setting('memory_limit')")[0][0])

    opened = limit()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, str] = {}

    def first() -> None:
        with store.for_metrics():
            first_in.set()
            assert second_in.wait(WAIT_S)
        first_out.set()

    def second() -> None:
        assert first_in.wait(WAIT_S)
        with store.for_metrics():
            second_in.set()
            assert first_out.wait(WAIT_S)
            seen["after the first ended"] = limit()
        seen["after both ended"] = limit()

    try:
        with ThreadPoolExecutor(2) as pool:
            for done in [pool.submit(first), pool.submit(second)]:
                done.result(timeout=WAIT_S)
        with store.for_metrics():
            metrics = limit()
        assert seen["after the first ended"] == metrics != opened
        assert seen["after both ended"] == opened
        with store.memory_limit("256MB"), store.for_metrics():
            assert limit() == metrics  # the larger of two asked for at once holds
        assert limit() == opened
    finally:
        store.close()
