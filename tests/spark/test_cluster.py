"""The figures on a real standalone Spark cluster: a master and two workers started from pyspark's own
``bin/spark-class`` on 127.0.0.1, and ``groundswell scorecard --engine spark`` run as a user runs it, in a
process of its own, against ``[engine] master = "spark://..."``; equal to the workspace's own figures."""

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


def test_the_scorecard_on_the_cluster_is_the_workspaces(cluster: Cluster, demo_ws: Path) -> None:
    url, env = cluster.url, cluster.env
    config = demo_ws / "groundswell.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[engine]\nkind = "spark"\nmaster = "{url}"\ndriver_memory = "1g"\n',
        encoding="utf-8",
    )
    on_cluster = groundswell(env, "scorecard", "--json", "--workspace", str(demo_ws))
    assert on_cluster == groundswell(env, "scorecard", "--json", "--engine", "workspace", "--workspace", str(demo_ws))
    ran = [app for app in cluster.status()["completedapps"] if app["name"] == "groundswell"]
    assert ran, "the scorecard ran as an application of the cluster"
    assert all(index["components"] for index in on_cluster["indices"])
