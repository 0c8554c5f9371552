"""The scorecard on Spark (local and a standalone cluster) beside DuckDB's from-scratch build, in one run.

    .venv/bin/python benchmarks/spark_bench.py [--sizes 1000000] [--masters 'local[1]' 'local[2]' cluster]
        [--base 100000] [--workdir DIR]

Data: the generated workspaces of ``benchmarks/metrics_bench.py`` (a 100,000-post demo world, enriched with
the fast tier, copied into ``size`` posts; kept in ``--workdir`` and reused).

Jobs, each in its own process, on each size:

- ``duckdb``: the workspace's stored threads stage dropped, then the scorecard: the full stage build and
  the scorecard, DuckDB's cost from scratch;
- one per ``--masters`` entry (``cluster``: a standalone cluster of a master and two workers of one core
  and 3 GB each, started from pyspark's ``spark-class`` on 127.0.0.1 for the run): the scorecard with
  ``[engine] kind = "spark"`` on that master, timed in its parts: copying the tables to the warehouse
  (the warehouse is removed first, so every run pays it), starting the session, building the threads
  stage (kept in the warehouse, ``threads.kept``), every figure of the scorecard; then, as a later
  command on the same data would, the scorecard again from a new workspace object (``again``: the kept
  stage read, the figures computed again).

Prints seconds per part, the driver's peak RSS, each Spark total over DuckDB's, and whether every raw
component of the scorecard (first and again) is equal to DuckDB's. Needs the ``spark`` extra and Java 17.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))  # spark_cluster: the standalone cluster the tests start

from metrics_bench import (  # noqa: E402
    DEFAULT_WORKDIR,
    _peak_rss_mb,
    _raw,
    base_workspace,
    same,
    scaled_workspace,
)


def job_duckdb(path: Path, master: str) -> dict[str, Any]:
    from groundswell.threads import drop_stored
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        drop_stored(ws.store)
    started = time.perf_counter()
    with Workspace.open(path) as ws:
        card = ws.scorecard()
    return {"total_s": time.perf_counter() - started, "raw": _raw(card)}


def job_spark(path: Path, master: str) -> dict[str, Any]:
    from groundswell.metrics.scorecard import scorecard
    from groundswell.query.spark_session import spark_session
    from groundswell.store.warehouse import export_tables
    from groundswell.threads import build_threads
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        ws.engine = ws.engine.model_copy(update={"kind": "spark", "master": master, "driver_memory": "6g"})
        warehouse = ws.path / ws.engine.warehouse
        shutil.rmtree(warehouse, ignore_errors=True)
        started = time.perf_counter()
        export_tables(ws.store, warehouse)  # type: ignore[arg-type]
        exported = time.perf_counter()
        session, _ = spark_session(ws.engine)  # the session the workspace then finds active, and uses
        ready = time.perf_counter()
        with ws.computing() as sources:
            build_threads(sources)  # built, and kept in the warehouse version
            built = time.perf_counter()
            card = scorecard(sources)[0]
        done = time.perf_counter()
    with Workspace.open(path) as ws:  # a later command on the same data: the kept stage is read
        ws.engine = ws.engine.model_copy(update={"kind": "spark", "master": master})
        again = ws.scorecard()
        again_done = time.perf_counter()
    session.stop()
    return {
        "warehouse_s": exported - started,
        "session_s": ready - exported,
        "threads_s": built - ready,
        "figures_s": done - built,
        "total_s": done - started,
        "again_s": again_done - done,
        "raw": _raw(card),
        "again_equal": not same(_raw(card), _raw(again)),
    }


JOBS = {"duckdb": job_duckdb, "spark": job_spark}


def run_job(name: str, path: Path, master: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--job", name, str(path), master],
        capture_output=True,
        text=True,
        env=env,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]", "cluster"])
    parser.add_argument("--base", type=int, default=100_000, help="posts in the generated world that is copied")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--job", nargs=3, metavar=("NAME", "PATH", "MASTER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        name, path, master = args.job
        result = JOBS[name](Path(path), master)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_workspace(args.workdir, args.base)
    print(f"# {os.cpu_count()} CPUs; base world {args.base:,} posts; workdir {args.workdir}", flush=True)
    print(
        "posts,engine,warehouse_s,session_s,threads_s,figures_s,total_s,peak_rss_mb,total_over_duckdb,"
        "equal_to_duckdb,again_s,again_over_duckdb,again_equal"
    )
    for size in args.sizes:
        path = scaled_workspace(args.workdir, base, args.base, size)
        duck = run_job("duckdb", path, "")
        print(
            f"{size},duckdb (stage built + scorecard),,,,,{duck.get('total_s', 0):.1f},"
            f"{duck.get('peak_rss_mb', 0):.0f},1.00,,,,",
            flush=True,
        )
        for master in args.masters:
            if master == "cluster":
                from spark_cluster import standalone_cluster

                with (
                    tempfile.TemporaryDirectory(dir=args.workdir) as work,
                    standalone_cluster(Path(work), workers=2, cores=1, memory="3g") as cluster,
                ):
                    found = run_job("spark", path, cluster.url, env=cluster.env)
                label = "spark standalone cluster (2 workers x 1 core)"
            else:
                found = run_job("spark", path, master)
                label = f"spark {master}"
            if "error" in found:
                print(f"{size},{label},error: {found['error']}", flush=True)
                continue
            equal = not same(duck["raw"], found["raw"]) if "raw" in duck else "n/a"
            print(
                f"{size},{label},{found['warehouse_s']:.1f},{found['session_s']:.1f},{found['threads_s']:.1f},"
                f"{found['figures_s']:.1f},{found['total_s']:.1f},{found['peak_rss_mb']:.0f},"
                f"{found['total_s'] / duck['total_s']:.2f},{equal},{found['again_s']:.1f},"
                f"{found['again_s'] / duck['total_s']:.2f},{found['again_equal']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
