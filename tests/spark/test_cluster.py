"""Enrichment and figures on a real standalone Spark cluster: a master and two workers started from pyspark's
own ``bin/spark-class`` on 127.0.0.1, and ``groundswell enrich`` and ``scorecard`` run as a user runs them,
each in a process of its own, with ``[engine] master = "spark://..."``; equal to a run on this machine."""

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

from groundswell.demo import build_demo
from groundswell.workspace import Workspace
from spark_cluster import Cluster, standalone_cluster

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
        [sys.executable, "-m", "groundswell.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def on_the_cluster(workspace: Path, url: str) -> None:
    config = workspace / "groundswell.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[engine]\nkind = "spark"\nmaster = "{url}"\ndriver_memory = "1g"\n',
        encoding="utf-8",
    )


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
