"""A goal's KPI may name a business outcome: its brand-wide value per period against the target, on the embedded
store and PostgreSQL; per-brand outcomes side by side."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from groundswell.metrics.outcome_figures import brand_outcomes
from groundswell.workspace import Workspace

CONFIG = """brand = "Acme"
[[locations]]
name = "North"
[[locations]]
name = "South"

[[outcomes]]
name = "sales"
unit = "thousand GBP"
aggregation = "sum"
[[outcomes]]
name = "nps"
aggregation = "mean"
[[outcomes]]
name = "share_price"
unit = "GBP"
aggregation = "last"

[[goals]]
name = "The business"
[[goals.kpis]]
metric = "sales"
target = 25
[[goals.kpis]]
metric = "nps"
target = 40
direction = "at_least"
[[goals.kpis]]
metric = "share_price"
target = 10
direction = "at_least"
[[goals.kpis]]
metric = "visits"
target = 1
"""
VALUES = """metric,location,brand,period,value
sales,North,,2026-W02,10
sales,South,,2026-W02,14
sales,North,,2026-W03,12
sales,South,,2026-W03,16
nps,North,,2026-01,30
nps,South,,2026-01,50
share_price,,Acme,2026-01,12
share_price,,Acme,2026-02,9
share_price,,Rival,2026-01,20
share_price,,Rival,2026-02,30
"""


@pytest.fixture
def ws(tmp_path: Path, backend: str | None) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "ws", config_text=CONFIG, database=backend or "") as workspace:
        path = tmp_path / "outcomes.csv"
        path.write_text(VALUES, encoding="utf-8")
        assert workspace.import_outcomes([path]).imported == 10
        yield workspace


def test_an_outcome_kpi_is_its_value_per_period_brand_wide(ws: Workspace) -> None:
    (goal,) = ws.metrics("goals")
    kpis = {k.metric: k for k in goal.kpis}  # type: ignore[attr-defined]
    sales = kpis["sales"]
    # the stores added up per week (24, 28), then the mean of the weeks
    assert sales.value.value == pytest.approx(26.0) and sales.status == "met"
    assert (sales.value.numerator, sales.value.denominator) == (52.0, 2)
    assert sales.value.unit == "thousand GBP per week"
    # a mean outcome: the stores averaged per month
    assert kpis["nps"].value.value == pytest.approx(40.0) and kpis["nps"].status == "met"
    # the last value of the brand's own share price, a peer's left out
    price = kpis["share_price"]
    assert price.value.value == pytest.approx(9.0) and price.status == "missed"
    assert "2026-02-01" in price.value.unit
    # an outcome not configured is no KPI name; the message lists the configured outcomes
    assert kpis["visits"].status == "unknown_metric"
    assert "[[outcomes]] (sales, nps, share_price)" in (kpis["visits"].note or "")


def test_per_brand_outcomes_give_each_brands_change(ws: Workspace) -> None:
    with ws.computing() as sources:
        found = {(b.metric, b.brand): b for b in brand_outcomes(sources)}
    assert set(found) == {("share_price", "Acme"), ("share_price", "Rival")}
    assert found["share_price", "Acme"].change == pytest.approx(9 / 12 - 1)
    assert found["share_price", "Rival"].change == pytest.approx(30 / 20 - 1)
