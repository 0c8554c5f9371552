"""Import time and peak memory on generated TWCS-format CSVs, beside DuckDB's own read of the same file.

    python benchmarks/import_bench.py                     # 1M and 10M rows
    python benchmarks/import_bench.py --sizes 200000      # a quick run
    python benchmarks/import_bench.py --with-stage        # also the threads stage built after the import
    python benchmarks/import_bench.py --record-by-record  # also the import with the engine's fast path off

For each size, one fresh process imports the file with groundswell (parse, validate, dedupe, store, the
ledger's SHA-256; peak RSS read right after), then, in the same process, the baseline: DuckDB's own
``read_csv`` + timestamp parse + table write of the same file into a fresh database file, with no checks.
The ratio is groundswell's import time over the baseline's. The threads stage that
``Workspace.import_files`` builds after an import of 100,000 posts or more is timed apart (``--with-stage``).

Generated files are kept in --data-dir and reused when size and seed match.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_file(data_dir: Path, rows: int, seed: int) -> Path:
    from groundswell.demo import generate_world, write_twcs_csv

    path = data_dir / f"twcs_{rows}_{seed}.csv"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and json.loads(meta.read_text())["rows"] >= rows:
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # TWCS holds only the world's twitter posts: size the world from their measured share.
    sample = 50_000
    share = sum(1 for post in generate_world(posts=sample, seed=seed) if post.platform == "twitter") / sample
    written = write_twcs_csv(generate_world(posts=int(rows / share * 1.01) + 1000, seed=seed), path)
    meta.write_text(json.dumps({"rows": written, "seed": seed}))
    print(f"generated {written:,} rows in {time.perf_counter() - started:.0f} s: {path}", file=sys.stderr)
    return path


def run_one(path: Path, with_stage: bool, record_by_record: bool) -> dict[str, float]:
    """Runs in its own process: groundswell first (peak RSS read right after), then the baseline."""
    from groundswell.ingest import ImportOptions, pipeline
    from groundswell.ingest.pipeline import import_files
    from groundswell.threads.stored import refresh_stored
    from groundswell.workspace import Workspace

    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        with Workspace.init(Path(tmp) / "ws") as ws:
            started = time.perf_counter()
            report = import_files(ws.store, ws.config, [path], ImportOptions(format="twcs"))
            result["seconds"] = time.perf_counter() - started
            result["peak_rss_mb"] = _peak_rss_mb()
            result["read"] = report.read
            result["imported"] = report.imported
            result["rejected"] = report.rejected
            if with_stage:
                started = time.perf_counter()
                refresh_stored(ws.store, ws.config)
                result["stage_seconds"] = time.perf_counter() - started
        result["baseline_seconds"] = _baseline(path, Path(tmp) / "baseline.duckdb")
        if record_by_record:  # the path every file took before the engine's fast path, for comparison
            pipeline.can_import_in_bulk = lambda *args: False  # type: ignore[assignment]
            with Workspace.init(Path(tmp) / "ws-records") as ws:
                started = time.perf_counter()
                import_files(ws.store, ws.config, [path], ImportOptions(format="twcs"))
                result["record_seconds"] = time.perf_counter() - started
    return result


def _baseline(path: Path, db_path: Path) -> float:
    """DuckDB's own read + parse + store of the file: read_csv, the timestamp parsed, one table written."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(db_path))
    con.execute(
        "CREATE TABLE posts AS SELECT tweet_id, author_id, inbound, "
        "strptime(created_at, '%a %b %d %H:%M:%S %z %Y') AS created_at, text, response_tweet_id, "
        "in_response_to_tweet_id FROM read_csv(?, all_varchar = true)",
        [str(path)],
    )
    con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated row counts")
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--with-stage", action="store_true", help="also time the threads stage after the import")
    parser.add_argument(
        "--record-by-record", action="store_true", help="also time the import with the engine's fast path turned off"
    )
    parser.add_argument("--_one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._one:
        print(json.dumps(run_one(args._one, args.with_stage, args.record_by_record)))
        return

    results: dict[int, dict[str, float]] = {}
    for rows in (int(s) for s in args.sizes.split(",")):
        path = ensure_file(args.data_dir, rows, args.seed)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--_one",
                str(path),
                *(["--with-stage"] if args.with_stage else []),
                *(["--record-by-record"] if args.record_by_record else []),
            ],  # fmt: skip
            check=True,
            capture_output=True,
            text=True,
        )
        results[rows] = r = json.loads(out.stdout.strip().splitlines()[-1])
        stage = f"; then the threads stage {r['stage_seconds']:.1f} s" if "stage_seconds" in r else ""
        if "record_seconds" in r:
            stage += (
                f"; record by record {r['record_seconds']:.1f} s ({r['record_seconds'] / r['baseline_seconds']:.2f}x)"
            )
        print(
            f"{int(r['read']):>11,} rows  groundswell {r['seconds']:6.1f} s  DuckDB's own read+parse+store "
            f"{r['baseline_seconds']:6.1f} s  ratio {r['seconds'] / r['baseline_seconds']:.2f}x  "
            f"peak RSS {r['peak_rss_mb']:5.0f} MB  (imported {r['imported']:,}, rejected {r['rejected']:,}){stage}"
        )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(
            f"peak memory {sizes[-1]:,} rows / {sizes[0]:,} rows = {large['peak_rss_mb'] / small['peak_rss_mb']:.2f}x "
            f"for {sizes[-1] / sizes[0]:.0f}x the rows"
        )


if __name__ == "__main__":
    main()
