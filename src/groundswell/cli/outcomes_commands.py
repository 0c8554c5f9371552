"""``groundswell outcomes import``, and the printing of ``groundswell metrics outcomes``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from groundswell.cli.console import print_json, stderr_console
from groundswell.cli.ingest_commands import print_import_report
from groundswell.cli.options import json_option, workspace_option
from groundswell.workspace import Workspace


@click.group("outcomes")
def outcomes_group() -> None:
    """Business outcomes (sales, visits, NPS, share price...) per store or brand and period."""


@outcomes_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workspace_option
@json_option
def outcomes_import_command(paths: tuple[Path, ...], workspace: Path, as_json: bool) -> None:
    """Import outcomes from CSV or Parquet files: columns metric, value, period (2026-03-02, 2026-W10 or
    2026-03), and optionally granularity (day, week, month) and location or brand.

    Importing a file twice adds nothing; a bad row is kept as a rejected row (see `groundswell rejects`).
    """
    with Workspace.open(workspace) as ws:
        report = ws.import_outcomes(paths)
    if as_json:
        print_json(report.as_dict())
    else:
        print_import_report(report, workspace)
    for failed in report.failed_files:
        stderr_console().print(Text.assemble(("error", "red"), f": {failed.path}: {failed.error}"), soft_wrap=True)
    if report.failed_files:
        raise SystemExit(1)


def print_outcomes(document: dict[str, Any]) -> None:
    """``groundswell metrics outcomes`` as text: which side goes with the outcome, the strongest relationships
    within stores with their intervals, and each side's fit."""
    out = Console(highlight=False)
    unit = f" ({document['unit']})" if document["unit"] else ""
    out.print(
        f"{document['outcome']}{unit} beside the social figures: {document['stores']} stores, "
        f"{document['periods']} {document['granularity']}s, lags 0-{document['max_lag']}"
    )
    goes_with = document["goes_with"]
    if goes_with is None:
        out.print("no answer: " + "; ".join(document["notes"][1:]))
        return
    out.print(f"goes with the outcome: {goes_with.replace('_', ' ')}")
    table = Table(box=None, pad_edge=False, title="strongest relationships within stores (BH-corrected)")
    for name in ("figure", "side", "lag", "correlation [95%]", "effect [95%]", "p adj."):
        table.add_column(name, justify="left" if name in ("figure", "side") else "right")
    for rel in document["strongest"]:
        low, high = rel["correlation_95"]
        elow, ehigh = rel["effect_95"]
        table.add_row(
            rel["figure"], rel["side"].replace("_", " "), str(rel["lag"]),
            f"{rel['correlation']:+.2f} [{low:+.2f}, {high:+.2f}]",
            f"{rel['effect']:+.3g} [{elow:+.3g}, {ehigh:+.3g}]", f"{rel['p_adjusted']:.2g}",
        )  # fmt: skip
    if document["strongest"]:
        out.print(table)
    else:
        out.print("no figure goes with the outcome within stores, at any lag, after the correction")
    for fit in document["fits"]:
        share = fit["variance_explained"]
        shown = "no fit" if share is None else f"{share:.0%} of the within-store variance"
        out.print(
            f"{fit['side'].replace('_', ' ')} figures explain {shown}"
            + (f" ({fit['note']})" if fit.get("note") else "")
        )
    for note in document["notes"]:
        out.print(note)


COMMANDS = (outcomes_group,)
