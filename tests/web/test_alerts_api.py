"""The alerts in the REST API over real HTTP on 127.0.0.1, on both stores: alerts the rules raised, listed by
status and kind a page at a time, one read with its delivery log, acknowledged and snoozed behind the roles,
the CSRF token of a session and the bearer token of a script."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from groundswell.accounts import add_user, create_token
from groundswell.clock import utcnow
from groundswell.workspace import Workspace
from web_server import PASSWORDS, free_port

CONFIG = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "AcmeHelp"\n'
HEAD = "platform,post_id,author_id,author_handle,created_at,text\n"


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def posts_csv(tmp_path: Path) -> Path:
    """Three complaints waiting past the one-hour target (three ``waiting`` alerts), the first author's second
    complaint (a ``returning complaint`` too)."""
    now = utcnow().replace(microsecond=0)
    rows = [
        ("c1", "u1", "bo", now - timedelta(hours=4), "@AcmeHelp my parcel is lost and nobody answers"),
        ("c2", "u2", "ana", now - timedelta(hours=3), "@AcmeHelp the blender I bought broke on day one. Refund please"),
        ("c3", "u1", "bo", now - timedelta(hours=2), "@AcmeHelp still no parcel and this is the worst service ever"),
    ]
    path = tmp_path / "posts.csv"
    path.write_text(HEAD + "".join(f"twitter,{i},{a},{h},{t.isoformat()}Z,{x}\n" for i, a, h, t, x in rows))
    return path


@contextmanager
def serving(tmp_path: Path, database: str | None) -> Iterator[tuple[str, str]]:
    """The app over a workspace whose rules have run once; its URL and the admin's API token."""
    import uvicorn

    from groundswell.web import create_app

    with Workspace.init(tmp_path / "ws", config_text=CONFIG, database=database or "") as ws:
        ws.import_files([posts_csv(tmp_path)])
        ws.enrich("fast")
        ws.check_alerts()
        users = {name: add_user(ws.store, name, role, PASSWORDS[name], actor="test")
                 for name, role in (("root", "admin"), ("kim", "agent"), ("val", "viewer"))}  # fmt: skip
        token = create_token(ws.store, users["root"], "script", actor="root")
    port = free_port()
    app = create_app(tmp_path / "ws", database=database or "")
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        instance.should_exit = True
        thread.join(timeout=30)


def login(url: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
    assert client.post("/login", data={"name": name, "password": PASSWORDS[name]}).status_code == 303
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert found
    return client, found.group(1)


def test_alerts_are_listed_read_acknowledged_and_snoozed_over_the_api(tmp_path: Path, database: str | None) -> None:
    with serving(tmp_path, database) as (url, token):
        kim, csrf = login(url, "kim")
        listed = kim.get("/api/v1/alerts").json()
        kinds = sorted(a["kind"] for a in listed["items"])
        assert kinds == ["returning complaint", "waiting", "waiting", "waiting"] and listed["total"] == 4
        waiting = kim.get("/api/v1/alerts", params={"kind": "waiting", "limit": 2}).json()
        assert (waiting["total"], len(waiting["items"]), waiting["limit"], waiting["offset"]) == (3, 2, 2, 0)
        rest = kim.get("/api/v1/alerts", params={"kind": "waiting", "limit": 2, "offset": 2}).json()
        pages = [a["alert_id"] for a in waiting["items"] + rest["items"]]
        assert len(rest["items"]) == 1 and len(set(pages)) == 3
        assert [a["first_seen_at"] for a in waiting["items"]] == sorted(
            (a["first_seen_at"] for a in waiting["items"]), reverse=True
        )
        returning = kim.get("/api/v1/alerts", params={"kind": "returning complaint"}).json()["items"]
        assert [p["post_id"] for p in returning[0]["posts"]] == ["c3"]

        first = pages[0]
        one = kim.get(f"/api/v1/alerts/{first}").json()
        assert one["alert_id"] == first and one["deliveries"] == [] and one["posts"]
        assert kim.get("/api/v1/alerts/999999").status_code == 404
        assert kim.get("/api/v1/alerts", params={"status": "gone"}).status_code == 400
        assert kim.get("/api/v1/alerts", params={"kind": "rumour"}).status_code == 400

        # a session's change needs its CSRF token
        assert kim.post(f"/api/v1/alerts/{first}/acknowledge").status_code == 403
        done = kim.post(f"/api/v1/alerts/{first}/acknowledge", headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200 and (done.json()["status"], done.json()["updated_by"]) == ("acknowledged", "kim")
        second = pages[1]
        snoozed = kim.post(f"/api/v1/alerts/{second}/snooze", json={"hours": 4}, headers={"X-CSRF-Token": csrf})
        assert snoozed.status_code == 200 and snoozed.json()["status"] == "snoozed"
        until = snoozed.json()["snoozed_until"]
        assert timedelta(hours=3.9) < (utcnow().fromisoformat(until) - utcnow()) <= timedelta(hours=4)
        too_long = kim.post(f"/api/v1/alerts/{second}/snooze", json={"hours": 1000}, headers={"X-CSRF-Token": csrf})
        assert too_long.status_code == 422
        assert kim.post("/api/v1/alerts/999999/acknowledge", headers={"X-CSRF-Token": csrf}).status_code == 404

        acked = kim.get("/api/v1/alerts", params={"status": "acknowledged"}).json()
        assert [a["alert_id"] for a in acked["items"]] == [first] and acked["total"] == 1

        # a viewer may not see the team's alerts; a script with a bearer token acts without CSRF
        viewer, viewer_csrf = login(url, "val")
        assert viewer.get("/api/v1/alerts").status_code == 403
        refused = viewer.post(f"/api/v1/alerts/{pages[2]}/acknowledge", headers={"X-CSRF-Token": viewer_csrf})
        assert refused.status_code == 403
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as script:
            assert script.post(f"/api/v1/alerts/{pages[2]}/snooze").json()["status"] == "snoozed"
            assert script.get("/api/v1/alerts", params={"status": "snoozed"}).json()["total"] == 2

    with Workspace.open(tmp_path / "ws", database=database or "") as ws:
        assert sorted(a.status for a in ws.alerts.kept()) == ["acknowledged", "open", "snoozed", "snoozed"]
