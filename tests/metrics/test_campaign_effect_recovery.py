"""The campaign effect finds the buzz a campaign made, and a lift in sales only where there is one.

Seeded demo worlds (posts enriched with the shipped fast model) have a contest that lifts the buzz and leaves the
sales alone (``groundswell.demo.outcomes``). Its effect on the buzz must have an interval above zero, and its
effect on the sales an interval covering zero; where the sales are given a known lift in the contest's weeks
(``SalesLift``), the interval must leave out zero and cover the true lift (the lift times the weeks times the
stores added up) in >= 90% of the series.

The slow test runs 50 series (5 worlds x 10 sales seeds); the default suite one small world and one seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from groundswell.config import Campaign
from groundswell.demo import DEFAULT_PROFILE, build_demo
from groundswell.demo.outcomes import SalesLift, demo_sales
from groundswell.enrich.registry import shipped_model_dir
from groundswell.metrics.campaign_buzz import buzz_by_campaign
from groundswell.metrics.campaign_effect import CampaignEffect, brand_series, buzz_series, campaign_effect
from groundswell.metrics.social_panel import SocialCell
from groundswell.workspace import Workspace

LIFT = 5.0  # thousand GBP a week at every store while the contest runs: about 5% of a store's week


@dataclass(frozen=True)
class World:
    cells: list[SocialCell]
    contest: Campaign
    buzz: pd.Series


@dataclass(frozen=True)
class Tally:
    series: int = 0
    sales_cover_zero: int = 0
    lift_found: int = 0  # interval leaves out zero and covers the true lift
    buzz_above_zero: int = 0  # per world: the buzz is the same for every sales seed


def _world(root: Path, *, posts: int, seed: int) -> World:
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    build_demo(root, posts=posts, seed=seed, profile=replace(DEFAULT_PROFILE, stores=40))
    with Workspace.open(root) as ws:
        ws.enrich("fast", workers=1)
        cells = ws.social_figures(granularity="week")
        with ws.computing() as sources:
            counts = buzz_by_campaign(sources)
        contest = next(c for c in ws.config.campaigns if c.end is not None)  # the demo's contest has dates
    assert counts.span is not None
    return World(cells, contest, buzz_series(counts.posts, contest.name, counts.span, "W-MON"))


def _effect(world: World, *, seed: int, lift: SalesLift | None) -> tuple[CampaignEffect, int]:
    rows = demo_sales(world.cells, seed=seed, lift=lift)
    values = [
        {"location": r.location, "period_start": date.fromisocalendar(int(r.period[:4]), int(r.period[6:]), 1),
         "value": r.value}
        for r in rows
    ]  # fmt: skip
    series, stores, _ = brand_series(values, "W-MON", "sum")
    return campaign_effect(series, world.buzz, world.contest, outcome_name="sales", unit="thousand GBP"), stores


def _tally(world: World, seeds: range, tally: Tally) -> Tally:
    lift = SalesLift(world.contest.start or date.min, world.contest.end or date.max, LIFT)
    for seed in seeds:
        plain, _ = _effect(world, seed=seed, lift=None)
        lifted, stores = _effect(world, seed=seed, lift=lift)
        assert plain.outcome.effect_low is not None and plain.outcome.effect_high is not None
        assert lifted.outcome.effect_low is not None and lifted.outcome.effect_high is not None
        true_lift = LIFT * stores * sum(1 for p in lifted.outcome.periods if lift.applies(p.period_start))
        tally = replace(
            tally,
            series=tally.series + 1,
            sales_cover_zero=tally.sales_cover_zero + (plain.outcome.effect_low <= 0 <= plain.outcome.effect_high),
            lift_found=tally.lift_found + (0 < lifted.outcome.effect_low <= true_lift <= lifted.outcome.effect_high),
        )
    buzz, _ = _effect(world, seed=0, lift=None)
    return replace(tally, buzz_above_zero=tally.buzz_above_zero + ((buzz.buzz.effect_low or 0.0) > 0))


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield _world(tmp_path_factory.mktemp("campaigns") / "ws", posts=6000, seed=21)


def test_a_small_world_shows_the_buzz_and_no_sales_and_finds_a_real_lift(small_world: World) -> None:
    found, _ = _effect(small_world, seed=0, lift=None)
    assert found.buzz.pre_periods >= 8 and found.buzz.effect_low is not None and found.buzz.effect_low > 0
    assert found.buzz.relative is not None and found.buzz.relative > 1  # the contest more than doubles the buzz
    tally = _tally(small_world, range(1), Tally())
    assert (tally.series, tally.sales_cover_zero, tally.lift_found, tally.buzz_above_zero) == (1, 1, 1, 1)


def test_the_open_ended_campaign_with_five_weeks_before_it_says_so(small_world: World) -> None:
    too_early = small_world.contest.model_copy(update={"name": "early", "start": date(2025, 10, 7), "end": None})
    found, _ = _effect(replace(small_world, contest=too_early), seed=0, lift=None)
    assert found.outcome.effect is None and found.buzz.effect is None
    assert "too little history before the campaign (5 weeks; it needs 8)" in found.summary()


@pytest.mark.slow
def test_fifty_sales_series_show_the_buzz_alone_and_recover_a_real_lift(tmp_path: Path) -> None:
    tally = Tally()
    for world in range(5):
        tally = _tally(_world(tmp_path / f"ws{world}", posts=12000, seed=100 + world), range(10), tally)
    print(tally)  # the figures, for the record of a run (pytest -s)
    assert tally.series == 50 and tally.buzz_above_zero == 5
    assert tally.sales_cover_zero >= 45  # >= 90%
    assert tally.lift_found >= 45
