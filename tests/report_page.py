"""Loading a report in the session's headless Chromium (tests/report/test_report_browser.py): console errors,
refused requests, dialogs, screenshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chromium_session import ARTIFACTS


@dataclass
class LoadedPage:
    """A page loaded from a file, with what it logged, the requests it tried and the dialogs it opened."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def open_report(browser: Any, path: Path, *, width: int = 1280) -> LoadedPage:
    """Load ``path`` in a window ``width`` px wide with every request outside the file itself refused (and
    recorded), and wait for the charts."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    loaded = LoadedPage(page)
    page.on("console", lambda m: loaded.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.console_errors.append(str(e)))

    def dialog(d: Any) -> None:
        loaded.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            loaded.requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-charts-drawn]", timeout=30_000)
    return loaded


def screenshot(loaded: LoadedPage, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    loaded.page.screenshot(path=str(target), full_page=True)
    return target
