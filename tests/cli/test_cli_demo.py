"""`groundswell demo`: the README's first command, on a small world."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from groundswell.accounts import authenticate
from groundswell.cli import cli
from groundswell.workspace import Workspace


def test_demo_builds_a_workspace_and_prints_its_summary(tmp_path: Path) -> None:
    runner = CliRunner()
    ws_dir = tmp_path / "demo"
    result = runner.invoke(cli, ["demo", "--workspace", str(ws_dir), "--posts", "2000", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["posts"] == 2000
    assert summary["import"]["rejected"] == 0
    assert len(summary["platforms"]) >= 2 and summary["threads"] > 0 and summary["brand_accounts"] >= 2
    assert Path(summary["report"]).is_file()
    with Workspace.open(ws_dir) as ws:
        assert ws.summary().posts == 2000
        assert ws.config.accounts  # the demo config names the brand accounts
        # the demo ends ready for `groundswell serve`: its admin signs in with the password printed once
        admin = summary["admin"]
        assert authenticate(ws.store, admin["name"], admin["password"], address=None).role == "admin"

    text = runner.invoke(cli, ["demo", "--workspace", str(ws_dir), "--posts", "2000"])
    assert text.exit_code == 1  # never mixes demo data into a workspace that has posts
    assert "already" in text.stderr
