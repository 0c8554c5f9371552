"""The figures on a real standalone Spark cluster: a master and two workers started from pyspark's own
``bin/spark-class`` on 127.0.0.1, and ``groundswell scorecard --engine spark`` run as a user runs it, in a
process of its own, against ``[engine] master = "spark://..."``; equal to the workspace's own figures."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import build_demo
from groundswell.workspace import Workspace

pytestmark = [pytest.mark.spark, pytest.mark.slow]
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    # the cluster's JVMs stop when the test process does, however it ends (Linux: PR_SET_PDEATHSIG)
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _status(ui_port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as answer:
        found: dict[str, Any] = json.load(answer)
        return found


def _wait(ready: Any, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the Spark cluster: {what} not ready in {seconds:.0f} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, dict[str, str]]]:
    """A standalone cluster on 127.0.0.1: (master URL, the master's web UI port, the environment to run a
    driver in)."""
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs a Java runtime (java on PATH or JAVA_HOME)")
    home = Path(pyspark.__file__).parent
    work = tmp_path_factory.mktemp("cluster")
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(work / "logs"),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
    }
    port, ui_port = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    spark_class = str(home / "bin" / "spark-class")
    processes = []

    def start(name: str, *args: str) -> None:
        log = (work / f"{name}.log").open("w")
        processes.append(
            subprocess.Popen(
                [spark_class, *args], env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
        )

    try:
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
              "--webui-port", str(ui_port))  # fmt: skip
        _wait(lambda: _status(ui_port)["status"] == "ALIVE", "the master")
        for n in range(WORKERS):
            start(f"worker{n}", "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "1",
                  "--memory", "1g", "--webui-port", str(free_port()), "--work-dir", str(work / f"worker{n}"))  # fmt: skip
        _wait(lambda: _status(ui_port)["aliveworkers"] == WORKERS, f"{WORKERS} workers")
        yield url, ui_port, env
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cluster-ws") / "ws"
    build_demo(path, posts=3000, seed=5)
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
    return path


def groundswell(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "groundswell.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_scorecard_on_the_cluster_is_the_workspaces(
    cluster: tuple[str, int, dict[str, str]], demo_ws: Path
) -> None:
    url, ui_port, env = cluster
    config = demo_ws / "groundswell.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[engine]\nkind = "spark"\nmaster = "{url}"\ndriver_memory = "1g"\n',
        encoding="utf-8",
    )
    on_cluster = groundswell(env, "scorecard", "--json", "--workspace", str(demo_ws))
    assert on_cluster == groundswell(env, "scorecard", "--json", "--engine", "workspace", "--workspace", str(demo_ws))
    ran = [app for app in _status(ui_port)["completedapps"] if app["name"] == "groundswell"]
    assert ran, "the scorecard ran as an application of the cluster"
    assert all(index["components"] for index in on_cluster["indices"])
