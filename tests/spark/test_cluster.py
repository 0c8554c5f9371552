"""The pipeline on a real standalone Spark cluster: a master and two workers started from pyspark's own
``bin/spark-class`` on 127.0.0.1, and the CLI's commands run as a user runs them, each in a process of its
own, with ``[engine] master = "spark://..."``; every table and figure equal to a run on this machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import build_demo, demo_config_text, generate_world, write_posts_csv
from groundswell.workspace import Workspace
from spark_cluster import Cluster, standalone_cluster
from spark_tables import hostile_json_lines, kept_stage, stored_rows, stored_stage

pytestmark = [pytest.mark.spark, pytest.mark.slow]
WORKERS = 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs a Java runtime (java on PATH or JAVA_HOME)")
    with standalone_cluster(tmp_path_factory.mktemp("cluster"), workers=WORKERS) as running:
        yield running


def groundswell(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "groundswell.cli", *args], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def on_the_cluster(workspace: Path, url: str, *settings: str) -> None:
    config = workspace / "groundswell.toml"
    engine = "\n".join(["[engine]", 'kind = "spark"', f'master = "{url}"', 'driver_memory = "1g"', *settings])
    config.write_text(config.read_text(encoding="utf-8") + f"\n{engine}\n", encoding="utf-8")


def enrichments(workspace: Path) -> list[tuple[Any, ...]]:
    with Workspace.open(workspace) as ws:
        return sorted(ws.store.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments"))


def test_enrichment_and_figures_on_the_cluster_are_the_workspaces(cluster: Cluster, tmp_path: Path) -> None:
    """The same demo world twice: one enriched and scored on this machine, one on the cluster (the accurate
    tier, whose labels depend on how posts are batched)."""
    base = tmp_path / "base"
    build_demo(base, posts=3000, seed=5)
    here, there = tmp_path / "here", tmp_path / "there"
    shutil.copytree(base, here)
    shutil.copytree(base, there)
    on_the_cluster(there, cluster.url)
    env = cluster.env
    for workspace in (here, there):  # `there` on the cluster by its config, `here` on this machine
        assert groundswell(env, "enrich", "--json", "--model", "accurate", "--workspace", str(workspace))["enriched"]
    assert enrichments(there) == enrichments(here)
    on_cluster = groundswell(env, "scorecard", "--json", "--workspace", str(there))
    assert on_cluster == groundswell(env, "scorecard", "--json", "--workspace", str(here))
    assert all(index["components"] for index in on_cluster["indices"])
    ran = [app for app in cluster.status()["completedapps"] if app["name"] == "groundswell"]
    assert len(ran) >= 2, "the enrichment and the scorecard ran as applications of the cluster"


PIPELINE_POSTS = 100_000


def world_files(folder: Path) -> list[Path]:
    """A 100,000-post demo world as four CSV files, and 3,000 Mastodon statuses with bad lines (JSON Lines)."""
    folder.mkdir()
    world = list(generate_world(posts=PIPELINE_POSTS, seed=11))
    files = []
    for number in range(4):
        path = folder / f"world-{number}.csv"
        write_posts_csv(world[number * 25_000 : (number + 1) * 25_000], path)
        files.append(path)
    return [*files, hostile_json_lines(folder / "statuses.jsonl", statuses=3000)]


def test_the_pipeline_on_the_cluster_is_the_workspaces(cluster: Cluster, tmp_path: Path) -> None:
    """Import (the JSON Lines file in parts of 1 MB), enrichment, the threads stage, the figures and the report
    of one world, through the CLI: once on the cluster, once on this machine."""
    files = world_files(tmp_path / "files")
    here, there = tmp_path / "here", tmp_path / "there"
    for workspace in (here, there):
        workspace.mkdir()
        (workspace / "groundswell.toml").write_text(demo_config_text(), encoding="utf-8")
    on_the_cluster(there, cluster.url, "import_part_mb = 1")
    env = cluster.env
    found: dict[Path, dict[str, Any]] = {}
    for workspace in (here, there):
        ws = ("--workspace", str(workspace))
        found[workspace] = {
            "import": groundswell(env, "import", *map(str, files), "--json", *ws),
            "enrich": groundswell(env, "enrich", "--json", "--model", "fast", *ws)["enriched"],
            "scorecard": groundswell(env, "scorecard", "--json", *ws),
            "response": groundswell(env, "metrics", "response", "--json", "--by", "month", *ws),
            "report": {
                key: value
                for key, value in groundswell(env, "report", "--json", "--out", str(workspace / "r.html"), *ws).items()
                if key in ("unavailable", "period")  # not where it was written, its size or how long it took
            },
        }
    assert found[here]["enrich"] == PIPELINE_POSTS + found[here]["import"]["files"][-1]["imported"]
    assert found[there] == found[here]
    assert found[here]["import"]["rejected"] > 100 and not found[here]["report"]["unavailable"]
    assert stored_rows(there) == stored_rows(here)
    assert kept_stage(there) == stored_stage(here)
    apps = [app for app in cluster.status()["completedapps"] if app["name"] == "groundswell"]
    assert len(apps) >= 5, "each command ran as an application of the cluster"
