from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.config import CONFIG_FILENAME, parse_config
from groundswell.demo import (
    DEFAULT_PROFILE,
    DEMO_CONFIG_TEXT,
    build_demo,
    demo_config_text,
    generate_world,
    write_posts_csv,
)
from groundswell.demo.world import make_calendar
from groundswell.errors import WorkspaceError
from groundswell.ingest.pipeline import ImportOptions
from groundswell.workspace import Workspace


def test_the_demo_config_loads_and_describes_the_world() -> None:
    config = parse_config(DEMO_CONFIG_TEXT)
    assert config.brand == "Northwind Outfitters"
    assert {a.platform for a in config.accounts} >= {"twitter", "mastodon"}
    assert len(config.locations) == 40
    assert all({"orders", "employees"} <= set(loc.denominators) for loc in config.locations)
    assert config.denominators["stores"] == 40 and config.denominators["employees"] > 0
    assert len(config.campaigns) == 2
    contest = config.campaigns[0]
    cal = make_calendar()
    assert contest.hashtags == ("#NorthwindSummit",)
    assert (contest.start, contest.end) == (cal.date(cal.contest_start), cal.date(cal.contest_end))
    assert config.campaigns[1].hashtags == ("#IntoTheWild",)
    assert len(config.goals) >= 2
    assert any(k.metric == "response_rate" and k.direction == "at_least" for g in config.goals for k in g.kpis)
    assert config.business_hours is not None and config.team
    other = parse_config(demo_config_text(DEFAULT_PROFILE.with_brand("Fjell & Fell Outdoor")))
    assert other.brand == "Fjell & Fell Outdoor"
    assert {a.handle for a in other.accounts}.isdisjoint({a.handle for a in config.accounts})


def test_build_demo_makes_a_workspace(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int, int]] = []
    result = build_demo(tmp_path / "demo", posts=3000, seed=5, progress=lambda *a: calls.append(a))
    assert result.workspace == tmp_path / "demo"
    assert result.data_file == tmp_path / "demo" / "demo-data" / "posts.csv" and result.data_file.exists()
    assert result.report.read == 3000 and result.report.imported == 3000
    assert result.report.rejected == 0 and result.report.failed_files == []
    summary = result.summary
    assert summary.posts == 3000 and summary.rejects == 0
    assert summary.brand_accounts >= 3 and summary.counts is not None and summary.counts.threads > 0
    assert len(summary.platforms) >= 2
    assert calls and calls[-1][1] == calls[-1][2]
    # closed on return: it opens again, and brand posts were recognised on two platforms or more
    with Workspace.open(tmp_path / "demo") as ws:
        rows = ws.store.con.execute(
            "SELECT platform, count(DISTINCT author_id) FROM posts WHERE is_brand GROUP BY platform"
        ).fetchall()
        assert len(rows) >= 2
        locations = {r[0] for r in ws.store.con.execute("SELECT DISTINCT location FROM posts").fetchall()}
        assert locations - {None} <= {loc.name for loc in ws.config.locations}


def test_build_demo_refuses_a_workspace_with_posts(tmp_path: Path) -> None:
    build_demo(tmp_path / "demo", posts=500, seed=1)
    with pytest.raises(WorkspaceError, match="500 posts"):
        build_demo(tmp_path / "demo", posts=500, seed=2)
    with Workspace.open(tmp_path / "demo") as ws:
        assert ws.summary().posts == 500


def test_build_demo_leaves_a_users_empty_workspace_alone(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "mine").close()
    before = (tmp_path / "mine" / CONFIG_FILENAME).read_text(encoding="utf-8")
    with pytest.raises(WorkspaceError, match="not a Northwind Outfitters demo workspace"):
        build_demo(tmp_path / "mine", posts=100)
    assert (tmp_path / "mine" / CONFIG_FILENAME).read_text(encoding="utf-8") == before
    assert not (tmp_path / "mine" / "demo-data").exists()


def test_build_demo_reuses_an_empty_demo_workspace(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "demo", config_text=DEMO_CONFIG_TEXT).close()
    result = build_demo(tmp_path / "demo", posts=400, seed=3)
    assert result.summary.posts == 400


def test_two_brands_share_one_workspace_without_conflicts(tmp_path: Path) -> None:
    result = build_demo(tmp_path / "demo", posts=2000, seed=5)
    other = DEFAULT_PROFILE.with_brand("Fjell & Fell Outdoor")
    path = tmp_path / "fjell.csv"
    write_posts_csv(generate_world(posts=2000, seed=5, profile=other), path)
    with Workspace.open(result.workspace) as ws:
        report = ws.import_files([path], ImportOptions(format="csv"))
        assert report.imported == 2000 and report.duplicates == 0 and report.rejected == 0
        assert ws.summary().posts == 4000
