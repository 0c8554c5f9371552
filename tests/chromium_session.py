"""A real headless Chromium for the browser tests, shared by the session (registered in tests/conftest.py).

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

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("GROUNDSWELL_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts")
"""Screenshots the browser tests save, for a person to look at: ``$GROUNDSWELL_TEST_ARTIFACTS``, else artifacts/."""
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
