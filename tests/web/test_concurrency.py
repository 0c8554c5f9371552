"""The app under concurrent requests: reads answered while a write is held open, writes one at a time, and
the figure cache (bounded in bytes, least recently used out first, each figure computed once without
holding up the others). Real threads, a real workspace (embedded and on PostgreSQL), real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from groundswell.accounts import add_user, create_token
from groundswell.web.cache import FigureCache, default_limit_bytes, size_of
from groundswell.web.state import AppState
from groundswell.workspace import Workspace
from web_server import CONFIG, LABELS, POSTS, free_port

WAIT_S = 60  # how long a step may take before the test fails; an ordering check, never a time measured


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


@dataclass
class Served:
    url: str
    token: str
    state: AppState


@pytest.fixture
def served(make_workspace: Any, database: str | None) -> Iterator[Served]:
    """The app under uvicorn on 127.0.0.1, and its ``AppState``."""
    import uvicorn

    from groundswell.web import create_app

    ws = make_workspace(CONFIG, POSTS, LABELS)
    token = create_token(ws.store, add_user(ws.store, "root", "admin", "root-password-123", actor="t"), "t", actor="t")
    path = ws.path
    ws.close()
    app = create_app(path, database=database or "")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", token, app.state.groundswell)
    server.should_exit = True
    thread.join(timeout=WAIT_S)


# -- the workspace: reads beside a write, writers in turn ------------------------------------------


def test_requests_that_read_are_answered_while_a_write_is_held_open(served: Served) -> None:
    """An agent's write holds the workspace's writer (an inbox item changed in a transaction not yet
    committed); the inbox, a post and a conversation are answered meanwhile, from the data as it was."""
    state = served.state
    headers = {"Authorization": f"Bearer {served.token}"}
    held, answered = threading.Event(), threading.Event()
    outcome: list[bool] = []

    def hold_a_write() -> None:
        with state.writing("inbox") as ws, ws.store.transaction():
            ws.store.execute("DELETE FROM posts WHERE post_id = 'q1'")  # uncommitted while the reads run
            held.set()
            outcome.append(answered.wait(WAIT_S))
            raise _RolledBack

    with ThreadPoolExecutor(1) as pool:
        writer = pool.submit(hold_a_write)
        assert held.wait(WAIT_S)
        with httpx.Client(base_url=served.url, headers=headers, timeout=WAIT_S) as client:
            inbox = client.get("/api/v1/inbox")
            post = client.get("/api/v1/posts/twitter/q1")
            thread = client.get("/api/v1/threads/twitter/a2")
        answered.set()
        with pytest.raises(_RolledBack):
            writer.result(timeout=WAIT_S)
    assert outcome == [True]  # every answer came while the write was open
    assert inbox.status_code == post.status_code == thread.status_code == 200
    assert "q1" in {item["post_id"] for item in inbox.json()["items"]}  # not the uncommitted delete
    assert post.json()["post_id"] == "q1"
    assert [p["post_id"] for p in thread.json()["posts"]] == ["a1", "r1", "a2"]


class _RolledBack(Exception):
    pass


def test_writes_through_the_app_take_turns_and_stale_the_figures(served: Served) -> None:
    state = served.state
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []
    before = dict(state.generation)

    def first() -> None:
        with state.writing("inbox"):
            order.append("first in")
            inside.set()
            assert release.wait(WAIT_S)
            order.append("first out")

    def second() -> None:
        with state.writing("marks"):
            order.append("second in")

    def may_write_now() -> bool:
        with state.workspace.writer(wait=False) as got:
            return got

    with ThreadPoolExecutor(3) as pool:
        one = pool.submit(first)
        assert inside.wait(WAIT_S)
        assert pool.submit(may_write_now).result(timeout=WAIT_S) is False
        two = pool.submit(second)
        release.set()
        one.result(timeout=WAIT_S)
        two.result(timeout=WAIT_S)
    assert order == ["first in", "first out", "second in"]
    assert state.generation == {**before, "inbox": before["inbox"] + 1, "marks": before["marks"] + 1}


def test_agents_assigning_at_once_on_many_threads_lose_nothing(served: Served) -> None:
    """Eight agents' threads assign and give back the same items at once: every change is a new version,
    none fails (no write-write conflict), and the inbox counts them all."""
    headers = {"Authorization": f"Bearer {served.token}"}
    items = [("twitter", "c1"), ("twitter", "q1")]

    def agent(n: int) -> int:
        platform, post_id = items[n % 2]
        done = 0
        with httpx.Client(base_url=served.url, headers=headers, timeout=WAIT_S) as client:
            for _ in range(5):
                page = client.get("/api/v1/inbox", params={"status": ["open", "assigned"]}).json()
                version = next(i["version"] for i in page["items"] if i["post_id"] == post_id)
                answer = client.post(
                    f"/api/v1/inbox/{platform}/{post_id}/assign", json={"assignee": f"a{n}", "version": version}
                )
                assert answer.status_code in (200, 409), answer.text
                done += answer.status_code == 200
        return done

    with ThreadPoolExecutor(8) as pool:
        accepted = sum(pool.map(agent, range(8)))
    with httpx.Client(base_url=served.url, headers=headers, timeout=WAIT_S) as client:
        page = client.get("/api/v1/inbox", params={"status": ["assigned"]}).json()
    versions = {i["post_id"]: i["version"] for i in page["items"]}
    assert accepted >= 2
    assert versions["c1"] + versions["q1"] == accepted  # each accepted change one version, none lost


def test_each_agents_change_shows_on_the_next_page_without_reading_every_state_again(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a change to one item, the next inbox page shows it (the page cache is keyed on the inbox's
    version), and the team's states are carried forward with that one item read again: every item's state is
    read once, for the first page, not after each change. What is carried forward equals a fresh read."""
    from groundswell.inbox import actions
    from groundswell.inbox.desk import Inbox
    from groundswell.store.binding import store_bound

    full_reads = 0
    read_all = actions.stored_states

    def counted(store: Any) -> Any:
        nonlocal full_reads
        full_reads += 1
        return read_all(store)

    monkeypatch.setattr(Inbox, "stored_states", store_bound(counted))
    headers = {"Authorization": f"Bearer {served.token}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=WAIT_S) as client:
        wanted = {"status": ["open", "assigned"]}
        page = client.get("/api/v1/inbox", params=wanted).json()
        assert full_reads == 1
        for n, post_id in enumerate(["c1", "q1", "c1", "q1", "c1"]):
            version = next(i["version"] for i in page["items"] if i["post_id"] == post_id)
            assignee = f"agent{n}" if n % 2 == 0 else None
            answer = client.post(
                f"/api/v1/inbox/twitter/{post_id}/assign", json={"assignee": assignee, "version": version}
            )
            assert answer.status_code == 200, answer.text
            page = client.get("/api/v1/inbox", params=wanted).json()
            shown = next(i for i in page["items"] if i["post_id"] == post_id)
            assert (shown["version"], shown["assignee"]) == (answer.json()["version"], assignee)
    assert full_reads == 1
    with served.state.db() as ws:
        assert served.state.item_states() == read_all(ws.store)


# -- the figure cache --------------------------------------------------------------------------------


def test_the_cache_drops_the_least_recently_used_past_its_size() -> None:
    cache = FigureCache(100, measure=len)
    cache.get_or_compute("a", lambda: b"a" * 40)
    cache.get_or_compute("b", lambda: b"b" * 40)
    assert cache.get("a") == b"a" * 40  # "a" used last: "b" is now the least recently used
    cache.get_or_compute("c", lambda: b"c" * 40)
    assert ("a" in cache, "b" in cache, "c" in cache) == (True, False, True)
    assert cache.bytes == 80
    cache.get_or_compute("huge", lambda: b"h" * 101)  # larger than the whole cache: handed back, not kept
    assert "huge" not in cache
    assert cache.bytes == 80
    cache.limit(50)
    assert ("a" in cache, "c" in cache) == (False, True)
    assert cache.bytes == 40


def test_a_newer_version_replaces_the_older_and_a_late_older_one_is_not_kept() -> None:
    cache = FigureCache(1000, measure=len)
    cache.get_or_compute("scorecard", lambda: "v1", version=(1, 0))
    cache.get_or_compute("scorecard", lambda: "v2", version=(2, 0))
    assert (len(cache), cache.bytes) == (1, 2)
    # computed on data from before a change, finishing after the newer figure was kept
    assert cache.get_or_compute("scorecard", lambda: "old", version=(1, 0)) == "old"
    assert cache.get("scorecard", (2, 0)) == "v2"
    assert cache.get("scorecard", (1, 0)) is None


def test_a_miss_never_waits_for_another_keys_computation() -> None:
    cache = FigureCache(10_000)
    computing_b, release_b = threading.Event(), threading.Event()
    order: list[str] = []

    def slow_b() -> str:
        computing_b.set()
        assert release_b.wait(WAIT_S)
        order.append("b computed")
        return "b"

    def quick_a() -> str:
        order.append("a computed")
        return "a"

    with ThreadPoolExecutor(2) as pool:
        b = pool.submit(cache.get_or_compute, "b", slow_b)
        assert computing_b.wait(WAIT_S)
        a = pool.submit(cache.get_or_compute, "a", quick_a)
        assert a.result(timeout=WAIT_S) == "a"  # while b's computation is still running
        release_b.set()
        assert b.result(timeout=WAIT_S) == "b"
    assert order == ["a computed", "b computed"]


def test_concurrent_misses_on_one_key_compute_it_once() -> None:
    cache = FigureCache(10_000)
    go = threading.Event()
    calls: list[int] = []
    n = 12

    def compute() -> dict[str, int]:
        calls.append(1)
        assert go.wait(WAIT_S)
        return {"posts": 42}

    with ThreadPoolExecutor(n) as pool:
        asked = [pool.submit(cache.get_or_compute, ("scorecard", None), compute) for _ in range(n)]
        deadline = time.monotonic() + WAIT_S
        while cache.waiting < n - 1:  # every other caller is waiting for the one computation
            assert time.monotonic() < deadline, f"{cache.waiting} callers waiting"
            time.sleep(0.01)
        go.set()
        results = [done.result(timeout=WAIT_S) for done in asked]
    assert len(calls) == 1
    assert cache.computed == 1
    assert all(r == {"posts": 42} for r in results)
    assert all(r is results[0] for r in results)


def test_waiters_have_a_computed_figure_before_it_is_measured_and_it_is_kept_after() -> None:
    measuring = threading.Event()
    measured = threading.Event()

    def measure(value: Any) -> int:
        measuring.set()
        assert measured.wait(WAIT_S)
        return 100

    cache = FigureCache(10_000, measure=measure)
    started, go = threading.Event(), threading.Event()

    def compute() -> str:
        started.set()
        assert go.wait(WAIT_S)
        return "page"

    with ThreadPoolExecutor(2) as pool:
        computing = pool.submit(cache.get_or_compute, "inbox", compute)
        assert started.wait(WAIT_S)
        waiting = pool.submit(cache.get_or_compute, "inbox", compute)
        go.set()
        assert measuring.wait(WAIT_S)
        # the measure is still running: the waiter has the value, and a newcomer too, without computing it again
        assert waiting.result(timeout=WAIT_S) == "page"
        assert cache.get_or_compute("inbox", compute) == "page"
        assert "inbox" not in cache  # not kept before it is measured
        measured.set()
        assert computing.result(timeout=WAIT_S) == "page"
    assert cache.computed == 1
    assert cache.get("inbox") == "page"
    assert cache.bytes == 100


def test_a_failed_computation_is_not_kept_and_its_waiters_get_the_error() -> None:
    cache = FigureCache(10_000)
    go = threading.Event()

    def fail() -> str:
        assert go.wait(WAIT_S)
        raise ValueError("no data")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.get_or_compute, "k", fail)
        deadline = time.monotonic() + WAIT_S
        while "k" not in {key for key, _version in cache._flights}:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        second = pool.submit(cache.get_or_compute, "k", lambda: "never")
        while cache.waiting < 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        go.set()
        for done in (first, second):
            with pytest.raises(ValueError, match="no data"):
                done.result(timeout=WAIT_S)
    assert cache.get_or_compute("k", lambda: "now") == "now"  # the next request computes it again


def test_sizes_count_what_a_value_holds() -> None:
    small = {"rows": [{"post_id": str(i), "text": "x" * 10} for i in range(10)]}
    large = {"rows": [{"post_id": str(i), "text": "x" * 10} for i in range(1000)]}
    assert size_of(large) > 50 * size_of(small) > 0
    assert size_of("y" * 100_000) >= 100_000


def test_the_cache_size_is_the_option_or_the_environment(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    path = workspace.path
    database = workspace.store.url if workspace.shared else ""  # type: ignore[attr-defined]
    workspace.close()
    assert default_limit_bytes() == 256 * 2**20
    monkeypatch.setenv("GROUNDSWELL_CACHE_MB", "64")
    state = AppState.open(path, database=database)
    try:
        assert state.figures.limit_bytes == 64 * 2**20
        state.limit_cache(2**20)
        assert state.figures.limit_bytes == 2**20
    finally:
        state.close()
    state = AppState.open(path, database=database, cache_bytes=1000)
    try:
        assert state.figures.limit_bytes == 1000
    finally:
        state.close()
    workspace.store = Workspace.open(path, database=database).store  # the fixture closes it
