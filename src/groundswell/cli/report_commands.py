"""``groundswell report``: the HTML report of a workspace, written to one file."""

from __future__ import annotations

from pathlib import Path

import click

from groundswell.cli.console import print_json, stderr_console
from groundswell.cli.metrics_commands import brand_options, period_from_options, period_options
from groundswell.cli.options import engine_option, json_option, quiet_option, workspace_option
from groundswell.workspace import Workspace


@click.command("report")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (default: report.html in the workspace).",
)
@period_options
@brand_options
@engine_option
@workspace_option
@json_option
@quiet_option
def report_command(
    out: Path | None,
    since: str | None,
    until: str | None,
    model_version: str | None,
    brand: str | None,
    account: str | None,
    engine: str | None,
    workspace: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Write the HTML report: one self-contained file that opens offline and can be mailed.

    The quadrant and both indices with what moves them; experience and marketing-buzz
    conversation over time; response, help, conversation ratio, participation,
    relationships, per-store figures, fairness, spikes and goals; and the threads
    that most need attention. Every rate shows its numerator and denominator and
    every classifier figure its model version. Prints the file's path.
    """

    period = period_from_options(since, until)
    console = stderr_console(quiet=quiet or as_json)
    with Workspace.open(workspace) as ws:
        ws.use_engine(engine)
        status = console.status("computing the report ...")
        with status:

            def progress(section: str, done: int, total: int) -> None:
                status.update(f"computing the report: {section.replace('_', ' ')} ({done}/{total})")

            result = ws.report(
                out, period=period, model_version=model_version, progress=progress, brand=brand, account=account
            )
    if as_json:
        print_json(
            {
                "path": str(result.path),
                "bytes": result.bytes,
                "seconds": result.seconds,
                "unavailable": result.unavailable,
                "period": result.period.as_dict(),
            }
        )
        return
    if result.period.left_out is not None:
        console.print(f"note: {result.period.left_out.note}", markup=False, soft_wrap=True)
    for section, reason in sorted(result.unavailable.items()):
        console.print(f"note: {section.replace('_', ' ')} left out: {reason}", markup=False, soft_wrap=True)
    console.print(f"wrote {result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s")
    print(result.path, flush=True)


COMMANDS = (report_command,)
