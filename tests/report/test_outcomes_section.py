"""The report's section "Does social media move the business?" on the demo world with its weekly sales: the
library's answer and figures, small multiples per store, fans per store, a goal on sales; the line that says
how to import outcomes where there are none; per-brand outcomes side by side; and the section in Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from chart_layout import WIDTHS, layout_problems
from chromium_session import ARTIFACTS
from groundswell.demo.outcomes import demo_sales, import_demo_sales, write_sales_csv
from groundswell.formatting import count, decimal, signed
from groundswell.report import ReportResult, gather, render_report
from groundswell.report.outcomes_section import FIGURE_LABELS, NO_OUTCOMES
from groundswell.workspace import Workspace
from report_page import open_report


@pytest.fixture(scope="module")
def sales_workspace(demo_report: ReportResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the report tests' demo workspace with its stores' weekly sales imported."""
    path = tmp_path_factory.mktemp("outcomes") / "ws"
    shutil.copytree(demo_report.path.parent / "ws", path)
    with Workspace.open(path) as ws:
        imported = import_demo_sales(ws, seed=5)
    assert imported.imported > 0 and imported.rejected == 0
    return path


def _section(path: Path, sections: tuple[str, ...] = ("outcomes", "goals")) -> tuple[dict[str, Any], BeautifulSoup]:
    with Workspace.open(path) as ws, ws.computing() as sources:
        data = gather(sources, sections=sections)
    return data.sections["outcomes"], BeautifulSoup(render_report(data), "html.parser")


def _text(soup: BeautifulSoup, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, selector
    return " ".join(found.get_text(" ").split())


def test_the_section_gives_the_librarys_answer_relationships_and_small_multiples(sales_workspace: Path) -> None:
    with Workspace.open(sales_workspace) as ws:
        analysis = ws.outcomes_analysis("sales")
    assert analysis.goes_with in ("social_media", "both")  # the demo's sales follow the experience sentiment
    section, soup = _section(sales_workspace)

    best = analysis.strongest(1)[0]
    answer = _text(soup, "#outcomes-answer")
    sides = "both sides" if analysis.goes_with == "both" else "the social media side"
    assert answer.startswith(f"Sales goes with {sides} of the scorecard")
    assert f"{FIGURE_LABELS[best.figure]} {best.lag} weeks before" in answer
    assert f"within-store correlation {best.correlation:+.2f}" in answer
    assert f"{best.correlation_low:+.2f} to {best.correlation_high:+.2f}" in answer
    assert "not a cause" in answer

    # every figure's row: the within-store relationship at the lag with the smallest corrected p-value
    rows = soup.select("#outcomes-table tr[data-figure]")
    assert {r["data-figure"] for r in rows} == {r.figure for r in analysis.relationships}
    for row in rows:
        within = [r for r in analysis.relationships if r.figure == row["data-figure"] and r.kind == "within_stores"]
        tested = [r for r in within if r.p_adjusted is not None]
        text = " ".join(row.get_text(" ").split())
        if not tested:  # no lag could be tested: the first lag's note says why, and no number is shown
            assert within[0].note and within[0].note in text
            continue
        chosen = min(tested, key=lambda r: (r.p_adjusted or 1.0, r.lag))
        across = next(
            r
            for r in analysis.relationships
            if r.figure == chosen.figure and r.kind == "across_stores" and r.lag == chosen.lag
        )
        assert f"{chosen.lag} week" in text
        assert (
            f"{signed(chosen.correlation)} [{signed(chosen.correlation_low)}, {signed(chosen.correlation_high)}]"
            in text
        )
        assert f"{signed(chosen.effect)} [{signed(chosen.effect_low)}, {signed(chosen.effect_high)}]" in text
        if across.correlation is None:  # a brand-wide figure is not compared across stores: its note says why
            assert across.note and across.note in text
        else:
            assert signed(across.correlation) in text
        assert ("significant" in text) == chosen.significant

    # one small chart per store with sales, the outcome and the strongest figure at its lag
    with Workspace.open(sales_workspace) as ws:
        stores = {v["location"] for v in ws.outcome_values("sales")}
    charts = json.loads(soup.find("script", id="chart-data").string)
    multiples = soup.select(".multiples div.chart")
    assert len(multiples) == len(stores) == len(section["multiples"]["stores"]) == 40
    assert {div["data-chart"] for div in multiples} <= set(charts)
    assert [f.get_text() for f in soup.select(".multiples figcaption")] == sorted(stores)
    assert section["multiples"]["figure"] == best.figure and section["multiples"]["lag"] == best.lag
    first = charts[multiples[0]["data-chart"]]["data"]
    assert first[0]["y"] == section["multiples"]["stores"][0]["outcome"]


def test_fans_per_store_beside_fans_in_total_and_the_goal_on_sales(sales_workspace: Path) -> None:
    _, soup = _section(sales_workspace)
    with Workspace.open(sales_workspace) as ws:
        fans = ws.metrics("denominators")[0].counts["fans"]  # type: ignore[attr-defined]
        stores = ws.config.denominators["stores"]
        goals = [g.as_dict() for g in ws.metrics("goals")]  # type: ignore[attr-defined]
        period = ws.figures_period()
        values = ws.outcome_values("sales")
    assert fans
    text = _text(soup, "#outcomes-fans")
    assert count(fans) in text and count(stores) in text and decimal(fans / stores, 1) in text

    # the KPI: the stores' sales added up per week, averaged over the weeks of the period
    since, until = period.since.date() if period.since else None, period.until.date() if period.until else None
    weekly: dict[Any, float] = {}
    for v in values:
        if (since is None or v["period_start"] >= since) and (until is None or v["period_start"] < until):
            weekly[v["period_start"]] = weekly.get(v["period_start"], 0.0) + v["value"]
    expected = sum(weekly.values()) / len(weekly)
    kpi = next(k for g in goals for k in g["kpis"] if k["metric"] == "sales")
    assert kpi["value"] == pytest.approx(expected)
    assert kpi["status"] == ("met" if expected >= kpi["target"] else "missed")
    row = _text(soup, "#outcomes-goals")
    assert "Sell more in the stores" in row and decimal(expected) in row and kpi["status"] in row
    assert "thousand GBP per week" in row


def test_too_few_stores_say_so_and_show_no_number(demo_report: ReportResult, tmp_path: Path) -> None:
    path = tmp_path / "ws"
    shutil.copytree(demo_report.path.parent / "ws", path)
    with Workspace.open(path) as ws:
        rows = demo_sales(ws.social_figures(), seed=5)
        five = sorted({r.location for r in rows})[:5]
        ws.import_outcomes([write_sales_csv([r for r in rows if r.location in five], tmp_path / "sales.csv")])
    section, soup = _section(path, ("outcomes",))
    assert section["analysis"]["goes_with"] is None
    assert _text(soup, "#outcomes-answer").startswith("Too few stores or periods to say what goes with sales")
    for row in soup.select("#outcomes-table tr[data-figure]"):
        text = " ".join(row.get_text(" ").split())
        assert "too few stores" in text and "[" not in text  # the reason, and no interval
    assert len(soup.select(".multiples div.chart")) == 5


def test_without_outcomes_the_section_says_how_to_import_them(demo_report: ReportResult) -> None:
    soup = BeautifulSoup(demo_report.path.read_text(encoding="utf-8"), "html.parser")
    assert "outcomes" not in demo_report.unavailable
    assert _text(soup, "#outcomes-missing") == " ".join(NO_OUTCOMES.split())
    assert "groundswell outcomes import FILE" in NO_OUTCOMES
    assert not soup.select("#outcomes .multiples, #outcomes-table")


def test_per_brand_outcomes_are_compared_brand_by_brand(sales_workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "ws"
    shutil.copytree(sales_workspace, path)
    with (path / "groundswell.toml").open("a", encoding="utf-8") as config:
        config.write('\n[[outcomes]]\nname = "share_price"\nunit = "GBP"\naggregation = "last"\n')
        config.write('\n[[peers]]\nname = "Rival"\nhandles = ["RivalCare"]\nstores = 120\n')
    with Workspace.open(path) as ws:
        brand = ws.config.brand
        prices = tmp_path / "prices.csv"
        prices.write_text(
            "metric,brand,period,value\n"
            f"share_price,{brand},2025-10,40\nshare_price,{brand},2026-01,36\n"
            "share_price,Rival,2025-10,50\nshare_price,Rival,2026-01,30\n",
            encoding="utf-8",
        )
        assert ws.import_outcomes([prices]).imported == 4
    section, soup = _section(path, ("outcomes",))
    found = {b["brand"]: b for b in section["brands"]}
    assert found[brand]["change"] == pytest.approx(36 / 40 - 1) and found[brand]["own"]
    assert found["Rival"]["change"] == pytest.approx(30 / 50 - 1) and not found["Rival"]["own"]
    assert found[brand]["fans"] == section["fans"]["fans"] and found["Rival"]["fans"] is None  # no posts of it
    assert found[brand]["fans_per_store"] == pytest.approx(section["fans"]["fans"] / 40)
    assert found["Rival"]["stores"] == 120 and found["Rival"]["fans_per_store"] is None
    table = _text(soup, "#outcomes-brands")
    assert "-10.0%" in table and "-40.0%" in table
    assert section["outcomes"] == ["sales"]  # the per-brand outcome is no store's


@pytest.mark.browser
def test_the_section_draws_in_chromium_at_a_laptop_and_a_phone_width(
    chromium: Any, sales_workspace: Path, tmp_path: Path
) -> None:
    with Workspace.open(sales_workspace) as ws:
        result = ws.report(tmp_path / "report.html")
    assert result.unavailable == {}
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        loaded = open_report(chromium, result.path, width=width)
        page = loaded.page
        assert loaded.console_errors == [] and loaded.requests == []
        charts = page.query_selector_all("div.chart")
        assert page.get_attribute("body", "data-charts-drawn") == str(len(charts))
        multiples = page.query_selector_all("#outcomes .multiples div.chart")
        assert len(multiples) == 40
        for chart in multiples:
            box = chart.query_selector("svg.main-svg").bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
            assert chart.query_selector(".trace") is not None
        assert layout_problems(page) == [], width
        page.add_style_tag(content="nav { position: static !important; }")  # not over the section's picture
        page.query_selector("#outcomes").screenshot(path=str(ARTIFACTS / f"report-outcomes-{width}.png"))
        page.close()
