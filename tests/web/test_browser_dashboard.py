"""The dashboard's charts in a real browser (Debian's Chromium, headless, via Playwright), on a demo workspace:
every chart draws, nothing is fetched from outside the app, nothing logs an error; then a filter, a drill-down
and an admin page. Screenshots go to artifacts/ (web-dashboard-charts.png, web-dashboard-platform.png,
web-drilldown.png, web-admin-config.png).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chart_layout import WIDTHS, chart_screenshots, layout_problems
from chromium_session import ARTIFACTS
from web_server import PASSWORDS, free_port

DEMO_POSTS = 2_000


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from groundswell.accounts import add_user
    from groundswell.demo.build import build_demo
    from groundswell.web import create_app
    from groundswell.workspace import Workspace

    root = tmp_path_factory.mktemp("web-demo")
    result = build_demo(root / "ws", posts=DEMO_POSTS, seed=5)
    with Workspace.open(result.workspace) as ws:
        ws.enrich("fast", workers=1)
        add_user(ws.store, "val", "viewer", PASSWORDS["val"], actor="test")
        add_user(ws.store, "root", "admin", PASSWORDS["root"], actor="test")
    port = free_port()
    instance = uvicorn.Server(
        uvicorn.Config(create_app(result.workspace), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=20)


class _Watch:
    """A page's console errors and every request it tried outside the app (refused)."""

    def __init__(self, context: Any, url: str) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.startswith(url + "/") or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)

    def attach(self, page: Any) -> Any:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page


def _sign_in(page: Any, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _charts_drawn(page: Any) -> int:
    page.wait_for_selector("body[data-charts-drawn]", timeout=60_000)
    charts = page.eval_on_selector_all(
        ".chart", "els => els.map(e => [e.id, e.querySelectorAll('svg.main-svg').length,"
        " e.querySelectorAll('path, rect, text').length])",
    )  # fmt: skip
    assert charts, "no chart on the page"
    for name, svgs, marks in charts:
        assert svgs > 0 and marks > 10, name
    drawn = int(page.get_attribute("body", "data-charts-drawn"))
    assert drawn == len(charts)
    return drawn


def test_the_dashboard_charts_draw_in_chromium_with_nothing_from_outside(chromium: Any, demo_url: str) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    watch = _Watch(context, demo_url)
    page = watch.attach(context.new_page())
    _sign_in(page, demo_url, "val")
    assert _charts_drawn(page) >= 12
    assert page.inner_text("#quadrant")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-dashboard-charts.png"), full_page=True)

    page.select_option("select[name=platform]", "mastodon")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/?*platform=mastodon*")
    assert _charts_drawn(page) >= 8
    assert "on mastodon" in page.inner_text("#selection")
    page.screenshot(path=str(ARTIFACTS / "web-dashboard-platform.png"), full_page=True)

    page.click("#component-response_rate a.drill >> nth=0")  # the numerator: the posts answered in time
    page.wait_for_url("**/threads?*figure=response_rate*part=numerator*")
    total = int(page.inner_text("#drill-total").replace(",", ""))
    page.go_back()
    numerator = int(page.inner_text("#component-response_rate a.drill >> nth=0").replace(",", ""))
    assert total == numerator > 0
    page.go_forward()
    page.wait_for_selector("#drill-total")
    page.screenshot(path=str(ARTIFACTS / "web-drilldown.png"), full_page=True)
    assert watch.errors == [] and watch.outside == []
    context.close()


def test_an_admin_is_told_why_a_config_was_refused(chromium: Any, demo_url: str) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    watch = _Watch(context, demo_url)
    page = watch.attach(context.new_page())
    page.goto(f"{demo_url}/login")
    page.fill("input[name=name]", "root")
    page.fill("input[name=password]", PASSWORDS["root"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{demo_url}/admin/config")
    text = page.input_value("textarea[name=text]")
    assert "target_hours = 1" in text  # the demo's config
    page.fill("textarea[name=text]", text.replace("target_hours = 1", "target_hours = -1", 1))
    page.click("#config-form button[type=submit]")
    page.wait_for_selector("#config-error")
    assert "target_hours" in page.inner_text("#config-error")
    page.screenshot(path=str(ARTIFACTS / "web-admin-config.png"), full_page=True)
    refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert [e for e in watch.errors if e != refused] == [] and watch.outside == []  # the 400 is the refusal
    context.close()


def test_the_dashboard_charts_read_on_a_desktop_and_a_phone(chromium: Any, demo_url: str) -> None:
    """No label cut or overlapping, no annotation on a bar, no chart wider than the window, at each width; each
    chart saved as ARTIFACTS/web-dashboard-{width}-chart-{name}.png."""
    for width in WIDTHS:
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        _sign_in(page, demo_url, "val")
        _charts_drawn(page)
        assert layout_problems(page) == [], width
        assert chart_screenshots(page, f"web-dashboard-{width}")
        context.close()
