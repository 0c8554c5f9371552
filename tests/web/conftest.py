"""A real groundswell server on 127.0.0.1 for the web tests: uvicorn in a thread, stopped at the end (its
workspace, users and ``Server`` handle: tests/web_server.py). ``server`` runs the app as ``groundswell serve``
does by default; ``make_server(**options)`` runs it with other ``create_app`` and uvicorn options."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

from groundswell.accounts import add_user, create_token
from groundswell.store import connections
from groundswell.workspace import Workspace
from web_server import CONFIG, LABELS, PASSWORDS, POSTS, Server, free_port

UVICORN_OPTIONS = ("proxy_headers", "forwarded_allow_ips")


@contextmanager
def _running(make_workspace: Any, database: str | None, **options: Any) -> Iterator[Server]:
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
    served = {k: v for k, v in options.items() if k in UVICORN_OPTIONS}
    served.setdefault("proxy_headers", False)  # as `groundswell serve` without --forwarded-allow-ips
    app = create_app(path, database=database or "", **{k: v for k, v in options.items() if k not in served})
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **served)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", path, token, database)
    finally:
        instance.should_exit = True
        thread.join(timeout=20)
        # reopen: the server closed the workspace; the next test's workspace is a new one
        Workspace.open(path, database=database or "").close()


@pytest.fixture
def server(make_workspace: Any, database: str | None) -> Iterator[Server]:
    """The app over a small workspace: embedded, or on PostgreSQL where a test module makes ``database``
    the ``backend`` (tests/postgres_server.py)."""
    with _running(make_workspace, database) as running:
        yield running


@pytest.fixture
def make_server(make_workspace: Any, database: str | None) -> Iterator[Callable[..., Server]]:
    """Start a server with ``create_app`` options (``max_upload_bytes=...``) and uvicorn's (``proxy_headers``,
    ``forwarded_allow_ips``); each is stopped at the end of the test."""
    with ExitStack() as stack:
        yield lambda **options: stack.enter_context(_running(make_workspace, database, **options))
