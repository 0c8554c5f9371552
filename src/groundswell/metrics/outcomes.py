"""Does social media go with the business? A business outcome beside the social figures, per store and period.

For each social figure (``social_panel``) against an outcome (sales, visits...), at lags 0..``max_lag`` periods
(the figure ``lag`` periods before the outcome):

- *within stores* (the panel): a regression of the outcome on the lagged figure with a fixed effect per store
  and errors by the cluster jackknife over stores, or over periods for a brand-wide figure (``_Panel``, the
  fixed-effects slope from per-store sums, equal to linearmodels ``PanelOLS``'s; ``BRAND_WIDE``): the effect (outcome units per unit of the figure)
  with its 95% interval, and the within-store correlation (the same slope in standard deviations);
- *across stores* (the cross-section): the correlation of the stores' mean outcome with their mean figure,
  with its 95% interval (scipy's Fisher interval);
- p-values corrected for the number of figures, lags and kinds tested (Benjamini-Yekutieli, statsmodels), a
  brand-wide figure not compared across stores;
- per side of the scorecard (social media, marketing), a panel regression of the outcome on that side's
  figures, each at its strongest lag, and the share of the outcome's within-store variance it explains.

These are correlations: they say what goes with the outcome, never what causes it. A relationship with too
few stores or periods says so and shows no number.
"""

from __future__ import annotations

import math
import warnings
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
    frame = pd.DataFrame(values)
    start = pd.to_datetime(frame.period_start)
    frame["period_start"] = (
        start.dt.to_period("M").dt.start_time if granularity == "month" else start.dt.to_period("W-SUN").dt.start_time
    )
    frame = frame.assign(_at=start).sort_values(["location", "_at"])
    how = {"sum": "sum", "mean": "mean", "last": "last"}[aggregation]
    grouped = frame.groupby(["location", "period_start"], as_index=False)["value"].agg(how)
    return [
        {"location": r.location, "period_start": r.period_start.date(), "value": float(r.value)}
        for r in grouped.itertuples(index=False)
    ]


def outcome_frame(values: Sequence[dict[str, Any]], cells: Sequence[SocialCell], freq: str) -> pd.DataFrame:
    """Outcome (``value`` of rows with ``location`` and ``period_start``) and figures side by side, one row per
    store and period on a regular grid of ``freq`` (``W-MON`` or ``MS``): a missing period is a row of NaN, so
    that a lag of one row is one period."""
    outcome = pd.DataFrame(
        [(v["location"], pd.Timestamp(v["period_start"]), float(v["value"])) for v in values],
        columns=["location", "period", "outcome"],
    )
    figures = pd.DataFrame(
        [{"location": c.location, "period": pd.Timestamp(c.period_start), **c.figures} for c in cells],
        columns=["location", "period", *SOCIAL_MEDIA_FIGURES, *MARKETING_FIGURES],
    )
    merged = outcome.merge(figures, on=["location", "period"], how="outer").astype({"period": "datetime64[ns]"})
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
    within: dict[tuple[str, int], Relationship] = {}
    across: dict[tuple[str, int], Relationship] = {}
    scaled = pd.DataFrame({figure: _scaled(frame, figure) for figure, _ in sides}) if not frame.empty else frame
    for lag in range(max_lag + 1):
        shifted = scaled.groupby(level="location").shift(lag) if not frame.empty else frame  # every figure at once
        for figure, side in sides:
            pairs = _lagged(frame, shifted, figure)
            within[figure, lag] = _within(pairs, figure, side, lag)
            across[figure, lag] = _across(pairs, figure, side, lag)
    order = [(figure, lag) for figure, _ in sides for lag in range(max_lag + 1)]
    relationships = tuple(_adjusted([*(within[k] for k in order), *(across[k] for k in order)]))
    fits = tuple(_side_fit(frame, side, relationships) for side in ("social_media", "marketing"))
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


def _lagged(frame: pd.DataFrame, shifted: pd.DataFrame, figure: str) -> pd.DataFrame:
    """Rows with both the outcome and the figure ``lag`` periods earlier at the same store (``shifted``: the
    scaled figures shifted by the lag within each store), at stores with ``MIN_PERIODS`` such rows."""
    if frame.empty:
        return pd.DataFrame(columns=["outcome", "x"])
    pairs = pd.DataFrame({"outcome": frame.outcome, "x": shifted[figure]}).dropna()
    store = pd.factorize(pairs.index.get_level_values("location"))[0]
    enough = np.bincount(store) >= MIN_PERIODS if len(store) else np.zeros(0, dtype=bool)
    return pairs[enough[store]]


def _clusters(by_period: bool) -> dict[str, Any]:
    return (
        {"cov_type": "clustered", "cluster_time": True}
        if by_period
        else {"cov_type": "clustered", "cluster_entity": True}
    )


def _scaled(frame: pd.DataFrame, figure: str) -> pd.Series:
    column = frame[figure]
    return np.log1p(column) if figure in LOG_SCALE else column


def _within(pairs: pd.DataFrame, figure: str, side: Side, lag: int) -> Relationship:
    stores = pairs.index.get_level_values("location").nunique() if len(pairs) else 0
    base = Relationship(figure, side, "within_stores", lag, len(pairs), stores)
    if stores < MIN_PANEL_STORES:
        return _note(base, f"too few stores with {MIN_PERIODS} periods ({stores}; the panel needs {MIN_PANEL_STORES})")
    panel = _Panel.of(pairs)
    dx, dy = panel.demeaned()
    sd_x, sd_y = float(dx.std(ddof=1)), float(dy.std(ddof=1))
    if not sd_x > 1e-12 or not sd_y > 1e-12:
        return _note(base, "the figure or the outcome does not vary within stores")
    from scipy.stats import t as student

    effect = float((dx * dy).sum() / (dx * dx).sum())
    error = panel.jackknife_error(effect, by_period=figure in BRAND_WIDE)
    df = (pairs.index.get_level_values("period").nunique() if figure in BRAND_WIDE else stores) - 1
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
        store = pd.factorize(pairs.index.get_level_values("location"))[0]
        period = pd.factorize(pairs.index.get_level_values("period"))[0]
        return cls(pairs.x.to_numpy(float), pairs.outcome.to_numpy(float), store, period)

    def demeaned(self) -> tuple[np.ndarray, np.ndarray]:
        n = np.bincount(self.store)
        mean_x = np.bincount(self.store, self.x) / n
        mean_y = np.bincount(self.store, self.y) / n
        return self.x - mean_x[self.store], self.y - mean_y[self.store]

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
        shape = (int(self.store.max()) + 1, int(self.period.max()) + 1)
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


def _across(pairs: pd.DataFrame, figure: str, side: Side, lag: int) -> Relationship:
    means = pairs.groupby(level="location").mean() if len(pairs) else pairs
    base = Relationship(figure, side, "across_stores", lag, len(pairs), len(means))
    if figure in BRAND_WIDE:
        return _note(base, "a brand-wide figure does not differ between stores (its means per store differ only "
                           "by the periods each has)")  # fmt: skip
    if len(means) < MIN_CROSS_STORES:
        return _note(base, f"too few stores ({len(means)}; the comparison across stores needs {MIN_CROSS_STORES})")
    if means.x.std() <= 1e-12 or means.outcome.std() <= 1e-12:
        return _note(base, "the figure or the outcome does not differ between stores")
    from scipy.stats import pearsonr

    found = pearsonr(means.x, means.outcome)
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


def _side_fit(frame: pd.DataFrame, side: Side, relationships: Sequence[Relationship]) -> SideFit:
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
    columns = {
        f"{figure}@{lag}": _scaled(frame, figure).groupby(level="location").shift(lag) for figure, lag in lags.items()
    }
    data = pd.DataFrame({"outcome": frame.outcome, **columns}).dropna()
    if data.index.get_level_values("location").nunique() < MIN_PANEL_STORES:
        return SideFit(side, lags, len(data), None, "too few stores with every figure of this side")
    from linearmodels.panel import PanelOLS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = PanelOLS(data.outcome, data[list(columns)], entity_effects=True, drop_absorbed=True).fit(
            **_clusters(side == "marketing")
        )
    return SideFit(side, lags, len(data), float(fit.rsquared_within),
                   "each figure at its strongest lag, which flatters the fit a little")  # fmt: skip


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
