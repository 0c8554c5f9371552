"""The demo's sales beside its social figures: the same answer on the embedded store and on PostgreSQL, and
through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine_equality import same
from groundswell.cli import cli
from groundswell.demo import build_demo
from groundswell.demo.outcomes import TRUE_LAG_WEEKS, import_demo_sales
from groundswell.enrich.registry import shipped_model_dir
from groundswell.workspace import DATABASE_ENV, Workspace

POSTS = 4000


def _demo(path: Path, database: str | None) -> dict[str, Any]:
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    build_demo(path, posts=POSTS, seed=5)
    with Workspace.open(path, database=database or "") as ws:
        ws.enrich("fast", workers=1)
        report = import_demo_sales(ws, seed=5)
        assert report.imported > 0 and report.rejected == 0
        return ws.outcomes_analysis("sales", max_lag=3).as_dict()


def test_the_analysis_is_equal_on_duckdb_and_postgresql(
    tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_duckdb = _demo(tmp_path / "duck", None)
    monkeypatch.setenv(DATABASE_ENV, postgres_database)
    on_postgres = _demo(tmp_path / "pg", postgres_database)
    assert on_duckdb["stores"] == 40 and on_duckdb["periods"] > 20
    same(on_duckdb, on_postgres, "outcomes analysis", rel_tol=1e-9, abs_tol=1e-12)


def test_the_demo_answers_the_question_on_the_command_line(tmp_path: Path) -> None:
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    runner = CliRunner()
    ws = str(tmp_path / "demo")
    built = runner.invoke(cli, ["demo", "--workspace", ws, "--posts", "8000", "--seed", "4", "--json"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["outcomes"]["imported"] > 0
    result = runner.invoke(cli, ["metrics", "outcomes", "--workspace", ws, "--max-lag", "3", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["outcome"] == "sales" and found["unit"] == "thousand GBP"
    assert found["goes_with"] == "social_media"
    assert (found["strongest"][0]["figure"], found["strongest"][0]["lag"]) == (
        "experience_net_sentiment",
        TRUE_LAG_WEEKS,
    )
    text = runner.invoke(cli, ["metrics", "outcomes", "--workspace", ws, "--max-lag", "3"])
    assert text.exit_code == 0 and "goes with the outcome: social media" in text.stdout
    assert "correlations" in text.stdout
    wrong = runner.invoke(cli, ["metrics", "outcomes", "--workspace", ws, "--outcome", "nps"])
    assert wrong.exit_code == 1 and "no outcome 'nps'" in wrong.stderr
