"""A real groundswell server on 127.0.0.1 for the web tests: uvicorn in a thread, stopped at the end."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from groundswell.accounts import add_user, create_token
from groundswell.store import connections
from groundswell.workspace import Workspace

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
POSTS = HEAD + (
    "twitter,c1,u2,bo,10,2026-03-02T11:00:00Z,@AcmeHelp my parcel is lost,\n"
    'twitter,x1,u9,<b>eve</b>,10,2026-03-02T11:30:00Z,"@AcmeHelp <script>window.__pwned=1</script> broken again",\n'
    "twitter,q1,u1,ana,10,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?,\n"
    "twitter,a1,u7,fi,10,2026-03-02T07:00:00Z,@AcmeHelp refund missing,\n"
    "twitter,r1,h,AcmeHelp,9000,2026-03-02T07:30:00Z,@fi sorry - checking,a1\n"
    "twitter,a2,u7,fi,10,2026-03-02T08:30:00Z,@AcmeHelp still nothing!,r1\n"
)
LABELS = {
    "c1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "x1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "q1": {"sentiment": "neutral", "intent": "question", "needs_reply": True},
    "a1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "a2": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
}
PASSWORDS = {"root": "root-password-123", "kim": "kim-password-123", "val": "val-password-123"}


@dataclass
class Server:
    url: str
    workspace: Path
    root_token: str  # an API token of the admin, made before the server started (the CLI's way)
    database: str | None = None  # the PostgreSQL URL the workspace's data is in; None: the embedded file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(make_workspace: Any, database: str | None) -> Iterator[Server]:
    """The app over a small workspace: embedded, or on PostgreSQL where a test module makes ``database``
    the ``backend`` (tests/postgres_server.py)."""
    import uvicorn

    from groundswell.web import create_app

    ws = make_workspace(CONFIG, POSTS, LABELS)
    users = {name: add_user(ws.store, name, role, PASSWORDS[name], actor="test")
             for name, role in (("root", "admin"), ("kim", "agent"), ("val", "viewer"))}  # fmt: skip
    token = create_token(ws.store, users["root"], "script", actor="root")
    # a connected account to send from (its client is replaced in the send test: twitter has no live connector)
    connections.add_account(
        ws.store, name="AcmeHelp", platform="twitter", handle="AcmeHelp", server="https://x.example",
        credential_key="twitter:AcmeHelp",
    )  # fmt: skip
    path = ws.path
    ws.close()
    port = _free_port()
    config = uvicorn.Config(create_app(path, database=database or ""), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", path, token, database)
    instance.should_exit = True
    thread.join(timeout=20)
    # reopen: the server closed the workspace; the next test's workspace is a new one
    Workspace.open(path, database=database or "").close()
