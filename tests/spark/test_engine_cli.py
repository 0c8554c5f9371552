"""`--engine spark` on the CLI: the same figures as the workspace's own store, computed by Spark over the
warehouse's Parquet copies (here on the test run's local session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.demo import demo_config_text, generate_world, write_posts_csv
from groundswell.ingest.pipeline import ImportOptions
from groundswell.workspace import Workspace


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


def test_an_unknown_engine_is_bad_usage(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scorecard", "--engine", "sparky", "--workspace", str(tmp_path)])
    assert result.exit_code == 2 and "sparky" in result.output


# the accurate tier's output for a post depends on the batch it is classified in (docs/models.md): the test
# that Spark classifies exactly the batches of a local run
@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_enrichment_on_spark_gives_the_labels_of_a_local_run(spark: Any, tmp_path: Path, tier: str) -> None:
    posts = tmp_path / "posts.csv"
    write_posts_csv(generate_world(posts=6000, seed=9), posts)  # two batches and more
    found = {}
    for engine in ("workspace", "spark"):
        with Workspace.init(tmp_path / engine, config_text=demo_config_text()) as ws:
            ws.import_files([posts], ImportOptions(format="csv"))
        report = run("enrich", "--json", "--model", tier, "--engine", engine, "--workspace", str(tmp_path / engine))
        assert report["enriched"] > 1000
        with Workspace.open(tmp_path / engine) as ws:
            found[engine] = sorted(ws.store.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments"))
    assert found["spark"] == found["workspace"]
