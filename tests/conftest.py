from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from groundswell.workspace import Workspace

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TWCS_SAMPLE = SHARED_DATA / "twcs" / "sample_head_1000.csv"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace: a real DuckDB file in tmp_path, closed afterwards (DuckDB locks its file)."""
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def twcs_sample() -> Path:
    if not TWCS_SAMPLE.exists():
        pytest.skip(f"{TWCS_SAMPLE} is not here (../shared/data beside the project)")
    return TWCS_SAMPLE


@pytest.fixture
def shared_data() -> Path:
    """../shared/data: real, labelled third-party posts (CI has it beside the project)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not here (../shared/data beside the project)")
    return SHARED_DATA
