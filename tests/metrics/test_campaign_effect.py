"""The campaign effect on series made up here: a known step is found with an interval around it, a flat series
shows none, and what cannot be estimated says why."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from groundswell.config import Campaign
from groundswell.metrics.campaign_effect import (
    MIN_PRE_PERIODS,
    brand_series,
    buzz_series,
    campaign_effect,
)

WEEKS = pd.date_range("2026-01-05", periods=30, freq="W-MON")  # Mondays
CAMPAIGN = Campaign(name="Spring", hashtags=("#spring",), start=date(2026, 3, 18), end=date(2026, 4, 7))


def _series(seed: int, step: float = 0.0, *, level: float = 1000.0, noise: float = 20.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = level + rng.normal(0.0, noise, len(WEEKS))
    inside = (WEEKS >= pd.Timestamp("2026-03-16")) & (WEEKS <= pd.Timestamp("2026-04-06"))
    return pd.Series(values + step * inside, index=WEEKS)


def test_a_step_in_the_campaign_weeks_is_found_and_a_flat_series_shows_none() -> None:
    stepped = campaign_effect(_series(1, step=200.0), _series(2), CAMPAIGN, outcome_name="sales", post_periods=2)
    assert (stepped.window_start, stepped.window_end) == (date(2026, 3, 16), date(2026, 4, 20))
    sales = stepped.outcome
    assert sales.pre_periods == 10 and sales.window_periods == 6 and sales.model == "local level"
    assert sales.effect_low is not None and sales.effect_high is not None
    assert 0 < sales.effect_low <= 4 * 200.0 <= sales.effect_high  # four weeks of +200
    assert sales.relative is not None and 0.05 < sales.relative < 0.25
    assert len(sales.periods) == 6 and sales.periods[0].period_start == date(2026, 3, 16)
    flat = stepped.buzz  # the same noise, no step
    assert flat.effect_low is not None and flat.effect_high is not None
    assert flat.effect_low < 0 < flat.effect_high and not flat.excludes_zero
    assert "an interval that includes no change" in stepped.summary()


def test_the_intervals_come_from_seeded_draws_and_repeat() -> None:
    once = campaign_effect(_series(3), _series(4), CAMPAIGN, outcome_name="sales", draws=300)
    again = campaign_effect(_series(3), _series(4), CAMPAIGN, outcome_name="sales", draws=300)
    assert once == again


def test_a_multiplied_buzz_reads_as_a_multiple() -> None:
    buzz = _series(5, level=20.0, noise=3.0)
    buzz[(WEEKS >= pd.Timestamp("2026-03-16")) & (WEEKS <= pd.Timestamp("2026-04-06"))] *= 3
    found = campaign_effect(_series(6), buzz.round(), CAMPAIGN, outcome_name="sales", post_periods=0)
    assert found.buzz.relative_low is not None and found.buzz.relative_high is not None
    assert 0 < found.buzz.relative_low < 2.0 < found.buzz.relative_high  # tripled: +200%
    assert "buzz moved an estimated +" in found.summary()


@pytest.mark.parametrize(
    ("campaign", "says"),
    [
        (CAMPAIGN.model_copy(update={"start": date(2026, 2, 20)}), f"(6 weeks; it needs {MIN_PRE_PERIODS})"),
        (CAMPAIGN.model_copy(update={"start": None, "end": None}), "the campaign has no start date"),
        (CAMPAIGN.model_copy(update={"start": date(2027, 1, 1), "end": None}), "no data from the campaign's start"),
    ],
)
def test_what_cannot_be_estimated_says_why(campaign: Campaign, says: str) -> None:
    found = campaign_effect(_series(7), _series(8), campaign, outcome_name="sales")
    assert found.outcome.effect is None and found.buzz.effect is None
    assert says in found.summary()


def test_the_brand_series_adds_up_the_stores_with_every_week() -> None:
    values = [
        {"location": store, "period_start": day.date(), "value": value}
        for store, value in (("Leeds", 10.0), ("York", 20.0), ("Hull", 5.0))
        for day in WEEKS[:4]
        if not (store == "Hull" and day == WEEKS[2])  # Hull misses a week: left out rather than a dip
    ]
    series, stores, of = brand_series(values, "W-MON", "sum")
    assert (stores, of) == (2, 3) and series.tolist() == [30.0, 30.0, 30.0, 30.0]
    mean, _, _ = brand_series(values, "W-MON", "mean")
    assert mean.tolist() == [15.0] * 4


def test_another_campaigns_posts_are_not_this_campaigns_history() -> None:
    counts = {
        (date(2026, 1, 5), None): 4,
        (date(2026, 1, 12), "Film"): 90,
        (date(2026, 1, 12), None): 5,
        (date(2026, 1, 26), "Spring"): 40,
    }
    found = buzz_series(counts, "Spring", (date(2026, 1, 5), date(2026, 1, 26)), "W-MON")
    assert found.tolist() == [4.0, 5.0, 0.0, 40.0]


def test_two_years_of_months_bring_the_trend_and_the_season() -> None:
    months = pd.date_range("2023-01-01", periods=32, freq="MS")
    rng = np.random.default_rng(9)
    season = 100.0 * np.sin(2 * np.pi * months.month.to_numpy() / 12)
    sales = pd.Series(5000.0 + 10.0 * np.arange(32) + season + rng.normal(0.0, 15.0, 32), index=months)
    sales[months >= pd.Timestamp("2025-06-01")] += 400.0  # June, July (the campaign) and August, the last month
    summer = Campaign(name="Summer", hashtags=("#summer",), start=date(2025, 6, 10), end=date(2025, 7, 20))
    found = campaign_effect(sales, sales, summer, outcome_name="sales", granularity="month", post_periods=2)
    assert found.outcome.model == "local linear trend + yearly seasonality" and found.outcome.pre_periods == 29
    assert found.outcome.effect_low is not None and found.outcome.effect_high is not None
    assert found.outcome.effect_low <= 3 * 400.0 <= found.outcome.effect_high and found.outcome.effect_low > 0


def test_no_values_say_so() -> None:
    empty, stores, of = brand_series([], "W-MON", "sum")
    found = campaign_effect(empty, _series(10), CAMPAIGN, outcome_name="sales")
    assert (stores, of) == (0, 0) and found.outcome.effect is None and found.outcome.note == "no values"
    assert found.buzz.effect is not None
