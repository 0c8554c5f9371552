"""Sending a reply from the running web app to a platform that is slow, drops the connection, fails or refuses.

The platform is mastodon-mock on 127.0.0.1 (tests/connect/mastodon_server.py) behind a proxy that can drop a
connection after the platform accepted a post (tests/connect/platform_proxy.py); the app is groundswell's,
served by uvicorn on 127.0.0.1 over a workspace synced from that platform. The platform's delays are real; the
app's client timeout is set by ``$GROUNDSWELL_PLATFORM_TIMEOUT``. Each test counts what the platform stored:
exactly one reply, whatever was retried.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import requests
import uvicorn

from connect.mastodon_server import BRAND, CAMPAIGN_CONFIG, Conversations, MockMastodon, seeded_server, token
from connect.platform_proxy import PlatformProxy
from groundswell.accounts import add_user, create_token
from groundswell.connect import connect_account, credentials
from groundswell.connect.mastodon import SEND_RETRIES
from groundswell.connect.registry import TIMEOUT_ENV
from groundswell.connect.sync import sync_account
from groundswell.web import create_app
from groundswell.workspace import Workspace
from labelled_workspaces import write_enrichments
from web_server import free_port

T = TypeVar("T")
TEXT = "So sorry for the wait, Ben. Could you DM us your order number so we can chase it today? ^AB"
WAITING = {"sentiment": "negative", "intent": "question", "needs_reply": True}


@dataclass
class World:
    url: str
    headers: dict[str, str]  # kim's API token (an agent)
    platform: MockMastodon
    proxy: PlatformProxy
    c: Conversations

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, follow_redirects=False, timeout=180)

    def replies(self) -> list[str]:
        """The brand's replies the platform stored under the question."""
        found = self.platform.context(self.c.question)["descendants"]
        return [s["id"] for s in found if s["account"]["username"] == BRAND]

    def delay_posts(self, seconds: float, *, status: int | None = None) -> None:
        """The platform answers the next post ``seconds`` late (and only then stores it; with ``status``, answers
        that status instead, storing nothing)."""
        effect = {"type": "latency"} if status is None else {"type": "status", "status": status}
        rule = {
            "match": {"path": "/api/v1/statuses", "methods": ["POST"]},
            "effect": {**effect, "delay_ms": int(seconds * 1000)},
            "count": 1,
        }
        requests.post(f"{self.platform.base_url}/api/v1/_mock/faults", json=rule, timeout=10).raise_for_status()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv(credentials.CREDENTIALS_ENV, str(tmp_path / "config" / "credentials.json"))
    monkeypatch.setattr(credentials, "_keyring", lambda: None)
    monkeypatch.delenv("GROUNDSWELL_MASTODON_TOKEN", raising=False)
    with seeded_server() as (platform, c), PlatformProxy(platform.base_url) as proxy:
        with Workspace.init(tmp_path / "ws", config_text=CAMPAIGN_CONFIG) as ws:
            account = connect_account(ws, "mastodon", server=proxy.url, secret=token(BRAND))
            assert sync_account(ws, account.name).status == "done"
            write_enrichments(ws.store, {c.question: WAITING, c.thanks: WAITING}, platform="mastodon")
            kim = add_user(ws.store, "kim", "agent", "kim-password-123", actor="test")
            api_token = create_token(ws.store, kim, "script", actor="kim")
            path = ws.path
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        _until(lambda: server.started or None, what="the app to start")
        yield World(f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {api_token}"}, platform, proxy, c)
        server.should_exit = True
        thread.join(timeout=30)


def _until(check: Callable[[], T | None], *, what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while (found := check()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.05)
    return found


def _item(client: httpx.Client, post_id: str, status: str = "open,assigned,sending,sent,closed") -> dict[str, Any]:
    params = [("status", s) for s in status.split(",")]
    found = client.get("/api/v1/inbox", params=params)
    assert found.status_code == 200, found.text
    [item] = [i for i in found.json()["items"] if i["post_id"] == post_id]
    return dict(item)


def _page_status(client: httpx.Client, post_id: str) -> str:
    """The item's status on its page (an answered conversation leaves the inbox's list)."""
    found = re.search(r'id="item-status">([a-z]+)<', client.get(f"/inbox/mastodon/{post_id}").text)
    assert found is not None
    return found.group(1)


def _send_in_background(world: World, version: int = 0) -> tuple[threading.Thread, dict[str, httpx.Response]]:
    answer: dict[str, httpx.Response] = {}

    def send() -> None:
        with world.client() as client:
            answer["send"] = client.post(
                f"/api/v1/inbox/mastodon/{world.c.question}/send", json={"text": TEXT, "version": version}
            )

    thread = threading.Thread(target=send)
    thread.start()
    return thread, answer


def _sending(client: httpx.Client, post_id: str) -> dict[str, Any] | None:
    item = _item(client, post_id)
    return item if item["status"] == "sending" else None


@pytest.mark.slow
@pytest.mark.parametrize("then", ["answers", "drops the connection", "fails with 5xx"])
def test_while_the_platform_takes_35_s_every_other_request_goes_on(world: World, monkeypatch: Any, then: str) -> None:
    """The platform holds the post 35 s, then answers it, or keeps it and drops the connection, or answers 503
    (and 503 to the two retries): every other request is answered meanwhile, and one reply is posted in all."""
    monkeypatch.setenv(TIMEOUT_ENV, "120")
    if then == "fails with 5xx":
        world.delay_posts(35, status=503)
        world.platform.fault("/api/v1/statuses", status=503, count=SEND_RETRIES, methods=["POST"])
    else:
        world.delay_posts(35)
    if then == "drops the connection":
        world.proxy.drop_posts(1)
    thread, answer = _send_in_background(world)
    c = world.c
    with world.client() as client:
        # the intent is recorded before the platform is called: every agent sees who is sending, and since when
        item = _until(lambda: _sending(client, c.question), what="the item to show sending")
        assert (item["send"]["started_by"], item["send"]["in_flight"], item["send"]["attempts"]) == ("kim", True, 1)
        page = client.get("/inbox")
        assert page.status_code == 200 and "sending" in page.text and "by kim at" in page.text
        assert client.get(f"/inbox/mastodon/{c.question}").text.count("Reply being sent") == 1
        listed = client.get("/api/v1/inbox", params={"status": "sending"}).json()["items"]
        assert [i["post_id"] for i in listed] == [c.question]
        [pending] = client.get(f"/api/v1/inbox/mastodon/{c.question}/sends").json()
        assert pending["status"] == "sending" and pending["in_flight"]
        assert client.get("/api/v1/scorecard").status_code == 200
        other = _item(client, c.thanks)
        assigned = client.post(
            f"/api/v1/inbox/mastodon/{c.thanks}/assign", json={"assignee": "kim", "version": other["version"]}
        )
        assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
        # a second agent can neither send on the item nor retry it meanwhile
        again = client.post(f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": 1})
        assert again.status_code == 409
        early = client.post(f"/api/v1/inbox/mastodon/{c.question}/send/retry", json={"version": 1})
        assert early.status_code == 409 and "right now" in early.json()["message"]
        # every request above was answered while the send still waited on the platform
        assert thread.is_alive() and world.proxy.posts_answered == 0
        thread.join(timeout=120)
        assert not thread.is_alive()
        sent = answer["send"]
        if then != "answers":  # not confirmed: left sending, and the agent retries it
            assert sent.status_code == 504, sent.text
            assert sent.json()["current"]["status"] == "sending" and sent.json()["current"]["send"]["error"]
            sent = client.post(f"/api/v1/inbox/mastodon/{c.question}/send/retry", json={"version": 1})
        assert sent.status_code == 200, sent.text
        assert sent.json()["item"]["status"] == "sent" and world.replies() == [sent.json()["post_id"]]
        assert _page_status(client, c.question) == "sent"
    posts = {"answers": 1, "drops the connection": 2, "fails with 5xx": 2 + SEND_RETRIES}
    assert world.proxy.posts_received == posts[then]


@pytest.mark.slow
def test_a_timed_out_send_stays_sending_and_its_retry_posts_once(world: World, monkeypatch: Any) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "2")
    world.delay_posts(35)
    c = world.c
    with world.client() as client:
        timed_out = client.post(f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": 0})
        assert timed_out.status_code == 504, timed_out.text
        body = timed_out.json()
        assert body["error"] == "ReplyPending" and body["current"]["status"] == "sending"
        assert body["current"]["send"]["error"] and not body["current"]["send"]["in_flight"]
        item = _item(client, c.question)
        assert item["status"] == "sending" and item["send"]["error"]
        assert "not confirmed" in client.get("/inbox").text
        # retried while the first post still waits inside the platform: the same key, so one reply in all
        retried = client.post(f"/api/v1/inbox/mastodon/{c.question}/send/retry", json={"version": item["version"]})
        assert retried.status_code == 200, retried.text
        reply_id = retried.json()["post_id"]
        world.proxy.wait_answered(timeout=90)  # the first post, answered 35 s late
        assert world.proxy.posts_received == 2 and world.replies() == [reply_id]
        [kept] = client.get(f"/api/v1/inbox/mastodon/{c.question}/sends").json()
        assert (kept["status"], kept["attempts"], kept["reply_post_id"]) == ("sent", 2, reply_id)


def test_accepted_then_dropped_stays_sending_and_the_page_retry_posts_once(world: World, monkeypatch: Any) -> None:
    world.proxy.drop_posts(1)
    c = world.c
    with world.client() as client:
        dropped = client.post(f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": 0})
        assert dropped.status_code == 504 and dropped.json()["current"]["status"] == "sending"
        [stored] = world.replies()  # the platform has it; groundswell does not know yet
        page = client.get(f"/inbox/mastodon/{c.question}")
        assert 'id="retry-form"' in page.text and 'id="send-form"' not in page.text
        version = _item(client, c.question)["version"]
        retried = client.post(f"/inbox/mastodon/{c.question}/send/retry", data={"version": str(version)})
        assert retried.status_code == 303 and f"as%20{stored}" in retried.headers["location"]
        assert world.replies() == [stored] and world.proxy.posts_received == 2
        assert _page_status(client, c.question) == "sent"


def test_an_agent_who_finds_the_dropped_reply_marks_it_sent_on_the_page(world: World) -> None:
    world.proxy.drop_posts(1)
    c = world.c
    with world.client() as client:
        dropped = client.post(f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": 0})
        assert dropped.status_code == 504
        [stored] = world.replies()
        link = f"{world.platform.base_url}/@{BRAND}/{stored}"
        version = str(dropped.json()["current"]["version"])
        found = client.post(f"/inbox/mastodon/{c.question}/send/resolve",
                            data={"sent": "true", "version": version, "reply": link})  # fmt: skip
        assert found.status_code == 303 and "marked%20sent" in found.headers["location"]
        assert _page_status(client, c.question) == "sent"
        [kept] = client.get(f"/api/v1/inbox/mastodon/{c.question}/sends").json()
        assert (kept["status"], kept["reply_url"], kept["finished_by"]) == ("sent", link, "kim")
    assert world.replies() == [stored] and world.proxy.posts_received == 1


def test_server_errors_leave_it_sending_until_an_agent_marks_it_not_sent(world: World, monkeypatch: Any) -> None:
    world.platform.fault("/api/v1/statuses", status=503, count=None, methods=["POST"])
    c = world.c
    with world.client() as client:
        failing = client.post(f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": 0})
        assert failing.status_code == 504 and "503" in failing.json()["current"]["send"]["error"]
        version = failing.json()["current"]["version"]
        busy = client.post(f"/api/v1/inbox/mastodon/{c.question}/assign", json={"assignee": "kim", "version": version})
        assert busy.status_code == 409 and "reply being sent" in busy.json()["message"]
        assert world.replies() == []  # the agent checks the platform: nothing there
        world.platform.clear_faults()
        reopened = client.post(
            f"/api/v1/inbox/mastodon/{c.question}/send/resolve", json={"sent": False, "version": version}
        )
        assert reopened.status_code == 200 and reopened.json()["status"] == "open"
        sent = client.post(
            f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": reopened.json()["version"]}
        )
        assert sent.status_code == 200, sent.text
        assert world.replies() == [sent.json()["post_id"]]
        assert [s["status"] for s in client.get(f"/api/v1/inbox/mastodon/{c.question}/sends").json()] == [
            "not_sent", "sent",
        ]  # fmt: skip


def test_a_refusal_leaves_the_item_as_it_was(world: World) -> None:
    world.platform.fault("/api/v1/statuses", status=422, count=1, methods=["POST"])
    c = world.c
    with world.client() as client:
        refused = client.post(f"/api/v1/inbox/mastodon/{c.question}/send", json={"text": TEXT, "version": 0})
        assert refused.status_code == 502 and refused.json()["error"] == "ConnectorError"
        item = _item(client, c.question)
        assert (item["status"], item["send"]) == ("open", None)
        [failed] = client.get(f"/api/v1/inbox/mastodon/{c.question}/sends").json()
        assert failed["status"] == "failed" and "422" in failed["error"]
    assert world.replies() == [] and world.proxy.posts_received == 1
