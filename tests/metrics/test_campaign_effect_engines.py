"""The campaign effects and the marketing-mix panel of the demo: the same on the embedded store and on PostgreSQL,
the panel's rows equal to the social figures and the outcomes, and both through the command line."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from engine_equality import same
from groundswell.cli import cli
from groundswell.demo import build_demo
from groundswell.demo.outcomes import import_demo_sales
from groundswell.enrich.registry import shipped_model_dir
from groundswell.metrics.panel_export import FIGURES, campaign_column
from groundswell.workspace import DATABASE_ENV, Workspace

POSTS = 4000


def _needs_model() -> None:
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")


def _demo(path: Path, database: str | None) -> tuple[dict[str, Any], pd.DataFrame]:
    _needs_model()
    build_demo(path, posts=POSTS, seed=5)
    with Workspace.open(path, database=database or "") as ws:
        ws.enrich("fast", workers=1)
        assert import_demo_sales(ws, seed=5).rejected == 0
        effects = ws.campaign_effects("sales", draws=500).as_dict()
        ws.export_panel(path / "panel.csv")
    return effects, pd.read_csv(path / "panel.csv")


def test_the_campaign_effects_and_the_panel_are_equal_on_duckdb_and_postgresql(
    tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_duckdb, duck_panel = _demo(tmp_path / "duck", None)
    monkeypatch.setenv(DATABASE_ENV, postgres_database)
    on_postgres, pg_panel = _demo(tmp_path / "pg", postgres_database)
    contest = on_duckdb["campaigns"][0]
    assert contest["buzz"]["pre_periods"] >= 8 and contest["buzz"]["effect"] is not None
    same(on_duckdb, on_postgres, "campaign effects", rel_tol=1e-6, abs_tol=1e-9)
    pd.testing.assert_frame_equal(duck_panel, pg_panel)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo as `groundswell demo` builds it (its weekly sales imported), small."""
    _needs_model()
    path = tmp_path_factory.mktemp("campaigns") / "demo"
    built = CliRunner().invoke(cli, ["demo", "--workspace", str(path), "--posts", str(POSTS), "--seed", "4", "--json"])
    assert built.exit_code == 0, built.output
    yield path


def test_the_panel_rows_are_the_social_figures_and_the_outcomes(demo: Path, tmp_path: Path) -> None:
    with Workspace.open(demo) as ws:
        written = ws.export_panel(tmp_path / "out" / "panel.parquet")
        cells = ws.social_figures(granularity="week")
        sales = ws.outcome_values("sales")
        campaigns = ws.config.campaigns
    panel = pd.read_parquet(written.path).set_index(["geo", "time"])
    assert written.rows == len(panel) == written.stores * written.periods and written.stores == 40
    assert not panel.index.duplicated().any()
    for cell in cells:
        row = panel.loc[(cell.location, cell.period_start.isoformat())]
        for figure in FIGURES:
            value = cell.figures[figure]
            assert math.isnan(row[figure]) if value is None else row[figure] == value, (cell, figure)
    assert panel[list(FIGURES)].notna().any(axis=1).sum() == len(cells)  # no figure where no cell
    assert sorted(panel.sales.dropna().items()) == sorted(
        ((v["location"], v["period_start"].isoformat()), v["value"]) for v in sales
    )
    contest = next(c for c in campaigns if c.end is not None)
    assert contest.start is not None and contest.end is not None
    flagged = panel[panel[campaign_column(contest.name)] == 1].index.get_level_values("time").unique()
    weeks = pd.date_range(pd.Timestamp(contest.start).to_period("W-SUN").start_time, contest.end, freq="W-MON")
    assert sorted(flagged) == [w.strftime("%Y-%m-%d") for w in weeks]


def test_campaigns_and_the_panel_on_the_command_line(demo: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(demo)
    found = runner.invoke(cli, ["outcomes", "campaigns", "--workspace", ws, "--json"])
    assert found.exit_code == 0, found.output
    document = json.loads(found.stdout)
    assert document["outcome"] == "sales" and len(document["campaigns"]) == 2
    text = runner.invoke(cli, ["outcomes", "campaigns", "--workspace", ws, "--post-periods", "2"])
    assert text.exit_code == 0 and "against what each series' history predicts" in text.stdout
    assert "too little history before the campaign" in text.stdout  # the film-style ad starts in week 6
    out = tmp_path / "panel.csv"
    exported = runner.invoke(cli, ["outcomes", "export-panel", str(out), "--workspace", ws, "--json"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.stdout)["rows"] == len(pd.read_csv(out))
    wrong = runner.invoke(cli, ["outcomes", "export-panel", str(tmp_path / "panel.xlsx"), "--workspace", ws])
    assert wrong.exit_code == 1 and "panel.xlsx: the panel is written as .csv or .parquet" in wrong.stderr


def test_an_outcome_of_the_brand_alone_is_its_own_series(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo"
    shutil.copytree(demo, copy)
    with (copy / "groundswell.toml").open("a", encoding="utf-8") as config:
        config.write('\n[[outcomes]]\nname = "online_sales"\nunit = "thousand GBP"\n')
    rows = ["metric,period,value"]
    for week in range(26):
        monday = date(2025, 9, 1) + timedelta(weeks=week)
        lifted = date(2025, 11, 3) <= monday <= date(2025, 12, 1)  # the contest's weeks
        rows.append(f"online_sales,{monday.isoformat()},{500 + 3 * math.sin(week) + (60 if lifted else 0):.3f}")
    (tmp_path / "online.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with Workspace.open(copy) as ws:
        report = ws.import_outcomes([tmp_path / "online.csv"])
        assert report.imported == 26, report.as_dict()
        found = ws.campaign_effects("online_sales", draws=500)
    contest = next(c for c in found.campaigns if c.end is not None)
    assert contest.outcome.pre_periods == 9 and contest.outcome.effect_low is not None
    assert 0 < contest.outcome.effect_low <= 5 * 60 <= (contest.outcome.effect_high or 0)
    assert found.stores is None and "online_sales: the brand's own values (none per store)" in found.notes
