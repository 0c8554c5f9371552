"""The watch loop on a real local Bluesky network (tests/connect/bluesky_server.py): a customer's post, imported
with no likes, gathers likes and reposts afterwards; the next sync reads its counts again
(``app.bsky.feed.getPosts``), keeps them beside the post (whose imported row stays as it was), and the
fast-post rule raises its alert, once. The Mastodon twin is test_watch_engagement.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from atproto import models

from connect.bluesky_server import BlueskyNetwork, bluesky_network  # noqa: F401 - the session fixture
from groundswell.connect import connect_account
from groundswell.watch.loop import Watcher
from groundswell.workspace import Workspace

FANS = 24
POST = "the Ridgeline kept us dry through a night of storms on the ridge, superb kit"

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("credentials_home")]


def test_a_post_gaining_likes_after_its_import_is_alerted_fast_on_bluesky(
    bluesky_network: BlueskyNetwork,  # noqa: F811
    tmp_path: Path,
) -> None:
    net = bluesky_network
    brand, maya, ola = (net.unique(n) for n in ("northwind", "maya", "ola"))
    fans = [net.unique("fan") for _ in range(FANS)]
    for handle in (brand, maya, ola, *fans):
        net.create_account(handle)
    ws = Workspace.init(tmp_path / "ws", config_text='brand = "Northwind"\n')
    try:
        connect_account(ws, "bluesky", server=net.pds, secret=net.app_password(brand), handle=brand)
        watcher = Watcher(ws)
        net.post(ola, "Second trip with the stove, still going strong", mention=brand)
        post = net.post(maya, POST, mention=brand)
        net.process()
        first = watcher.cycle()
        assert (first.posts_new, first.errors) == (2, [])
        assert [a.kind for a in ws.alerts.kept()] == []  # imported with nothing yet
        seen = ws.store.query("SELECT post_id, like_count, share_count FROM engagement_snapshots")
        assert (post.uri, 0, 0) in {(r["post_id"], r["like_count"], r["share_count"]) for r in seen}

        subject = models.create_strong_ref(post)
        now = net.clients[maya].get_current_time_iso()
        for n, fan in enumerate(fans):  # 16 likes and 8 reposts, after the import
            client, did = net.clients[fan], net.dids[fan]
            if n % 3 == 2:
                client.app.bsky.feed.repost.create(
                    did, models.AppBskyFeedRepost.Record(subject=subject, created_at=now)
                )
            else:
                client.app.bsky.feed.like.create(did, models.AppBskyFeedLike.Record(subject=subject, created_at=now))
        net.process()
        second = watcher.cycle()
        assert (second.posts_new, second.alerts_raised, second.errors) == (0, 1, [])
        [fast] = ws.alerts.kept()
        assert fast.kind == "fast post" and fast.posts == (("bluesky", post.uri),)
        assert fast.figures["engagement"] == 24

        [row] = ws.store.query("SELECT like_count, share_count FROM posts WHERE post_id = ?", [post.uri])
        assert (row["like_count"], row["share_count"]) == (0, 0)  # the imported row is as it was
        latest = ws.store.query(
            "SELECT like_count, share_count FROM engagement_snapshots WHERE post_id = ? ORDER BY seen_at", [post.uri]
        )
        assert [(r["like_count"], r["share_count"]) for r in latest] == [(0, 0), (16, 8)]

        third = watcher.cycle()  # still fast: the same alert, not raised again
        assert (third.alerts_raised, [a.alert_id for a in ws.alerts.kept()]) == (0, [fast.alert_id])
    finally:
        ws.close()
