"""The report's section "Does social media move the business?" on a large workspace, beside the scorecard.

    .venv/bin/python benchmarks/outcomes_bench.py [--size 1000000] [--base 100000] [--weeks 104] [--repeat 3]
                                                  [--workdir DIR]

Data: the ``--size``-post workspace of ``metrics_bench.py`` (built there, or reused), copied to
``outcomes-SIZE`` in ``--workdir`` so the shared one stays as it is, with weekly sales for each of its 40
stores over ``--weeks`` weeks up to its last post (the demo's sales: a base per store, plus the experience net
sentiment two weeks before, plus noise; weeks without posts take the store's mean sentiment). Two jobs, each in
a fresh process on the same workspace, ``--repeat`` times each (the median run is printed):

- ``scorecard``: ``metrics.scorecard.scorecard``, what ``groundswell scorecard`` computes (the baseline);
- ``outcomes``: the report's business section (``report.outcomes_section``): the social figures per store and
  week, every figure against the sales at lags 0..8 within and across stores, the small multiples, fans.

Each job's time is its own computation, once the workspace is open and its sources made (the report makes them
once for every section; that opening is printed beside). Prints the section's time as a share of the scorecard's
(the aim: at most 10%), and the time the stores' day counts take to count from scratch, which an outcomes import,
an import or an enrichment do once (``count``; the section reads them), and again after 10,000 new posts, when
only the days of their reply trees are counted (``recount``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from metrics_bench import DEFAULT_WORKDIR, base_workspace, run_job, scaled_workspace

NEW_POSTS = 10_000


def outcomes_workspace(workdir: Path, source: Path, size: int, weeks: int) -> Path:
    """A copy of ``source`` with ``weeks`` weeks of sales per store imported (made once, then reused)."""
    from groundswell.demo.outcomes import demo_sales, write_sales_csv
    from groundswell.metrics.social_panel import SocialCell
    from groundswell.workspace import Workspace

    path = workdir / f"outcomes-{size}"
    done = path / ".complete"
    if done.exists():
        return path
    if path.exists():
        shutil.rmtree(path)
    started = time.perf_counter()
    shutil.copytree(source, path)
    (path / ".complete").unlink(missing_ok=True)
    with Workspace.open(path) as ws:
        cells = ws.social_figures(granularity="week")
        last = max(c.period_start for c in cells)
        window = [last - timedelta(weeks=w) for w in range(weeks)]
        held = {(c.location, c.period_start) for c in cells}
        padded: list[SocialCell] = list(cells)
        for store in sorted({c.location for c in cells}):
            padded += [
                SocialCell(store, week, {"experience_net_sentiment": None})
                for week in window
                if (store, week) not in held
            ]
        first: date = min(window)
        rows = [r for r in demo_sales(padded, seed=11) if _week(r.period) >= first]
        report = ws.import_outcomes([write_sales_csv(rows, path / "sales.csv")])
    stores = len({r.location for r in rows})
    done.write_text("ok\n")
    print(
        f"# imported {report.imported:,} weekly sales ({stores} stores x {weeks} weeks) in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return path


def _week(iso: str) -> date:
    return date.fromisocalendar(int(iso[:4]), int(iso[6:]), 1)


def job_scorecard(path: Path) -> dict[str, Any]:
    from groundswell.metrics.scorecard import scorecard
    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws, ws.computing() as sources:
        opened = time.perf_counter()
        scorecard(sources)
        done = time.perf_counter()
    return {"seconds": done - opened, "opening": opened - started}


def job_count(path: Path) -> dict[str, Any]:
    """The stores' day counts counted from scratch, as an outcomes import, an import or an enrichment count them
    (``metrics.location_days``): what the section no longer waits for."""
    from groundswell.metrics.location_days import refresh_location_days
    from groundswell.store import location_days
    from groundswell.workspace import Workspace

    with Workspace.open(path) as ws:
        location_days.drop_tables(ws.store)
        with ws.computing() as sources:
            started = time.perf_counter()
            counted = refresh_location_days(sources)
            return {"seconds": time.perf_counter() - started, "counted": counted}


def job_recount(path: Path) -> dict[str, Any]:
    """On a copy: 10,000 new posts imported (the latest posts again under new ids, replying where they
    replied) and the threads stage brought up to date, then the stores' day counts brought up to date: only
    the days of the trees holding the new posts are counted again."""
    from metrics_bench import incremental_copy

    from groundswell.ingest import ImportOptions
    from groundswell.ingest.pipeline import import_files
    from groundswell.metrics.location_days import refresh_location_days
    from groundswell.store import location_days
    from groundswell.threads import refresh_stored
    from groundswell.workspace import Workspace

    copy = incremental_copy(path, NEW_POSTS)
    try:
        with Workspace.open(copy) as ws:
            with ws.computing() as sources:
                refresh_location_days(sources)  # as the outcomes import left them
            import_files(ws.store, ws.config, [copy.parent / f"{copy.name}.csv"], ImportOptions(format="csv"))
            refresh_stored(ws.store, ws.config)
            before = location_days.read_state(ws.store)
            with ws.computing() as sources:
                started = time.perf_counter()
                refresh_location_days(sources)
                seconds = time.perf_counter() - started
            assert location_days.read_state(ws.store) != before
        return {"seconds": seconds}
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        (copy.parent / f"{copy.name}.csv").unlink(missing_ok=True)


def job_outcomes(path: Path) -> dict[str, Any]:
    from groundswell.metrics.outcome_figures import outcome_values
    from groundswell.metrics.outcomes import aggregate_outcome, analyse_outcome, outcome_frame
    from groundswell.metrics.social_panel import social_panel
    from groundswell.report.outcomes_section import outcomes_section
    from groundswell.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(path) as ws, ws.computing() as sources:
        opened = time.perf_counter()
        section = outcomes_section(sources)
        seconds = time.perf_counter() - opened
        # its two main parts, timed again after it: the social figures per store and week, and the analysis
        again = time.perf_counter()
        cells = social_panel(sources)
        panel = time.perf_counter() - again
        frame = outcome_frame(aggregate_outcome(outcome_values(sources, "sales"), "week", "sum"), cells, "W-MON")
        again = time.perf_counter()
        analyse_outcome(frame, outcome="sales")
        fits = time.perf_counter() - again
    analysis = section["analysis"]
    return {
        "seconds": seconds,
        "opening": opened - started,
        "social_panel": panel,
        "analysis": fits,
        "stores": analysis["stores"],
        "periods": analysis["periods"],
        "goes_with": analysis["goes_with"],
    }


def _median_runs(names: tuple[str, ...], path: Path, repeat: int) -> list[dict[str, Any]]:
    """Each job of ``names`` run ``repeat`` times, the jobs alternating (so that a slower spell of the machine
    falls on both), each in a fresh process: per job, its run of median time (a failed run stands for it)."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for _ in range(max(1, repeat)):
        for name in names:
            runs[name].append(run_job(name, path, script=__file__))
    chosen = []
    for name in names:
        failed = [r for r in runs[name] if "error" in r]
        ordered = sorted(runs[name], key=lambda r: float(r["seconds"])) if not failed else failed
        chosen.append(ordered[len(ordered) // 2] if not failed else failed[0])
    return chosen


JOBS = {"scorecard": job_scorecard, "count": job_count, "recount": job_recount, "outcomes": job_outcomes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each job (the median is printed)")
    parser.add_argument("--job", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        print(json.dumps(JOBS[args.job[0]](Path(args.job[1]))))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_workspace(args.workdir, args.base)
    source = base if args.size == args.base else scaled_workspace(args.workdir, base, args.base, args.size)
    path = outcomes_workspace(args.workdir, source, args.size, args.weeks)
    counting = run_job("count", path, script=__file__)
    recounting = run_job("recount", path, script=__file__)
    card, section = _median_runs(("scorecard", "outcomes"), path, args.repeat)
    print(f"# each job run {args.repeat} times, alternating, each in a fresh process: the median run's figures")
    print("posts       job         seconds   share of the scorecard   (opening the workspace and its sources)")
    for name, result in (("scorecard", card), ("outcomes", section)):
        if "error" in result:
            print(f"{args.size:>10,}  {name:<10}  failed: {result['error']}")
            continue
        share = f"{result['seconds'] / card['seconds']:.0%}" if name == "outcomes" and "seconds" in card else ""
        print(f"{args.size:>10,}  {name:<10}  {result['seconds']:>7.2f}   {share:<22}   ({result['opening']:.2f} s)")
    if "stores" in section:
        print(
            f"  of which (timed again): social figures per store and week {section['social_panel']:.3f} s, "
            f"the analysis (lags 0-8, within and across stores) {section['analysis']:.3f} s"
        )
        print(
            f"  the analysis: {section['stores']} stores, {section['periods']} weeks, goes with {section['goes_with']}"
        )
    if "seconds" in counting:
        print(
            f"  the stores' day counts, counted once after an import or an enrichment (not in the section's time): "
            f"{counting['seconds']:.2f} s"
        )
    if "seconds" in recounting:
        print(f"  after {NEW_POSTS:,} new posts, the days of their trees counted again: {recounting['seconds']:.2f} s")


if __name__ == "__main__":
    main()
