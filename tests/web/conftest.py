"""A real groundswell server on 127.0.0.1 for the web tests: uvicorn in a thread, stopped at the end (its
workspace, users and ``Server`` handle: tests/web_server.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from groundswell.accounts import add_user, create_token
from groundswell.store import connections
from groundswell.workspace import Workspace
from web_server import CONFIG, LABELS, PASSWORDS, POSTS, Server, free_port


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
    port = free_port()
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
