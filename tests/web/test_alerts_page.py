"""The alerts page over real HTTP on 127.0.0.1, with the watch running inside the server (``serve --watch``):
the alerts it raised with their evidence, the watch's last cycle and account health, acknowledge / snooze
behind the roles and CSRF; and the page in Chromium (screenshot: artifacts/web-alerts.png)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from chromium_session import ARTIFACTS
from groundswell.accounts import add_user
from groundswell.clock import utcnow
from groundswell.store import connections
from groundswell.workspace import Workspace
from web_server import PASSWORDS, free_port

CONFIG = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "AcmeHelp"\n[watch]\ninterval = "1s"\n'
HEAD = "platform,post_id,author_id,author_handle,created_at,text\n"


def posts_csv(tmp_path: Path) -> Path:
    """Two complaints waiting past the one-hour target, and a question still inside it."""
    now = utcnow().replace(microsecond=0)
    rows = [
        ("c1", "u1", "bo", now - timedelta(hours=3), "@AcmeHelp my parcel is lost and nobody answers"),
        ("c2", "u2", "ana", now - timedelta(hours=2), "@AcmeHelp the blender I bought broke on day one. Refund please"),
        ("q1", "u3", "fi", now - timedelta(minutes=10), "@AcmeHelp do you ship to Spain?"),
    ]
    path = tmp_path / "posts.csv"
    path.write_text(HEAD + "".join(f"twitter,{i},{a},{h},{t.isoformat()}Z,{x}\n" for i, a, h, t, x in rows))
    return path


@pytest.fixture
def database(backend: str | None) -> str | None:
    """The page and the watch inside the server, on the embedded workspace and on PostgreSQL."""
    return backend


@contextmanager
def watching_server(tmp_path: Path, database: str | None = None) -> Iterator[str]:
    import uvicorn

    from groundswell.web import create_app

    with Workspace.init(tmp_path / "ws", config_text=CONFIG, database=database or "") as ws:
        ws.import_files([posts_csv(tmp_path)])
        for name, role in (("kim", "agent"), ("val", "viewer")):
            add_user(ws.store, name, role, PASSWORDS[name], actor="test")
        # an account with no live connector (twitter): the watch shows it failing and backing off
        connections.add_account(
            ws.store, name="AcmeHelp", platform="twitter", handle="AcmeHelp", server="https://x.example",
            credential_key="twitter:AcmeHelp",
        )  # fmt: skip
    port = free_port()
    app = create_app(tmp_path / "ws", watch=True, database=database or "")
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=60)


def login(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
    assert client.post("/login", data={"name": name, "password": PASSWORDS[name]}).status_code == 303
    return client


def csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/alerts").text)
    assert found
    return found.group(1)


def wait_for_cycle(client: httpx.Client) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = client.get("/alerts").text
        if "Last cycle" in page and 'data-kind="waiting"' in page:
            return page
        time.sleep(0.5)
    raise AssertionError("the watch in the server raised nothing")


def test_the_server_watches_and_the_team_acknowledges_and_snoozes(tmp_path: Path, database: str | None) -> None:
    with watching_server(tmp_path, database) as url:
        kim = login(url, "kim")
        page = wait_for_cycle(kim)
        assert page.count('data-kind="waiting"') == 2  # c1 and c2; q1 is inside the target
        assert 'href="/inbox/twitter/c1"' in page and 'href="/inbox/twitter/c2"' in page
        assert "AcmeHelp" in page and "backoff" in page  # the account the watch cannot sync
        ids = re.findall(r'data-id="(\d+)" data-kind="waiting"', page)

        refused = kim.post(f"/alerts/{ids[0]}/acknowledge", data={"csrf_token": "forged"})
        assert refused.status_code == 403
        token = csrf(kim)
        done = kim.post(f"/alerts/{ids[0]}/acknowledge", data={"csrf_token": token})
        assert done.status_code == 303 and "acknowledged" in done.headers["location"]
        snoozed = kim.post(f"/alerts/{ids[1]}/snooze", data={"csrf_token": token, "snooze": "4h"})
        assert snoozed.status_code == 303
        shown = kim.get("/alerts").text
        assert "acknowledged" in shown and "snoozed" in shown and "by kim" in shown

        viewer = login(url, "val")
        assert viewer.get("/alerts").status_code == 403
    with Workspace.open(tmp_path / "ws", database=database or "") as ws:  # the watch ended with the server
        statuses = sorted(a.status for a in ws.alerts.kept())
        assert statuses == ["acknowledged", "snoozed"]
        assert ws.alerts.health()["account:AcmeHelp"]["state"] == "backoff"


@pytest.mark.browser
def test_the_alerts_page_in_the_browser(chromium: Any, tmp_path: Path) -> None:
    with watching_server(tmp_path) as url:
        wait_for_cycle(login(url, "kim"))
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/login")
        page.fill("input[name=name]", "kim")
        page.fill("input[name=password]", PASSWORDS["kim"])
        page.click("button[type=submit]")
        page.goto(f"{url}/alerts")
        page.wait_for_selector("tr.alert[data-kind='waiting']")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web-alerts.png"), full_page=True)
        page.click("tr.alert[data-kind='waiting'] button:has-text('Acknowledge')")
        page.wait_for_selector("text=acknowledged")
        assert page.locator("tr.alert[data-kind='waiting'] button:has-text('Acknowledge')").count() == 1
        context.close()
