"""``groundswell watch`` and ``groundswell alerts`` from the command line: one cycle, the JSON list, and a
running watch that SIGTERM stops cleanly (a real subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.clock import utcnow
from groundswell.workspace import Workspace

CONFIG = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "acme"\n[watch]\ninterval = "1s"\n'
HEADER = "platform,post_id,author_id,author_handle,is_brand,created_at,text\n"


def waiting_workspace(tmp_path: Path) -> Path:
    """A workspace with one complaint, unanswered for two hours (the default target is one)."""
    ws_path = tmp_path / "ws"
    posted = (utcnow().replace(microsecond=0) - timedelta(hours=2)).isoformat() + "Z"
    csv = tmp_path / "posts.csv"
    csv.write_text(HEADER + f"twitter,c1,u1,ana,,{posted},@acme my parcel arrived broken and I want a refund\n")
    with Workspace.init(ws_path, config_text=CONFIG) as ws:
        ws.import_files([csv])
    return ws_path


def test_watch_once_raises_the_alert_and_alerts_lists_it(tmp_path: Path) -> None:
    ws_path = waiting_workspace(tmp_path)
    runner = CliRunner()
    once = runner.invoke(cli, ["watch", "--once", "--workspace", str(ws_path)])
    assert once.exit_code == 0, once.output
    assert "1 alert(s) raised" in once.output and "1 enriched" in once.output
    listed = runner.invoke(cli, ["alerts", "--json", "--workspace", str(ws_path)])
    assert listed.exit_code == 0, listed.output
    [alert] = json.loads(listed.stdout)
    assert (alert["kind"], alert["status"], alert["posts"]) == (
        "waiting",
        "open",
        [{"platform": "twitter", "post_id": "c1"}],
    )
    assert alert["deliveries"] == []  # no notify targets configured
    waiting = runner.invoke(cli, ["alerts", "--json", "--kind", "waiting", "--workspace", str(ws_path)])
    assert [a["kind"] for a in json.loads(waiting.stdout)] == ["waiting"]
    surges = runner.invoke(
        cli, ["alerts", "--kind", "complaint surge", "--kind", "organic", "--workspace", str(ws_path)]
    )
    assert surges.exit_code == 0 and surges.stdout.strip() == "no alerts"
    unknown = runner.invoke(cli, ["alerts", "--kind", "outage", "--workspace", str(ws_path)])
    assert unknown.exit_code == 2 and "'waiting'" in unknown.output
    again = runner.invoke(cli, ["watch", "--once", "--workspace", str(ws_path)])
    assert "0 alert(s) raised" in again.output
    bad = runner.invoke(cli, ["watch", "--once", "--interval", "soon", "--workspace", str(ws_path)])
    assert bad.exit_code == 2 and "--interval" in bad.output


def test_sigterm_stops_a_running_watch_cleanly(tmp_path: Path) -> None:
    ws_path = waiting_workspace(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    watch = subprocess.Popen(
        [sys.executable, "-m", "groundswell.cli", "watch", "--workspace", str(ws_path)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert watch.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while sum("watch cycle:" in line for line in lines) < 2 and time.monotonic() < deadline:
        lines.append(watch.stderr.readline())
    assert sum("watch cycle:" in line for line in lines) == 2, lines
    watch.send_signal(signal.SIGTERM)
    _, rest = watch.communicate(timeout=30)
    assert watch.returncode == 0, rest
    assert "groundswell watch stopped" in rest
    with Workspace.open(ws_path) as ws:  # the database is whole and its lock released
        [alert] = ws.alerts.kept()
        assert alert.kind == "waiting"
        assert ws.alerts.health()["cycle"]["errors"] == []
