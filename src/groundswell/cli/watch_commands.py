"""``groundswell watch`` (the loop that syncs, enriches and raises alerts) and ``groundswell alerts``."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click
from rich.console import Console
from rich.table import Table

from groundswell.alerts.model import AlertKind
from groundswell.cli.console import print_json
from groundswell.cli.options import json_option, workspace_option
from groundswell.config import duration_seconds
from groundswell.workspace import Workspace


def _interval(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return duration_seconds(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--interval") from exc


@click.command("watch")
@click.option("--interval", metavar="DURATION", help="Time between cycles (30s, 5m, 1h); default [watch] interval.")
@click.option("--once", is_flag=True, help="Run one cycle and stop.")
@workspace_option
def watch_command(interval: str | None, once: bool, workspace: Path) -> None:
    """Watch the workspace: every interval, sync each connected account, enrich what is new, check the alert
    rules, keep and deliver the alerts. One line per cycle on stderr; SIGTERM or Ctrl-C stops it cleanly."""
    from groundswell.watch.loop import Watcher

    stop = threading.Event()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    with Workspace.open(workspace) as ws:
        ws.use_engine("workspace")  # a cycle every few minutes: the workspace's own store, whatever [engine] says
        seconds = _interval(interval) or ws.config.watch.interval_s
        previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if not once:
                click.echo(
                    f"groundswell watching {workspace} every {seconds:g} s; SIGTERM or Ctrl-C stops it", err=True
                )
            Watcher(ws, stop=stop).run(
                interval_s=seconds, once=once, on_cycle=lambda report: click.echo(report.line(), err=True)
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if stop.is_set():
        click.echo("groundswell watch stopped", err=True)


@click.command("alerts")
@click.option("--all", "show_all", is_flag=True, help="Include alerts that are over.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in AlertKind]),
    help="Only alerts of this kind (repeat for several; quote kinds with a space: --kind 'complaint surge').",
)
@workspace_option
@json_option
def alerts_command(show_all: bool, kinds: tuple[str, ...], workspace: Path, as_json: bool) -> None:
    """List the alerts the watch raised (open, acknowledged, snoozed; with --all those over too), newest first."""
    with Workspace.open(workspace) as ws:
        statuses = ("open", "acknowledged", "snoozed", "over") if show_all else ("open", "acknowledged", "snoozed")
        found = ws.alerts.kept(statuses=statuses, kinds=kinds or None)
        deliveries = {a.alert_id: ws.alerts.deliveries(a.alert_id) for a in found}
    if as_json:
        print_json(
            [
                {
                    **a.as_dict(),
                    "deliveries": [{**d, "sent_at": d["sent_at"].isoformat()} for d in deliveries[a.alert_id]],
                }
                for a in found
            ]
        )
        return
    if not found:
        print("no alerts")
        return
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in ("id", "kind", "status", "since (UTC)", "alert", "sent"):
        table.add_column(header, overflow="fold")
    for a in found:
        sent = ", ".join(sorted({d["target"] for d in deliveries[a.alert_id] if d["ok"]})) or "-"
        table.add_row(str(a.alert_id), a.kind, a.status, a.started_at.strftime("%Y-%m-%d %H:%M"), a.title, sent)
    Console(highlight=False).print(table)


COMMANDS = (watch_command, alerts_command)
