"""An agent in a real browser (Debian's Chromium, headless, via Playwright): sign in, work an inbox item end to
end (assign, draft with a checker warning, mark sent, mark helped) and see the help rate move on the dashboard.

Screenshots go to artifacts/ (web-inbox.png, web-item.png, web-dashboard.png).
"""

from __future__ import annotations

from typing import Any

import pytest

from chromium_session import ARTIFACTS
from web_server import PASSWORDS, Server


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


def _help_rate(page: Any, server: Server) -> str:
    page.goto(f"{server.url}/")
    return str(page.inner_text("#component-help_rate td:nth-child(3)")).strip()


def test_an_agent_works_an_item_in_the_browser(chromium: Any, server: Server) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/login")
    page.fill("input[name=name]", "kim")
    page.fill("input[name=password]", PASSWORDS["kim"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/inbox")
    assert page.evaluate("window.__pwned") is None  # a post's <script> is text here
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-inbox.png"), full_page=True)
    before = _help_rate(page, server)

    page.goto(f"{server.url}/inbox")
    page.click("tr.item[data-key='twitter:a2'] a")
    page.wait_for_selector("#assign-form")
    page.click("#assign-form button")
    page.wait_for_selector("text=assigned to kim")
    page.fill("#draft", "Use code SAVE20 for 20% off everything! Shop now!")
    page.wait_for_selector("#draft-check .verdict.fail")
    assert "Rule 4" in page.inner_text("#draft-check")
    page.fill("#draft", "So sorry, Fi - that refund should have landed. I've chased it and it goes out today. ^KM")
    page.wait_for_selector("#draft-check .verdict:not(.fail)")
    page.screenshot(path=str(ARTIFACTS / "web-item.png"), full_page=True)
    page.click("#mark-sent")
    page.wait_for_selector("text=marked sent")
    page.click("#outcome-helped")
    page.wait_for_selector("text=outcome: helped")
    assert page.inner_text("#item-status") == "closed"
    assert "that refund should have landed" in page.inner_text("#done-reply")  # the draft, kept as the reply
    assert page.query_selector("#send-form") is None and page.query_selector("#mark-sent") is None
    page.screenshot(path=str(ARTIFACTS / "web-item-closed.png"), full_page=True)

    after = _help_rate(page, server)
    page.screenshot(path=str(ARTIFACTS / "web-dashboard.png"), full_page=True)
    assert (before, after) == ("0", "1")
    assert errors == []
    context.close()
