"""The Bluesky connector against a real local network (PDS + AppView + PLC from @atproto/dev-env).

See bluesky_server.py for how the network starts; faults (401, 429, 5xx, dropped connections) come from a
proxy in front of the real PDS, so the real ``atproto`` client sees real HTTP responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bluesky_server import BlueskyNetwork, FaultProxy, bluesky_network  # noqa: F401 - the session fixture

from groundswell.connect.base import AccountRef, ConnectorError, FetchOptions, Page, new_idempotency_key
from groundswell.connect.bluesky import BlueskyConnector


@dataclass
class Brand:
    handle: str
    customer: str
    other: str
    password: str


@pytest.fixture
def brand(bluesky_network: BlueskyNetwork) -> Brand:  # noqa: F811
    """A brand account with an app password and two customers, nothing posted yet."""
    net = bluesky_network
    handle, customer, other = net.unique("brand"), net.unique("maya"), net.unique("jon")
    for h in (handle, customer, other):
        net.create_account(h)
    return Brand(handle, customer, other, net.app_password(handle))


def connector(server: str, brand: Brand, password: str | None = None, **kwargs: Any) -> BlueskyConnector:
    account = AccountRef(brand.handle, "bluesky", brand.handle, server, f"bluesky:{brand.handle}")
    return BlueskyConnector(account, password or brand.password, **kwargs)


def uris(pages: list[Page]) -> list[str]:
    found: list[str] = []
    for page in pages:
        payload = page.payload
        found += [item["post"]["uri"] for item in payload.get("feed", [])]
        found += [post["uri"] for post in payload.get("posts", [])]
        stack: list[Any] = [payload.get("thread")]
        while stack:
            node = stack.pop()
            if isinstance(node, dict) and "post" in node:
                found.append(node["post"]["uri"])
                stack += node.get("replies", [])
    return found


def drain(pages: Iterator[Page]) -> tuple[list[Page], dict[str, Any]]:
    out = list(pages)
    cursor: dict[str, Any] = {}
    for page in out:
        if page.cursor is not None:
            cursor = page.cursor
    return out, cursor


def test_verify_returns_the_handle(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    assert connector(bluesky_network.pds, brand).verify() == brand.handle


def test_wrong_password_is_an_auth_error(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    with pytest.raises(ConnectorError) as caught:
        connector(bluesky_network.pds, brand, password="wrong-wrong-wrong").verify()
    assert caught.value.kind == "auth"
    assert caught.value.status == 401


def test_fetch_own_mentions_threads_and_search_then_nothing_new(
    bluesky_network: BlueskyNetwork,  # noqa: F811
    brand: Brand,
) -> None:
    net = bluesky_network
    tag = "TrailReady" + net.unique("")[:-5].replace("-", "x")  # the search is shared by every test: a tag of its own
    campaign = net.post(brand.handle, f"Spring sale on tents #{tag}")
    complaint = net.post(brand.customer, "my buckle snapped after a week, is it covered?", mention=brand.handle)
    answer = net.post(brand.handle, "Sorry Maya! Yes, covered for life. DM us your order.", reply_to=complaint)
    helper = net.post(brand.other, "Same happened to me, they sent a new one in two days", reply_to=answer)
    thanks = net.post(brand.customer, "Thank you, that was fast!", reply_to=answer)
    on_campaign = net.post(brand.other, "do the tents come in green?", reply_to=campaign)
    unrelated = net.post(brand.other, "nothing to do with anyone")
    net.process()

    c = connector(net.pds, brand)
    pages, cursor = drain(c.fetch({}, FetchOptions(hashtags=(tag,))))
    got = set(uris(pages))
    for post in (campaign, complaint, answer, helper, thanks, on_campaign):
        assert post.uri in got
    assert unrelated.uri not in got
    kinds = {p.kind for p in pages}
    assert {"own", "thread", "search"} <= kinds
    # the cursor travels with the last page of each stream, and every stream has one
    assert set(cursor) >= {"own", "mentions", "search"}
    assert cursor["search"][f"#{tag}"]["newest"]
    # pages are the API's JSON: feed items with post views, threads with $type'd nodes
    own = next(p for p in pages if p.kind == "own")
    assert own.payload["feed"][0]["post"]["author"]["handle"] == brand.handle
    thread = next(p for p in pages if p.kind == "thread")
    assert thread.payload["thread"]["$type"] == "app.bsky.feed.defs#threadViewPost"

    again, _ = drain(c.fetch(cursor, FetchOptions(hashtags=(tag,))))
    assert uris(again) == []

    # a new mention comes on the next fetch, with its thread, and nothing old but that thread
    late = net.post(brand.other, "@ is the warranty transferable?", mention=brand.handle)
    net.process()
    newer, cursor2 = drain(c.fetch(cursor, FetchOptions(hashtags=(tag,))))
    assert late.uri in uris(newer)
    assert set(uris(newer)) == {late.uri}
    assert cursor2["mentions"]["newest"] >= cursor["mentions"]["newest"]


def test_pages_come_oldest_first_and_resume_from_any_page(
    bluesky_network: BlueskyNetwork,  # noqa: F811
    brand: Brand,
) -> None:
    net = bluesky_network
    posted = [net.post(brand.handle, f"tip {i}: dry your tent before packing it") for i in range(230)]
    net.process()
    c = connector(net.pds, brand)
    pages, _ = drain(c.fetch({}, FetchOptions()))
    own = [p for p in pages if p.kind == "own"]
    assert len(own) == 3  # 100 + 100 + 30 posts
    # the API pages newest-first; the connector yields its pages oldest-first (each page as returned)
    newest_first = [p.uri for p in reversed(posted)]
    assert uris(own) == newest_first[200:] + newest_first[100:200] + newest_first[:100]
    assert [len(p.payload["feed"]) for p in own] == [30, 100, 100]
    # stopped after the first page: the next fetch brings exactly the rest
    first = own[0].cursor
    assert first is not None
    rest, _ = drain(c.fetch(first, FetchOptions()))
    assert sorted(uris(rest)) == sorted(p.uri for p in posted[30:])


def test_since_backfills_older_history(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    net = bluesky_network
    net.post(brand.handle, "an old announcement")
    net.process()
    c = connector(net.pds, brand, lookback=timedelta(0))  # a first sync that looks back nowhere
    nothing, cursor = drain(c.fetch({}, FetchOptions()))
    assert uris(nothing) == []
    back, _ = drain(c.fetch(cursor, FetchOptions(since=datetime.now(UTC) - timedelta(days=1))))
    assert len(uris(back)) == 1


def test_reply_lands_in_the_thread_with_root_and_parent(
    bluesky_network: BlueskyNetwork,  # noqa: F811
    brand: Brand,
) -> None:
    net = bluesky_network
    opener = net.post(brand.customer, "where is my order?", mention=brand.handle)
    follow = net.post(brand.customer, "it's #4411, ordered two weeks ago", reply_to=opener)
    net.process()
    c = connector(net.pds, brand)
    sent = c.reply(
        follow.uri,
        "Found it: it ships today, tracking by email @" + brand.customer,
        idempotency_key=new_idempotency_key(),
    )
    assert sent.post_id.startswith("at://") and sent.url and sent.url.endswith(sent.post_id.rsplit("/", 1)[-1])
    view = sent.page.payload["posts"][0]
    assert view["uri"] == sent.post_id
    assert view["record"]["reply"]["root"]["uri"] == opener.uri
    assert view["record"]["reply"]["parent"]["uri"] == follow.uri
    net.process()
    thread = net.clients[brand.customer].get_post_thread(opener.uri).thread
    reply_uris = [r.post.uri for r in thread.replies[0].replies]  # type: ignore[union-attr]
    assert sent.post_id in reply_uris
    # the mention facet resolved to the customer's DID
    record = net.clients[brand.handle].get_posts([sent.post_id]).posts[0].record
    assert record.facets and record.facets[0].features[0].did == net.dids[brand.customer]  # type: ignore[union-attr]


def test_reply_to_a_missing_post_is_not_found(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    c = connector(bluesky_network.pds, brand)
    missing = f"at://{bluesky_network.dids[brand.customer]}/app.bsky.feed.post/3kzzzzzzzzzzz"
    with pytest.raises(ConnectorError) as caught:
        c.reply(missing, "hello", idempotency_key=new_idempotency_key())
    assert caught.value.kind == "not_found"


# -- faults -----------------------------------------------------------------------------------------


def test_429_waits_as_the_headers_say_then_succeeds(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    slept: list[float] = []
    with FaultProxy(bluesky_network.pds) as proxy:
        reset = int((datetime.now(UTC) + timedelta(seconds=120)).timestamp())
        proxy.fail("app.bsky.feed.getAuthorFeed", 429, headers={"retry-after": "7"})
        proxy.fail("app.bsky.notification.listNotifications", 429, headers={"ratelimit-reset": str(reset)})
        c = connector(proxy.url, brand, sleep=slept.append)
        drain(c.fetch({}, FetchOptions()))
        assert proxy.seen.count("app.bsky.feed.getAuthorFeed") == 2
    assert slept[0] == 7
    assert 100 < slept[1] <= 120


def test_429_without_end_is_rate_limited(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    slept: list[float] = []
    with FaultProxy(bluesky_network.pds) as proxy:
        proxy.fail("app.bsky.feed.getAuthorFeed", 429, times=99, headers={"ratelimit-remaining": "0"})
        c = connector(proxy.url, brand, sleep=slept.append, max_retries=3)
        with pytest.raises(ConnectorError) as caught:
            drain(c.fetch({}, FetchOptions()))
    assert caught.value.kind == "rate_limited" and caught.value.status == 429
    assert slept == [1, 2, 4]  # no headers to go by: exponential backoff


def test_5xx_is_retried_then_reported(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    slept: list[float] = []
    with FaultProxy(bluesky_network.pds) as proxy:
        proxy.fail("app.bsky.feed.getAuthorFeed", 503, times=2)
        proxy.fail("app.bsky.notification.listNotifications", 500, times=99)
        c = connector(proxy.url, brand, sleep=slept.append, max_retries=2)
        pages = c.fetch({}, FetchOptions())
        with pytest.raises(ConnectorError) as caught:
            drain(pages)
    assert caught.value.kind == "server" and caught.value.status == 500
    assert slept == [1, 2, 1, 2]


def test_401_mid_sync_is_auth(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    with FaultProxy(bluesky_network.pds) as proxy:
        proxy.fail("app.bsky.feed.getAuthorFeed", 401)
        c = connector(proxy.url, brand, sleep=lambda s: None)
        with pytest.raises(ConnectorError) as caught:
            drain(c.fetch({}, FetchOptions()))
    assert caught.value.kind == "auth" and caught.value.status == 401


def test_dropped_connection_is_retried(bluesky_network: BlueskyNetwork, brand: Brand) -> None:  # noqa: F811
    slept: list[float] = []
    with FaultProxy(bluesky_network.pds) as proxy:
        proxy.fail("app.bsky.feed.getAuthorFeed", None, times=1)
        c = connector(proxy.url, brand, sleep=slept.append)
        drain(c.fetch({}, FetchOptions()))
    assert slept == [1]


def test_closed_port_is_a_network_error(brand: Brand) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        slept: list[float] = []
        c = connector(f"http://127.0.0.1:{port}", brand, sleep=slept.append, max_retries=2, timeout=5)
        with pytest.raises(ConnectorError) as caught:
            c.verify()
    assert caught.value.kind == "network" and caught.value.status is None
    assert slept == [1, 2]
