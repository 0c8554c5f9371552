"""A reply through Mastodon posts once, whatever the instance does: answers late, accepts then drops the
connection, fails with 5xx, or refuses. Against mastodon-mock on 127.0.0.1 (tests/connect/mastodon_server.py),
behind a proxy that can drop a connection after the instance accepted a post (tests/connect/platform_proxy.py).
What the instance stored is counted every time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from mastodon_server import BRAND, BRAND_HANDLE, CAMPAIGN_CONFIG, Conversations, MockMastodon, seeded_server, token
from platform_proxy import PlatformProxy

from groundswell.cli import cli
from groundswell.connect import connect_account, credentials
from groundswell.connect.base import AccountRef, ConnectorError, new_idempotency_key
from groundswell.connect.mastodon import SEND_RETRIES, MastodonConnector
from groundswell.connect.sync import sync_account
from groundswell.workspace import Workspace

TEXT = "So sorry for the wait, Ben. Could you DM us your order number so we can chase it today? ^AB"


@pytest.fixture
def world() -> Iterator[tuple[MockMastodon, Conversations, PlatformProxy]]:
    with seeded_server() as (server, conversations), PlatformProxy(server.base_url) as proxy:
        yield server, conversations, proxy


def connector(url: str, **options: Any) -> MastodonConnector:
    ref = AccountRef(name=BRAND_HANDLE, platform="mastodon", handle="", server=url, credential_key="k")
    return MastodonConnector(ref, token(BRAND), **options)


def brand_replies(server: MockMastodon, status_id: str) -> list[str]:
    """The brand's replies the instance stored under ``status_id``."""
    found = server.context(status_id)["descendants"]
    return [s["id"] for s in found if s["account"]["username"] == BRAND]


def delay_posts(server: MockMastodon, seconds: float) -> None:
    """The instance answers the next post ``seconds`` late (and only then stores it)."""
    rule = {
        "match": {"path": "/api/v1/statuses", "methods": ["POST"]},
        "effect": {"type": "latency", "delay_ms": int(seconds * 1000)},
        "count": 1,
    }
    requests.post(f"{server.base_url}/api/v1/_mock/faults", json=rule, timeout=10).raise_for_status()


def test_the_same_key_posts_once_and_a_new_key_posts_again(world: Any) -> None:
    server, c, proxy = world
    key = new_idempotency_key()
    first = connector(proxy.url).reply(c.question, TEXT, idempotency_key=key)
    again = connector(proxy.url).reply(c.question, TEXT, idempotency_key=key)
    assert again.post_id == first.post_id and brand_replies(server, c.question) == [first.post_id]
    other = connector(proxy.url).reply(
        c.question, "And a second, separate reply. ^AB", idempotency_key=new_idempotency_key()
    )
    assert set(brand_replies(server, c.question)) == {first.post_id, other.post_id}
    assert proxy.posts_received == 3


def test_accepted_then_dropped_is_unconfirmed_and_the_retry_posts_nothing_new(world: Any) -> None:
    server, c, proxy = world
    proxy.drop_posts(1)
    key = new_idempotency_key()
    with pytest.raises(ConnectorError) as lost:
        connector(proxy.url, sleep=lambda s: None).reply(c.question, TEXT, idempotency_key=key)
    assert (lost.value.kind, lost.value.unconfirmed) == ("network", True)
    [stored] = brand_replies(server, c.question)  # the instance kept it
    assert proxy.posts_received == 1  # a lost connection is not retried on its own
    retried = connector(proxy.url).reply(c.question, TEXT, idempotency_key=key)
    assert retried.post_id == stored and brand_replies(server, c.question) == [stored]
    assert proxy.posts_received == 2


def test_a_late_answer_times_out_unconfirmed_and_the_retry_meanwhile_posts_once(world: Any) -> None:
    server, c, proxy = world
    delay_posts(server, 4)
    key = new_idempotency_key()
    with pytest.raises(ConnectorError) as late:
        connector(proxy.url, timeout=1, sleep=lambda s: None).reply(c.question, TEXT, idempotency_key=key)
    assert (late.value.kind, late.value.unconfirmed) == ("network", True)
    # retried while the first post still waits inside the instance: the retry makes the reply, and the first,
    # answered later with the same key, finds it
    retried = connector(proxy.url).reply(c.question, TEXT, idempotency_key=key)
    proxy.wait_answered(timeout=60)
    assert proxy.posts_received == 2 and brand_replies(server, c.question) == [retried.post_id]


def test_server_errors_are_retried_with_the_same_key_then_left_unconfirmed(world: Any) -> None:
    server, c, proxy = world
    server.fault("/api/v1/statuses", status=503, count=None, methods=["POST"])
    sleeps: list[float] = []
    key = new_idempotency_key()
    with pytest.raises(ConnectorError) as failing:
        connector(proxy.url, sleep=sleeps.append).reply(c.question, TEXT, idempotency_key=key)
    assert (failing.value.kind, failing.value.status, failing.value.unconfirmed) == ("server", 503, True)
    assert proxy.posts_received == 1 + SEND_RETRIES and sleeps == [1.0, 2.0]
    assert brand_replies(server, c.question) == []
    server.clear_faults()
    sent = connector(proxy.url).reply(c.question, TEXT, idempotency_key=key)
    assert brand_replies(server, c.question) == [sent.post_id]


def test_a_refusal_is_clean_and_not_retried(world: Any) -> None:
    server, c, proxy = world
    server.fault("/api/v1/statuses", status=422, count=1, methods=["POST"])
    with pytest.raises(ConnectorError) as refused:
        connector(proxy.url, sleep=lambda s: None).reply(c.question, TEXT, idempotency_key=new_idempotency_key())
    assert (refused.value.kind, refused.value.status, refused.value.unconfirmed) == ("bad_request", 422, False)
    assert proxy.posts_received == 1 and brand_replies(server, c.question) == []


def test_the_cli_leaves_an_unconfirmed_reply_sending_then_retries_or_settles_it(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, c, proxy = world
    monkeypatch.setenv(credentials.CREDENTIALS_ENV, str(tmp_path / "config" / "credentials.json"))
    monkeypatch.setattr(credentials, "_keyring", lambda: None)
    monkeypatch.delenv("GROUNDSWELL_MASTODON_TOKEN", raising=False)
    with Workspace.init(tmp_path / "ws", config_text=CAMPAIGN_CONFIG) as ws:
        sync_account(ws, connect_account(ws, "mastodon", server=proxy.url, secret=token(BRAND)).name)

    def reply(post_id: str, *args: str) -> Any:
        return CliRunner().invoke(
            cli, ["reply", f"mastodon:{post_id}", *args, "--workspace", str(tmp_path / "ws")],
            env={"LOGNAME": "dana", "USER": "dana"},
        )  # fmt: skip

    proxy.drop_posts(1)
    lost = reply(c.question, TEXT)
    assert lost.exit_code == 1 and "stays sending" in lost.output
    [stored] = brand_replies(server, c.question)
    again = reply(c.question, TEXT)
    assert again.exit_code == 1 and "reply being sent" in again.output  # no second reply while one is pending
    retried = reply(c.question, "--retry", "--json")
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.stdout)["post_id"] == stored and brand_replies(server, c.question) == [stored]

    server.fault("/api/v1/statuses", status=503, count=None, methods=["POST"])
    thanks = "Glad the new pole works, Maya. Happy camping! ^AB"
    assert reply(c.thanks, thanks, "--force").exit_code == 1
    server.clear_faults()
    assert brand_replies(server, c.thanks) == []  # checked on the platform: it is not there
    settled = reply(c.thanks, "--not-sent")
    assert settled.exit_code == 0 and "is open" in settled.output
    proxy.drop_posts(1)
    assert reply(c.thanks, thanks, "--force").exit_code == 1
    [made] = brand_replies(server, c.thanks)
    found = reply(c.thanks, "--sent", made)
    assert found.exit_code == 0 and "is sent" in found.output
    with Workspace.open(tmp_path / "ws") as ws:
        assert [(s.status, s.reply_post_id) for s in ws.inbox.sends("mastodon", c.thanks)] == [
            ("not_sent", None), ("sent", made),
        ]  # fmt: skip
    assert reply(c.thanks, "--retry", "--sent", made).exit_code == 2  # one way to settle at a time
