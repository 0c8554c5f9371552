"""The spike test on one topic's counts: a seasonal baseline, and whether the latest minutes rise far above it.

Why these pieces: the baseline is a Poisson GLM (scikit-learn's ``PoissonRegressor``, already a dependency) of the hourly counts on hour-of-day and
day-of-week factors, so a busy Saturday evening is not a spike and a busy Tuesday 4 a.m. is; its Pearson
dispersion widens the test where posts come in clusters (a conversation's replies). The test is the Poisson
upper tail (scipy's regularised incomplete gamma, which takes the dispersion-scaled, non-integer counts) of
the posts of the last few windows against what the baseline expected for exactly those minutes. A
change-point library was weighed and not used: ruptures segments a finished series, so it places a change
only once posts after it exist, too late for an alert while the spike still rises; river's drift detectors
(ADWIN, Page-Hinkley) assume a stationary stream, so the daily cycle itself would set them off, and they keep
state between cycles, which a restart loses. A fitted seasonal model and a tail test need no state: each
cycle recomputes them from the stored counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.special import gammainc
from sklearn.linear_model import PoissonRegressor
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

MIN_HISTORY_POSTS = 50
"""Below this many posts in the history, a topic's baseline is flat (no cycle can be fitted from so few)."""
OUTLIER_RESIDUAL = 4.0
"""Hours whose Pearson residual exceeds this are past spikes: left out of the baseline's second fit."""
FLOOR_RATE = 0.02
"""Posts per hour a topic is expected to have at the least: a new hashtag's first post is not a spike."""
_EPOCH = datetime(1970, 1, 1)
_EPOCH_WEEKDAY = _EPOCH.weekday()  # a Thursday: day 0 of the epoch, counted from Monday


@dataclass(frozen=True, slots=True)
class Baseline:
    """Expected posts per hour by (weekday, hour of day), UTC, and the dispersion of counts around it."""

    hourly: np.ndarray  # shape (7, 24), Monday first
    dispersion: float

    def expected(self, start: datetime, bins: int, bin_seconds: int) -> np.ndarray:
        """Expected posts in each of ``bins`` consecutive bins from ``start``."""
        first = (start - _EPOCH).total_seconds()
        hours = ((first + bin_seconds * np.arange(bins)) // 3600).astype(np.int64)
        weekday = (hours // 24 + _EPOCH_WEEKDAY) % 7
        return self.hourly[weekday, hours % 24].astype(float) * (bin_seconds / 3600.0)


def fit_baseline(hourly: np.ndarray, first_hour: datetime) -> Baseline:
    """The seasonal baseline of consecutive hourly counts starting at ``first_hour`` (UTC, on the hour)."""
    total = float(hourly.sum())
    if total < MIN_HISTORY_POSTS or len(hourly) < 7 * 24:
        rate = max((total + 1.0) / max(len(hourly), 1), FLOOR_RATE)
        return Baseline(np.full((7, 24), rate), 1.0)
    times = [first_hour + timedelta(hours=i) for i in range(len(hourly))]
    cell = np.array([t.weekday() * 24 + t.hour for t in times])
    days, hours = np.divmod(np.arange(7 * 24), 24)
    grid_design = _design(hours.tolist(), days.tolist())
    y = hourly.astype(float)
    keep = np.ones(len(y), dtype=bool)
    # a light ridge keeps an hour that never has a post from an infinite coefficient
    model = PoissonRegressor(alpha=1e-4, solver="newton-cholesky", max_iter=100)
    for _ in range(2):  # fit, drop the hours of past spikes, fit again
        # factors only, so the fit on each (weekday, hour) cell's mean, weighted by its hours, is the same fit
        seen = np.bincount(cell[keep], minlength=7 * 24).astype(float)
        posts = np.bincount(cell[keep], weights=y[keep], minlength=7 * 24)
        has = seen > 0
        with threadpool_limits(limits=1):  # 168 rows: threads only add their start-up (hundreds of ms)
            model.fit(grid_design[has], posts[has] / seen[has], sample_weight=seen[has])
        mu = model.predict(grid_design)[cell]
        residual = (y - mu) / np.sqrt(np.maximum(mu, 1e-9))
        keep = residual <= OUTLIER_RESIDUAL
    pearson = float(np.sum(residual[keep] ** 2))
    dispersion = max(1.0, pearson / max(int(keep.sum()) - grid_design.shape[1] - 1, 1))
    grid = model.predict(grid_design).reshape(7, 24)
    return Baseline(np.maximum(grid, FLOOR_RATE), dispersion)


def _design(hours: list[int], weekdays: list[int]) -> np.ndarray:
    """Hour-of-day dummies (hour 0 the reference) and weekday dummies (Monday the reference); the model
    fits the intercept."""
    n = len(hours)
    x = np.zeros((n, 23 + 6))
    idx = np.arange(n)
    h = np.asarray(hours)
    d = np.asarray(weekdays)
    x[idx[h > 0], h[h > 0] - 1] = 1.0
    x[idx[d > 0], 22 + d[d > 0]] = 1.0
    return x


@dataclass(frozen=True, slots=True)
class Surge:
    """The latest ``bins`` bins of a topic hold ``posts`` posts where the baseline expected ``expected``."""

    bins: int
    posts: int
    expected: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.posts / max(self.expected, 1e-9)


def upper_tail(posts: float, expected: float, dispersion: float) -> float:
    """P(X >= posts) for a Poisson X of mean ``expected``, counts scaled down by ``dispersion`` (quasi-Poisson)."""
    if posts <= 0:
        return 1.0
    return float(gammainc(posts / dispersion, max(expected, 1e-9) / dispersion))


def find_surge(
    counts: np.ndarray,
    expected: np.ndarray,
    dispersion: float,
    *,
    windows: tuple[int, ...],
    alpha: float,
    min_posts: int,
    min_ratio: float,
) -> Surge | None:
    """The most significant window (of ``windows``, in bins, ending at the last bin) that is a surge, or None.

    A window is a surge when it holds at least ``min_posts`` posts, ``min_ratio`` times what the baseline
    expected, and so many that the baseline gives them a probability below ``alpha``.
    """
    best: Surge | None = None
    for w in windows:
        if w > len(counts):
            break
        posts = int(counts[-w:].sum())
        mu = float(expected[-w:].sum())
        if posts < min_posts or posts < min_ratio * mu:
            continue
        p = upper_tail(posts, mu, dispersion)
        if p < alpha and (best is None or p < best.p_value):
            best = Surge(w, posts, mu, p)
    return best


def surge_start(counts: np.ndarray, expected: np.ndarray, surge: Surge, *, min_ratio: float, limit: int) -> int:
    """How many bins back the surge began: its window, extended back over the bins just before it that were
    themselves above ``min_ratio`` times their baseline (at most ``limit`` bins)."""
    back = surge.bins
    while back < min(limit, len(counts)):
        i = len(counts) - back - 1
        if counts[i] <= 0 or counts[i] < min_ratio * expected[i]:
            break
        back += 1
    return back
