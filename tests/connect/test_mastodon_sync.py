"""End to end against a running Mastodon API (mastodon-mock on 127.0.0.1): connect, sync, reply, sync again.

The workspace side is groundswell's own path (``connect_account``, ``sync.sync_account``, ``send_reply``, the
CLI); the platform side is ``MastodonConnector`` over HTTP. The last check is the issue's: the metrics of a
synced workspace equal those of a workspace where the same pages were imported as plain files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastodon_server import BRAND, BRAND_HANDLE, CAMPAIGN_CONFIG, Conversations, MockMastodon, seeded_server, token

from groundswell.cli import cli
from groundswell.connect import connect_account, send_reply
from groundswell.connect.base import AccountRef
from groundswell.connect.mastodon import MastodonConnector
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


pytestmark = pytest.mark.usefixtures("credentials_home")  # secrets in tmp_path, never the keyring


@pytest.fixture
def world() -> Iterator[tuple[MockMastodon, Conversations]]:
    with seeded_server() as (server, conversations):
        yield server, conversations


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws", config_text=CAMPAIGN_CONFIG)
    yield workspace
    workspace.close()


def posts(ws: Workspace) -> list[tuple[Any, ...]]:
    return ws.store.con.execute(f"SELECT {POST_COLUMNS} FROM posts ORDER BY platform, post_id").fetchall()


def metrics(ws: Workspace) -> dict[str, Any]:
    """Every metric family, as dicts; a family the workspace cannot compute yet, by its reason."""
    found: dict[str, Any] = {}
    with ws.sources() as sources:
        for name, family in METRIC_FAMILIES.items():
            try:
                found[name] = [row.as_dict() for row in family(sources)]
            except MetricUnavailable as exc:
                found[name] = f"unavailable: {exc}"
    return found


def test_connect_sync_reply_and_sync_new_mentions(world: Any, ws: Workspace, tmp_path: Path) -> None:
    server, c = world
    account = connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
    assert account.name == BRAND_HANDLE and BRAND_HANDLE in ws.config.brand_handles()["mastodon"]

    first = sync_account(ws, account.name)
    assert (first.status, first.imported, first.rejected) == ("done", len(c.all()), 0)
    assert first.read == first.imported + first.duplicates  # threads repeat posts the streams found too
    assert {row[1] for row in posts(ws)} == c.all()
    brand = {row[1] for row in posts(ws) if row[5]}
    assert brand == {c.launch, c.brand_reply}
    sources = {row[0] for row in ws.store.con.execute("SELECT DISTINCT source FROM posts").fetchall()}
    assert sources <= set(first.files)  # lineage: each row names the page file it came from

    second = sync_account(ws, account.name)
    assert (second.status, second.pages, second.read, second.imported) == ("done", 0, 0, 0)

    text = "So sorry for the wait, Ben. Could you DM us your order number so we can chase it today? ^AB"
    sent = send_reply(ws, f"mastodon:{c.question}", text)
    assert sent.verdict != "fail" and sent.imported == 1
    assert sent.post_id in {s["id"] for s in server.context(c.question)["descendants"]}
    [(in_reply_to, is_brand)] = ws.store.con.execute(
        "SELECT in_reply_to_post_id, is_brand FROM posts WHERE post_id = ?", [sent.post_id]
    ).fetchall()
    assert (in_reply_to, is_brand) == (c.question, True)

    new = {
        server.post("ben", "@northwind thanks, order number sent by DM!", reply_to=sent.post_id),
        server.post("dan", "@northwind do you ship tents to Norway?"),
        server.post("cara", "Day two on the coast path #TrailReady"),
    }
    third = sync_account(ws, account.name)
    assert (third.status, third.imported, third.rejected) == ("done", len(new), 0)
    assert {row[1] for row in posts(ws)} == c.all() | new | {sent.post_id}
    assert sync_account(ws, account.name).imported == 0
    stored = connections.account(ws.store, account.name)
    assert stored.last_status == "done" and stored.synced_imported == len(c.all()) + len(new) + 1

    # the same pages imported as plain files give the same posts and the same metrics
    files = sorted((ws.path / SYNC_FOLDER / "mastodon").rglob("*.json"))
    assert len(files) == first.pages + third.pages + 1  # + the sent reply's page
    config = (ws.path / "groundswell.toml").read_text(encoding="utf-8")
    with Workspace.init(tmp_path / "files", config_text=config) as imported:
        report = imported.import_files(files, ImportOptions(format="mastodon"))
        assert report.imported == len(posts(ws)) and report.rejected == 0
        assert posts(imported) == posts(ws)
        ws.enrich()
        imported.enrich()
        synced = metrics(ws)
        assert not [name for name, value in synced.items() if isinstance(value, str)]  # every family computed
        assert metrics(imported) == synced
        [answered] = synced["response"]
        assert (answered["inbound"], answered["replied_threads"]) == (6, 2)


def test_an_interrupted_sync_resumes_without_losing_or_repeating(world: Any, ws: Workspace) -> None:
    server, c = world
    account = connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
    ref = AccountRef(account.name, "mastodon", account.handle, account.server, account.credential_key)
    # small pages so the failure comes mid-stream; every thread fetch fails after the first
    server.fault("/api/v1/statuses/*/context", status=503, count=None)
    flaky = MastodonConnector(ref, token(BRAND), sleep=lambda s: None, max_retries=1, page_size=1)
    failed = sync_account(ws, account.name, flaky)
    assert (failed.status, failed.error_kind) == ("failed", "server") and "503" in (failed.error or "")
    assert connections.account(ws.store, account.name).last_status == "failed"
    server.clear_faults()
    resumed = sync_account(ws, account.name, MastodonConnector(ref, token(BRAND), page_size=1))
    assert resumed.status == "done"
    assert {row[1] for row in posts(ws)} == c.all()
    assert failed.imported + resumed.imported == len(c.all())


def test_a_revoked_token_fails_the_sync_and_says_to_reconnect(world: Any, ws: Workspace) -> None:
    server, _ = world
    account = connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
    ref = AccountRef(account.name, "mastodon", account.handle, account.server, account.credential_key)
    report = sync_account(ws, account.name, MastodonConnector(ref, "revoked", sleep=lambda s: None))
    assert (report.status, report.error_kind, report.imported) == ("failed", "auth", 0)
    assert "reconnect" in (report.error or "")


def test_the_cli_connects_syncs_and_lists_the_account(world: Any, ws: Workspace) -> None:
    server, c = world
    ws.close()
    runner = CliRunner()
    env = {"GROUNDSWELL_MASTODON_TOKEN": token(BRAND)}
    connected = runner.invoke(
        cli, ["connect", "mastodon", "--instance", server.base_url, "--workspace", str(ws.path)], env=env
    )
    assert connected.exit_code == 0, connected.output
    assert BRAND_HANDLE in connected.stdout
    synced = runner.invoke(cli, ["sync", "--workspace", str(ws.path), "--json"], env=env)
    assert synced.exit_code == 0, synced.output
    [report] = json.loads(synced.stdout)
    assert (report["account"], report["status"], report["imported"]) == (BRAND_HANDLE, "done", len(c.all()))
    listed = runner.invoke(cli, ["accounts", "--workspace", str(ws.path), "--json"])
    [row] = json.loads(listed.stdout)
    assert (row["name"], row["last_status"], row["synced_imported"]) == (BRAND_HANDLE, "done", len(c.all()))
    refused = runner.invoke(cli, ["sync", "--workspace", str(ws.path)], env={"GROUNDSWELL_MASTODON_TOKEN": "bad"})
    assert refused.exit_code == 1 and "reconnect" in refused.output


def test_a_reply_from_the_cli_marks_the_inbox_item_sent(world: Any, ws: Workspace) -> None:
    """`groundswell reply` and the web inbox's Send are one verb (``Workspace.reply``): the item is marked too."""
    server, c = world
    account = connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
    sync_account(ws, account.name)
    assert ws.inbox.item_state("mastodon", c.question) is None
    ws.close()
    text = "So sorry for the wait, Ben. Could you DM us your order number so we can chase it today? ^AB"
    replied = CliRunner().invoke(
        cli, ["reply", f"mastodon:{c.question}", text, "--workspace", str(ws.path), "--json"],
        env={"LOGNAME": "dana", "USER": "dana"},
    )  # fmt: skip
    assert replied.exit_code == 0, replied.output
    document = json.loads(replied.stdout)
    assert document["post_id"] in {s["id"] for s in server.context(c.question)["descendants"]}
    assert (document["item"]["status"], document["item"]["version"]) == ("sent", 2)  # sending, then sent
    with Workspace.open(ws.path) as again:
        item = again.inbox.item_state("mastodon", c.question)
        assert item is not None and (item.status, item.assignee) == ("sent", "cli:dana")
        [entry] = again.accounts.audit_entries(action="inbox.sent")
        [send] = again.inbox.sends("mastodon", c.question)
        assert entry.detail == {"reply_post_id": document["post_id"], "status": "sent", "assignee": "cli:dana",
                                "version": 2, "send_key": send.send_key}  # fmt: skip
        assert (send.status, send.reply_post_id, send.started_by) == ("sent", document["post_id"], "cli:dana")
