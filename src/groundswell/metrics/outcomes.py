"""Does social media go with the business? A business outcome beside the social figures, per store and period.

For each social figure (``social_panel``) against an outcome (sales, visits...), at lags 0..``max_lag`` periods
(the figure ``lag`` periods before the outcome):

- *within stores* (the panel): a regression of the outcome on the lagged figure with a fixed effect per store
  and errors by the cluster jackknife over stores, or over periods for a brand-wide figure (``_Panel``, the
  fixed-effects slope from per-store sums, equal to linearmodels ``PanelOLS``'s; ``BRAND_WIDE``): the effect
  (outcome units per unit of the figure) with its 95% interval, and the within-store correlation (the same slope in standard deviations);
- *across stores* (the cross-section): the correlation of the stores' mean outcome with their mean figure,
  with its 95% interval (scipy's Fisher interval);
- p-values corrected for the number of figures, lags and kinds tested (Benjamini-Yekutieli, statsmodels), a
  brand-wide figure not compared across stores;
- per side of the scorecard (social media, marketing), a panel regression of the outcome on that side's
  figures, each at its strongest lag, store fixed effects, and the share of the outcome's within-store variance
  it explains (``within_r_squared``, equal to ``PanelOLS``'s ``rsquared_within``).

These are correlations: they say what goes with the outcome, never what causes it. A relationship with too
few stores or periods says so and shows no number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from groundswell.metrics.social_panel import FIGURE_UNITS, MARKETING_FIGURES, SOCIAL_MEDIA_FIGURES, SocialCell

Side = Literal["social_media", "marketing"]
ALPHA = 0.05
DEFAULT_MAX_LAG = 8
MIN_PANEL_STORES = 20  # errors clustered by store need enough stores to be trusted (measured: 12 are too few)
MIN_CROSS_STORES = 8
MIN_PERIODS = 8  # periods a store needs, after the lag, to count in the panel
BRAND_WIDE = frozenset(MARKETING_FIGURES)
"""Figures the same for every store of a period (the buzz): their errors are clustered by period, since every
store of a week shares whatever else happened that week; the others' by store (a store's weeks are not
independent of each other). Errors by the cluster jackknife, intervals and p-values from Student's t with
one degree of freedom fewer than the clusters, as few clusters need (Cameron and Miller 2015)."""
CORRECTION = "fdr_by"
"""Benjamini-Yekutieli: the false discovery rate held under any dependence between the tests. Those of one
figure at neighbouring lags, within and across stores, reuse the same weeks, and two-sided tests of such
correlated estimates need not have the positive dependence Benjamini-Hochberg relies on."""
LOG_SCALE = frozenset({"experience_posts", "complaints", "marketing_buzz_posts"})
"""Counts enter as log(1 + count): one store's viral week would otherwise decide the slope alone."""
WORDS = (
    "These are correlations: a figure that goes with the outcome may share a cause with it, or follow it; "
    "none of them shows that social media causes sales."
)


@dataclass(frozen=True, slots=True)
class Relationship:
    """One figure against the outcome at one lag, within stores or across them; no number when ``note`` says
    why not."""

    figure: str
    side: Side
    kind: Literal["within_stores", "across_stores"]
    lag: int
    observations: int
    stores: int
    correlation: float | None = None
    correlation_low: float | None = None
    correlation_high: float | None = None
    effect: float | None = None  # outcome units per unit of the figure (within stores only)
    effect_low: float | None = None
    effect_high: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    note: str | None = None

    @property
    def significant(self) -> bool:
        return self.p_adjusted is not None and self.p_adjusted < ALPHA

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "unit": FIGURE_UNITS.get(self.figure, ""),
            "side": self.side,
            "kind": self.kind,
            "lag": self.lag,
            "observations": self.observations,
            "stores": self.stores,
            "correlation": self.correlation,
            "correlation_95": [self.correlation_low, self.correlation_high],
            "effect": self.effect,
            "effect_95": [self.effect_low, self.effect_high],
            "p_value": self.p_value,
            "p_adjusted": self.p_adjusted,
            "significant": self.significant,
            **({"note": self.note} if self.note else {}),
        }


@dataclass(frozen=True, slots=True)
class SideFit:
    """The outcome regressed on one side's figures (each at its lag), store fixed effects: the within-store
    variance it explains."""

    side: Side
    lags: dict[str, int]
    observations: int
    variance_explained: float | None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "lags": dict(self.lags),
            "observations": self.observations,
            "variance_explained": self.variance_explained,
            **({"note": self.note} if self.note else {}),
        }


@dataclass(frozen=True, slots=True)
class OutcomesAnalysis:
    """An outcome against the social figures: every relationship tested, the sides' fits and which side goes
    with the outcome (``social_media``, ``marketing``, ``both`` or ``neither``; None: too little data)."""

    outcome: str
    unit: str
    granularity: str
    max_lag: int
    stores: int
    periods: int
    relationships: tuple[Relationship, ...]
    fits: tuple[SideFit, ...]
    goes_with: str | None
    notes: tuple[str, ...] = field(default=(WORDS,))

    def strongest(self, limit: int = 5) -> list[Relationship]:
        """The significant within-store relationships, the strongest correlation first, one per figure."""
        best: dict[str, Relationship] = {}
        for rel in self.relationships:
            if rel.kind == "within_stores" and rel.significant:
                held = best.get(rel.figure)
                if held is None or abs(rel.correlation or 0) > abs(held.correlation or 0):
                    best[rel.figure] = rel
        return sorted(best.values(), key=lambda r: -abs(r.correlation or 0))[:limit]

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "unit": self.unit,
            "granularity": self.granularity,
            "max_lag": self.max_lag,
            "stores": self.stores,
            "periods": self.periods,
            "goes_with": self.goes_with,
            "strongest": [r.as_dict() for r in self.strongest()],
            "fits": [f.as_dict() for f in self.fits],
            "relationships": [r.as_dict() for r in self.relationships],
            "notes": list(self.notes),
        }


def aggregate_outcome(values: Sequence[dict[str, Any]], granularity: str, aggregation: str) -> list[dict[str, Any]]:
    """Per-store values of shorter periods (days; weeks for months) added up to ``granularity``'s periods with
    the outcome's ``aggregation`` (sum, mean, or the last value)."""
    if not values:
        return []
    frame = pd.DataFrame.from_records(values, columns=["location", "period_start", "value"])
    start = pd.to_datetime(frame.period_start)
    frame["period_start"] = (
        start.dt.to_period("M").dt.start_time if granularity == "month" else start.dt.to_period("W-SUN").dt.start_time
    )
    frame = frame.assign(_at=start).sort_values(["location", "_at"])
    how = {"sum": "sum", "mean": "mean", "last": "last"}[aggregation]
    grouped = frame.groupby(["location", "period_start"], as_index=False)["value"].agg(how)
    return [
        {"location": location, "period_start": start, "value": value}
        for location, start, value in zip(
            grouped.location.tolist(),
            grouped.period_start.dt.date.tolist(),
            grouped.value.astype(float).tolist(),
            strict=True,
        )
    ]


def outcome_frame(values: Sequence[dict[str, Any]], cells: Sequence[SocialCell], freq: str) -> pd.DataFrame:
    """Outcome (``value`` of rows with ``location`` and ``period_start``) and figures side by side, one row per
    store and period on a regular grid of ``freq`` (``W-MON`` or ``MS``): a missing period is a row of NaN, so
    that a lag of one row is one period."""
    outcome = pd.DataFrame.from_records(values, columns=["location", "period_start", "value"]).rename(
        columns={"period_start": "period", "value": "outcome"}
    )
    figures = pd.DataFrame.from_records(
        [{"location": c.location, "period": c.period_start, **c.figures} for c in cells],
        columns=["location", "period", *SOCIAL_MEDIA_FIGURES, *MARKETING_FIGURES],
    )
    for part in (outcome, figures):
        part["period"] = pd.to_datetime(part.period).astype("datetime64[ns]")
        part["location"] = part.location.astype(object)
    merged = outcome.merge(figures, on=["location", "period"], how="outer")
    if merged.empty:
        return merged.set_index(["location", "period"])
    grid = pd.MultiIndex.from_product(
        [sorted(merged.location.unique()), pd.date_range(merged.period.min(), merged.period.max(), freq=freq)],
        names=["location", "period"],
    )
    return merged.set_index(["location", "period"]).reindex(grid).apply(pd.to_numeric, errors="coerce")


def analyse_outcome(
    frame: pd.DataFrame, *, outcome: str, unit: str = "", granularity: str = "week", max_lag: int = DEFAULT_MAX_LAG
) -> OutcomesAnalysis:
    """Every figure of ``frame`` (``outcome_frame``) against its ``outcome`` column at lags 0..``max_lag``."""
    with_outcome = frame[frame.outcome.notna()] if not frame.empty else frame
    stores = with_outcome.index.get_level_values("location").nunique() if not frame.empty else 0
    periods = with_outcome.index.get_level_values("period").nunique() if not frame.empty else 0
    sides: list[tuple[str, Side]] = [(f, "social_media") for f in SOCIAL_MEDIA_FIGURES]
    sides += [(f, "marketing") for f in MARKETING_FIGURES]
    grid = _Grid.of(frame, [figure for figure, _ in sides])
    within: dict[tuple[str, int], Relationship] = {}
    across: dict[tuple[str, int], Relationship] = {}
    for lag in range(max_lag + 1):
        for figure, side in sides:
            pairs = grid.pairs(figure, lag)
            within[figure, lag] = _within(pairs, figure, side, lag)
            across[figure, lag] = _across(pairs, figure, side, lag)
    order = [(figure, lag) for figure, _ in sides for lag in range(max_lag + 1)]
    relationships = tuple(_adjusted([*(within[k] for k in order), *(across[k] for k in order)]))
    fits = tuple(_side_fit(grid, side, relationships) for side in ("social_media", "marketing"))
    tested = [r for r in relationships if r.kind == "within_stores" and r.p_value is not None]
    goes_with = _goes_with(relationships) if tested else None
    notes: tuple[str, ...] = (WORDS,)
    if not tested:
        notes += (
            f"too few stores or periods for the panel ({stores} stores, {periods} periods): it needs "
            f"{MIN_PANEL_STORES} stores with {MIN_PERIODS} periods each after the lag",
        )
    return OutcomesAnalysis(outcome, unit, granularity, max_lag, stores, periods, relationships, fits, goes_with,
                            notes)  # fmt: skip


@dataclass(frozen=True)
class _Grid:
    """``outcome_frame``'s outcome and scaled figures as stores x periods arrays (NaN where absent), so that a
    lag of one column is one period: the analysis pairs every figure at every lag from them (about a hundred
    times) without building a frame each time."""

    outcome: np.ndarray
    figures: dict[str, np.ndarray]

    @classmethod
    def of(cls, frame: pd.DataFrame, figures: Sequence[str]) -> _Grid:
        """From ``outcome_frame``'s rows (``as_grid``)."""
        return cls(as_grid(frame, frame.outcome), {f: as_grid(frame, _scaled(frame, f)) for f in figures})

    def pairs(self, figure: str, lag: int) -> _Panel:
        """The outcome beside the figure ``lag`` periods earlier at the same store, where both are known, at
        stores with ``MIN_PERIODS`` such pairs; in the frame's order (store after store, periods in order)."""
        x = lagged(self.figures[figure], lag)
        both = ~np.isnan(x) & ~np.isnan(self.outcome)
        kept = both.sum(axis=1) >= MIN_PERIODS
        both &= kept[:, None]
        store, period = np.nonzero(both)
        # stores numbered 0.. in order among those kept; periods in the order they first come (pd.factorize)
        return _Panel(x[both], self.outcome[both], (np.cumsum(kept) - 1)[store], pd.factorize(period)[0])


def as_grid(frame: pd.DataFrame, values: pd.Series) -> np.ndarray:
    """``values`` (a column of ``outcome_frame``, or one derived from it) as a stores x periods array: the
    frame's rows are each store's periods on one regular grid, store after store."""
    stores = frame.index.get_level_values("location").nunique() if not frame.empty else 0
    shape = (stores, len(frame) // stores if stores else 0)
    if shape[0] * shape[1] != len(frame):
        raise ValueError("the frame is not every store's periods on one grid (outcome_frame makes one)")
    return values.to_numpy(float).reshape(shape) if stores else np.zeros(shape)


def lagged(grid: np.ndarray, lag: int) -> np.ndarray:
    """``grid`` (stores x periods) ``lag`` periods later: each cell holds its store's value ``lag`` periods
    before (NaN in the first ``lag`` periods)."""
    out: np.ndarray = np.full(grid.shape, np.nan)
    periods = int(grid.shape[1])
    if lag < periods:
        out[:, lag:] = grid[:, : periods - lag]
    return out


def _scaled(frame: pd.DataFrame, figure: str) -> pd.Series:
    column = frame[figure]
    return np.log1p(column) if figure in LOG_SCALE else column


def _within(pairs: _Panel, figure: str, side: Side, lag: int) -> Relationship:
    stores = pairs.stores
    base = Relationship(figure, side, "within_stores", lag, len(pairs.x), stores)
    if stores < MIN_PANEL_STORES:
        return _note(base, f"too few stores with {MIN_PERIODS} periods ({stores}; the panel needs {MIN_PANEL_STORES})")
    dx, dy = pairs.demeaned()
    sd_x, sd_y = float(dx.std(ddof=1)), float(dy.std(ddof=1))
    if not sd_x > 1e-12 or not sd_y > 1e-12:
        return _note(base, "the figure or the outcome does not vary within stores")
    from scipy.stats import t as student

    effect = float((dx * dy).sum() / (dx * dx).sum())
    error = pairs.jackknife_error(effect, by_period=figure in BRAND_WIDE)
    df = (pairs.periods if figure in BRAND_WIDE else stores) - 1
    low, high = effect - student.ppf(1 - ALPHA / 2, df) * error, effect + student.ppf(1 - ALPHA / 2, df) * error
    scale = sd_x / sd_y  # the slope in standard deviations of the demeaned series: the within-store correlation
    p_value = float(2 * student.sf(abs(effect / error), df)) if error > 0 else math.nan
    if not math.isfinite(p_value):
        return _note(base, "the panel regression gave no p-value (too little variation)")
    return _replace(base, correlation=effect * scale, correlation_low=low * scale, correlation_high=high * scale,
                    effect=effect, effect_low=low, effect_high=high, p_value=p_value)  # fmt: skip


@dataclass(frozen=True)
class _Panel:
    """The pairs of one figure and lag as arrays: the fixed-effects slope is Sum(dx dy) / Sum(dx^2) over the
    values demeaned within each store, which is ``PanelOLS(entity_effects=True)``'s slope (tested against it);
    computed here from per-store sums because the analysis needs it about 100 times, and the period jackknife
    about 2,000 times more (each a fit of 30 ms in linearmodels: seconds, for a report section)."""

    x: np.ndarray
    y: np.ndarray
    store: np.ndarray  # each row's store, 0..stores-1
    period: np.ndarray  # each row's period, 0..periods-1

    @classmethod
    def of(cls, pairs: pd.DataFrame) -> _Panel:
        """From a frame of ``outcome`` and ``x`` indexed by location and period."""
        store = pd.factorize(pairs.index.get_level_values("location"))[0]
        period = pd.factorize(pairs.index.get_level_values("period"))[0]
        return cls(pairs.x.to_numpy(float), pairs.outcome.to_numpy(float), store, period)

    @property
    def stores(self) -> int:
        return int(self.store.max()) + 1 if len(self.store) else 0

    @property
    def periods(self) -> int:
        return int(self.period.max()) + 1 if len(self.period) else 0

    def demeaned(self) -> tuple[np.ndarray, np.ndarray]:
        mean_x, mean_y = self.store_means()
        return self.x - mean_x[self.store], self.y - mean_y[self.store]

    def store_means(self) -> tuple[np.ndarray, np.ndarray]:
        n = np.bincount(self.store)
        return np.bincount(self.store, self.x) / n, np.bincount(self.store, self.y) / n

    def jackknife_error(self, effect: float, *, by_period: bool) -> float:
        """The cluster jackknife (CV3) standard error of the slope: the slope refitted without each cluster
        (store, or period for a brand-wide figure) in turn, sqrt((G-1)/G x sum of (slope_g - slope)^2). Unlike
        the usual sandwich (CV1) it is not pulled down by a few clusters of high leverage, such as the weeks
        of a campaign's spike among twenty-odd weeks (MacKinnon, Nielsen and Webb 2023)."""
        slopes = self._without_each_period() if by_period else self._without_each_store()
        clusters = len(slopes)
        return float(math.sqrt((clusters - 1) / clusters * float(((slopes - effect) ** 2).sum())))

    def _without_each_store(self) -> np.ndarray:
        # leaving a store out leaves the others' demeaning as it is: subtract its sums
        dx, dy = self.demeaned()
        xy, xx = np.bincount(self.store, dx * dy), np.bincount(self.store, dx * dx)
        return np.asarray((xy.sum() - xy) / (xx.sum() - xx))

    def _without_each_period(self) -> np.ndarray:
        # leaving a period out moves the means of the stores that have it: per store and period, the store's
        # sums without that period's row (a store has at most one row a period), then the demeaned sums; the
        # values centred on each store's full mean first (the demeaned sums do not change by a constant per
        # store, and sales in the thousands would otherwise cancel digits away)
        x, y = self.demeaned()
        shape = (self.stores, self.periods)
        has = np.zeros(shape)
        has[self.store, self.period] = 1.0
        grids = {}
        for name, values in (("x", x), ("y", y), ("xy", x * y), ("xx", x * x)):
            grid = np.zeros(shape)
            grid[self.store, self.period] = values
            grids[name] = grid
        n = has.sum(axis=1, keepdims=True) - has
        sums = {name: grid.sum(axis=1, keepdims=True) - grid for name, grid in grids.items()}
        xy = (sums["xy"] - sums["x"] * sums["y"] / n).sum(axis=0)
        xx = (sums["xx"] - sums["x"] ** 2 / n).sum(axis=0)
        return np.asarray(xy / xx)


def _across(pairs: _Panel, figure: str, side: Side, lag: int) -> Relationship:
    base = Relationship(figure, side, "across_stores", lag, len(pairs.x), pairs.stores)
    if figure in BRAND_WIDE:
        return _note(base, "a brand-wide figure does not differ between stores (its means per store differ only "
                           "by the periods each has)")  # fmt: skip
    if pairs.stores < MIN_CROSS_STORES:
        return _note(base, f"too few stores ({pairs.stores}; the comparison across stores needs {MIN_CROSS_STORES})")
    mean_x, mean_y = pairs.store_means()
    if mean_x.std(ddof=1) <= 1e-12 or mean_y.std(ddof=1) <= 1e-12:
        return _note(base, "the figure or the outcome does not differ between stores")
    from scipy.stats import pearsonr

    found = pearsonr(mean_x, mean_y)
    interval = found.confidence_interval(confidence_level=1 - ALPHA)
    return _replace(base, correlation=float(found.statistic), correlation_low=float(interval.low),
                    correlation_high=float(interval.high), p_value=float(found.pvalue))  # fmt: skip


def _adjusted(found: list[Relationship]) -> list[Relationship]:
    """The correction (``CORRECTION``) over the relationships that have a p-value."""
    tested = [i for i, r in enumerate(found) if r.p_value is not None]
    if not tested:
        return found
    from statsmodels.stats.multitest import multipletests

    adjusted = multipletests([found[i].p_value for i in tested], alpha=ALPHA, method=CORRECTION)[1]
    out = list(found)
    for i, p in zip(tested, adjusted, strict=True):
        out[i] = _replace(found[i], p_adjusted=float(p))
    return out


def _side_fit(grid: _Grid, side: Side, relationships: Sequence[Relationship]) -> SideFit:
    lags: dict[str, int] = {}
    for rel in relationships:
        if rel.kind == "within_stores" and rel.side == side and rel.p_value is not None:
            held = lags.get(rel.figure)
            best = next(r for r in relationships if r.kind == "within_stores" and r.figure == rel.figure
                        and r.lag == held) if held is not None else None  # fmt: skip
            if best is None or rel.p_value < (best.p_value or 1.0):
                lags[rel.figure] = rel.lag
    if not lags:
        return SideFit(side, {}, 0, None, "no figure of this side could be tested")
    columns = [lagged(grid.figures[figure], lag) for figure, lag in lags.items()]
    known = ~np.isnan(grid.outcome)
    for column in columns:
        known &= ~np.isnan(column)
    store = np.nonzero(known)[0]
    if len(np.unique(store)) < MIN_PANEL_STORES:
        return SideFit(side, lags, int(known.sum()), None, "too few stores with every figure of this side")
    explained = within_r_squared(grid.outcome[known], np.column_stack([c[known] for c in columns]), store)
    return SideFit(side, lags, int(known.sum()), explained,
                   "each figure at its strongest lag, which flatters the fit a little")  # fmt: skip


def within_r_squared(y: np.ndarray, x: np.ndarray, store: np.ndarray) -> float:
    """The share of ``y``'s within-store variance that ``x``'s columns explain, store fixed effects: least
    squares on the values demeaned within each store, 1 - SSR / TSS of the demeaned ``y``. It is
    ``PanelOLS(y, x, entity_effects=True).fit().rsquared_within`` (tested against it): two fits a report,
    without the 0.1-0.2 s of importing and setting up linearmodels for them; a column constant within every
    store is absorbed by the effects (least squares gives it no weight)."""
    codes = pd.factorize(store)[0]
    n = np.bincount(codes)
    dy = y - (np.bincount(codes, y) / n)[codes]
    dx = x - np.column_stack([np.bincount(codes, x[:, j]) / n for j in range(x.shape[1])])[codes]
    coef = np.linalg.lstsq(dx, dy, rcond=None)[0]
    residual = dy - dx @ coef
    return float(1.0 - (residual @ residual) / (dy @ dy))


def _goes_with(relationships: Sequence[Relationship]) -> str:
    found = {r.side for r in relationships if r.kind == "within_stores" and r.significant}
    if found == {"social_media", "marketing"}:
        return "both"
    return found.pop() if found else "neither"


def _note(rel: Relationship, note: str) -> Relationship:
    return _replace(rel, note=note)


def _replace(rel: Relationship, **changes: Any) -> Relationship:
    from dataclasses import replace

    return replace(rel, **changes)
