"""End to end against a real local Bluesky network: connect, sync, reply, sync again, and compare metrics.

The workspace side is groundswell's own path (``connect_account``, ``sync.sync_account``, ``send_reply``);
the platform side is ``BlueskyConnector`` over HTTP to the reference PDS and AppView (bluesky_server.py).
The last check is the issue's: the metrics of a synced workspace equal those of a workspace where the same
pages were imported as plain files.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from bluesky_server import BlueskyNetwork, FaultProxy, bluesky_network  # noqa: F401 - the session fixture

from groundswell.connect import connect_account, credentials, send_reply
from groundswell.connect.base import AccountRef
from groundswell.connect.bluesky import BlueskyConnector
from groundswell.connect.sync import SYNC_FOLDER, sync_account
from groundswell.errors import MetricUnavailable
from groundswell.ingest import ImportOptions
from groundswell.metrics import METRIC_FAMILIES
from groundswell.store import connections
from groundswell.workspace import Workspace

POST_COLUMNS = (
    "platform, post_id, author_id, author_handle, author_followers, is_brand, created_at, text, lang, "
    "in_reply_to_post_id, conversation_id, url, like_count, share_count, reply_count"
)


def campaign_config(tag: str, keyword: str) -> str:
    """A config whose campaign terms no other test posts: every test shares one network and its search."""
    return f"""brand = "Northwind Outfitters"

[[campaigns]]
name = "Trail ready"
hashtags = ["#{tag}"]
keywords = ["{keyword}"]
"""


@pytest.fixture(autouse=True)
def credentials_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Secrets go to a file under tmp_path, never to the machine's keyring or config."""
    path = tmp_path / "config" / "credentials.json"
    monkeypatch.setenv(credentials.CREDENTIALS_ENV, str(path))
    monkeypatch.setattr(credentials, "_keyring", lambda: None)
    monkeypatch.delenv("GROUNDSWELL_BLUESKY_APP_PASSWORD", raising=False)
    return path


def posts(ws: Workspace) -> list[tuple[Any, ...]]:
    return ws.store.con.execute(f"SELECT {POST_COLUMNS} FROM posts ORDER BY platform, post_id").fetchall()


def metrics(ws: Workspace) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with ws.sources() as sources:
        for name, family in METRIC_FAMILIES.items():
            try:
                found[name] = [row.as_dict() for row in family(sources)]
            except MetricUnavailable as exc:
                found[name] = f"unavailable: {exc}"
    return found


def test_connect_sync_reply_and_sync_new_mentions(bluesky_network: BlueskyNetwork, tmp_path: Path) -> None:  # noqa: F811
    net = bluesky_network
    brand, maya, jon, ben, cara = (net.unique(n) for n in ("northwind", "maya", "jon", "ben", "cara"))
    for handle in (brand, maya, jon, ben, cara):
        net.create_account(handle)
    n = net.unique("")[:-5].replace("-", "x")  # a per-test suffix for the campaign terms
    tag, keyword = f"TrailReady{n}", f"Ridgeline{n}"
    launch = net.post(brand, f"Our {keyword} tent is out today #{tag}")
    complaint = net.post(maya, "my buckle snapped after a week, is it covered?", mention=brand)
    answer = net.post(brand, "So sorry Maya! It is covered for life, DM us your order and we'll send a new one.",
                      reply_to=complaint)  # fmt: skip
    helper = net.post(jon, "Same happened to me, they sent a new one in two days", reply_to=answer)
    thanks = net.post(maya, "Thank you, that was quick and easy!", reply_to=answer)
    question = net.post(ben, "my order hasn't arrived after three weeks, can you check?", mention=brand)
    fan = net.post(cara, f"Loving my {keyword} on the coast path")
    on_launch = net.post(jon, "does it come in green?", reply_to=launch)
    net.post(cara, "nothing to do with any brand")
    net.process()
    everything = {p.uri for p in (launch, complaint, answer, helper, thanks, question, fan, on_launch)}

    with Workspace.init(tmp_path / "ws", config_text=campaign_config(tag, keyword)) as ws:
        account = connect_account(ws, "bluesky", server=net.pds, secret=net.app_password(brand), handle=brand)
        assert account.name == brand and brand in ws.config.brand_handles()["bluesky"]

        first = sync_account(ws, account.name)
        assert (first.status, first.imported, first.rejected) == ("done", len(everything), 0)
        assert first.read == first.imported + first.duplicates
        assert {row[1] for row in posts(ws)} == everything
        assert {row[1] for row in posts(ws) if row[5]} == {launch.uri, answer.uri}
        sources = {row[0] for row in ws.store.con.execute("SELECT DISTINCT source FROM posts").fetchall()}
        assert sources <= set(first.files)

        second = sync_account(ws, account.name)
        assert (second.status, second.pages, second.read, second.imported) == ("done", 0, 0, 0)

        text = "So sorry for the wait, Ben. Could you DM us your order number so we can chase it today?"
        sent = send_reply(ws, f"bluesky:{question.uri}", text)
        assert sent.verdict != "fail" and sent.imported == 1
        [(in_reply_to, conversation, is_brand)] = ws.store.con.execute(
            "SELECT in_reply_to_post_id, conversation_id, is_brand FROM posts WHERE post_id = ?", [sent.post_id]
        ).fetchall()
        assert (in_reply_to, conversation, is_brand) == (question.uri, question.uri, True)
        net.process()
        thread = net.clients[ben].get_post_thread(question.uri).thread
        assert sent.post_id in [r.post.uri for r in thread.replies]  # type: ignore[union-attr]

        class Sent:
            uri = sent.post_id
            cid = net.clients[ben].get_posts([sent.post_id]).posts[0].cid

        new = {
            net.post(ben, "thanks, order number sent by DM!", reply_to=Sent).uri,
            net.post(cara, "do you ship tents to Norway?", mention=brand).uri,
            net.post(maya, f"Day two on the coast path #{tag}").uri,
        }
        net.process()
        third = sync_account(ws, account.name)
        assert (third.status, third.imported, third.rejected) == ("done", len(new), 0)
        assert {row[1] for row in posts(ws)} == everything | new | {sent.post_id}
        assert sync_account(ws, account.name).imported == 0
        stored = connections.account(ws.store, account.name)
        assert stored.last_status == "done"

        # the same pages imported as plain files give the same posts and the same metrics
        files = sorted((ws.path / SYNC_FOLDER / "bluesky").rglob("*.json"))
        config = (ws.path / "groundswell.toml").read_text(encoding="utf-8")
        with Workspace.init(tmp_path / "files", config_text=config) as imported:
            report = imported.import_files(files, ImportOptions(format="bluesky"))
            assert report.imported == len(posts(ws)) and report.rejected == 0
            assert posts(imported) == posts(ws)
            ws.enrich()
            imported.enrich()
            synced = metrics(ws)
            assert metrics(imported) == synced
            assert not isinstance(synced["response"], str)
            [answered] = synced["response"]
            assert answered["replied_threads"] >= 1


def test_an_interrupted_sync_resumes_without_losing_or_repeating(
    bluesky_network: BlueskyNetwork,  # noqa: F811
    tmp_path: Path,
) -> None:
    net = bluesky_network
    brand, fan = net.unique("northwind"), net.unique("fan")
    net.create_account(brand)
    net.create_account(fan)
    seeded = set()
    for i in range(120):
        seeded.add(net.post(fan, f"question {i} about my order", mention=brand).uri)
    for i in range(150):
        seeded.add(net.post(brand, f"tip {i}: dry your tent before packing it").uri)
    net.process()
    password = net.app_password(brand)
    with (
        Workspace.init(
            tmp_path / "ws", config_text=campaign_config("NoSuchTagAnywhere", "nosuchkeywordanywhere")
        ) as ws,
        FaultProxy(net.pds) as proxy,
    ):
        account = connect_account(ws, "bluesky", server=proxy.url, secret=password, handle=brand)
        ref = AccountRef(account.name, "bluesky", account.handle, account.server, account.credential_key)
        # the own feed comes whole, then the mentions fail after their first threads
        proxy.fail("app.bsky.feed.getPostThread", 503, times=3)
        proxy.faults[-1].times = 0
        calls = {"n": 0}
        real_fail = proxy._take_fault

        def fail_after_ten(method: str) -> Any:
            if method == "app.bsky.feed.getPostThread":
                calls["n"] += 1
                if calls["n"] > 10:
                    proxy.faults[-1].times = 1
            return real_fail(method)

        proxy._take_fault = fail_after_ten  # type: ignore[method-assign]
        flaky = BlueskyConnector(ref, password, sleep=lambda s: None, max_retries=1)
        failed = sync_account(ws, account.name, flaky)
        assert (failed.status, failed.error_kind) == ("failed", "server")
        assert 0 < failed.imported < len(seeded)
        proxy._take_fault = real_fail  # type: ignore[method-assign]
        proxy.faults.clear()
        resumed = sync_account(ws, account.name, BlueskyConnector(ref, password))
        assert resumed.status == "done"
        assert {row[1] for row in posts(ws)} == seeded
        assert failed.imported + resumed.imported == len(seeded)


def test_a_revoked_app_password_fails_the_sync(bluesky_network: BlueskyNetwork, tmp_path: Path) -> None:  # noqa: F811
    net = bluesky_network
    brand = net.unique("northwind")
    net.create_account(brand)
    with Workspace.init(
        tmp_path / "ws", config_text=campaign_config("NoSuchTagAnywhere", "nosuchkeywordanywhere")
    ) as ws:
        account = connect_account(ws, "bluesky", server=net.pds, secret=net.app_password(brand), handle=brand)
        ref = AccountRef(account.name, "bluesky", account.handle, account.server, account.credential_key)
        report = sync_account(ws, account.name, BlueskyConnector(ref, "revoked-revoked", sleep=lambda s: None))
        assert (report.status, report.error_kind, report.imported) == ("failed", "auth", 0)


def test_sync_throughput(bluesky_network: BlueskyNetwork, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """~2,000 posts (own posts, mentions with their threads, campaign posts), one full sync; prints posts/s."""
    net = bluesky_network
    brand, *fans = (net.unique(n) for n in ("northwind", "a", "b", "c", "d"))
    for handle in (brand, *fans):
        net.create_account(handle)
    for i in range(500):
        net.post(brand, f"tip {i}: dry your tent before packing it")
    for i in range(500):
        opener = net.post(fans[i % 4], f"question {i}: where is my order?", mention=brand)
        net.post(brand, f"answer {i}: checking now, sorry for the wait", reply_to=opener)
    n = net.unique("")[:-5].replace("-", "x")
    tag, keyword = f"TrailReady{n}", f"Ridgeline{n}"
    for i in range(500):
        net.post(fans[i % 4], f"day {i} with my {keyword} #{tag}")
    net.process()
    with Workspace.init(tmp_path / "ws", config_text=campaign_config(tag, keyword)) as ws:
        account = connect_account(ws, "bluesky", server=net.pds, secret=net.app_password(brand), handle=brand)
        started = time.perf_counter()
        report = sync_account(ws, account.name)
        seconds = time.perf_counter() - started
    assert report.status == "done" and report.imported == 2000
    with capsys.disabled():
        print(f"\nbluesky sync: {report.imported} posts imported ({report.read} read, {report.pages} pages) "
              f"in {seconds:.1f} s = {report.imported / seconds:.0f} posts/s")  # fmt: skip
