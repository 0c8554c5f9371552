"""Report generation time, size and memory on large workspaces, beside the scorecard alone in the same run.

    .venv/bin/python benchmarks/report_bench.py [--sizes 1000000] [--base 100000] [--workdir DIR]

Data: the same workspaces as ``metrics_bench.py`` (a ``--base``-post demo world enriched with the fast tier,
copied to each size; kept in ``--workdir`` and shared with that benchmark). Two jobs per size, each in a fresh
process (peak memory is that job's):

- ``scorecard``: ``metrics.scorecard.scorecard``, what ``groundswell scorecard`` computes (the baseline);
- ``report``: ``report.write_report``, what ``groundswell report`` does: every metric family, the charts and the
  HTML file, with the seconds each section took.

Prints seconds, peak RSS, the report's size, and report time / scorecard time.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from metrics_bench import DEFAULT_WORKDIR, base_workspace, run_job, scaled_workspace


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job_scorecard(path: Path) -> dict[str, Any]:
    from groundswell.metrics.scorecard import scorecard
    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws, ws.store.for_metrics(), ws.sources() as src:
        scorecard(src)
    return {"seconds": time.perf_counter() - started}


def job_report(path: Path) -> dict[str, Any]:
    from groundswell.workspace import Workspace

    sections: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(section: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if last[1]:
            sections[str(last[1])] = now - float(last[0])
        last[0], last[1] = now, section

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, Workspace.open(path) as ws:
        result = ws.report(Path(folder) / "report.html", progress=progress)
    return {
        "seconds": time.perf_counter() - started,
        "bytes": result.bytes,
        "sections": sections,
        "unavailable": sorted(result.unavailable),
    }


JOBS = {"scorecard": job_scorecard, "report": job_report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--job", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        result = JOBS[args.job[0]](Path(args.job[1]))
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_workspace(args.workdir, args.base)
    print("posts       job         seconds   peak RSS   report size   report / scorecard")
    for size in args.sizes:
        path = base if size == args.base else scaled_workspace(args.workdir, base, args.base, size)
        card = run_job("scorecard", path, script=__file__)
        report = run_job("report", path, script=__file__)
        for name, result in (("scorecard", card), ("report", report)):
            if "error" in result:
                print(f"{size:>10,}  {name:<10}  failed: {result['error']}")
                continue
            size_mb = f"{result['bytes'] / 1e6:.1f} MB" if "bytes" in result else ""
            ratio = ""
            if name == "report" and "seconds" in card:
                ratio = f"{result['seconds'] / card['seconds']:.2f}x"
            print(
                f"{size:>10,}  {name:<10}  {result['seconds']:>7.1f}  {result['peak_rss_mb']:>7,.0f} MB"
                f"  {size_mb:>11}   {ratio}"
            )
        if "sections" in report:
            slow = sorted(report["sections"].items(), key=lambda kv: kv[1], reverse=True)
            print("  report sections (s): " + ", ".join(f"{k} {v:.1f}" for k, v in slow))
        if report.get("unavailable"):
            print(f"  left out: {', '.join(report['unavailable'])}")


if __name__ == "__main__":
    main()
