"""The web app over real HTTP on 127.0.0.1: sign-in, roles, CSRF, the inbox end to end, the API and imports;
each on the embedded workspace and on PostgreSQL."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from groundswell.accounts import SESSION_COOKIE
from web_server import PASSWORDS, Server


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


def _login(server: Server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    response = client.post("/login", data={"name": name, "password": PASSWORDS[name]})
    assert response.status_code == 303, response.text
    return client


def _csrf(client: httpx.Client, path: str = "/") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_signed_out_is_sent_to_sign_in_and_the_api_says_401(server: Server) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        assert client.get("/inbox").status_code == 303
        response = client.get("/api/v1/scorecard")
        assert response.status_code == 401 and response.json()["error"] == "NotSignedIn"
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "groundswell"


def test_session_cookie_flags_and_security_headers(server: Server) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        response = client.post("/login", data={"name": "kim", "password": PASSWORDS["kim"]})
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite" in cookie
        page = client.get("/inbox")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"


def test_wrong_passwords_are_refused_then_rate_limited(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        codes = [
            client.post("/login", data={"name": "kim", "password": "wrong-password!"}).status_code for _ in range(4)
        ]
        assert codes[:3] == [401] * 3 and codes[3] == 429  # the fourth try comes sooner than a second after
        # even the right password waits out the delay
        refused = client.post("/login", data={"name": "kim", "password": PASSWORDS["kim"]})
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 2


def test_each_role_is_refused_what_it_may_not_do(server: Server) -> None:
    viewer, agent = _login(server, "val"), _login(server, "kim")
    assert viewer.get("/").status_code == 200
    assert viewer.get("/inbox").status_code == 403
    assert viewer.get("/api/v1/inbox").status_code == 403
    token = _csrf(viewer)
    refused = viewer.post(
        "/api/v1/inbox/twitter/c1/assign", json={"assignee": "val", "version": 0}, headers={"X-CSRF-Token": token}
    )
    assert refused.status_code == 403
    upload = agent.post("/api/v1/imports", files={"file": ("x.csv", b"a,b\n")}, headers={"X-CSRF-Token": _csrf(agent)})
    assert upload.status_code == 403
    assert agent.get("/inbox").status_code == 200


def test_a_forged_cross_site_form_is_refused(server: Server) -> None:
    agent = _login(server, "kim")
    forged = agent.post("/inbox/twitter/c1/assign", data={"version": "0", "assignee": "mallory"})
    assert forged.status_code == 403
    wrong = agent.post("/inbox/twitter/c1/assign", data={"version": "0", "assignee": "mallory", "csrf_token": "x"})
    assert wrong.status_code == 403
    api = agent.post("/api/v1/inbox/twitter/c1/assign", json={"assignee": "mallory", "version": 0})
    assert api.status_code == 403
    assert agent.get("/api/v1/inbox").json()["items"][0]["assignee"] is None


def test_post_text_with_html_is_shown_as_text(server: Server) -> None:
    agent = _login(server, "kim")
    page = agent.get("/inbox").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page and "<script>window.__pwned" not in page
    assert "&lt;b&gt;eve&lt;/b&gt;" in page


def test_an_agent_works_an_item_end_to_end_and_the_help_rate_moves(server: Server) -> None:
    agent = _login(server, "kim")
    before = agent.get("/api/v1/metrics/help").json()[0]
    token = _csrf(agent, "/inbox")
    inbox = agent.get("/api/v1/inbox").json()
    keys = [i["key"] for i in inbox["items"]]
    assert keys[:3] == ["twitter:a2", "twitter:c1", "twitter:x1"]  # negative complaints first, longest wait first
    step = agent.post("/inbox/twitter/a2/assign", data={"version": "0", "assignee": "kim", "csrf_token": token})
    assert step.status_code == 303
    item = agent.get("/inbox/twitter/a2").text
    assert 'assigned to <strong id="item-assignee">kim</strong>' in item and "still nothing!" in item
    check = agent.post(
        "/api/v1/lint", json={"text": "Use code SAVE20 for 20% off! Shop now!", "reply_to": "twitter:a2"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert check.status_code == 200 and check.json()["verdict"] == "fail"
    assert agent.post("/inbox/twitter/a2/sent", data={"version": "1", "csrf_token": token}).status_code == 303
    done = agent.post("/inbox/twitter/a2/outcome", data={"version": "2", "outcome": "helped", "csrf_token": token})
    assert done.status_code == 303
    after = agent.get("/api/v1/metrics/help").json()[0]
    assert (before["helped"], before["not_helped"]) == (0, 1)
    assert (after["helped"], after["not_helped"], after["marked"]) == (1, 0, 1)
    assert [i["key"] for i in agent.get("/api/v1/inbox").json()["items"]] == ["twitter:c1", "twitter:x1", "twitter:q1"]


def test_mark_sent_keeps_the_draft_as_the_brands_reply_and_a_closed_item_shows_what_was_done(server: Server) -> None:
    agent = _login(server, "kim")
    token = _csrf(agent, "/inbox")
    before = agent.get("/api/v1/metrics/response").json()[0]
    text = "Yes, Ana: we ship to Spain in 3-5 days, free over 50 euros. ^KM"
    marked = agent.post("/inbox/twitter/q1/sent", data={"version": "0", "text": text, "csrf_token": token})
    assert marked.status_code == 303
    item = agent.get("/inbox/twitter/q1").text
    assert re.search(r'<li class="brand">\s*<div class="meta">AcmeHelp [^<]*</div>\s*<div class="text">Yes, Ana', item)
    assert 'id="sent-note"' in item and "Marked sent by kim" in item
    after = agent.get("/api/v1/metrics/response").json()[0]
    assert after["replied_threads"] == before["replied_threads"] + 1
    # sent now, months after the question: a reply to the thread, though not within the reply window
    assert (after["replied"], after["inbound_replied"]) == (before["replied"], before["inbound_replied"])
    assert "twitter:q1" not in [i["key"] for i in agent.get("/api/v1/inbox").json()["items"]]
    done = agent.post("/inbox/twitter/q1/outcome", data={"version": "1", "outcome": "helped", "csrf_token": token})
    assert done.status_code == 303
    closed = agent.get("/inbox/twitter/q1").text
    assert 'id="done"' in closed and 'id="done-outcome">helped<' in closed
    assert f'<blockquote id="done-reply">{text}</blockquote>' in closed
    for control in ('id="send-form"', 'id="mark-sent"', 'id="assign-form"', 'id="outcome-helped"', "Work it"):
        assert control not in closed, control


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # the embedded file has one writer: the server
def test_changes_made_elsewhere_show_on_postgresql(server: Server) -> None:
    """On PostgreSQL other processes write too (a second server, the command line): their changes reach this
    server's cached figures and inbox within seconds, and its agents' stale changes are refused."""
    assert server.database is not None
    from groundswell.inbox import mark_outcome
    from groundswell.workspace import Workspace

    agent = _login(server, "kim")
    assert agent.get("/api/v1/metrics/help").json()[0]["helped"] == 0
    assert "twitter:a2" in [i["key"] for i in agent.get("/api/v1/inbox").json()["items"]]
    with Workspace.open(server.workspace, database=server.database) as elsewhere:
        mark_outcome(elsewhere.store, "twitter", "a2", "helped", version=0, actor="val")
    deadline = time.monotonic() + 15
    while agent.get("/api/v1/metrics/help").json()[0]["helped"] != 1:
        assert time.monotonic() < deadline, "the other process's outcome mark never reached the figures"
        time.sleep(0.25)
    stale = agent.post(
        "/api/v1/inbox/twitter/a2/assign",
        json={"assignee": "kim", "version": 0},
        headers={"X-CSRF-Token": _csrf(agent)},
    )
    assert stale.status_code == 409 and "changed by val" in stale.json()["message"]
    assert "twitter:a2" not in [i["key"] for i in agent.get("/api/v1/inbox").json()["items"]]


def test_two_agents_one_wins_the_other_is_told(server: Server) -> None:
    kim, root = _login(server, "kim"), _login(server, "root")
    first = kim.post(
        "/api/v1/inbox/twitter/c1/assign", json={"assignee": "kim", "version": 0}, headers={"X-CSRF-Token": _csrf(kim)}
    )
    assert first.status_code == 200 and first.json()["version"] == 1
    second = root.post(
        "/api/v1/inbox/twitter/c1/assign", json={"assignee": "root", "version": 0},
        headers={"X-CSRF-Token": _csrf(root)},
    )  # fmt: skip
    assert second.status_code == 409
    assert second.json()["current"]["assignee"] == "kim" and "changed by kim" in second.json()["message"]


def test_api_token_for_scripts_and_a_streamed_import(server: Server) -> None:
    headers = {"Authorization": f"Bearer {server.root_token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        assert client.get("/api/v1/me").json()["name"] == "root"
        assert client.get("/api/v1/scorecard").json()["quadrant"]
        rows = "".join(f"twitter,n{i},u{i},2026-03-03T10:00:00Z,@AcmeHelp hello {i}\n" for i in range(500))
        csv_text = "platform,post_id,author_id,created_at,text\n" + rows + "twitter,bad,u1,not a date,oops\n"
        response = client.post("/api/v1/imports", files={"file": ("more.csv", csv_text.encode())})
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["read"], report["imported"], report["duplicates"], report["rejected"]) == (501, 500, 0, 1)
        assert (server.workspace / report["stored_as"]).is_file()  # kept: the posts' lineage names it
        assert report["stored_as"].startswith("uploads/")  # within the workspace: no server path in an answer
        again = client.post("/api/v1/imports", files={"file": ("more.csv", csv_text.encode())}).json()
        assert (again["imported"], again["duplicates"]) == (0, 500)
    with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer gsw_nope"}) as client:
        assert client.get("/api/v1/me").status_code == 401


class _Sender:
    """Stands in for a platform client: answers a send with the sent post in the platform's API shape."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def reply(self, platform_post_id: str, text: str, *, idempotency_key: str) -> Any:
        from groundswell.connect.base import Page, SentPost

        self.sent.append((platform_post_id, text))
        tweet = {
            "id": "900", "text": text, "author_id": "h", "created_at": "2026-03-02T12:30:00.000Z",
            "conversation_id": platform_post_id,
            "referenced_tweets": [{"type": "replied_to", "id": platform_post_id}],
        }  # fmt: skip
        page = {"data": [tweet], "includes": {"users": [{"id": "h", "username": "AcmeHelp", "name": "Acme"}]}}
        return SentPost("900", "https://x.example/AcmeHelp/status/900", Page("sent", page))


def test_send_through_the_connected_account_checks_then_posts_and_marks_sent(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    import groundswell.connect

    sender = _Sender()
    monkeypatch.setattr(groundswell.connect, "open_connector", lambda account: sender)
    agent = _login(server, "kim")
    token = _csrf(agent, "/inbox/twitter/c1")
    assert "Send from AcmeHelp" in agent.get("/inbox/twitter/c1").text
    pitch = agent.post(
        "/api/v1/inbox/twitter/c1/send", json={"text": "Use code SAVE20 for 20% off! Shop now!", "version": 0},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert pitch.status_code == 422 and sender.sent == []  # the checker fails a sales pitch to a complaint
    stale = agent.post(
        "/api/v1/inbox/twitter/c1/send", json={"text": "Sorry Bo, we are on it. ^KM", "version": 3},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert stale.status_code == 409 and sender.sent == []
    text = "So sorry, Bo. I've found your parcel's tracking and a courier will bring it tomorrow. ^KM"
    sent = agent.post("/inbox/twitter/c1/send", data={"text": text, "version": "0", "csrf_token": token})
    assert sent.status_code == 303 and sender.sent == [("c1", text)]
    # the reply is imported at once: the conversation is answered, so it no longer waits in the inbox
    assert "twitter:c1" not in [i["key"] for i in agent.get("/api/v1/inbox").json()["items"]]
    thread = agent.get("/api/v1/threads/twitter/c1").json()
    assert [p["post_id"] for p in thread["posts"]] == ["c1", "900"] and thread["posts"][1]["is_brand"]
    assert 'status: <strong id="item-status">sent</strong>' in agent.get("/inbox/twitter/c1").text.replace(
        "Status", "status"
    )
