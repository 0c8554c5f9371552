"""The scorecard on Spark (local and a standalone cluster) beside DuckDB's from-scratch build, in one run.

    .venv/bin/python benchmarks/spark_bench.py [--sizes 1000000] [--masters 'local[1]' 'local[2]' cluster]
        [--base 100000] [--workdir DIR] [--import-sizes 1000000] [--files 4] [--refresh-sizes 1000000]
        [--new-posts 10000]

Data: the generated workspaces of ``benchmarks/metrics_bench.py`` (a 100,000-post demo world, enriched with
the fast tier, copied into ``size`` posts; kept in ``--workdir`` and reused).

Jobs, each in its own process, on each size:

- ``duckdb``: the workspace's stored threads stage dropped, then the scorecard: the full stage build and
  the scorecard, DuckDB's cost from scratch;
- one per ``--masters`` entry (``cluster``: a standalone cluster of a master and two workers of one core
  and ``--worker-gb`` (3) GB each (executors of 512 MB less), started from pyspark's ``spark-class`` on 127.0.0.1 for the run): the scorecard with
  ``[engine] kind = "spark"`` on that master, timed in its parts: copying the tables to the warehouse
  (the warehouse is removed first, so every run pays it), starting the session, building the threads
  stage (kept in the warehouse, ``threads.kept``), every figure of the scorecard; then, as a later
  command on the same data would, the scorecard again from a new workspace object (``again``: the kept
  stage read, the figures computed again).

Prints seconds per part, the driver's peak RSS, each Spark total over DuckDB's, and whether every raw
component of the scorecard (first and again) is equal to DuckDB's.

Refresh (``--refresh-sizes``, a third table): on a copy of the size's workspace, the scorecard on Spark (the
threads stage built and kept), then ``--new-posts`` new posts imported on this machine (the latest posts again
under new ids, ``metrics_bench.new_posts_csv``: replies into existing conversations, and new ones) and
enriched, then the scorecard on Spark again, timed in its parts: the new warehouse version, the threads stage
refreshed from the older version's (``threads.kept``), the figures; beside the first build, and checked equal
to the scorecard of the copy's own file.

Import (``--import-sizes``, a fourth table): a demo world of that many posts written as ``--files`` CSV
files (made once, kept in the workdir), imported into a new workspace on this machine and then with
``[engine] kind = "spark"`` on each master (the session's start timed apart); the posts and rejects counted
on both must be equal. Needs the ``spark`` extra and Java 17.
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
from collections.abc import Iterator
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
    incremental_copy,
    same,
    scaled_workspace,
)

WORKER_GB = 3  # each of the standalone cluster's two workers, unless --worker-gb
WORKER_GB_ENV = "GROUNDSWELL_BENCH_WORKER_GB"


def executor_memory() -> str:
    """What an executor may take of its worker's memory: all but 512 MB (the job's process is told the
    worker's size by the environment)."""
    worker_gb = int(os.environ.get(WORKER_GB_ENV, WORKER_GB))
    return f"{worker_gb * 1024 - 512}m"


def job_duckdb(path: Path, master: str) -> dict[str, Any]:
    from groundswell.threads import drop_stored
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        drop_stored(ws.store)
    started = time.perf_counter()
    with Workspace.open(path) as ws:
        card = ws.scorecard()
    return {"total_s": time.perf_counter() - started, "raw": _raw(card)}


def on_spark(ws: Any, master: str) -> Path:
    """``ws`` set to compute on Spark at ``master`` with the benchmark's memory; its warehouse removed, so the
    run pays the copy; the warehouse's path."""
    ws.engine = ws.engine.model_copy(
        update={"kind": "spark", "master": master, "driver_memory": "6g", "executor_memory": executor_memory()}
    )
    warehouse: Path = ws.path / ws.engine.warehouse
    shutil.rmtree(warehouse, ignore_errors=True)
    return warehouse


def job_spark(path: Path, master: str) -> dict[str, Any]:
    from groundswell.metrics.scorecard import scorecard
    from groundswell.query.spark_session import spark_session
    from groundswell.store.warehouse import export_tables
    from groundswell.threads import build_threads
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        warehouse = on_spark(ws, master)
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


def job_refresh(path: Path, master: str) -> dict[str, Any]:
    """On a copy made beforehand (``path``, the new posts' CSV beside it): see the module doc."""
    from groundswell.ingest.pipeline import ImportOptions
    from groundswell.metrics.scorecard import scorecard
    from groundswell.query.spark_session import spark_session
    from groundswell.store.warehouse import export_tables
    from groundswell.threads import build_threads
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        warehouse = on_spark(ws, master)
        session, _ = spark_session(ws.engine)
        started = time.perf_counter()
        with ws.computing() as sources:
            build_threads(sources)
        first = time.perf_counter()
        ws.use_engine("workspace")
        report = ws.import_files([path.parent / f"{path.name}.csv"], ImportOptions(format="csv"))
        imported = time.perf_counter()
        ws.enrich("fast", workers=1)
        enriched = time.perf_counter()
        ws.use_engine("spark")
        export_tables(ws.store, warehouse)  # type: ignore[arg-type]
        exported = time.perf_counter()
        with ws.computing() as sources:
            build_threads(sources)  # refreshed from the older version's stage
            refreshed = time.perf_counter()
            card = scorecard(sources)[0]
        done = time.perf_counter()
    session.stop()
    with Workspace.open(path) as ws:  # the copy's own file: its stored stage refreshed at the import
        local = ws.scorecard()
    return {
        "first_threads_s": first - started,
        "imported": report.imported,
        "import_s": imported - first,
        "enrich_s": enriched - imported,
        "warehouse_s": exported - enriched,
        "threads_s": refreshed - exported,
        "figures_s": done - refreshed,
        "total_s": done - enriched,
        "equal": not same(_raw(card), _raw(local)),
    }


def job_import(files_folder: Path, master: str) -> dict[str, Any]:
    from groundswell.demo import demo_config_text
    from groundswell.query.spark_session import spark_session
    from groundswell.workspace import Workspace

    files = sorted(files_folder.glob("*.csv"))
    path = files_folder.parent / f"{files_folder.name}-imported"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    (path / "groundswell.toml").write_text(demo_config_text(), encoding="utf-8")
    with Workspace.open(path) as ws:
        session_s = 0.0
        if master:
            ws.engine = ws.engine.model_copy(
                update={"kind": "spark", "master": master, "driver_memory": "4g", "executor_memory": executor_memory()}
            )
            started = time.perf_counter()
            session, _ = spark_session(ws.engine)
            session_s = time.perf_counter() - started
        started = time.perf_counter()
        report = ws.import_files(files)
        import_s = time.perf_counter() - started
        posts = ws.store.post_count()
    shutil.rmtree(path, ignore_errors=True)
    if master:
        session.stop()
    return {
        "session_s": session_s,
        "import_s": import_s,
        "posts": posts,
        "read": report.read,
        "rejected": report.rejected,
    }


def import_files(workdir: Path, size: int, files: int) -> Path:
    """A demo world of ``size`` posts as ``files`` CSV files (made once)."""
    from groundswell.demo import generate_world, write_posts_csv

    folder = workdir / f"import-{size}-{files}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    world = generate_world(posts=size, seed=17)
    per_file = -(-size // files)
    for number in range(files):
        write_posts_csv((post for _, post in zip(range(per_file), world, strict=False)), folder / f"{number}.csv")
    (folder / ".complete").write_text("", encoding="utf-8")
    print(f"# wrote {size:,} posts as {files} CSV files in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


JOBS = {"duckdb": job_duckdb, "spark": job_spark, "refresh": job_refresh, "import": job_import}


def run_job(name: str, path: Path, master: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--job", name, str(path), master],
        capture_output=True,
        text=True,
        env=env,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        log = path.parent / f"{name}-{path.name}-{master.replace('/', '_').replace(':', '_')}.log"
        log.write_text(done.stderr, encoding="utf-8")
        return {"error": f"exit {done.returncode}, its output in {log}"}
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]", "cluster"])
    parser.add_argument("--base", type=int, default=100_000, help="posts in the generated world that is copied")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--import-sizes", type=int, nargs="*", default=[], help="posts to import, per run")
    parser.add_argument("--files", type=int, default=4, help="CSV files an import's posts are written in")
    parser.add_argument("--refresh-sizes", type=int, nargs="*", default=[], help="workspace sizes to refresh")
    parser.add_argument("--new-posts", type=int, default=10_000, help="posts imported before a refresh")
    parser.add_argument("--worker-gb", type=int, default=WORKER_GB, help="memory of each cluster worker, GB")
    parser.add_argument("--job", nargs=3, metavar=("NAME", "PATH", "MASTER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        name, path, master = args.job
        result = JOBS[name](Path(path), master)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    os.environ[WORKER_GB_ENV] = str(args.worker_gb)  # the clusters' workers, and what each job's executors take
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_workspace(args.workdir, args.base)
    print(f"# {os.cpu_count()} CPUs; base world {args.base:,} posts; workdir {args.workdir}", flush=True)
    if args.sizes:
        scorecards(args, base)
    if args.refresh_sizes:
        refreshes(args, base)
    if args.import_sizes:
        imports(args)


def on_master(master: str, workdir: Path, job: str, path: Path) -> tuple[str, dict[str, Any]]:
    """Run ``job`` on ``master`` (``cluster``: a standalone cluster started for it); its label and result."""
    if master != "cluster":
        return f"spark {master}", run_job(job, path, master)
    from spark_cluster import standalone_cluster

    with (
        tempfile.TemporaryDirectory(dir=workdir) as work,
        standalone_cluster(Path(work), workers=2, cores=1, memory=f"{os.environ[WORKER_GB_ENV]}g") as cluster,
    ):
        label = f"spark standalone cluster (2 workers x 1 core, {os.environ[WORKER_GB_ENV]} GB)"
        return label, run_job(job, path, cluster.url, env=cluster.env)


def spark_runs(args: argparse.Namespace, job: str, path: Path, row: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``job`` on each of ``--masters``: its label and result; a failed run printed as such and skipped."""
    for master in args.masters:
        label, found = on_master(master, args.workdir, job, path)
        if "error" in found:
            print(f"{row},{label},error: {found['error']}", flush=True)
            continue
        yield label, found


def refreshes(args: argparse.Namespace, base: Path) -> None:
    print(
        "posts,new_posts,engine,first_threads_s,import_s,enrich_s,warehouse_s,threads_s,figures_s,total_s,"
        "threads_over_first,equal_to_workspace",
        flush=True,
    )
    for size in args.refresh_sizes:
        path = scaled_workspace(args.workdir, base, args.base, size)
        for master in args.masters:
            copy = incremental_copy(path, args.new_posts)
            label, found = on_master(master, args.workdir, "refresh", copy)
            shutil.rmtree(copy, ignore_errors=True)
            if "error" in found:
                print(f"{size},{args.new_posts},{label},error: {found['error']}", flush=True)
                continue
            print(
                f"{size},{found['imported']},{label},{found['first_threads_s']:.1f},{found['import_s']:.1f},"
                f"{found['enrich_s']:.1f},{found['warehouse_s']:.1f},{found['threads_s']:.1f},"
                f"{found['figures_s']:.1f},{found['total_s']:.1f},"
                f"{found['threads_s'] / found['first_threads_s']:.2f},{found['equal']}",
                flush=True,
            )


def imports(args: argparse.Namespace) -> None:
    print("posts,files,engine,session_s,import_s,posts_per_s,over_local,same_counts", flush=True)
    for size in args.import_sizes:
        folder = import_files(args.workdir, size, args.files)
        local = run_job("import", folder, "")
        print(
            f"{size},{args.files},this machine,,{local['import_s']:.1f},{size / local['import_s']:.0f},1.00,",
            flush=True,
        )
        for label, found in spark_runs(args, "import", folder, f"{size},{args.files}"):
            counts = all(found[k] == local[k] for k in ("posts", "read", "rejected"))
            print(
                f"{size},{args.files},{label},{found['session_s']:.1f},{found['import_s']:.1f},"
                f"{size / found['import_s']:.0f},{found['import_s'] / local['import_s']:.2f},{counts}",
                flush=True,
            )


def scorecards(args: argparse.Namespace, base: Path) -> None:
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
        for label, found in spark_runs(args, "spark", path, f"{size}"):
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
