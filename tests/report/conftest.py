"""Fixtures for the report tests: a small enriched demo workspace and its report (the browser: tests/chromium_session.py)."""

from __future__ import annotations

import pytest

from groundswell.demo import build_demo
from groundswell.report import ReportResult
from groundswell.workspace import Workspace

DEMO_POSTS = 4000


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The report of a 4,000-post demo workspace classified with the fast model."""
    root = tmp_path_factory.mktemp("report-demo")
    result = build_demo(root / "ws", posts=DEMO_POSTS, seed=5)
    with Workspace.open(result.workspace) as ws:
        ws.enrich("fast")
        return ws.report(root / "report.html")
