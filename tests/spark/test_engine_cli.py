"""`--engine spark` on the CLI: the same figures as the workspace's own store, computed by Spark over the
warehouse's Parquet copies (here on the test run's local session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.demo import build_demo
from groundswell.workspace import Workspace


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engine") / "ws"
    build_demo(path, posts=3000, seed=5)
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
    return path


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_scorecard_on_spark_is_the_workspaces(spark: Any, demo_ws: Path) -> None:
    on_spark = run("scorecard", "--json", "--engine", "spark", "--workspace", str(demo_ws))
    assert on_spark == run("scorecard", "--json", "--workspace", str(demo_ws))
    assert all(index["components"] for index in on_spark["indices"]), "a scorecard with components"
    assert (demo_ws / "warehouse").is_dir()


@pytest.mark.parametrize("family", ["response", "voice"])
def test_metric_families_on_spark_are_the_workspaces(spark: Any, demo_ws: Path, family: str) -> None:
    on_spark = run("metrics", family, "--json", "--engine", "spark", "--workspace", str(demo_ws))
    assert on_spark == run("metrics", family, "--json", "--workspace", str(demo_ws))


def test_the_report_is_written_on_spark(spark: Any, demo_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    found = run("report", "--json", "--engine", "spark", "--out", str(out), "--workspace", str(demo_ws))
    assert found["unavailable"] == {} and out.stat().st_size > 100_000


def test_an_unknown_engine_is_bad_usage(demo_ws: Path) -> None:
    result = CliRunner().invoke(cli, ["scorecard", "--engine", "sparky", "--workspace", str(demo_ws)])
    assert result.exit_code == 2 and "sparky" in result.output
