"""Did the campaign move the business? Each campaign's effect on the outcome beside its effect on the buzz.

For a configured campaign with a start date, and for each of two brand-wide series per period (the business
outcome, added up over the stores, and the marketing-buzz posts), a structural time series (statsmodels'
``UnobservedComponents``: a local level, a trend and the year's seasonality where the history allows) is fitted
on the periods before the campaign and run forward over the campaign and ``post_periods`` after it: what the
series would have been had the history simply gone on. The effect is what was observed minus that counterfactual,
added up over the window; its 95% interval comes from ``draws`` simulations of the fitted model (the state at
the campaign's start drawn from its filtered distribution, every later disturbance drawn from the model), so the
cumulative and relative effects carry the uncertainty of every period together, not period by period.

The buzz enters as log(1 + posts): a campaign multiplies chatter rather than adding a fixed number of posts, and
the counterfactual stays positive. With fewer than ``MIN_PRE_PERIODS`` periods before the campaign, a series says
so and shows no number. These are estimates from the history alone: whatever else happened in the window (a
price cut, a holiday, another campaign) is in them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from groundswell.config import Campaign

ALPHA = 0.05
MIN_PRE_PERIODS = 8
DEFAULT_POST_PERIODS = 4
DEFAULT_DRAWS = 2000
BUZZ = "marketing_buzz_posts"
CYCLE = {"week": 52.1775, "month": 12}  # periods in a year
WORDS = (
    "An estimate against a counterfactual from each series' own history: anything else that changed in the "
    "window moves it too, and the intervals leave out the uncertainty of the model's own parameters."
)


@dataclass(frozen=True, slots=True)
class PeriodEstimate:
    """One period of the window: observed, and the counterfactual's median with its 95% interval."""

    period_start: date
    observed: float | None
    predicted: float
    predicted_low: float
    predicted_high: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "observed": self.observed,
            "predicted": self.predicted,
            "predicted_95": [self.predicted_low, self.predicted_high],
        }


@dataclass(frozen=True, slots=True)
class SeriesEffect:
    """A campaign's effect on one series over its window: observed minus counterfactual, in total and relative
    to the counterfactual, each with its 95% interval; no number when ``note`` says why not."""

    series: str
    unit: str
    pre_periods: int
    window_periods: int
    model: str = ""
    observed: float | None = None
    predicted: float | None = None
    effect: float | None = None
    effect_low: float | None = None
    effect_high: float | None = None
    relative: float | None = None
    relative_low: float | None = None
    relative_high: float | None = None
    periods: tuple[PeriodEstimate, ...] = ()
    note: str | None = None

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval of the effect leaves out zero (an effect the history does not explain)."""
        return (
            self.effect_low is not None
            and self.effect_high is not None
            and (self.effect_low > 0 or self.effect_high < 0)
        )

    def words(self) -> str:
        """``+210% [+160%, +260%]`` (and whether the interval includes no change), or why there is no number."""
        if self.relative is None or self.relative_low is None or self.relative_high is None:
            return f"no estimate ({self.note})" if self.note else "no estimate"
        found = f"{_percent(self.relative)} [{_percent(self.relative_low)}, {_percent(self.relative_high)}]"
        return found if self.excludes_zero else f"{found}, an interval that includes no change"

    def as_dict(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "unit": self.unit,
            "pre_periods": self.pre_periods,
            "window_periods": self.window_periods,
            "model": self.model,
            "observed": self.observed,
            "predicted": self.predicted,
            "effect": self.effect,
            "effect_95": [self.effect_low, self.effect_high],
            "relative": self.relative,
            "relative_95": [self.relative_low, self.relative_high],
            "excludes_zero": self.excludes_zero,
            "periods": [p.as_dict() for p in self.periods],
            **({"note": self.note} if self.note else {}),
        }


@dataclass(frozen=True, slots=True)
class CampaignEffect:
    """One campaign: its window (first period .. last, the post-campaign periods included), and its estimated
    effect on the buzz and on the outcome."""

    campaign: str
    start: date | None
    end: date | None
    window_start: date | None
    window_end: date | None
    buzz: SeriesEffect
    outcome: SeriesEffect

    def summary(self) -> str:
        """The campaign's effects in one sentence, in the words of an estimate."""
        if self.window_start is None or self.window_end is None:
            return f"{self.campaign}: no estimate ({self.outcome.note})"
        when = f"{self.campaign} ({self.window_start.isoformat()} to {self.window_end.isoformat()})"
        if self.buzz.relative is None and self.outcome.relative is None:
            notes = dict.fromkeys(n for n in (self.buzz.note, self.outcome.note) if n)
            return f"{when}: no estimate ({'; '.join(notes) or 'no data'})"
        return (
            f"{when}, against what each series' history predicts: buzz {_moved(self.buzz)}; "
            f"{self.outcome.series} {_moved(self.outcome)}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "window": [
                self.window_start.isoformat() if self.window_start else None,
                self.window_end.isoformat() if self.window_end else None,
            ],
            "summary": self.summary(),
            "buzz": self.buzz.as_dict(),
            "outcome": self.outcome.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class CampaignEffects:
    """Every configured campaign's effect on ``outcome`` and on the buzz."""

    outcome: str
    unit: str
    granularity: str
    post_periods: int
    campaigns: tuple[CampaignEffect, ...]
    stores: int | None = None  # the stores added up in the outcome (those with a value in every period)
    all_stores: int | None = None
    notes: tuple[str, ...] = (WORDS,)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "unit": self.unit,
            "granularity": self.granularity,
            "post_periods": self.post_periods,
            "stores": self.stores,
            "all_stores": self.all_stores,
            "campaigns": [c.as_dict() for c in self.campaigns],
            "notes": list(self.notes),
        }


def brand_series(values: Sequence[dict[str, Any]], freq: str, aggregation: str) -> tuple[pd.Series, int, int]:
    """The outcome of the stores per period (``location``, ``period_start``, ``value`` rows), added up (or averaged,
    for an outcome aggregated by mean or last value) over the stores with a value in every period, on a regular
    grid of ``freq``: a store that opened, closed or skipped a period would otherwise move the total by itself.
    Returns the series, the stores in it and the stores in ``values``."""
    if not values:
        return _empty(), 0, 0
    frame = pd.DataFrame(
        [(v["location"], pd.Timestamp(v["period_start"]), float(v["value"])) for v in values],
        columns=["location", "period", "value"],
    )
    wide = frame.pivot_table(index="period", columns="location", values="value", aggfunc="sum")
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq=freq))
    complete = wide.loc[:, wide.notna().all()]
    if complete.shape[1] == 0:
        return _empty(), 0, wide.shape[1]
    total = complete.sum(axis=1) if aggregation == "sum" else complete.mean(axis=1)
    return total.rename("outcome"), complete.shape[1], wide.shape[1]


def buzz_series(
    counts: Mapping[tuple[date, str | None], int], campaign: str, span: tuple[date, date], freq: str
) -> pd.Series:
    """The buzz a campaign's counterfactual reads, per period of ``span`` (first and last period start): posts
    about the marketing naming no campaign or this one (``campaign_buzz.buzz_by_campaign``). Another campaign's
    posts are left out, so that its launch is not taken for this campaign's history; a period without buzz is 0."""
    grid = pd.date_range(pd.Timestamp(span[0]), pd.Timestamp(span[1]), freq=freq)
    series = pd.Series(0.0, index=grid, name=BUZZ)
    for (period, named), posts in counts.items():
        stamp = pd.Timestamp(period)
        if named in (None, campaign) and stamp in series.index:
            series[stamp] += posts
    return series


def campaign_effects(
    outcome: pd.Series,
    buzz: Mapping[str, pd.Series],
    campaigns: Sequence[Campaign],
    *,
    outcome_name: str,
    unit: str = "",
    granularity: str = "week",
    post_periods: int = DEFAULT_POST_PERIODS,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> CampaignEffects:
    """Each campaign's effect on ``outcome`` and on its buzz (``buzz`` by campaign name; series on regular grids
    of periods starting Monday for weeks or on the 1st for months)."""
    found = tuple(
        campaign_effect(outcome, buzz[campaign.name], campaign, outcome_name=outcome_name, unit=unit,
                        granularity=granularity, post_periods=post_periods, draws=draws, seed=seed)
        for campaign in campaigns
    )  # fmt: skip
    return CampaignEffects(outcome_name, unit, granularity, post_periods, found)


def campaign_effect(
    outcome: pd.Series,
    buzz: pd.Series,
    campaign: Campaign,
    *,
    outcome_name: str,
    unit: str = "",
    granularity: str = "week",
    post_periods: int = DEFAULT_POST_PERIODS,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> CampaignEffect:
    """One campaign's effect on ``outcome`` and on ``buzz``: see the module's docstring."""
    first = _period_of(campaign.start, granularity) if campaign.start else None
    last_data = max((s.index.max() for s in (outcome, buzz) if len(s)), default=None)
    if first is None or last_data is None or first > last_data:
        why = "the campaign has no start date" if first is None else "no data from the campaign's start on"
        return CampaignEffect(campaign.name, campaign.start, campaign.end, None, None,
                              SeriesEffect(BUZZ, "posts", 0, 0, note=why),
                              SeriesEffect(outcome_name, unit, 0, 0, note=why))  # fmt: skip
    step = pd.offsets.Week(weekday=0) if granularity == "week" else pd.offsets.MonthBegin()
    end = _period_of(campaign.end, granularity) if campaign.end else last_data
    window_end = min(pd.Timestamp(end) + post_periods * step, last_data)
    window = (pd.Timestamp(first), pd.Timestamp(window_end))
    return CampaignEffect(
        campaign.name, campaign.start, campaign.end, window[0].date(), window[1].date(),
        series_effect(buzz, window, series=BUZZ, unit="posts", granularity=granularity, log=True, draws=draws,
                      seed=seed),
        series_effect(outcome, window, series=outcome_name, unit=unit, granularity=granularity, log=False,
                      draws=draws, seed=seed),
    )  # fmt: skip


def series_effect(
    values: pd.Series,
    window: tuple[pd.Timestamp, pd.Timestamp],
    *,
    series: str,
    unit: str = "",
    granularity: str = "week",
    log: bool = False,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> SeriesEffect:
    """Observed minus the counterfactual of ``values`` over ``window`` (first and last period, inclusive), the
    counterfactual fitted on the periods before it; ``log``: modelled as log(1 + value)."""
    if not isinstance(values.index, pd.DatetimeIndex) or values.empty:
        return SeriesEffect(series, unit, 0, 0, note="no values")
    pre = values[values.index < window[0]]
    inside = values[(values.index >= window[0]) & (values.index <= window[1])]
    known = int(pre.notna().sum())
    base = SeriesEffect(series, unit, known, len(inside))
    if known < MIN_PRE_PERIODS:
        return replace(base, note=f"too little history before the campaign ({known} {granularity}s; "
                                  f"it needs {MIN_PRE_PERIODS})")  # fmt: skip
    if inside.notna().sum() == 0:
        return replace(base, note="no value in the campaign's window")
    pre = pre.loc[pre.first_valid_index() :]
    fitted, model = _fit(np.log1p(pre.to_numpy(float)) if log else pre.to_numpy(float), granularity)
    simulated = np.asarray(
        fitted.simulate(len(inside), anchor="end", repetitions=draws, rng=np.random.default_rng(seed)), float
    ).reshape(len(inside), draws)
    if log:
        simulated = np.expm1(simulated)
    seen = inside.notna().to_numpy()
    observed = inside.to_numpy(float)
    predicted_total = simulated[seen].sum(axis=0)
    observed_total = float(observed[seen].sum())
    effects = observed_total - predicted_total
    relative = np.divide(effects, predicted_total, out=np.full(draws, np.nan), where=predicted_total > 0)
    q = (100 * ALPHA / 2, 50, 100 * (1 - ALPHA / 2))
    e_low, _, e_high = np.percentile(effects, q)
    middle = float(np.median(predicted_total))
    r_low, _, r_high = np.nanpercentile(relative, q) if np.isfinite(relative).any() else (np.nan,) * 3
    per_period = np.percentile(simulated, q, axis=1)
    periods = tuple(
        PeriodEstimate(stamp.date(), float(v) if ok else None, float(per_period[1, i]), float(per_period[0, i]),
                       float(per_period[2, i]))
        for i, (stamp, v, ok) in enumerate(zip(inside.index, observed, seen, strict=True))
    )  # fmt: skip
    return replace(
        base,
        model=model,
        observed=observed_total,
        predicted=middle,
        effect=observed_total - middle,
        effect_low=float(e_low),
        effect_high=float(e_high),
        relative=_finite(observed_total / middle - 1) if middle > 0 else None,
        relative_low=_finite(float(r_low)),
        relative_high=_finite(float(r_high)),
        periods=periods,
    )


def _fit(history: np.ndarray, granularity: str) -> tuple[Any, str]:
    """The structural model the history allows, fitted by maximum likelihood: a local level; with two years or
    more, a local linear trend and the year's seasonality as well."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    cycle = CYCLE[granularity]
    if len(history) >= 2 * cycle:
        seasonal = [{"period": cycle, "harmonics": 2 if granularity == "week" else 4}]
        model = UnobservedComponents(history, level="local linear trend", freq_seasonal=seasonal)
        name = "local linear trend + yearly seasonality"
    else:
        model = UnobservedComponents(history, level="local level")
        name = "local level"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on short series: the fit is still the maximum found
        return model.fit(disp=False), name


def _empty() -> pd.Series:
    return pd.Series(dtype=float, index=pd.DatetimeIndex([]))


def _percent(share: float) -> str:
    """+782%, +12%, +0.3%: a tenth of a percent where the whole number would read as 0."""
    return f"{share:+.1%}" if abs(share) < 0.1 else f"{share:+.0%}"


def _moved(series: SeriesEffect) -> str:
    return f"moved an estimated {series.words()}" if series.relative is not None else series.words()


def _period_of(day: date, granularity: str) -> pd.Timestamp:
    stamp = pd.Timestamp(day)
    return stamp.to_period("M").start_time if granularity == "month" else stamp.to_period("W-SUN").start_time


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
