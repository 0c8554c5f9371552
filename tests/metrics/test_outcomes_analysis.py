"""The outcomes analysis on panels made here, where the truth is known, and through the Workspace on both stores."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from groundswell.errors import UsageError
from groundswell.metrics.outcomes import (
    MIN_PANEL_STORES,
    aggregate_outcome,
    analyse_outcome,
    outcome_frame,
)
from groundswell.metrics.social_panel import MARKETING_FIGURES, SOCIAL_MEDIA_FIGURES, SocialCell
from groundswell.workspace import Workspace

START = date(2026, 1, 5)  # a Monday


def _panel(
    stores: int, weeks: int, *, effect: float, lag: int, seed: int = 1
) -> tuple[list[SocialCell], list[dict[str, Any]]]:
    """Cells with random figures (the buzz the same for every store of a week) and sales = base + effect x the
    response rate ``lag`` weeks before + noise."""
    rng = random.Random(seed)
    buzz = [rng.uniform(10, 400) for _ in range(weeks)]
    cells, values = [], []
    for s in range(stores):
        base = rng.uniform(50, 150)
        rates = [rng.uniform(0, 1) for _ in range(weeks)]
        for w in range(weeks):
            figures: dict[str, float | None] = {f: rng.uniform(0, 10) for f in SOCIAL_MEDIA_FIGURES}
            figures["response_rate"] = rates[w]
            figures["marketing_buzz_posts"] = buzz[w]
            figures["marketing_buzz_net_sentiment"] = rng.uniform(-1, 1) if w else None
            cells.append(SocialCell(f"store {s:02d}", START + timedelta(weeks=w), figures))
            earlier = rates[w - lag] if w >= lag else 0.5
            values.append({"location": f"store {s:02d}", "period_start": START + timedelta(weeks=w),
                           "value": base + effect * earlier + rng.gauss(0, 1)})  # fmt: skip
    return cells, values


def test_the_lag_and_the_effect_are_found_and_nothing_else_goes_with_the_outcome() -> None:
    cells, values = _panel(30, 30, effect=4.0, lag=1)
    found = analyse_outcome(outcome_frame(values, cells, "W-MON"), outcome="sales", max_lag=3)
    (strongest,) = found.strongest()
    assert (strongest.figure, strongest.lag, strongest.side) == ("response_rate", 1, "social_media")
    assert strongest.effect_low is not None and strongest.effect_high is not None
    assert strongest.effect_low <= 4.0 <= strongest.effect_high
    assert strongest.correlation_low is not None and 0 < strongest.correlation_low < strongest.correlation
    assert found.goes_with == "social_media"
    assert (found.stores, found.periods) == (30, 30)
    fits = {f.side: f for f in found.fits}
    assert fits["social_media"].variance_explained is not None and fits["social_media"].variance_explained > 0.3
    assert fits["marketing"].variance_explained is not None and fits["marketing"].variance_explained < 0.05
    tested = [r for r in found.relationships if r.p_value is not None]
    assert all(r.p_adjusted is not None and r.p_adjusted >= r.p_value for r in tested)
    assert len(found.relationships) == 2 * 4 * (len(SOCIAL_MEDIA_FIGURES) + len(MARKETING_FIGURES))
    assert "correlations" in found.notes[0] and "causes" in found.notes[0]


def test_a_brand_wide_figure_is_not_compared_across_stores() -> None:
    cells, values = _panel(30, 20, effect=0.0, lag=0)
    found = analyse_outcome(outcome_frame(values, cells, "W-MON"), outcome="sales", max_lag=0)
    (buzz,) = [r for r in found.relationships if r.kind == "across_stores" and r.figure == "marketing_buzz_posts"]
    assert buzz.correlation is None and buzz.note is not None and "differ between stores" in buzz.note
    assert found.goes_with == "neither"


def test_too_few_stores_say_so_and_show_no_number() -> None:
    cells, values = _panel(MIN_PANEL_STORES - 1, 30, effect=4.0, lag=0)
    found = analyse_outcome(outcome_frame(values, cells, "W-MON"), outcome="sales", max_lag=2)
    within = [r for r in found.relationships if r.kind == "within_stores"]
    assert all(r.correlation is None and r.effect is None and r.note and "too few stores" in r.note for r in within)
    assert found.goes_with is None and found.strongest() == []
    assert any("too few" in note for note in found.notes)


def test_too_few_periods_leave_a_store_out() -> None:
    cells, values = _panel(30, 6, effect=4.0, lag=0)
    found = analyse_outcome(outcome_frame(values, cells, "W-MON"), outcome="sales", max_lag=0)
    assert found.goes_with is None


def test_days_add_up_to_weeks_by_the_outcome_aggregation() -> None:
    days = [{"location": "Leeds", "period_start": date(2026, 3, 2) + timedelta(days=d), "value": float(d + 1)}
            for d in range(8)]  # fmt: skip
    summed = aggregate_outcome(days, "week", "sum")
    assert [(v["period_start"], v["value"]) for v in summed] == [(date(2026, 3, 2), 28.0), (date(2026, 3, 9), 8.0)]
    assert [v["value"] for v in aggregate_outcome(days, "week", "mean")] == [4.0, 8.0]
    assert [v["value"] for v in aggregate_outcome(days, "month", "last")] == [8.0]


# -- through the Workspace, on the embedded store and PostgreSQL -----------------------------------------------

CONFIG = "brand = 'Acme'\n" + "".join(f'[[locations]]\nname = "store {s:02d}"\n' for s in range(3))


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


@pytest.fixture
def ws(tmp_path: Path, database: str | None) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "ws", config_text=CONFIG, database=database or "") as workspace:
        yield workspace


def test_the_workspace_asks_for_an_outcome_and_says_when_there_is_none(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="outcomes import"):
        ws.outcomes_analysis()
    path = tmp_path / "o.csv"
    path.write_text("metric,location,period,value\nsales,store 00,2026-W02,1\nvisits,store 00,2026-W02,5\n")
    ws.import_outcomes([path])
    with pytest.raises(UsageError, match="choose one with --outcome"):
        ws.outcomes_analysis()
    with pytest.raises(UsageError, match="no outcome 'nps'"):
        ws.outcomes_analysis("nps")


def test_a_workspace_without_enrichments_says_what_to_run(ws: Workspace, tmp_path: Path) -> None:
    from groundswell.errors import MetricUnavailable

    path = tmp_path / "o.csv"
    path.write_text("metric,location,period,value\nsales,store 00,2026-W02,1\n")
    ws.import_outcomes([path])
    with pytest.raises(MetricUnavailable, match="groundswell enrich"):
        ws.outcomes_analysis("sales")


def test_numbers_are_finite_or_absent() -> None:
    cells, values = _panel(25, 25, effect=1.0, lag=2, seed=3)
    found = analyse_outcome(outcome_frame(values, cells, "W-MON"), outcome="sales", max_lag=4).as_dict()
    for rel in found["relationships"]:
        for key in ("correlation", "effect", "p_value", "p_adjusted"):
            assert rel[key] is None or math.isfinite(rel[key])


@pytest.mark.parametrize("missing", [0.0, 0.2])
def test_the_slope_and_its_jackknife_are_linearmodels_slope_refitted_without_each_cluster(missing: float) -> None:
    """``_Panel`` computes from per-store sums what linearmodels' ``PanelOLS`` (entity effects) fits: the same
    slope, and the jackknife's refits without each store and each period, on an unbalanced panel of
    sales-sized values."""
    import numpy as np
    import pandas as pd
    from linearmodels.panel import PanelOLS

    from groundswell.metrics.outcomes import _Panel

    rng = np.random.default_rng(5)
    index = pd.MultiIndex.from_product([[f"s{i}" for i in range(12)], pd.date_range("2025-01-06", periods=15, freq="W-MON")],
                                       names=["location", "period"])  # fmt: skip
    x = rng.normal(size=len(index))
    pairs = pd.DataFrame({"outcome": 4400 + 3 * x + rng.normal(size=len(index)) + np.repeat(rng.normal(size=12) * 5, 15),
                          "x": x}, index=index)  # fmt: skip
    pairs = pairs[rng.random(len(pairs)) >= missing]

    def fitted(part: pd.DataFrame) -> float:
        return float(PanelOLS(part.outcome, part[["x"]], entity_effects=True).fit().params["x"])

    panel = _Panel.of(pairs)
    dx, dy = panel.demeaned()
    effect = float((dx * dy).sum() / (dx * dx).sum())
    assert effect == pytest.approx(fitted(pairs), rel=1e-10)
    for level, by_period in (("location", False), ("period", True)):
        keys = pairs.index.get_level_values(level)
        refits = np.array([fitted(pairs[keys != key]) for key in keys.unique()])
        g = len(refits)
        expected = math.sqrt((g - 1) / g * float(((refits - effect) ** 2).sum()))
        assert panel.jackknife_error(effect, by_period=by_period) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("absorbed", [False, True])
def test_the_sides_variance_explained_is_linearmodels_within_r_squared(absorbed: bool) -> None:
    """``within_r_squared`` is ``PanelOLS(entity_effects=True)``'s ``rsquared_within``, on an unbalanced panel of
    two figures and sales-sized values, also with a third column constant within each store (absorbed)."""
    import warnings

    import numpy as np
    import pandas as pd
    from linearmodels.panel import PanelOLS

    from groundswell.metrics.outcomes import within_r_squared

    rng = np.random.default_rng(8)
    index = pd.MultiIndex.from_product([[f"s{i}" for i in range(25)], pd.date_range("2025-01-06", periods=20, freq="W-MON")],
                                       names=["location", "period"])  # fmt: skip
    x = rng.normal(size=(len(index), 2))
    effects = np.repeat(rng.normal(size=25) * 40, 20)
    y = 4400 + 3 * x[:, 0] - 1.5 * x[:, 1] + effects + rng.normal(size=len(index)) * 2
    columns = {"a": x[:, 0], "b": x[:, 1], **({"c": np.repeat(rng.normal(size=25), 20)} if absorbed else {})}
    data = pd.DataFrame({"outcome": y, **columns}, index=index)
    data = data[rng.random(len(data)) >= 0.15]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = PanelOLS(data.outcome, data[list(columns)], entity_effects=True, drop_absorbed=True).fit()
    store = pd.factorize(data.index.get_level_values("location"))[0]
    found = within_r_squared(data.outcome.to_numpy(), data[list(columns)].to_numpy(), store)
    assert 0.5 < found < 1
    assert found == pytest.approx(float(fit.rsquared_within), rel=1e-9)
