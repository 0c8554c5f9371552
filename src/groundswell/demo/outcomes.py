"""The demo world's business outcome: weekly sales per store, made from what its customers say of their visits.

Each store sells its own base amount a week, plus ``effect`` for each unit of its experience net sentiment
``lag`` weeks earlier, plus noise. Nothing in the sales follows the marketing buzz: the campaigns lift the buzz
and leave the tills alone (the film that trended and flopped). The effect and lag are known, so the analysis can
be checked against them (tests/metrics/test_outcomes_recovery.py).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from groundswell.metrics.social_panel import SocialCell
from groundswell.records import ImportReport
from groundswell.workspace import Workspace

SALES_FILE = "sales.csv"
TRUE_LAG_WEEKS = 2
TRUE_EFFECT = 6.0  # thousand GBP a week per unit of experience net sentiment (-1 all negative .. +1 all positive)
NOISE = 4.0  # standard deviation of a week's sales, thousand GBP
OUTCOMES_CONFIG = """\
# Business outcomes: weekly sales per store (`groundswell outcomes import`), set beside the social figures.
[[outcomes]]
name = "sales"
unit = "thousand GBP"
direction = "higher_is_better"
aggregation = "sum"

# A goal on the business itself: the stores' sales together, per week on average (thousand GBP).
[[goals]]
name = "Sell more in the stores"
[[goals.kpis]]
metric = "sales"
target = 4400
direction = "at_least"
"""


@dataclass(frozen=True, slots=True)
class SalesLift:
    """A campaign that does move the tills: ``amount`` (thousand GBP) more a week at every store, in the weeks from
    the one holding ``start`` to the one holding ``end``. The demo has none; the campaign-effect checks use one."""

    start: date
    end: date
    amount: float

    def applies(self, week: date) -> bool:
        return self.start - timedelta(days=self.start.weekday()) <= week <= self.end


@dataclass(frozen=True, slots=True)
class SalesRow:
    location: str
    period: str  # ISO week, 2026-W10
    value: float


def demo_sales(
    cells: Sequence[SocialCell],
    *,
    seed: int,
    effect: float = TRUE_EFFECT,
    lag: int = TRUE_LAG_WEEKS,
    noise: float = NOISE,
    lift: SalesLift | None = None,
) -> list[SalesRow]:
    """Weekly sales of every store in ``cells``: base + ``effect`` x experience net sentiment ``lag`` weeks
    before + noise (+ the ``lift``'s amount in its weeks). A week whose earlier sentiment is unknown (no
    experience post) takes the store's mean."""
    rng = random.Random(seed)  # noqa: S311 - seeded synthetic sales, not a secret
    by_store: dict[str, dict[date, float | None]] = {}
    for cell in cells:
        by_store.setdefault(cell.location, {})[cell.period_start] = cell.figures["experience_net_sentiment"]
    rows = []
    for store in sorted(by_store):
        weeks = by_store[store]
        known = [v for v in weeks.values() if v is not None]
        mean = sum(known) / len(known) if known else 0.0
        base = rng.uniform(60.0, 160.0)
        first, last = min(weeks), max(weeks)
        week = first
        while week <= last:
            earlier = weeks.get(week - timedelta(weeks=lag))
            sentiment = earlier if earlier is not None else mean
            value = base + effect * sentiment + rng.gauss(0.0, noise)
            if lift is not None and lift.applies(week):
                value += lift.amount
            year, number, _ = week.isocalendar()
            rows.append(SalesRow(store, f"{year}-W{number:02d}", round(value, 3)))
            week += timedelta(weeks=1)
    return rows


def write_sales_csv(rows: Sequence[SalesRow], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "location", "period", "value"])
        writer.writerows(("sales", r.location, r.period, f"{r.value:.3f}") for r in rows)
    return path


def import_demo_sales(
    ws: Workspace, *, seed: int, effect: float = TRUE_EFFECT, lag: int = TRUE_LAG_WEEKS
) -> ImportReport:
    """Make the enriched demo workspace's weekly sales from its stores' social figures, write them beside its
    posts and import them."""
    cells = ws.social_figures(granularity="week")
    rows = demo_sales(cells, seed=seed, effect=effect, lag=lag)
    path = write_sales_csv(rows, ws.path / "demo-data" / SALES_FILE)
    return ws.import_outcomes([path])
