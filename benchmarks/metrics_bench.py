"""Scorecard speed and memory: DuckDB (the embedded workspace) beside pandas, and Spark local, in one run.

    .venv/bin/python benchmarks/metrics_bench.py [--sizes 1000000 10000000] [--base 100000]
        [--engines duckdb pandas spark] [--spark-sizes 10000000] [--pandas-sizes 1000000 10000000]
        [--workdir DIR]

Data: one demo world of ``--base`` posts (``groundswell.demo``), enriched with
the fast tier, is copied ``size / base`` times into a workspace of ``size``
posts: every copy gets its own post ids, reply links, conversations and
customers (the brand accounts stay the brand's), so the copies are separate
conversations of one big brand over the same six months. Workspaces are kept
in ``--workdir`` and reused by later runs.

Jobs, each in its own process (peak memory is that of one job), on each size:

- ``duckdb``: ``metrics.scorecard.scorecard`` on the workspace's DuckDB file
  (open to result: what ``groundswell scorecard`` does);
- ``pandas``: the straightforward pandas implementation in
  ``benchmarks/pandas_scorecard.py``, timed from reading the tables out of the
  same DuckDB file (``load_s``) to the figures (``compute_s``);
- ``spark``: the same library code on Spark local[2] over Parquet files of the
  same tables (exported beforehand, not timed; session start timed apart).

Prints seconds and peak RSS per job, DuckDB's speed-up over pandas, and
whether every raw component value of the scorecard is equal across engines.
Needs the ``spark`` extra (pyspark) and Java for the Spark job.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_WORKDIR = Path(os.environ.get("TMPDIR", "/tmp")) / "groundswell-metrics-bench"
SUFFIXED = ("post_id", "in_reply_to_post_id", "conversation_id")


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


# -- data -----------------------------------------------------------------------------------


def _reusable(path: Path, done: Path) -> bool:
    """True when an earlier run finished ``path`` (it wrote ``done``); else clear what it left half made."""
    if done.exists():
        return True
    if path.exists():
        shutil.rmtree(path)
    return False


def base_workspace(workdir: Path, base: int) -> Path:
    """A demo workspace of ``base`` posts, enriched with the fast tier (built once, then reused)."""
    from groundswell.demo import build_demo
    from groundswell.workspace import Workspace

    path = workdir / f"base-{base}"
    done = path / ".complete"
    if _reusable(path, done):
        return path
    started = time.perf_counter()
    build_demo(path, posts=base, seed=11)
    with Workspace.open(path) as ws:
        ws.enrich("fast")
    done.write_text("ok\n")
    print(f"# built and enriched the {base:,}-post base world in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def scaled_workspace(workdir: Path, base_path: Path, base: int, size: int) -> Path:
    """A workspace of ``size`` posts: ``size / base`` copies of the base world, each with its own ids."""
    from groundswell.store.duckdb import DATABASE_FILENAME
    from groundswell.workspace import Workspace

    copies = math.ceil(size / base)
    path = workdir / f"scaled-{size}"
    done = path / ".complete"
    if _reusable(path, done):
        return path
    started = time.perf_counter()
    config_text = (base_path / "groundswell.toml").read_text(encoding="utf-8")
    with Workspace.init(path, config_text=config_text) as ws:
        con = ws.store.con
        con.execute(f"ATTACH '{base_path / DATABASE_FILENAME}' AS base (READ_ONLY)")
        columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('posts')").fetchall()]
        e_columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('enrichments')").fetchall()]

        def copied(name: str, *, author: bool) -> str:
            if name in SUFFIXED:
                return f"CASE WHEN c.i = 0 THEN b.{name} ELSE b.{name} || '-' || c.i END AS {name}"
            if author and name in ("author_id", "author_handle"):
                # customers of each copy are other people; brand accounts stay the brand's
                return f"CASE WHEN c.i = 0 OR b.is_brand THEN b.{name} ELSE b.{name} || '-' || c.i END AS {name}"
            return f"b.{name}"

        select = ", ".join(copied(n, author=True) for n in columns)
        con.execute(
            f"INSERT INTO posts SELECT {select} FROM base.posts b, range({copies}) c(i) "
            f"ORDER BY c.i, b.created_at LIMIT {size}"
        )
        e_select = ", ".join(copied(n, author=False) for n in e_columns)
        con.execute(
            f"INSERT INTO enrichments SELECT * FROM (SELECT {e_select} FROM base.enrichments b, range({copies}) c(i)) e "
            "WHERE EXISTS (SELECT 1 FROM posts p WHERE p.platform = e.platform AND p.post_id = e.post_id)"
        )
        con.execute("DETACH base")
        con.execute("CHECKPOINT")
        count = con.execute("SELECT count(*) FROM posts").fetchall()[0][0]
    done.write_text("ok\n")
    print(f"# made the {count:,}-post workspace ({copies} copies) in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def parquet_files(path: Path) -> tuple[Path, Path]:
    """The workspace's posts and (newest model version's) enrichments as Parquet, for the Spark job."""
    from groundswell.workspace import Workspace

    posts, enrichments = path / "posts.parquet", path / "enrichments.parquet"
    if not (posts.exists() and enrichments.exists()):
        with Workspace.open(path) as ws:
            ws.store.con.execute(f"COPY posts TO '{posts}' (FORMAT parquet)")
            ws.store.con.execute(f"COPY enrichments TO '{enrichments}' (FORMAT parquet)")
    return posts, enrichments


# -- jobs (each in its own process) -----------------------------------------------------------


def _raw(card: Any) -> dict[str, float | None]:
    return {c.name: c.raw for index in (card.social, card.marketing) for c in index.components}


def job_duckdb(path: Path) -> dict[str, Any]:
    from groundswell.metrics.engines import duckdb_sources
    from groundswell.metrics.scorecard import scorecard
    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws, ws.store.for_metrics(), duckdb_sources(ws) as src:
        card = scorecard(src)[0]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "raw": _raw(card), "quadrant": card.quadrant}


def job_pandas(path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from pandas_scorecard import pandas_scorecard

    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws:
        version = ws.store.con.execute(
            "SELECT model_version FROM enrichments GROUP BY 1 ORDER BY max(enriched_at) DESC, 1 DESC LIMIT 1"
        ).fetchall()[0][0]
        posts = ws.store.con.execute("SELECT * FROM posts").df()
        enrichments = ws.store.con.execute("SELECT * FROM enrichments WHERE model_version = ?", [version]).df()
        config = ws.config
    loaded = time.perf_counter()
    raw = pandas_scorecard(posts, enrichments, config)
    done = time.perf_counter()
    return {"seconds": done - started, "load_s": loaded - started, "compute_s": done - loaded, "raw": raw}


def job_spark(path: Path) -> dict[str, Any]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from groundswell.config import load_config
    from groundswell.metrics.engines import spark_sources
    from groundswell.metrics.scorecard import scorecard

    posts, enrichments = parquet_files(path)
    config = load_config(path / "groundswell.toml")
    started = time.perf_counter()
    session = (
        SparkSession.builder.master("local[2]")
        .appName("groundswell-metrics-bench")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    ready = time.perf_counter()
    try:
        with spark_sources(session, str(posts), str(enrichments), config) as src:
            card = scorecard(src)[0]
    finally:
        done = time.perf_counter()
        session.stop()
    return {"seconds": done - ready, "session_start_s": ready - started, "raw": _raw(card), "quadrant": card.quadrant}


JOBS = {"duckdb": job_duckdb, "pandas": job_pandas, "spark": job_spark}


def run_job(name: str, path: Path) -> dict[str, Any]:
    """Run one job in a fresh interpreter; its result and peak RSS (JVM included for Spark)."""
    out = subprocess.run(
        [sys.executable, __file__, "--job", name, str(path)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def same(a: dict[str, float | None], b: dict[str, float | None], rel: float = 1e-9) -> list[str]:
    """Component names whose raw values differ (beyond ``rel`` relative difference)."""
    differ = []
    for name in a:
        x, y = a.get(name), b.get(name)
        if x is None or y is None:
            if x is not y:
                differ.append(name)
        elif not math.isclose(x, y, rel_tol=rel, abs_tol=1e-12):
            differ.append(name)
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--base", type=int, default=100_000, help="posts in the generated world that is copied")
    parser.add_argument("--engines", nargs="+", choices=sorted(JOBS), default=["duckdb", "pandas", "spark"])
    parser.add_argument("--spark-sizes", type=int, nargs="*", default=[10_000_000])
    parser.add_argument("--pandas-sizes", type=int, nargs="*", default=None, help="default: every size")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--job", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        name, path = args.job
        result = JOBS[name](Path(path))
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    base_path = base_workspace(args.workdir, args.base)
    print(f"# {os.cpu_count()} CPUs; base world {args.base:,} posts; workdir {args.workdir}")
    print("size,engine,seconds,peak_rss_mb,detail")
    for size in args.sizes:
        path = scaled_workspace(args.workdir, base_path, args.base, size)
        results: dict[str, dict[str, Any]] = {}
        for engine in args.engines:
            if engine == "spark" and size not in args.spark_sizes:
                continue
            if engine == "pandas" and args.pandas_sizes is not None and size not in args.pandas_sizes:
                continue
            if engine == "spark":
                parquet_files(path)
            result = results[engine] = run_job(engine, path)
            if "error" in result:
                print(f"{size},{engine},,,error: {result['error']}", flush=True)
                continue
            detail = {k: round(v, 2) for k, v in result.items() if k.endswith("_s")}
            print(f"{size},{engine},{result['seconds']:.2f},{result['peak_rss_mb']:.0f},{detail}", flush=True)
        ok = {k: v for k, v in results.items() if "error" not in v}
        if "duckdb" in ok and "pandas" in ok:
            ratio = ok["pandas"]["seconds"] / ok["duckdb"]["seconds"]
            differ = same(ok["duckdb"]["raw"], ok["pandas"]["raw"])
            print(f"# {size:,}: DuckDB {ratio:.1f}x faster than pandas; differing components: {differ or 'none'}")
        if "duckdb" in ok and "spark" in ok:
            differ = same(ok["duckdb"]["raw"], ok["spark"]["raw"])
            print(f"# {size:,}: DuckDB and Spark differing components: {differ or 'none'}")
        if "duckdb" in ok:
            print(f"# {size:,}: quadrant {ok['duckdb']['quadrant']}; raw {json.dumps(ok['duckdb']['raw'])}")


if __name__ == "__main__":
    main()
