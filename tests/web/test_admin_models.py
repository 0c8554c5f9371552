"""The admin models page over real HTTP: agents' corrections in through the post form, a fast-tier version
trained from them by the admin's button; refused to other roles and to forged forms."""

from __future__ import annotations

import re

import httpx
import pytest

from groundswell.accounts import entries
from groundswell.workspace import Workspace
from web_server import PASSWORDS, Server


@pytest.fixture
def database() -> None:
    """The embedded workspace: the trained files live in its folder whatever the database."""
    return None


def _login(server: Server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=120)
    assert client.post("/login", data={"name": name, "password": PASSWORDS[name]}).status_code == 303
    return client


def _csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def test_only_admins_see_the_page_and_press_the_button(server: Server) -> None:
    for name in ("val", "kim"):
        client = _login(server, name)
        assert client.get("/admin/models").status_code == 403
        assert client.post("/admin/models", data={"task": "all", "csrf_token": _csrf(client)}).status_code == 403
    root = _login(server, "root")
    for form in ({}, {"csrf_token": "forged"}):
        assert root.post("/admin/models", data={**form, "task": "all"}).status_code == 403
    assert not (server.workspace / "models").exists()


def test_corrections_then_the_button_makes_a_new_version(server: Server) -> None:
    root = _login(server, "root")
    token = _csrf(root)
    refused = root.post("/admin/models", data={"task": "all", "csrf_token": token})
    assert refused.status_code == 303 and "not%20trained" in refused.headers["location"]
    assert "no label corrections" in root.get(refused.headers["location"]).text

    kim = _login(server, "kim")
    kim_token = _csrf(kim)
    for post_id, value in (("c1", "negative"), ("q1", "neutral"), ("a1", "negative"), ("a2", "positive")):
        corrected = kim.post(
            f"/posts/twitter/{post_id}/labels",
            data={"field": "sentiment", "value": value, "csrf_token": kim_token, "back": "/inbox"},
        )
        assert corrected.status_code == 303, corrected.text
    page = root.get("/admin/models").text
    assert re.search(r'data-task="sentiment"><td>sentiment</td><td class="n">4</td>', page)

    trained = root.post("/admin/models", data={"task": "sentiment", "csrf_token": token})
    assert trained.status_code == 303 and "trained%20fast%2Bws1" in trained.headers["location"]
    page = root.get("/admin/models").text
    assert 'data-model="fast+ws1"' in page and "(4 corrections)" in page
    assert (server.workspace / "models" / "fast+ws1" / "sentiment" / "model.json").is_file()
    with Workspace.open(server.workspace) as ws:
        logged = [(e.actor, e.target) for e in entries(ws.store, action="models.train")]
    assert logged == [("root", "fast+ws1")]
