"""The API docs page in a real browser (Debian's Chromium via Playwright): Swagger UI renders from the app's
own files under the page's Content-Security-Policy, with no request leaving the server and no violation."""

from __future__ import annotations

from typing import Any

from web_server import Server


def test_the_api_docs_render_under_the_policy_without_a_cdn(chromium: Any, server: Server) -> None:
    context = chromium.new_context()
    page = context.new_page()
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(server.url) else None)
    page.goto(f"{server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/scorecard" in p for p in paths) and any("/api/v1/imports" in p for p in paths)
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert elsewhere == []
    context.close()
