"""`groundswell metrics` and `groundswell scorecard` without --json: aligned terminal tables with units, every
figure readable (no Python reprs of nested data), rates with their numerator and denominator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.demo import build_demo
from groundswell.metrics import METRIC_FAMILIES
from groundswell.workspace import Workspace

REPR = re.compile(r"\{'|\[\{|\[\[|': ")


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "ws"
    build_demo(path, posts=2500, seed=4)
    with Workspace.open(path) as ws:
        ws.enrich("fast")
    return path


def _run(*args: str, width: int = 160) -> str:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("family", sorted(METRIC_FAMILIES))
def test_every_family_prints_a_readable_table(demo_ws: Path, family: str) -> None:
    out = _run("metrics", family, "--workspace", str(demo_ws))
    assert out.startswith(f"{family}: period: all posts")
    assert not REPR.search(out), out
    assert len(out.splitlines()) >= 2


def test_a_family_may_be_named_with_hyphens(demo_ws: Path) -> None:
    assert _run("metrics", "share-of-voice", "--workspace", str(demo_ws)).startswith("share_of_voice: period")
    wrong = CliRunner().invoke(cli, ["metrics", "share-of-noise", "--workspace", str(demo_ws)])
    assert wrong.exit_code == 2 and "'share-of-noise' is not one of" in wrong.output


def test_response_by_account_is_one_aligned_row_per_account(demo_ws: Path) -> None:
    out = _run("metrics", "response", "--by", "account", "--workspace", str(demo_ws), width=400)
    lines = out.splitlines()
    assert "times in h:mm:ss" in lines[0] and "window hours: 24 h" in lines[0]
    header = lines[1]
    assert "response rate (%)" in header and "first reply median" in header
    rows = [line for line in lines[2:] if line.strip()]
    assert [row.split()[0] for row in rows] == ["Northwind", "NorthwindHelp", "northwind.bsky.social",
                                                 "northwind@mastodon.social"]  # fmt: skip
    # right-aligned figures end in the same column as their header; a classified rate carries its interval
    end = header.index("response rate (%)") + len("response rate (%)")
    assert all(re.search(r"\d+\.\d \[95% CI \d+\.\d+–\d+\.\d+%\]$", row[:end]) for row in rows), rows


def test_nested_lists_get_tables_of_their_own(demo_ws: Path) -> None:
    goals = _run("metrics", "goals", "--workspace", str(demo_ws))
    assert "\nkpis\n" in goals and ">= 80.0%" in goals
    relationships = _run("metrics", "relationships", "--workspace", str(demo_ws))
    assert "\ncohorts\n" in relationships and "+1 share (%)" in relationships
    assert re.search(r"\s[\d.]+% \([\d,]+/[\d,]+\)\s", relationships)  # a share, with its numerator/denominator
    participation = _run("metrics", "participation", "--workspace", str(demo_ws))
    assert "lorenz: see --json" in participation


def test_scorecard_table_shows_both_indices_and_every_component(demo_ws: Path) -> None:
    out = _run("scorecard", "--workspace", str(demo_ws))
    assert re.search(r"social media index: \d+ / 100", out)
    assert re.search(r"social media marketing index: \d+ / 100", out)
    for label in ("response rate", "help rate", "buzz posts per day", "follower growth / 30 days"):
        assert label in out
    assert "quadrant: " in out


def test_metrics_help_lists_every_family_and_points_to_docs_in_the_project() -> None:
    shown = CliRunner().invoke(cli, ["metrics", "--help"], terminal_width=200)
    assert shown.exit_code == 0
    listed = shown.stdout.split("Families (NAME):", 1)[1]
    for name, family in METRIC_FAMILIES.items():
        assert f"  {name} " in listed, name
        assert (family.__doc__ or "").strip(), f"{name} has no docstring for the help"
    assert "DESIGN" not in shown.stdout
    project = Path(__file__).resolve().parents[2]
    for page in ("docs/metrics.md", "docs/metrics-families.md"):
        assert page in shown.stdout and (project / page).is_file()
