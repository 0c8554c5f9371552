"""A standalone Spark cluster on 127.0.0.1 for the tests and benchmarks/spark_bench.py: a master and workers
started from pyspark's own ``bin/spark-class`` (Java 17), each on free ports, stopped when the block ends or
when the process that started them dies, however it ends (Linux: ``PR_SET_PDEATHSIG``)."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Cluster:
    """A running cluster: its master's URL, its web UI's port (JSON status at ``/json/``), and the environment
    a driver on this machine runs in."""

    url: str
    ui_port: int
    env: dict[str, str]

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=5) as answer:
            found: dict[str, Any] = json.load(answer)
            return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait(ready: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the Spark cluster: {what} not ready in {seconds:.0f} s")


@contextmanager
def standalone_cluster(work: Path, *, workers: int = 2, cores: int = 1, memory: str = "1g") -> Iterator[Cluster]:
    """A master and ``workers`` workers of ``cores`` cores and ``memory`` each, logs and work folders in
    ``work``; yields once every worker has registered."""
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(work / "logs"),
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
    }
    port, ui_port = free_port(), free_port()
    cluster = Cluster(f"spark://127.0.0.1:{port}", ui_port, env)
    spark_class = str(home / "bin" / "spark-class")
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        log = (work / f"{name}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [spark_class, *args], env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
        )

    work.mkdir(parents=True, exist_ok=True)
    try:
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
              "--webui-port", str(ui_port))  # fmt: skip
        _wait(lambda: cluster.status()["status"] == "ALIVE", "the master")
        for n in range(workers):
            start(f"worker{n}", "org.apache.spark.deploy.worker.Worker", cluster.url, "--host", "127.0.0.1",
                  "--cores", str(cores), "--memory", memory, "--webui-port", str(free_port()),
                  "--work-dir", str(work / f"worker{n}"))  # fmt: skip
        _wait(lambda: cluster.status()["aliveworkers"] == workers, f"{workers} workers")
        yield cluster
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
