"""Bad input answers 4xx with a message, never 500, on both stores (over real HTTP): far and empty periods,
huge offsets and limits, bodies that are no JSON, odd files; and no answer names a server path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from web_server import Server


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


JSON = {"content-type": "application/json"}
REFUSED: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/v1/scorecard?since=99999-01-01", {}),
    ("GET", "/api/v1/scorecard?since=2026-03-02&until=2026-03-01", {}),
    ("GET", "/api/v1/metrics/response?since=not-a-date", {}),
    ("GET", "/api/v1/metrics/nothing", {}),
    ("GET", "/api/v1/inbox?limit=99999999999999999999999", {}),
    ("GET", "/api/v1/inbox?offset=-1", {}),
    ("GET", "/api/v1/inbox?status=bogus", {}),
    ("POST", "/api/v1/lint", {"content": b"not json", "headers": JSON}),
    ("POST", "/api/v1/lint", {"content": b"\xff\xfe", "headers": JSON}),
    ("POST", "/api/v1/inbox/twitter/c1/assign", {"content": b"{", "headers": JSON}),
    ("POST", "/api/v1/inbox/twitter/c1/outcome", {"json": {"outcome": "bogus", "version": 0}}),
    ("POST", "/api/v1/posts/twitter/c1/labels", {"json": {"field": "sentiment", "value": ""}}),
    ("POST", "/api/v1/imports", {"json": {"file": "x"}}),
    ("POST", "/api/v1/imports", {"files": {"file": ("", b"a,b\n")}}),
    ("GET", "/api/v1/posts/twitter/nope", {}),
]
ANSWERED: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/v1/scorecard?since=9999-12-31", {}),
    ("GET", "/api/v1/scorecard?since=0001-01-01&until=9999-12-31", {}),
    ("GET", "/api/v1/scorecard?since=2026-03-02&until=2026-03-02", {}),  # an empty period
    ("GET", "/api/v1/metrics/response?since=2026-03-02&until=2026-03-02", {}),
    ("GET", "/api/v1/metrics/voice?by=month&since=9999-12-31", {}),
    ("GET", "/api/v1/inbox?offset=99999999999999999999999", {}),
    ("GET", "/api/v1/inbox?offset=2147483648&limit=500", {}),
    ("POST", "/api/v1/imports", {"files": {"file": ("x" * 300, b"a,b\n")}}),
    ("POST", "/api/v1/imports", {"files": {"file": ("nul.csv", b"platform,post_id,author_id,created_at,text\n"
                                                             b"twitter,z1,u1,2026-03-03T10:00:00Z,a\x00b\n")}}),
    ("POST", "/api/v1/imports", {"files": {"file": ("bytes.csv", b"\xff\xfe\x00\x81garbage\n\x00\x00")}}),
]  # fmt: skip


@pytest.fixture
def api(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}, timeout=60)


def test_bad_input_is_a_4xx_with_a_message(api: httpx.Client, server: Server) -> None:
    answers = {f"{method} {path}": api.request(method, path, **kw) for method, path, kw in REFUSED}
    wrong = {k: (r.status_code, r.text[:200]) for k, r in answers.items() if not 400 <= r.status_code < 500}
    assert wrong == {}
    assert all(r.json().get("message") for r in answers.values())
    assert not any(str(server.workspace) in r.text for r in answers.values())


def test_odd_but_valid_input_is_answered(api: httpx.Client, server: Server) -> None:
    answers = {f"{method} {path[:70]}": api.request(method, path, **kw) for method, path, kw in ANSWERED}
    wrong = {k: (r.status_code, r.text[:300]) for k, r in answers.items() if r.status_code != 200}
    assert wrong == {}
    assert not any(str(server.workspace) in r.text for r in answers.values())
