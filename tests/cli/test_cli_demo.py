"""`groundswell demo`: the README's first command, on a small world."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.accounts import authenticate
from groundswell.cli import cli
from groundswell.cli.console import runnable
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


def test_the_commands_it_prints_run_in_a_new_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shell that has not activated the environment finds no `groundswell`: a hint names the program's path."""
    with Workspace.init(tmp_path / "my ws"):
        pass
    shell = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.environ.get("PYTHONPATH", ""), "HOME": str(tmp_path)}
    installed = Path(sys.executable).parent / "groundswell"
    started_as = [str(installed)] if installed.is_file() else []
    started_as.append(str(Path(sys.argv[0])))  # started as something else (here, pytest): python -m groundswell.cli
    for program in started_as:
        monkeypatch.setattr(sys, "argv", [program])
        monkeypatch.setenv("PATH", shell["PATH"])
        hint = runnable("status", "--workspace", tmp_path / "my ws")
        assert not hint.startswith("groundswell "), hint
        done = subprocess.run(hint, shell=True, env=shell, capture_output=True, text=True, check=False)  # noqa: S602
        assert done.returncode == 0, (hint, done.stderr)
        assert "posts" in done.stdout
    monkeypatch.setattr(sys, "argv", [str(installed)])
    monkeypatch.setenv("PATH", f"{installed.parent}:/usr/bin:/bin")  # an activated environment
    if installed.is_file():
        assert runnable("status") == "groundswell status"
