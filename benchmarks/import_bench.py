"""Import throughput and peak memory on generated TWCS-format CSVs, beside a naive baseline.

    python benchmarks/import_bench.py                     # 1M and 10M rows
    python benchmarks/import_bench.py --sizes 200000      # a quick run

For each size, one fresh process imports the file with groundswell (and reads
its own peak RSS right after), then runs the naive baseline on the same file:
pandas.read_csv, then one INSERT per row into DuckDB. Row-by-row inserts run
at about a thousand rows a second, so the baseline inserts for a fixed time
(--baseline-seconds) and its total is extrapolated from that measured rate;
the output says how many rows it actually inserted.

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


def run_one(path: Path, baseline_seconds: float) -> dict[str, float]:
    """Runs in its own process: groundswell first (peak RSS read right after), then the baseline."""
    from groundswell.ingest import ImportOptions
    from groundswell.workspace import Workspace

    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        with Workspace.init(Path(tmp) / "ws") as ws:
            started = time.perf_counter()
            report = ws.import_files([path], ImportOptions(format="twcs"))
            result["seconds"] = time.perf_counter() - started
            result["peak_rss_mb"] = _peak_rss_mb()
            result["read"] = report.read
            result["imported"] = report.imported
            result["rejected"] = report.rejected
        result.update(_baseline(path, Path(tmp) / "naive.duckdb", baseline_seconds))
    return result


def _baseline(path: Path, db_path: Path, budget: float) -> dict[str, float]:
    import duckdb
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    read_csv_seconds = time.perf_counter() - started
    con = duckdb.connect(str(db_path))
    con.execute(
        "CREATE TABLE posts (tweet_id VARCHAR, author_id VARCHAR, inbound BOOLEAN, created_at VARCHAR, "
        "text VARCHAR, response_tweet_id VARCHAR, in_response_to_tweet_id VARCHAR)"
    )
    inserted = 0
    started = time.perf_counter()
    for row in frame.itertuples(index=False):
        con.execute(
            "INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?)",
            [row[0], row[1], row[2] == "True", row[3], row[4], row[5] or None, row[6] or None],
        )
        inserted += 1
        if inserted % 256 == 0 and time.perf_counter() - started > budget:
            break
    insert_seconds = time.perf_counter() - started
    con.close()
    rate = inserted / insert_seconds
    return {
        "baseline_read_csv_seconds": read_csv_seconds,
        "baseline_rows_inserted": inserted,
        "baseline_insert_rate": rate,
        "baseline_total_seconds": read_csv_seconds + len(frame) / rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated row counts")
    parser.add_argument("--data-dir", type=Path, default=Path("bench-data"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-seconds", type=float, default=60.0)
    parser.add_argument("--_one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._one:
        print(json.dumps(run_one(args._one, args.baseline_seconds)))
        return

    results: dict[int, dict[str, float]] = {}
    for rows in (int(s) for s in args.sizes.split(",")):
        path = ensure_file(args.data_dir, rows, args.seed)
        out = subprocess.run(
            [sys.executable, __file__, "--_one", str(path), "--baseline-seconds", str(args.baseline_seconds)],
            check=True,
            capture_output=True,
            text=True,
        )
        results[rows] = r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{int(r['read']):>11,} rows  groundswell {r['seconds']:7.1f} s  {r['imported'] / r['seconds']:>9,.0f} posts/s  "
            f"peak RSS {r['peak_rss_mb']:6.0f} MB  (read {r['read']:,}, imported {r['imported']:,}, rejected {r['rejected']:,})"
        )
        print(
            f"{'':>16}naive baseline: read_csv {r['baseline_read_csv_seconds']:.1f} s + row inserts at "
            f"{r['baseline_insert_rate']:,.0f} rows/s (measured on {r['baseline_rows_inserted']:,.0f} rows) "
            f"= {r['baseline_total_seconds']:,.0f} s estimated; groundswell is "
            f"{r['baseline_total_seconds'] / r['seconds']:.0f}x faster"
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
