"""The watch loop against a running Mastodon API (mastodon-mock on 127.0.0.1): a customer's post, imported with
no likes, gathers favourites and boosts afterwards; the next sync reads its counts again, keeps them beside the
post (whose imported row stays as it was), and the fast-post rule raises its alert, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connect.mastodon_server import BRAND, MockMastodon, token
from groundswell.connect import connect_account
from groundswell.watch.loop import Watcher
from groundswell.workspace import Workspace

FANS = tuple(f"fan{i}" for i in range(24))
POST = "@northwind the Ridgeline kept us dry through a night of storms on the ridge, superb kit"

pytestmark = pytest.mark.usefixtures("credentials_home")  # secrets in tmp_path, never the keyring


@pytest.fixture
def server() -> Iterator[MockMastodon]:
    with MockMastodon(accounts=(BRAND, "maya", "ola", *FANS)) as running:
        yield running


@pytest.mark.slow
def test_a_post_gaining_likes_after_its_import_is_alerted_fast(server: MockMastodon, tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", config_text='brand = "Northwind"\n')
    try:
        connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
        watcher = Watcher(ws)
        server.post("ola", "Second trip with the @northwind stove, still going strong")
        post = server.post("maya", POST)
        first = watcher.cycle()
        assert (first.posts_new, first.errors) == (2, [])
        assert [a.kind for a in ws.alerts.kept()] == []  # imported with nothing yet
        seen = ws.store.query("SELECT post_id, like_count, share_count FROM engagement_snapshots ORDER BY post_id")
        assert {(r["post_id"], r["like_count"], r["share_count"]) for r in seen} >= {(post, 0, 0)}

        for n, fan in enumerate(FANS):  # 16 favourites and 8 boosts, after the import
            if n % 3 == 2:
                server.client(fan).status_reblog(post)
            else:
                server.client(fan).status_favourite(post)
        second = watcher.cycle()
        assert (second.posts_new, second.alerts_raised, second.errors) == (0, 1, [])
        [fast] = ws.alerts.kept()
        assert fast.kind == "fast post" and fast.posts == (("mastodon", post),)
        assert fast.figures["engagement"] == 24 and fast.figures["per_minute"] >= 10 * fast.figures["usual_per_minute"]

        # the post's imported row is as it was; what the platform says now sits beside it
        [row] = ws.store.query("SELECT like_count, share_count FROM posts WHERE post_id = ?", [post])
        assert (row["like_count"], row["share_count"]) == (0, 0)
        latest = ws.store.query(
            "SELECT like_count, share_count, source FROM engagement_snapshots WHERE post_id = ? ORDER BY seen_at",
            [post],
        )
        assert [(r["like_count"], r["share_count"]) for r in latest] == [(0, 0), (16, 8)]
        assert latest[-1]["source"] == f"sync:{ws.connections()[0].name}"

        third = watcher.cycle()  # still fast: the same alert, not raised again
        assert (third.alerts_raised, [a.alert_id for a in ws.alerts.kept()]) == (0, [fast.alert_id])
    finally:
        ws.close()
