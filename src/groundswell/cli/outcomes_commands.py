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
from groundswell.errors import UsageError
from groundswell.query import Period, parse_period
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


_since_option = click.option("--since", metavar="DATE", help="Posts from this day or moment on (UTC, inclusive).")
_until_option = click.option(
    "--until", metavar="DATE", help="Posts up to this day (inclusive) or moment (exclusive), UTC."
)


def _period(since: str | None, until: str | None) -> Period:
    try:
        return parse_period(since, until)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from exc


@outcomes_group.command("campaigns")
@click.option("--outcome", help="The business outcome (default: the only one imported).")
@click.option(
    "--post-periods",
    type=click.IntRange(0, 52),
    default=4,
    show_default=True,
    help="Periods after a campaign's end counted in its window (a late effect, a hangover).",
)
@_since_option
@_until_option
@workspace_option
@json_option
def outcomes_campaigns_command(
    outcome: str | None,
    post_periods: int,
    since: str | None,
    until: str | None,
    workspace: Path,
    as_json: bool,
) -> None:
    """Did each campaign move the business? Its effect on the outcome (added
    up over the stores) beside its effect on its buzz, each against a
    counterfactual from the periods before it (a structural time series), over
    the campaign and --post-periods after it, with 95% intervals. An estimate
    from history, not a controlled experiment.
    """
    with Workspace.open(workspace) as ws:
        found = ws.campaign_effects(outcome, post_periods=post_periods, period=_period(since, until))
    if as_json:
        print_json(found.as_dict())
        return
    out = Console(highlight=False, soft_wrap=True)
    if not found.campaigns:
        out.print("no campaign configured: add [[campaigns]] with a start date to groundswell.toml")
    for campaign in found.campaigns:
        out.print(campaign.summary())
        for series in (campaign.buzz, campaign.outcome):
            if series.effect is not None and series.effect_low is not None and series.effect_high is not None:
                unit = f" {series.unit}" if series.unit else ""
                out.print(
                    f"  {series.series}: observed {_number(series.observed)}{unit} over {series.window_periods} "
                    f"{found.granularity}s, expected {_number(series.predicted)} from the {series.pre_periods} "
                    f"before ({series.model}); effect {_number(series.effect, '+')} "
                    f"[{_number(series.effect_low, '+')}, {_number(series.effect_high, '+')}]"
                )
    for note in found.notes:
        out.print(note)


@outcomes_group.command("export-panel")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--period",
    "granularity",
    type=click.Choice(("week", "month")),
    default="week",
    show_default=True,
    help="One row per store and week, or per store and month.",
)
@_since_option
@_until_option
@workspace_option
@json_option
def outcomes_export_panel_command(
    path: Path, granularity: str, since: str | None, until: str | None, workspace: Path, as_json: bool
) -> None:
    """Write the per-store panel to PATH (.csv or .parquet) for marketing-mix
    models (Meridian, PyMC-Marketing): one row per store (geo) and period
    (time), the outcomes, the social figures as covariates, and a 0/1 column
    per campaign. An existing file is replaced.
    """
    with Workspace.open(workspace) as ws:
        written = ws.export_panel(path, granularity=granularity, period=_period(since, until))
    if as_json:
        print_json(written.as_dict())
        return
    out = Console(highlight=False, soft_wrap=True)
    out.print(
        f"wrote {written.rows} rows ({written.stores} stores x {written.periods} {granularity}s) to {path} "
        f"({written.format}): {', '.join(written.columns)}"
    )
    for note in written.left_out:
        out.print(f"left out: {note}")


def _number(value: float | None, sign: str = "") -> str:
    if value is None:
        return "?"
    return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign},.3g}"


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
    table = Table(box=None, pad_edge=False, title="strongest relationships within stores (corrected for every test)")
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
