"""Enrichment speed and memory: each shipped tier beside VADER alone, in the same run.

    .venv/bin/python benchmarks/enrich_bench.py [--posts 20000] [--tiers fast accurate]

Builds one demo workspace of ``--posts`` posts, then, each in its own process
(so peak memory is that of one job):

- ``vader``: VADER's ``polarity_scores`` on every post's text (the baseline:
  sentiment only, one core);
- each tier: ``Workspace.enrich(model=tier, force=True)`` on a copy of the
  workspace: sentiment, complaint, intent, subject, needs_reply, gratitude and
  campaign for every post, read from and written to DuckDB.

Prints posts/s and peak RSS per job and each tier's speed as a ratio to VADER.
Needs the ``bench`` extra (vaderSentiment).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    """This job's process, plus its largest worker process (the fast tier classifies in a second one)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + worker) / 1024


def job_vader(workspace: Path) -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from groundswell.workspace import Workspace

    with Workspace.open(workspace) as ws:
        texts = [row[0] for row in ws.store.con.sql("SELECT text FROM posts").fetchall()]
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    seconds = time.perf_counter() - started
    return {"posts": len(texts), "seconds": seconds, "posts_per_second": len(texts) / seconds}


def job_tier(workspace: Path, tier: str) -> dict[str, float]:
    from groundswell.workspace import Workspace

    with Workspace.open(workspace) as ws:
        started = time.perf_counter()
        report = ws.enrich(model=tier, force=True)
        seconds = time.perf_counter() - started
    return {"posts": report.enriched, "seconds": seconds, "posts_per_second": report.enriched / seconds}


def run_job(args: list[str]) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--job", *args], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--tiers", nargs="+", default=["fast", "accurate"])
    parser.add_argument("--job", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        kind, workspace = args.job[0], Path(args.job[1])
        result = job_vader(workspace) if kind == "vader" else job_tier(workspace, kind)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    from groundswell.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        build_demo(base, posts=args.posts, seed=7)
        results = {"vader": run_job(["vader", str(base)])}
        for tier in args.tiers:
            copy = Path(tmp) / tier
            shutil.copytree(base, copy)
            results[tier] = run_job([tier, str(copy)])
    vader_speed = results["vader"]["posts_per_second"]
    print(f"{'job':<10} {'posts':>8} {'seconds':>8} {'posts/s':>9} {'vs VADER':>9} {'peak RSS':>9}")
    for name, r in results.items():
        print(
            f"{name:<10} {int(r['posts']):>8,} {r['seconds']:>8.1f} {r['posts_per_second']:>9,.0f} "
            f"{r['posts_per_second'] / vader_speed:>8.2f}x {r['peak_rss_mb']:>6,.0f} MB"
        )
    print("vader: sentiment only; tiers: every enrichment field, read from and written to DuckDB")


if __name__ == "__main__":
    main()
