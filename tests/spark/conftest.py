"""The demo world the Spark tests compute figures on."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.demo import build_demo
from groundswell.workspace import Workspace


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-post demo workspace, enriched with the fast tier (one per test module: some change its config)."""
    path = tmp_path_factory.mktemp("spark-demo") / "ws"
    build_demo(path, posts=3000, seed=5)
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
    return path
