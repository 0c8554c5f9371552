from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium_session import chromium  # noqa: F401 - a fixture for every test
from groundswell.workspace import Workspace
from labelled_workspaces import in_memory, make_sources, make_workspace  # noqa: F401 - fixtures for every test
from postgres_server import (  # noqa: F401 - fixtures for every test too
    backend,
    database,
    no_database_from_the_environment,
    postgres_database,
    postgres_server,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TWCS_SAMPLE = SHARED_DATA / "twcs" / "sample_head_1000.csv"


@pytest.fixture
def workspace(tmp_path: Path, database: str | None) -> Iterator[Workspace]:  # noqa: F811 - the fixture
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
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("groundswell-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
