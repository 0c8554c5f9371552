"""Security headers on every kind of response, over real HTTP (``web.headers.SecurityHeaders``)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from groundswell.web.headers import DOCS_CSP, HSTS, OWN_CSP_HEADER, PAGE_CSP
from web_server import PASSWORDS, Server


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


@contextmanager
def _viewer(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=120) as client:
        assert client.post("/login", data={"name": "val", "password": PASSWORDS["val"]}).status_code == 303
        yield client


def _fixed_headers_once(response: httpx.Response) -> None:
    for name, value in (("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
                        ("referrer-policy", "same-origin")):  # fmt: skip
        assert response.headers.get_list(name) == [value], name
    assert OWN_CSP_HEADER not in response.headers


def test_api_answers_and_pages_carry_the_page_policy(server: Server) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}) as client:
        for path in ("/api/v1/me", "/api/v1/inbox", "/api/v1/scorecard"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers.get_list("content-security-policy") == [PAGE_CSP], path
            _fixed_headers_once(response)
        refused = client.get("/api/v1/inbox", headers={"Authorization": "Bearer gsw_not-a-token"})
        assert refused.status_code == 401
        assert refused.headers["content-security-policy"] == PAGE_CSP
    with _viewer(server) as viewer:
        page = viewer.get("/")
        assert page.status_code == 200 and page.headers.get_list("content-security-policy") == [PAGE_CSP]
        _fixed_headers_once(page)


def test_the_report_keeps_its_own_policy_with_script_hashes(server: Server) -> None:
    with _viewer(server) as viewer:
        report = viewer.get("/report")
        assert report.status_code == 200
        # the report file carries its policy in a meta tag (it is also opened from disk), which the page
        # policy's "script-src 'self'" would contradict: no header, the meta tag's own policy
        assert "content-security-policy" not in report.headers
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', report.text)
        assert policy and "'sha256-" in html.unescape(policy.group(1))
        _fixed_headers_once(report)


def test_the_api_docs_page_is_served_from_the_app_itself_under_a_policy(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        docs = client.get("/api/v1/docs")
        assert docs.status_code == 200
        assert docs.headers["content-security-policy"] == DOCS_CSP and "script-src 'self';" in DOCS_CSP
        _fixed_headers_once(docs)
        sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        assert len(sources) == 3 and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
        for source in sources:  # every script and style is the app's own, no CDN
            asset = client.get(source)
            assert asset.status_code == 200 and len(asset.content) > 100, source
        assert "SwaggerUIBundle" in client.get("/api/v1/docs/assets/swagger-ui-bundle.js").text
        assert "<script>" not in docs.text  # no inline script: the policy would refuse it


def test_pages_and_api_answers_are_never_stored_but_static_files_may_be(server: Server) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}) as client:
        for path in ("/api/v1/me", "/api/v1/scorecard", "/api/v1/openapi.json", "/api/v1/nothing-here"):
            assert client.get(path).headers.get_list("cache-control") == ["no-store"], path
        assert client.get("/static/app.css").headers.get("cache-control") != "no-store"
        assert "strict-transport-security" not in client.get("/api/v1/me").headers  # plain http: no HSTS
    with _viewer(server) as viewer:
        for path in ("/", "/report", "/login"):
            assert viewer.get(path).headers.get_list("cache-control") == ["no-store"], path


def test_hsts_when_cookies_are_secure(make_server: Callable[..., Server]) -> None:
    secure = make_server(secure_cookies=True)
    with httpx.Client(base_url=secure.url) as client:
        for path in ("/login", "/api/v1/openapi.json", "/static/app.css"):
            assert client.get(path).headers.get_list("strict-transport-security") == [HSTS], path
