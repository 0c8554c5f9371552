"""The sync engine, the credentials store and sending replies, with an in-process connector.

The connector here is a test double: it yields pages in the Mastodon API's own JSON shape (built from the
real-format fixture in tests/data/mastodon), so what is under test is groundswell's own path from a page
to stored posts: files kept, the ordinary importer, cursors, resuming, refusals. The platform clients are
tested against real servers in test_mastodon_*.py and test_bluesky_*.py.
"""

from __future__ import annotations

import copy
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.connect import DraftRefused, connect_account, credentials, send_reply
from groundswell.connect.base import ConnectorError, Cursor, FetchOptions, Page, SentPost
from groundswell.connect.sync import sync_account
from groundswell.metrics import response
from groundswell.store import connections
from groundswell.workspace import Workspace

FIXTURE = json.loads((Path(__file__).parents[1] / "data" / "mastodon" / "statuses.json").read_text(encoding="utf-8"))
SERVER = "https://social.northwind.example"


def status(number: int, acct: str, text: str, *, reply_to: int | None = None, minute: int = 0) -> dict[str, Any]:
    """A status in the API's shape, from the fixture's first one."""
    s = copy.deepcopy(FIXTURE[0])
    s["id"] = str(number)
    s["in_reply_to_id"] = None if reply_to is None else str(reply_to)
    s["in_reply_to_account_id"] = None
    s["content"] = f"<p>{text}</p>"
    s["created_at"] = f"2026-03-02T10:{minute:02d}:00.000Z"
    s["uri"] = f"{SERVER}/users/{acct}/statuses/{number}"
    s["url"] = f"{SERVER}/@{acct}/{number}"
    s["account"] = {**s["account"], "id": f"acct-{acct}", "username": acct.split("@")[0], "acct": acct}
    s["mentions"] = []
    return s


PAGES = [
    [status(1, "maya@toot.example", "@NorthwindHelp my tent pole snapped on day one. Really disappointed, this is unacceptable", minute=0)],
    [status(2, "NorthwindHelp", "@maya so sorry, DM us and we will send a new one", reply_to=1, minute=5)],
    [status(3, "ben@toot.example", "@NorthwindHelp where is my order?", minute=7),
     status(4, "maya@toot.example", "@NorthwindHelp thanks, sorted!", reply_to=2, minute=9)],
]  # fmt: skip


class FakeConnector:
    """Yields ``pages`` after the cursor's page number; can fail at a page; records replies."""

    platform = "mastodon"

    def __init__(self, pages: list[list[dict[str, Any]]], *, fail_at: int | None = None):
        self.pages = pages
        self.fail_at = fail_at
        self.replies: list[tuple[str, str]] = []

    def verify(self) -> str:
        return "NorthwindHelp"

    def fetch(self, cursor: Cursor, options: FetchOptions) -> Iterator[Page]:
        for i in range(int(cursor.get("page", 0)), len(self.pages)):
            if self.fail_at == i:
                raise ConnectorError("the server answered 503 three times", kind="server", status=503)
            yield Page("mentions", self.pages[i], {"page": i + 1})

    def reply(self, platform_post_id: str, text: str, *, idempotency_key: str) -> SentPost:
        if platform_post_id == "refuse":
            raise ConnectorError("401 Unauthorized", kind="auth", status=401)
        number = 100 + len(self.replies)
        self.replies.append((platform_post_id, text))
        sent = status(number, "NorthwindHelp", text, reply_to=int(platform_post_id), minute=30)
        return SentPost(str(number), sent["url"], Page("sent", [sent]))


@pytest.fixture(autouse=True)
def credentials_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Secrets go to a file under tmp_path, never to the machine's real keyring or config."""
    path = tmp_path / "config" / "groundswell" / "credentials.json"
    monkeypatch.setenv(credentials.CREDENTIALS_ENV, str(path))
    monkeypatch.setattr(credentials, "_keyring", lambda: None)
    monkeypatch.delenv("GROUNDSWELL_MASTODON_TOKEN", raising=False)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    workspace.close()


def _connect(ws: Workspace) -> str:
    account = connect_account(ws, "mastodon", server=SERVER, secret="s3cret-token", connector=FakeConnector(PAGES))
    return account.name


def test_connect_keeps_the_secret_out_of_config_and_database(ws: Workspace, credentials_home: Path) -> None:
    name = _connect(ws)
    assert name == "NorthwindHelp@social.northwind.example"
    assert stat.S_IMODE(credentials_home.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials_home.parent.stat().st_mode) == 0o700
    assert credentials.load_secret(f"mastodon:{name}") == "s3cret-token"
    assert "s3cret-token" not in (ws.path / "groundswell.toml").read_text(encoding="utf-8")
    dump = ws.store.con.execute("SELECT * FROM connected_accounts").fetchall()
    assert "s3cret-token" not in repr(dump)
    # the account is now one of the brand's, once however often it is connected
    _connect(ws)
    assert ws.config.brand_handles()["mastodon"] == frozenset({name.lower()})
    assert (ws.path / "groundswell.toml").read_text(encoding="utf-8").count(name) == 1


def test_sync_imports_each_page_like_a_file_and_resumes_from_its_cursor(ws: Workspace) -> None:
    name = _connect(ws)
    report = sync_account(ws, name, FakeConnector(PAGES))
    assert (report.status, report.pages, report.read, report.imported, report.duplicates) == ("done", 3, 4, 4, 0)
    assert report.read == report.imported + report.duplicates + report.rejected
    assert len(report.files) == 3 and all(Path(f).is_file() for f in report.files)
    sources = {row[0] for row in ws.store.con.execute("SELECT DISTINCT source FROM posts").fetchall()}
    assert sources == set(report.files)  # lineage: each post names the page it came from
    brand = ws.store.con.execute("SELECT count(*) FROM posts WHERE is_brand").fetchall()[0][0]
    assert brand == 1
    again = sync_account(ws, name, FakeConnector(PAGES))
    assert (again.pages, again.read, again.imported) == (0, 0, 0)
    stored = connections.account(ws.store, name)
    assert stored.cursor == {"page": 3} and stored.last_status == "done" and stored.synced_imported == 4


def test_a_page_fetched_twice_only_counts_duplicates(ws: Workspace) -> None:
    name = _connect(ws)
    sync_account(ws, name, FakeConnector(PAGES))
    connections.save_cursor(ws.store, name, {"page": 1})  # as if the cursor of pages 2-3 had been lost
    report = sync_account(ws, name, FakeConnector(PAGES))
    assert (report.read, report.imported, report.duplicates) == (3, 0, 3)
    assert ws.store.post_count() == 4


def test_a_failure_keeps_what_came_before_and_the_next_sync_resumes(ws: Workspace) -> None:
    name = _connect(ws)
    failed = sync_account(ws, name, FakeConnector(PAGES, fail_at=2))
    assert (failed.status, failed.error_kind, failed.imported) == ("failed", "server", 2)
    stored = connections.account(ws.store, name)
    assert stored.cursor == {"page": 2} and stored.last_status == "failed" and "503" in (stored.last_error or "")
    resumed = sync_account(ws, name, FakeConnector(PAGES))
    assert (resumed.status, resumed.imported, resumed.duplicates) == ("done", 2, 0)
    assert ws.store.post_count() == 4


def test_interrupted_sync_is_recorded(ws: Workspace) -> None:
    name = _connect(ws)

    class Interrupted(FakeConnector):
        def fetch(self, cursor: Cursor, options: FetchOptions) -> Iterator[Page]:
            yield from super().fetch(cursor, options)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_account(ws, name, Interrupted(PAGES[:1]))
    stored = connections.account(ws.store, name)
    assert stored.last_status == "interrupted" and stored.cursor == {"page": 1} and ws.store.post_count() == 1


def test_reply_checks_sends_records_and_imports_into_the_thread(ws: Workspace) -> None:
    name = _connect(ws)
    sync_account(ws, name, FakeConnector(PAGES[:1]))
    connector = FakeConnector(PAGES)
    with pytest.raises(DraftRefused):
        send_reply(ws, "mastodon:1", "BUY NOW!!! 50% OFF with code SAVE50 https://shop.example", connector=connector)
    assert connector.replies == [] and connections.sent_replies(ws.store) == []
    text = "So sorry about the pole, Maya. Could you DM us your order number? We'll send a new one today. ^AB"
    result = send_reply(ws, "1", text, connector=connector)
    assert result.imported == 1 and result.verdict in ("pass", "warn") and connector.replies == [("1", text)]
    [sent] = connections.sent_replies(ws.store)
    assert (sent["in_reply_to"], sent["post_id"], sent["account"]) == ("1", result.post_id, name)
    with Workspace.open(ws.path) as again, again.sources() as sources:
        figures = response(sources)[0]
    assert figures.replied_threads == 1  # the reply is in the thread at once


def test_a_refused_send_records_nothing(ws: Workspace) -> None:
    _connect(ws)
    sync_account(ws, "NorthwindHelp@social.northwind.example", FakeConnector([[status(7, "x@y.example", "hi")]]))
    ws.store.con.execute("UPDATE posts SET post_id = 'refuse' WHERE post_id = '7'")
    with pytest.raises(ConnectorError):
        send_reply(ws, "refuse", "Thanks for reaching out, how can we help? ^AB", connector=FakeConnector(PAGES))
    assert connections.sent_replies(ws.store) == []


def test_a_credentials_file_others_can_read_is_refused(credentials_home: Path) -> None:
    credentials.store_secret("k", "v")
    os.chmod(credentials_home, 0o644)
    with pytest.raises(credentials.CredentialsError, match="chmod 600"):
        credentials.load_secret("k")


def test_cli_accounts_and_sync_through_the_registry(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _connect(ws)
    ws.close()
    from groundswell.connect import registry

    seen: list[str] = []

    def fake(ref: Any, secret: str) -> FakeConnector:
        seen.append(secret)
        return FakeConnector(PAGES)

    monkeypatch.setattr(registry, "connector_for", fake)
    runner = CliRunner()
    synced = runner.invoke(cli, ["sync", "--workspace", str(ws.path), "--json"])
    assert synced.exit_code == 0, synced.output
    [report] = json.loads(synced.stdout)
    assert (report["account"], report["imported"], report["status"]) == (name, 4, "done")
    assert seen == ["s3cret-token"]
    monkeypatch.setenv("GROUNDSWELL_MASTODON_TOKEN", "from-env")
    runner.invoke(cli, ["sync", "--workspace", str(ws.path)])
    assert seen[-1] == "from-env"
    listed = runner.invoke(cli, ["accounts", "--workspace", str(ws.path), "--json"])
    [account] = json.loads(listed.stdout)
    assert account["synced_imported"] == 4 and account["last_status"] == "done" and "cursor" not in account
    table = runner.invoke(cli, ["accounts", "--workspace", str(ws.path)], env={"COLUMNS": "200"}).stdout
    assert name in table and "done" in table
