"""Scorecard speed and memory: DuckDB (the embedded workspace) beside pandas, and Spark local, in one run.

    .venv/bin/python benchmarks/metrics_bench.py [--sizes 1000000 10000000] [--base 100000]
        [--engines cold stage duckdb incremental pandas spark] [--spark-sizes 1000000]
        [--pandas-sizes 1000000 10000000] [--new-posts 10000] [--workdir DIR]

Data: one demo world of ``--base`` posts (``groundswell.demo``), enriched with
the fast tier, is copied ``size / base`` times into a workspace of ``size``
posts: every copy gets its own post ids, reply links, conversations and
customers (the brand accounts stay the brand's), so the copies are separate
conversations of one big brand over the same six months. Workspaces are kept
in ``--workdir`` and reused by later runs.

Jobs, each in its own process (peak memory is that of one job), on each size,
in this order:

- ``cold``: the stored threads stage dropped, then ``metrics.scorecard.scorecard``
  on the workspace's DuckDB file: the full threads build (kept in the file) and
  the scorecard, what the first scorecard of a workspace without the stage costs;
- ``stage``: the full threads build alone (``groundswell.threads.refresh_stored``
  with ``force``), what the end of a first large import costs;
- ``duckdb``: the scorecard with the stage stored and fresh, open to result:
  what ``groundswell scorecard`` does after an import (which refreshed it);
- ``incremental``: on a copy of the workspace, ``--new-posts`` new posts (the
  latest posts again under new ids: replies into existing conversations, and new
  ones) imported as CSV, then the incremental refresh of the stage (timed apart
  from the import), then the scorecard on the fresh stage;
- ``rejoin``: on a copy of the workspace, every enrichment written again under a
  new model version (the same labels, newer), then the stage's refresh (timed):
  only the enrichments changed, so the stored trees take them and every thread
  row is computed again (``rejoined``), instead of a full build; the rows are
  checked equal to those before (the labels are the same) and the scorecard to
  the ``duckdb`` job's;
- ``pandas``: the straightforward pandas implementation in
  ``benchmarks/pandas_scorecard.py``, computing everything from scratch, timed
  from reading the tables out of the same DuckDB file (``load_s``) to the
  figures (``compute_s``);
- ``spark``: the same library code on Spark local[2] over Parquet files of the
  same tables (exported beforehand, not timed; session start timed apart),
  threads built from scratch (Spark keeps no stage); on 1M only by default
  (``--spark-sizes``), since it takes minutes there and much longer on 10M.

Prints seconds and peak RSS per job, the speed-ups over pandas of the scorecard
on the stored stage and of the full build plus scorecard (``cold``), and whether
every raw component value of the scorecard is equal across engines and jobs.
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


def _scorecard(path: Path) -> tuple[float, Any]:
    from groundswell.metrics.scorecard import scorecard
    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws, ws.store.for_metrics(), ws.sources() as src:
        card = scorecard(src)[0]
    return time.perf_counter() - started, card


def job_duckdb(path: Path) -> dict[str, Any]:
    seconds, card = _scorecard(path)
    return {"seconds": seconds, "raw": _raw(card), "quadrant": card.quadrant}


def job_cold(path: Path) -> dict[str, Any]:
    from groundswell.threads import drop_stored
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        drop_stored(ws.store)
    seconds, card = _scorecard(path)
    return {"seconds": seconds, "raw": _raw(card), "quadrant": card.quadrant}


def job_stage(path: Path) -> dict[str, Any]:
    from groundswell.threads import refresh_stored
    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws:
        report = refresh_stored(ws.store, ws.config, force=True)
    return {"seconds": time.perf_counter() - started, "trees": report.trees, "action": report.action}


def new_posts_csv(path: Path, count: int) -> Path:
    """``count`` new posts for the workspace at ``path``: its latest posts again under new ids, replying
    where they replied (a reply to a post not among them joins that stored conversation)."""
    from groundswell.workspace import Workspace

    out = path.parent / f"{path.name}-new-{count}.csv"
    with Workspace.open(path) as ws:
        ws.store.con.execute(
            f"""
            COPY (
                WITH chosen AS (SELECT * FROM posts ORDER BY created_at DESC, post_id LIMIT {int(count)})
                SELECT c.platform, c.post_id || '-new' AS post_id, c.author_id, c.author_handle,
                    c.author_followers, strftime(c.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, c.text,
                    CASE WHEN p.post_id IS NOT NULL THEN c.in_reply_to_post_id || '-new'
                         ELSE c.in_reply_to_post_id END AS in_reply_to_post_id
                FROM chosen c LEFT JOIN chosen p ON p.platform = c.platform AND p.post_id = c.in_reply_to_post_id
            ) TO '{out}' (HEADER, DELIMITER ',')
            """
        )
    return out


def job_incremental(path: Path) -> dict[str, Any]:
    """On a copy made beforehand (``path``): import new posts, refresh the stage, the scorecard."""
    from groundswell.ingest.pipeline import ImportOptions, import_files
    from groundswell.threads import refresh_stored
    from groundswell.workspace import Workspace

    csv_path = path.parent / f"{path.name}.csv"
    started = time.perf_counter()
    with Workspace.open(path) as ws:
        imported = import_files(ws.store, ws.config, [csv_path], ImportOptions(format="csv"))
        loaded = time.perf_counter()
        report = refresh_stored(ws.store, ws.config)
    refreshed = time.perf_counter()
    seconds, card = _scorecard(path)
    return {
        "seconds": refreshed - loaded,
        "import_s": loaded - started,
        "refresh_s": refreshed - loaded,
        "scorecard_s": seconds,
        "imported": imported.imported,
        "action": report.action,
        "rebuilt_posts": report.posts,
        "rebuilt_trees": report.trees,
        "quadrant": card.quadrant,
    }


def job_rejoin(path: Path) -> dict[str, Any]:
    """On a copy made beforehand (``path``, its stage stored): the enrichments again under a new model version,
    the stage's refresh, the rows compared with those before, the scorecard."""
    from groundswell.threads import refresh_stored
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        con = ws.store.con
        for table in ("thread_posts", "threads"):
            con.execute(f"CREATE TABLE _before_{table} AS SELECT * FROM {table}")
        con.execute(
            "INSERT INTO enrichments SELECT * REPLACE (model_version || '+again' AS model_version, "
            "enriched_at + INTERVAL 1 DAY AS enriched_at) FROM enrichments"
        )
        started = time.perf_counter()
        report = refresh_stored(ws.store, ws.config)
        seconds = time.perf_counter() - started
        differing = {
            table: sum(
                int(con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()[0][0])
                for a, b in ((f"FROM {table}", f"FROM _before_{table}"), (f"FROM _before_{table}", f"FROM {table}"))
            )
            for table in ("thread_posts", "threads")
        }
    scorecard_s, card = _scorecard(path)
    return {
        "seconds": seconds,
        "action": report.action,
        "posts": report.posts,
        "differing_rows": differing,
        "scorecard_s": scorecard_s,
        "raw": _raw(card),
        "quadrant": card.quadrant,
    }


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
    from groundswell.metrics.scorecard import scorecard
    from groundswell.query import spark_sources

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


JOBS = {
    "cold": job_cold,
    "stage": job_stage,
    "duckdb": job_duckdb,
    "incremental": job_incremental,
    "rejoin": job_rejoin,
    "pandas": job_pandas,
    "spark": job_spark,
}


def run_job(name: str, path: Path, *, script: str = __file__) -> dict[str, Any]:
    """Run one job of ``script`` (a benchmark taking ``--job NAME PATH``; this one by default) in a fresh
    interpreter; its result and peak RSS (JVM included for Spark)."""
    out = subprocess.run(
        [sys.executable, script, "--job", name, str(path)], capture_output=True, text=True, check=False
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


def incremental_copy(path: Path, new_posts: int) -> Path:
    """A copy of the workspace at ``path`` (its stage stored), and the CSV of new posts beside it."""
    copy = path.parent / f"{path.name}-incremental"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(path, copy)
    shutil.move(new_posts_csv(path, new_posts), copy.parent / f"{copy.name}.csv")
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--base", type=int, default=100_000, help="posts in the generated world that is copied")
    parser.add_argument("--engines", nargs="+", choices=list(JOBS), default=list(JOBS))
    parser.add_argument("--spark-sizes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--pandas-sizes", type=int, nargs="*", default=None, help="default: every size")
    parser.add_argument("--new-posts", type=int, default=10_000, help="posts imported for the incremental job")
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
    print("size,job,seconds,peak_rss_mb,detail")
    for size in args.sizes:
        path = scaled_workspace(args.workdir, base_path, args.base, size)
        results: dict[str, dict[str, Any]] = {}
        for job in [j for j in JOBS if j in args.engines]:
            if job == "spark" and size not in args.spark_sizes:
                continue
            if job == "pandas" and args.pandas_sizes is not None and size not in args.pandas_sizes:
                continue
            if job == "spark":
                parquet_files(path)
            where = path
            if job == "incremental":
                where = incremental_copy(path, args.new_posts)
            elif job == "rejoin":
                where = path.parent / f"{path.name}-rejoin"
                shutil.rmtree(where, ignore_errors=True)
                shutil.copytree(path, where)
            result = results[job] = run_job(job, where)
            if job in ("incremental", "rejoin"):
                shutil.rmtree(where, ignore_errors=True)
                (where.parent / f"{where.name}.csv").unlink(missing_ok=True)
            if "error" in result:
                print(f"{size},{job},,,error: {result['error']}", flush=True)
                continue
            detail = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in result.items()
                      if k not in ("seconds", "peak_rss_mb", "raw", "quadrant")}  # fmt: skip
            print(f"{size},{job},{result['seconds']:.2f},{result['peak_rss_mb']:.0f},{detail}", flush=True)
        ok = {k: v for k, v in results.items() if "error" not in v}
        if "pandas" in ok:
            for job, what in (("duckdb", "scorecard on the stored stage"), ("cold", "full build + scorecard")):
                if job in ok:
                    ratio = ok["pandas"]["seconds"] / ok[job]["seconds"]
                    print(f"# {size:,}: {what} {ratio:.1f}x faster than pandas (from scratch)")
            if "duckdb" in ok:
                differ = same(ok["duckdb"]["raw"], ok["pandas"]["raw"])
                print(f"# {size:,}: DuckDB and pandas differing components: {differ or 'none'}")
        if "duckdb" in ok and "cold" in ok:
            differ = same(ok["duckdb"]["raw"], ok["cold"]["raw"])
            print(f"# {size:,}: stored and freshly built stage differing components: {differ or 'none'}")
        if "duckdb" in ok and "rejoin" in ok:
            differ = same(ok["duckdb"]["raw"], ok["rejoin"]["raw"])
            print(f"# {size:,}: stored and rejoined stage differing components: {differ or 'none'}")
        if "duckdb" in ok and "spark" in ok:
            differ = same(ok["duckdb"]["raw"], ok["spark"]["raw"])
            print(f"# {size:,}: DuckDB and Spark differing components: {differ or 'none'}")
        if "duckdb" in ok:
            print(f"# {size:,}: quadrant {ok['duckdb']['quadrant']}; raw {json.dumps(ok['duckdb']['raw'])}")


if __name__ == "__main__":
    main()
