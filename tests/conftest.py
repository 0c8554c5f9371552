"""Fixtures for every test, and the markers that split the suite into what a plain `pytest` runs and the rest.

A test is marked by what it needs, read from the fixtures it uses (``HEAVY_FIXTURES``), from a parameter that puts
it on PostgreSQL (the ``backend`` switch, or a fixture of its own parametrised ``"postgresql"``), from the optional
packages its module imports (``torch``), or from the ``SLOW`` list: ``postgres``, ``browser``, ``spark``,
``bluesky``, ``torch``, ``slow``. pyproject.toml's addopts deselect them all; ``pytest -m ""`` runs everything
(README.md, "Run the tests"). Session fixtures are one per xdist worker; the tests of an expensive one share a
worker (``xdist_group``) so that it starts once.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.workspace import Workspace

# The helper modules beside this file (tests/ is on sys.path: `pythonpath` in pyproject.toml) whose fixtures
# every test can ask for: the browser, the labelled workspaces and sources, PostgreSQL and the `backend` switch.
pytest_plugins = ["chromium_session", "labelled_workspaces", "postgres_server"]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TWCS_SAMPLE = SHARED_DATA / "twcs" / "sample_head_1000.csv"


@pytest.fixture
def workspace(tmp_path: Path, database: str | None) -> Iterator[Workspace]:
    """A fresh workspace: a real DuckDB file in tmp_path (or ``database``), closed afterwards (DuckDB locks
    its file)."""
    ws = Workspace.init(tmp_path / "ws", database=database or "")
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


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local PySpark session (2 cores, UTC, few shuffle partitions), shared by the whole run and stopped at its end.

    Skips where pyspark (the ``spark`` extra) or a Java runtime is missing.
    """
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs a Java runtime (java on PATH or JAVA_HOME)")
    from groundswell.config import Engine
    from groundswell.query.spark_session import spark_session

    session, _ = spark_session(Engine(kind="spark", master="local[2]", driver_memory="1g", shuffle_partitions=4))
    yield session
    session.stop()


# fixture -> the marker of the tests that use it (directly or through another fixture)
HEAVY_FIXTURES = {
    "postgres_server": "postgres",
    "postgres_database": "postgres",
    "chromium": "browser",
    "spark": "spark",
    "bluesky_network": "bluesky",
}
# optional packages a test module imports (pytest.importorskip) -> the marker of its tests
HEAVY_MODULES = {"torch": "torch", "transformers": "torch", "pyspark": "spark"}
# session fixtures too costly to start on every xdist worker: their tests run on one worker
ONE_WORKER = {"spark": "spark", "bluesky_network": "bluesky", "demo_report": "demo-report"}
# tests that take over ~10 s alone on two cores (pytest --durations), by node id prefix
SLOW = (
    "tests/cli/test_cli_demo.py::test_demo_builds_a_workspace_and_prints_its_summary",
    "tests/metrics/test_participation.py::test_participation_invariants",
    "tests/metrics/test_response.py::test_invariants",
    "tests/metrics/test_scorecard.py::test_invariants",
    "tests/metrics/test_voice.py::test_voice_invariants",
    "tests/web/test_dashboard.py::test_the_drill_down_lists_exactly_what_each_figure_counts",
    "tests/test_counts.py::test_every_view_counts_the_same",
)


def _markers(item: pytest.Item) -> set[str]:
    names = set(getattr(item, "fixturenames", ()))
    found = {HEAVY_FIXTURES[name] for name in names & HEAVY_FIXTURES.keys()}
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgresql" in callspec.params.values():
        found.add("postgres")
    module = getattr(item, "module", None)
    for name, marker in HEAVY_MODULES.items():
        if module is not None and type(getattr(module, name, None)) is type(sys):
            found.add(marker)
    if item.nodeid.startswith(SLOW):
        found.add("slow")
    return found


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted(_markers(item)):
            item.add_marker(marker)
        names = set(getattr(item, "fixturenames", ()))
        groups = sorted(ONE_WORKER[name] for name in names & ONE_WORKER.keys())
        if groups:
            item.add_marker(pytest.mark.xdist_group(groups[0]))


@pytest.fixture
def credentials_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Platform secrets go to a file under tmp_path, never to the machine's keyring or config."""
    from groundswell.connect import credentials

    path = tmp_path / "config" / "credentials.json"
    monkeypatch.setenv(credentials.CREDENTIALS_ENV, str(path))
    monkeypatch.setattr(credentials, "_keyring", lambda: None)
    monkeypatch.delenv("GROUNDSWELL_MASTODON_TOKEN", raising=False)
    return path
