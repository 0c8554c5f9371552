"""The Workspace as the front door: the verbs the CLI and the web app call give what the layers beneath give."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.config import CONFIG_FILENAME
from groundswell.demo import build_demo
from groundswell.errors import ConfigError, UsageError
from groundswell.metrics import METRIC_FAMILIES
from groundswell.metrics.scorecard import scorecard
from groundswell.query import parse_period
from groundswell.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("front") / "demo"
    build_demo(path, posts=1500, seed=3)
    with Workspace.open(path) as ws:
        ws.enrich("fast")
    return path


def test_every_family_through_the_front_door_equals_the_family_over_its_sources(demo: Path) -> None:
    period = parse_period("2025-01-01", None)
    with Workspace.open(demo) as ws:
        for name, family in METRIC_FAMILIES.items():
            with ws.sources(period=period) as sources:
                direct = [row.as_dict() for row in family(sources, by=None)]
            assert [row.as_dict() for row in ws.metrics(name, period=period)] == direct, name
        with ws.sources() as sources:
            assert ws.scorecard().as_dict() == scorecard(sources)[0].as_dict()


def test_an_unknown_family_or_grouping_is_a_usage_error(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        with pytest.raises(UsageError, match="no metric family 'nope'; choose one of: denominators"):
            ws.metrics("nope")
        with pytest.raises(UsageError, match="--by"):
            ws.metrics("goals", by="month")


def test_the_report_goes_where_asked_and_defaults_to_the_workspace(demo: Path, tmp_path: Path) -> None:
    with Workspace.open(demo) as ws:
        written = ws.report(tmp_path / "r.html")
        assert written.path == tmp_path / "r.html" and written.path.stat().st_size == written.bytes
        assert ws.report().path == demo / "report.html"
        with pytest.raises(UsageError, match="is a folder"):
            ws.report(tmp_path)


def test_a_config_is_replaced_only_when_it_loads_and_every_change_is_audited(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        before = ws.config_path.read_text(encoding="utf-8")
        with pytest.raises(ConfigError, match="groundswell.toml:2: not valid TOML"):
            ws.replace_config('brand = "Acme"\nbrand = \n', actor="kim")
        assert ws.config_path.read_text(encoding="utf-8") == before and not ws.accounts.audit_entries()
        assert ws.replace_config(before, actor="kim") is False
        assert ws.replace_config('brand = "Acme"\n', actor="kim") is True
        assert (
            ws.config.brand == "Acme" and (ws.path / CONFIG_FILENAME).read_text(encoding="utf-8") == 'brand = "Acme"\n'
        )
        [entry] = ws.accounts.audit_entries(action="config.change")
        assert (entry.actor, entry.target) == ("kim", CONFIG_FILENAME)
        assert not list(ws.path.glob(f".{CONFIG_FILENAME}-*"))  # the atomic write left no temporary file


def test_an_accounts_figures_are_its_rows_of_the_account_families(demo: Path) -> None:
    from groundswell.report.account import account_figures

    with Workspace.open(demo) as ws, ws.computing() as sources:
        rows = ws.metrics("response", by="account")
        first = next(r for r in rows if r.group.get("account") not in (None, "(none)"))  # type: ignore[attr-defined]
        found = account_figures(sources, "@" + first.group["account"].upper())  # type: ignore[attr-defined]
        assert found.response.as_dict() == first.as_dict()
        helped = [r for r in ws.metrics("help", by="account") if r.group == first.group]  # type: ignore[attr-defined]
        assert (found.help.as_dict() if found.help else None) == (helped[0].as_dict() if helped else None)
        with pytest.raises(UsageError, match="no brand account 'nobody'"):
            account_figures(sources, "nobody")


def test_the_engine_comes_from_the_config_and_a_command_may_change_it(tmp_path: Path) -> None:
    config = '[engine]\nkind = "spark"\nmaster = "spark://127.0.0.1:1"\n'
    with Workspace.init(tmp_path / "ws", config_text=config) as ws:
        assert (ws.engine.kind, ws.engine.master) == ("spark", "spark://127.0.0.1:1")
        ws.use_engine(None)
        assert ws.engine.kind == "spark"
        ws.use_engine("workspace")
        assert ws.engine.kind == "workspace" and ws.counts().threads == 0  # computed without any Spark
        with pytest.raises(UsageError, match="sparky"):
            ws.use_engine("sparky")


def test_the_web_app_computes_on_the_workspaces_store_whatever_the_engine(tmp_path: Path) -> None:
    from groundswell.web.state import AppState

    Workspace.init(tmp_path / "ws", config_text='[engine]\nkind = "spark"\n').close()
    state = AppState.open(tmp_path / "ws")
    try:
        assert state.workspace.engine.kind == "workspace"
    finally:
        state.workspace.close()
