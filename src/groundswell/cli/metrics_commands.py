"""``groundswell metrics NAME``: one metric family, as a table or one JSON document."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import overload

import click

from groundswell.cli.console import print_json
from groundswell.cli.options import engine_option, json_option, workspace_option
from groundswell.cli.outcomes_commands import print_outcomes
from groundswell.cli.tables import print_brand_scorecards, print_scorecard, print_table
from groundswell.errors import UsageError
from groundswell.metrics.base import BY_CHOICES
from groundswell.query import Period, parse_period
from groundswell.workspace import Workspace

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OUTCOMES = "outcomes"  # not a family of posts: a business outcome beside them (Workspace.outcomes_analysis)


class _FamilyNames(Sequence[str]):
    """The registry's names, read on first use: ``groundswell --help`` need not import the metrics (ibis)."""

    def _names(self) -> list[str]:
        from groundswell.metrics import METRIC_FAMILIES

        return sorted([*METRIC_FAMILIES, OUTCOMES])

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


class _FamilyChoice(click.Choice[str]):
    """A family's name as the registry spells it (``share_of_voice``), or with hyphens as other commands' words
    are (``share-of-voice``)."""

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        spelled = value.replace("-", "_") if isinstance(value, str) else value
        try:
            return str(super().convert(spelled, param, ctx))
        except click.BadParameter:
            return str(super().convert(value, param, ctx))  # the error names what the user typed


def period_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--since``, ``--until`` and ``--model-version``: which posts and which enrichments a figure uses."""
    command = click.option(
        "--model-version",
        metavar="VERSION",
        help="Use the enrichments of this model version (default: the newest in the workspace).",
    )(command)
    command = click.option("--until", metavar="DATE", help="Up to this day (inclusive) or moment (exclusive), UTC.")(
        command
    )
    return click.option("--since", metavar="DATE", help="From this day or moment on (UTC, inclusive).")(command)


# Where the definitions are written out: pages of the project's documentation.
DEFINITIONS = "docs/metrics.md and docs/metrics-families.md in the groundswell project"


class _MetricsCommand(click.Command):
    """``metrics --help`` lists each family with the first line of its function's docstring."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        from groundswell.metrics import METRIC_FAMILIES

        rows = [(name, _summary(family.__doc__)) for name, family in sorted(METRIC_FAMILIES.items())]
        rows.append(
            (OUTCOMES, "An imported business outcome against each store's social figures, at lags (--outcome).")
        )
        rows.sort()
        with formatter.section("Families (NAME)"):
            formatter.write_dl(rows)
        formatter.write_paragraph()
        formatter.write_text(f"Each figure's exact definition: {DEFINITIONS}.")


def _summary(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    return lines[0].replace("``", "`") if lines else ""


def brand_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--brand`` and ``--account``: whose conversations a figure covers (default: the workspace's brand)."""
    command = click.option(
        "--account",
        metavar="HANDLE",
        help="One support account's conversations only (the brand's, or a peer's).",
    )(command)
    return click.option(
        "--brand",
        metavar="NAME",
        help="Another brand in the data (a peer), by name; default: the brand of groundswell.toml.",
    )(command)


@click.command("metrics", cls=_MetricsCommand)
@click.argument("name", type=_FamilyChoice(_FamilyNames()), metavar="NAME")
@click.option("--by", type=click.Choice(BY_CHOICES), help="One row per group of this kind.")
@click.option(
    "--per",
    type=click.Choice(("thread", "reply")),
    default="thread",
    show_default=True,
    help="response only: time one wait per thread (first response), or every brand reply to the post it answers.",
)
@click.option("--outcome", help="outcomes: the business outcome to analyse (default: the only one imported).")
@click.option(
    "--max-lag", type=click.IntRange(0, 52), default=8, show_default=True, help="outcomes: the longest lag, in periods."
)
@period_options
@brand_options
@engine_option
@workspace_option
@json_option
def metrics_command(
    name: str,
    by: str | None,
    per: str,
    outcome: str | None,
    max_lag: int,
    since: str | None,
    until: str | None,
    model_version: str | None,
    brand: str | None,
    account: str | None,
    engine: str | None,
    workspace: Path,
    as_json: bool,
) -> None:
    """Compute one metric family (NAME), by the definitions in the project's docs.

    Rates come with their numerator and denominator, and figures from a
    classifier name its model version. Figures needing enrichments say so until
    `groundswell enrich` runs. Without --since or --until the period is where
    the data is dense, and posts far outside it are named once on stderr.
    `response --per reply` times every brand reply to the post it answers,
    beside the per-thread default; `--brand`/`--account` pick whose
    conversations a figure covers. `outcomes`: an imported business outcome
    against each store's social figures, within and across stores, at lags 0
    to --max-lag (correlations, not causes).
    """
    if name == OUTCOMES:
        if by not in (None, "location"):
            raise click.BadParameter("outcomes are analysed per store (--by location)", param_hint="--by")
        with Workspace.open(workspace) as ws:
            ws.use_engine(engine)
            period = period_from_options(since, until)
            document = ws.outcomes_analysis(outcome, max_lag=max_lag, period=period).as_dict()
        if as_json:
            print_json(document)
        else:
            print_outcomes(document)
        return
    with Workspace.open(workspace) as ws:
        ws.use_engine(engine)
        period = ws.figures_period(period_from_options(since, until))
        found = ws.metrics(
            name, by=by, period=period, model_version=model_version, brand=brand, account=account, per=per
        )
        documents = [row.as_dict() for row in found]
    if as_json:
        print_json(documents)
        return
    print_table(name, documents, period)


@click.command("scorecard")
@click.option(
    "--by",
    type=click.Choice(("brand",)),
    help="brand: score every brand in the data (the brand and its peers) and place them on one quadrant.",
)
@period_options
@brand_options
@engine_option
@workspace_option
@json_option
def scorecard_command(
    by: str | None,
    since: str | None,
    until: str | None,
    model_version: str | None,
    brand: str | None,
    account: str | None,
    engine: str | None,
    workspace: Path,
    as_json: bool,
) -> None:
    """The social media index and the social media marketing index (0-100), and the quadrant.

    Each index is the weighted mean of its components' scores; every component is
    shown with its weight, raw value and score. Weights and the values that score
    0 and 100 are set under [scorecard.components.NAME] in groundswell.toml, and
    the level that counts as high under [scorecard] high (default 50).
    `--by brand` scores every brand in the data (its support accounts grouped
    by the config or by name) and lists each with both indices and its quadrant.
    """
    if by == "brand":
        if brand or account:
            raise click.UsageError("--by brand scores every brand: leave out --brand and --account")
        with Workspace.open(workspace) as ws:
            ws.use_engine(engine)
            period = ws.figures_period(period_from_options(since, until))
            cards = [card.as_dict() for card in ws.brand_scorecards(period=period, model_version=model_version)]
        if as_json:
            print_json(cards)
            return
        print_brand_scorecards(cards, period)
        return
    with Workspace.open(workspace) as ws:
        ws.use_engine(engine)
        period = ws.figures_period(period_from_options(since, until))
        card = ws.scorecard(period=period, model_version=model_version, brand=brand, account=account)
    if as_json:
        print_json(card.as_dict())
        return
    print_scorecard(card.as_dict(), period)


def period_from_options(since: str | None, until: str | None) -> Period:
    """The period ``--since`` and ``--until`` name (``query.parse_period``); a bad one is bad usage."""
    try:
        return parse_period(since, until)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from exc


COMMANDS = (metrics_command, scorecard_command)
