"""Fixtures for the report tests: a small enriched demo workspace and its report, and a real headless Chromium.

The browser is Debian's /usr/bin/chromium driven by Playwright for Python (never ``playwright install``). Where it
is missing the browser tests skip, except under CI (``CI`` set), where `.ci/run` installs it and a skip would hide
a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import build_demo
from groundswell.report import ReportResult, write_report
from groundswell.workspace import Workspace

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DEMO_POSTS = 4000


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The report of a 4,000-post demo workspace classified with the fast model."""
    root = tmp_path_factory.mktemp("report-demo")
    result = build_demo(root / "ws", posts=DEMO_POSTS, seed=5)
    with Workspace.open(result.workspace) as ws:
        ws.enrich("fast")
        return write_report(ws, root / "report.html")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium, shared by the session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
