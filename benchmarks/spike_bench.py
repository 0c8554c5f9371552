"""Online spike detection on six months of the demo world, replayed one watch interval at a time.

For each seed: a demo workspace with its two campaigns, its organic story and the outage switched on
(``BrandProfile(outage=...)``), enriched with the shipped fast model. The topic series are read once through
the rule's own query; then ``now`` steps through the period at the watch interval and ``SpikeRule.detect``
sees, each cycle, only the bins that end by ``now``. Consecutive cycles of one key (gaps under the quiet
period) make one alert. Printed per seeded spike: found or not, label, delay from its seeded start; alerts
outside every seeded spike's window, or inside one with another label, are false alarms (per month of evaluated time, after the first week,
which has no baseline). Beside it, the batch ``metrics spikes`` on the same posts: the days it flags and when a
daily batch, run after midnight, would know.

    PYTHONPATH=src python benchmarks/spike_bench.py --seeds 7 11 --posts 20000 --interval 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import ibis

from groundswell.alerts.model import AlertKind
from groundswell.alerts.spike_series import topic_series
from groundswell.alerts.spikes import MIN_HISTORY_DAYS, SpikeRule
from groundswell.demo import build_demo
from groundswell.demo.conversations import OUTAGE_START_HOUR
from groundswell.demo.profiles import BrandProfile
from groundswell.demo.world import Calendar, make_calendar
from groundswell.metrics.spikes import detect_spikes
from groundswell.query import Sources, rows
from groundswell.workspace import Workspace

QUIET = timedelta(hours=6)
"""Cycles of one key closer than this are one alert (the watch loop's grouping)."""


@dataclass(frozen=True)
class Seeded:
    name: str
    kind: AlertKind
    start: datetime
    window_end: datetime  # alerts of this kind until then belong to it (a campaign's tail of buzz included)


@dataclass
class Episode:
    key: str
    kind: AlertKind
    first: datetime
    last: datetime


def viral_origin(src: Sources, cal: Calendar) -> datetime:
    """When the organic story's first post went up: the most liked post of its day (the world seeds it so)."""
    day = cal.start + timedelta(days=cal.viral_day)
    posts = src.posts.filter(src.posts.created_at >= day, src.posts.created_at < day + timedelta(days=1))
    [top] = rows(posts.order_by(ibis.desc("like_count")).limit(1).select("created_at"))
    return top["created_at"]  # type: ignore[no-any-return]


def seeded_spikes(cal: Calendar, viral_start: datetime) -> list[Seeded]:
    """The seeded spikes, each from when it truly begins: the ad's day (its buzz follows the day's hours),
    the contest's 09:00 launch post, the viral story's first post, the outage's 13:00."""
    day = lambda d: cal.start + timedelta(days=d)  # noqa: E731
    contest = day(cal.contest_start) + timedelta(hours=9)
    outage = day(cal.outage_day) + timedelta(hours=OUTAGE_START_HOUR)
    return [
        Seeded("ad launch (campaign)", AlertKind.CAMPAIGN, day(cal.ad_start), day(cal.ad_end + 21)),
        Seeded("contest launch (campaign)", AlertKind.CAMPAIGN, contest, day(cal.contest_end + 1)),
        Seeded("viral story (organic)", AlertKind.ORGANIC, viral_start, day(cal.viral_day + 3)),
        Seeded("outage (complaint surge)", AlertKind.COMPLAINT_SURGE, outage, day(cal.outage_day + 2)),
    ]


def replay(rule: SpikeRule, series: dict, start: datetime, end: datetime, step: timedelta) -> list[Episode]:  # type: ignore[type-arg]
    episodes: dict[str, Episode] = {}
    done: list[Episode] = []
    now = start + step
    while now <= end:
        for f in rule.detect(series, now):
            ep = episodes.get(f.key)
            if ep is not None and now - ep.last <= QUIET:
                ep.last = now
            else:
                if ep is not None:
                    done.append(ep)
                episodes[f.key] = Episode(f.key, f.kind, now, now)
        now += step
    return sorted(done + list(episodes.values()), key=lambda e: e.first)


def run_seed(seed: int, posts: int, interval: int, outage: float, workdir: Path) -> dict[str, object]:
    cal = make_calendar()
    path = workdir / f"seed{seed}"
    build_demo(path, posts=posts, seed=seed, profile=BrandProfile(outage=outage))
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
        with ws.sources() as src:
            rule = SpikeRule.from_config(ws.config, bin_seconds=interval * 60)
            end = cal.start + timedelta(days=cal.days)
            t0 = time.perf_counter()
            series = topic_series(src, cal.start, end, interval * 60)
            t1 = time.perf_counter()
            episodes = replay(rule, series, cal.start, end, timedelta(minutes=interval))
            t2 = time.perf_counter()
            batch = detect_spikes(src)
            seeded = seeded_spikes(cal, viral_origin(src, cal))
    out: dict[str, object] = {
        "seed": seed,
        "query_s": t1 - t0,
        "replay_s": t2 - t1,
        "cycles": cal.days * 1440 // interval,
    }
    claimed: set[int] = set()
    rows = []
    for s in seeded:
        mine = [i for i, e in enumerate(episodes) if s.start - timedelta(hours=1) <= e.first <= s.window_end]
        right = [i for i in mine if episodes[i].kind is s.kind]
        claimed.update(right)  # an alert with another label in the window is a false alarm
        first = episodes[right[0]] if right else None
        wrong = sorted({episodes[i].kind.value for i in mine if episodes[i].kind is not s.kind})
        flagged = [sp for sp in batch.spikes if s.start.date() <= sp.start <= s.window_end.date()]
        batch_day = flagged[0].start if flagged else None
        rows.append({
            "spike": s.name,
            "found": first is not None,
            "delay_min": (first.first - s.start).total_seconds() / 60 if first else None,
            "alerts": len(right),
            "other_labels": wrong,
            "batch_day": batch_day.isoformat() if batch_day else None,
            "batch_label": flagged[0].label if flagged else None,
            "batch_delay_h": (datetime.combine(batch_day + timedelta(days=1), datetime.min.time()) - s.start)
            .total_seconds() / 3600 if batch_day else None,
        })  # fmt: skip
    evaluated_days = cal.days - MIN_HISTORY_DAYS
    false = [e for i, e in enumerate(episodes) if i not in claimed]
    batch_false = [
        sp for sp in batch.spikes
        if not any(s.start.date() <= sp.start <= s.window_end.date() for s in seeded)
    ]  # fmt: skip
    out.update(
        rows=rows,
        false_alarms=len(false),
        false_per_month=len(false) / (evaluated_days / 30.44),
        false_list=[f"{e.first:%Y-%m-%d %H:%M} {e.key}" for e in false],
        batch_days=[f"{sp.start} {sp.label}" for sp in batch.spikes],
        batch_false_per_month=len(batch_false) / (evaluated_days / 30.44),
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--interval", type=int, default=5, help="watch interval, minutes")
    parser.add_argument("--outage", type=float, default=3.0, help="the outage's height, in ordinary days")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            r = run_seed(seed, args.posts, args.interval, args.outage, Path(tmp))
            results.append(r)
            print(f"\nseed {seed}: {r['cycles']} cycles of {args.interval} min; query {r['query_s']:.1f} s, "
                  f"replay {r['replay_s']:.1f} s")  # fmt: skip
            for row in r["rows"]:  # type: ignore[attr-defined]
                delay = f"{row['delay_min']:.0f} min" if row["found"] else "-"
                batch = (f"{row['batch_day']} ({row['batch_label']}, known {row['batch_delay_h']:.0f} h after start)"
                         if row["batch_day"] else "not flagged")  # fmt: skip
                print(f"  {row['spike']:28} found={row['found']!s:5} delay={delay:>9} alerts={row['alerts']} "
                      f"other labels={row['other_labels']}  | batch: {batch}")  # fmt: skip
            print(f"  false alarms: {r['false_alarms']} ({r['false_per_month']:.2f}/month) {r['false_list']}")
            print(f"  batch days flagged: {r['batch_days']} (false {r['batch_false_per_month']:.2f}/month)")
    by_kind: dict[str, list[float]] = {}
    missed = 0
    for r in results:
        for row in r["rows"]:  # type: ignore[attr-defined]
            if row["found"]:
                by_kind.setdefault(row["spike"], []).append(row["delay_min"])
            else:
                missed += 1
    print(f"\nover {len(results)} seed(s): missed {missed}")
    for name, delays in by_kind.items():
        print(f"  {name:28} delay median {statistics.median(delays):.0f} min, max {max(delays):.0f} min")
    print(f"  false alarms per month: {statistics.mean(r['false_per_month'] for r in results):.2f} mean, "  # type: ignore[misc]
          f"{max(r['false_per_month'] for r in results):.2f} max")  # type: ignore[type-var]  # fmt: skip


if __name__ == "__main__":
    main()
