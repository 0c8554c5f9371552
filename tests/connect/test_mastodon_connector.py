"""The Mastodon connector against a running Mastodon API (mastodon-mock on 127.0.0.1), not a stub.

Every test starts its own seeded server (``mastodon_server.py``), talks to it through the connector and
Mastodon.py over HTTP, and checks what came back with the ``mastodon`` file importer. Failures are the
server's own: a wrong token, its fault-injection rules (429, 5xx), its opt-in rate limiter, a closed port.
Waits go to an injected ``sleep`` that records them, so the tests assert the waits without waiting.
"""

from __future__ import annotations

import functools
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mastodon import Mastodon
from mastodon_server import (
    BRAND,
    BRAND_HANDLE,
    Conversations,
    MockMastodon,
    seeded_server,
    token,
)

from groundswell.connect.base import AccountRef, ConnectorError, Cursor, FetchOptions, Page, new_idempotency_key
from groundswell.connect.mastodon import MastodonConnector
from groundswell.ingest.base import ParseOptions, SourceFile
from groundswell.ingest.formats.mastodon import MastodonParser
from groundswell.records import PostRow, Rejected

CAMPAIGN = FetchOptions(hashtags=("TrailReady",), keywords=("Ridgeline",))


@pytest.fixture
def world() -> Iterator[tuple[MockMastodon, Conversations]]:
    with seeded_server() as (server, conversations):
        yield server, conversations


def connector(server: MockMastodon | str, secret: str = token(BRAND), **options: Any) -> MastodonConnector:
    url = server if isinstance(server, str) else server.base_url
    ref = AccountRef(name=BRAND_HANDLE, platform="mastodon", handle="", server=url, credential_key="k")
    return MastodonConnector(ref, secret, **options)


def rows(page: Page, tmp_path: Path) -> list[PostRow | Rejected]:
    """The page as the file importer reads it once saved."""
    path = tmp_path / f"page-{id(page)}.json"
    path.write_text(json.dumps(page.payload), encoding="utf-8")
    return list(MastodonParser().parse(SourceFile(path), ParseOptions()))


def post_ids(pages: list[Page], tmp_path: Path) -> set[str]:
    found: set[str] = set()
    for page in pages:
        parsed = rows(page, tmp_path)
        assert not [r for r in parsed if isinstance(r, Rejected)], page
        found.update(r.post_id for r in parsed if isinstance(r, PostRow))
    return found


def last_cursor(pages: list[Page], start: Cursor | None = None) -> Cursor:
    cursors = [p.cursor for p in pages if p.cursor is not None]
    return cursors[-1] if cursors else dict(start or {})


def test_verify_names_the_account_as_the_importer_writes_its_handle(world: Any) -> None:
    server, _ = world
    assert connector(server).verify() == BRAND_HANDLE
    ref = AccountRef(name="ben", platform="mastodon", handle="ben", server=server.base_url, credential_key="k")
    with pytest.raises(ConnectorError, match="opens northwind@127.0.0.1, not ben") as refused:
        MastodonConnector(ref, token(BRAND)).verify()
    assert refused.value.kind == "auth"


def test_a_first_fetch_has_every_stream_and_the_whole_threads(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, c = world
    asked_context: list[str] = []
    status_context = Mastodon.status_context

    @functools.wraps(status_context)  # Mastodon.py casts a response by its method's return annotation
    def recorded(self: Mastodon, id: Any) -> Any:
        asked_context.append(str(id))
        return status_context(self, id)

    monkeypatch.setattr(Mastodon, "status_context", recorded)
    pages = list(connector(server).fetch({}, CAMPAIGN))
    assert post_ids(pages, tmp_path) == c.all()
    assert [p.kind for p in pages if p.cursor is not None] == ["mentions", "own", "hashtag", "search"]
    cursor = last_cursor(pages)
    assert set(cursor) == {"own", "mentions", "tag:trailready", "search:Ridgeline"}
    assert cursor["own"] == c.brand_reply and cursor["tag:trailready"] == c.hashtag
    assert cursor["search:Ridgeline"] == c.keyword
    # maya's complaint leads to its whole conversation, with cara's reply that names only maya; the root is
    # the mention itself, so the page is its context as the API returned it
    [thread] = [p for p in pages if p.kind == "thread"]
    assert thread.payload.keys() == {"ancestors", "descendants"}
    assert {s["id"] for s in thread.payload["descendants"]} == {c.brand_reply, c.thanks, c.c2c}
    # one thread page however many of its posts lead to it (the thanks, the brand's reply); ben's unanswered
    # question (replies_count 0) has no thread beyond itself and costs no request
    assert asked_context == [c.complaint]
    # pages carry the API's JSON as it came: ISO timestamps as strings, notifications as notifications
    [mentions] = [p for p in pages if p.kind == "mentions" and p.payload]
    assert {n["type"] for n in mentions.payload} == {"mention"}
    assert isinstance(mentions.payload[0]["status"]["created_at"], str)
    authors = {r.author_handle for p in pages for r in rows(p, tmp_path) if isinstance(r, PostRow)}
    assert BRAND_HANDLE in authors and "maya@127.0.0.1" in authors


def test_a_fetch_from_the_cursor_finds_only_what_is_new(world: Any, tmp_path: Path) -> None:
    server, c = world
    client = connector(server)
    cursor = last_cursor(list(client.fetch({}, CAMPAIGN)))
    assert [p for p in client.fetch(cursor, CAMPAIGN) if p.payload or p.cursor] == []
    follow_up = server.post("ben", "@northwind hello? anyone there?", reply_to=c.question)
    newcomer = server.post("dan", "@northwind do you ship to Norway?")
    day_two = server.post("cara", "Day two on the coast path #TrailReady")
    pages = list(client.fetch(cursor, CAMPAIGN))
    assert post_ids(pages, tmp_path) == {follow_up, newcomer, day_two, c.question}  # the question: its thread
    moved = last_cursor(pages, cursor)
    assert moved["tag:trailready"] == day_two and moved["own"] == cursor["own"]
    assert int(moved["mentions"]) > int(cursor["mentions"])
    assert [p for p in client.fetch(moved, CAMPAIGN) if p.payload] == []


def test_pages_come_oldest_first_and_a_resumed_fetch_skips_nothing(world: Any, tmp_path: Path) -> None:
    server, _ = world
    client = connector(server, page_size=2)
    cursor = last_cursor(list(client.fetch({}, FetchOptions())))
    new = [server.post(name, f"@northwind question {i} from {name}") for i, name in enumerate(["ben", "dan"] * 3)]
    pages = list(client.fetch(cursor, FetchOptions()))
    mention_pages = [p for p in pages if p.kind == "mentions"]
    assert [n["status"]["id"] for p in mention_pages for n in reversed(p.payload)] == new  # oldest first
    moves = [p.cursor["mentions"] for p in pages if p.cursor is not None]
    assert len(moves) == 3 and moves == sorted(moves, key=int)
    # stopped after the first page that moved the cursor: resuming from it fetches the rest, nothing twice
    first = next(i for i, p in enumerate(pages) if p.cursor is not None)
    kept = post_ids(pages[: first + 1], tmp_path)
    rest = post_ids(list(client.fetch(pages[first].cursor or {}, FetchOptions())), tmp_path)
    assert kept | rest == set(new) and not (kept & rest)


def test_the_first_fetch_goes_back_a_week_and_since_back_fills_older(world: Any, tmp_path: Path) -> None:
    server, c = world
    old = [c.launch, c.complaint, c.brand_reply, c.thanks, c.c2c]
    server.age(old, days=30)
    recent = c.all() - set(old)
    client = connector(server)
    pages = list(client.fetch({}, CAMPAIGN))
    assert post_ids(pages, tmp_path) == recent
    cursor = last_cursor(pages)
    since = datetime.now(UTC) - timedelta(days=40)
    backfill = list(client.fetch(cursor, FetchOptions(since=since, hashtags=("TrailReady",), keywords=("Ridgeline",))))
    assert post_ids(backfill, tmp_path) == c.all()
    assert last_cursor(backfill, cursor) == cursor  # nothing newer arrived: the cursor stays
    naive = datetime.now() - timedelta(days=35)  # a naive moment is taken as UTC
    assert post_ids(list(client.fetch({}, FetchOptions(since=naive))), tmp_path) >= set(old) - {c.c2c}


def test_reply_posts_in_the_thread_mentioning_the_author(world: Any, tmp_path: Path) -> None:
    server, c = world
    text = "Sorry for the wait, Ben! Could you DM us the order number? ^AB"
    sent = connector(server).reply(c.question, text, idempotency_key=new_idempotency_key())
    posted = server.status(sent.post_id)
    assert posted["in_reply_to_id"] == c.question and posted["account"]["username"] == BRAND
    assert "@ben" in posted["content"] and text.split("!")[0] in posted["content"]
    assert sent.post_id in {s["id"] for s in server.context(c.question)["descendants"]}
    assert sent.url == posted["url"]
    [row] = rows(sent.page, tmp_path)
    assert isinstance(row, PostRow) and sent.page.kind == "sent"
    assert (row.post_id, row.in_reply_to_post_id, row.author_handle) == (sent.post_id, c.question, BRAND_HANDLE)
    # already mentioned: not twice; the brand's own post: no mention of itself; a private DM stays private
    again = connector(server).reply(
        c.thanks, "@maya glad to hear it, happy camping!", idempotency_key=new_idempotency_key()
    )
    assert server.status(again.post_id)["content"].count("@maya") == 1
    own = connector(server).reply(c.launch, "Early bird prices end Friday.", idempotency_key=new_idempotency_key())
    assert "@northwind" not in server.status(own.post_id)["content"]
    dm = server.post("ben", "@northwind my address changed, can you update it?", visibility="direct")
    assert (
        server.status(connector(server).reply(dm, "Done, Ben. ^AB", idempotency_key=new_idempotency_key()).post_id)[
            "visibility"
        ]
        == "direct"
    )


def test_reply_to_a_missing_post_is_not_found(world: Any) -> None:
    server, _ = world
    with pytest.raises(ConnectorError) as missing:
        connector(server).reply("999", "Hello", idempotency_key=new_idempotency_key())
    assert (missing.value.kind, missing.value.status) == ("not_found", 404)


def test_a_refused_token_stops_at_once(world: Any) -> None:
    server, _ = world
    sleeps: list[float] = []
    client = connector(server, "not-a-token", sleep=sleeps.append)
    with pytest.raises(ConnectorError, match="reconnect") as refused:
        client.verify()
    assert (refused.value.kind, refused.value.status, sleeps) == ("auth", 401, [])
    with pytest.raises(ConnectorError) as fetching:
        list(client.fetch({}, CAMPAIGN))
    assert fetching.value.kind == "auth"
    with pytest.raises(ConnectorError) as replying:
        client.reply("1", "hi", idempotency_key=new_idempotency_key())
    assert replying.value.kind == "auth"


def test_429_waits_as_long_as_retry_after_says_then_goes_on(world: Any, tmp_path: Path) -> None:
    server, c = world
    server.fault("/api/v1/notifications", effect="ratelimit", headers={"Retry-After": "2"}, count=2)
    sleeps: list[float] = []
    pages = list(connector(server, sleep=sleeps.append).fetch({}, CAMPAIGN))
    assert sleeps == [2.0, 2.0]
    assert post_ids(pages, tmp_path) == c.all()


def test_429_without_retry_after_waits_for_the_rate_limit_reset(world: Any) -> None:
    server, _ = world
    reset = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    server.fault("/api/v1/accounts/verify_credentials", status=429, headers={"X-RateLimit-Reset": reset})
    sleeps: list[float] = []
    assert connector(server, sleep=sleeps.append).verify() == BRAND_HANDLE
    [waited] = sleeps
    assert 27 <= waited <= 32.5  # against the response's Date header: whole seconds, refreshed once a second


def test_429_that_does_not_end_is_reported_as_rate_limited(world: Any) -> None:
    server, _ = world
    server.fault("/api/v1/accounts/verify_credentials", effect="ratelimit", count=None)
    sleeps: list[float] = []
    with pytest.raises(ConnectorError, match="429") as limited:
        connector(server, sleep=sleeps.append, max_retries=3).verify()
    assert (limited.value.kind, limited.value.status) == ("rate_limited", 429)
    assert sleeps == [300.0, 300.0, 300.0]  # the mock's Retry-After, never more than MAX_WAIT


def test_a_used_up_rate_limit_window_is_waited_for_before_the_next_request() -> None:
    with MockMastodon(ratelimit=2) as server:  # the mock's own limiter: 2 requests per token per 5 minutes
        sleeps: list[float] = []
        client = connector(server, sleep=sleeps.append, max_retries=1)
        client.verify()  # 1 of 2
        with pytest.raises(ConnectorError) as limited:
            list(client.fetch({}, FetchOptions()))  # 2 of 2 (remaining 0), then a wait before the third
        assert limited.value.kind == "rate_limited"
        assert len(sleeps) == 2 and all(290 <= s <= 300 for s in sleeps)


def test_server_errors_are_retried_with_exponential_backoff(world: Any) -> None:
    server, _ = world
    server.fault("/api/v1/accounts/verify_credentials", status=503, count=2)
    sleeps: list[float] = []
    assert connector(server, sleep=sleeps.append).verify() == BRAND_HANDLE
    assert sleeps == [1.0, 2.0]


def test_a_body_cut_short_is_retried(world: Any) -> None:
    server, _ = world
    server.fault("/api/v1/accounts/verify_credentials", effect="malformed")
    sleeps: list[float] = []
    assert connector(server, sleep=sleeps.append).verify() == BRAND_HANDLE
    assert sleeps == [1.0]


def test_server_errors_that_persist_are_reported_with_their_status(world: Any) -> None:
    server, _ = world
    server.fault("/api/v1/accounts/verify_credentials", status=502, count=None)
    sleeps: list[float] = []
    with pytest.raises(ConnectorError, match="502") as failed:
        connector(server, sleep=sleeps.append, max_retries=3).verify()
    assert (failed.value.kind, failed.value.status, sleeps) == ("server", 502, [1.0, 2.0, 4.0])


def test_a_failure_mid_fetch_comes_after_the_pages_before_it(world: Any) -> None:
    server, _ = world
    server.fault("/api/v1/timelines/tag/*", status=500, count=None)
    pages: list[Page] = []
    with pytest.raises(ConnectorError) as failed:
        pages.extend(connector(server, sleep=lambda s: None, max_retries=1).fetch({}, CAMPAIGN))
    assert failed.value.kind == "server"
    assert set(last_cursor(pages)) == {"own", "mentions"}  # what came before is kept, with its cursor


def test_a_reply_is_sent_once_through_a_server_error(world: Any) -> None:
    server, c = world
    server.fault("/api/v1/statuses", status=502, methods=["POST"])
    sent = connector(server, sleep=lambda s: None).reply(
        c.question, "On it, Ben. ^AB", idempotency_key=new_idempotency_key()
    )
    replies = [s for s in server.context(c.question)["descendants"] if s["account"]["username"] == BRAND]
    assert [s["id"] for s in replies] == [sent.post_id]


def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(ConnectorError, match="could not reach") as failed:
        connector(f"http://127.0.0.1:{port}", sleep=sleeps.append, max_retries=2, timeout=2).verify()
    assert (failed.value.kind, sleeps) == ("network", [1.0, 2.0])
