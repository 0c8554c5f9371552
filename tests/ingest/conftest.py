"""Fixtures of the importers' fuzz tests (test_fuzz_*.py): one workspace for all of a module's examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from groundswell.workspace import Workspace


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """An embedded workspace that lives through a module's examples (a fresh one each would be most of the time;
    every example's files have their own names and ids)."""
    with Workspace.init(tmp_path_factory.mktemp("fuzz") / "ws") as workspace:
        yield workspace


@pytest.fixture(scope="module")
def fuzz_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a module's examples write their files."""
    return tmp_path_factory.mktemp("files")
