"""``groundswell metrics NAME``: one metric family, as a table or one JSON document."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, overload

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from groundswell.cli.console import print_json, stderr_console
from groundswell.cli.options import json_option, workspace_option
from groundswell.metrics.base import BY_CHOICES, Period
from groundswell.workspace import Workspace

# Shown once above the table rather than in every row, when every row has the same value.
_CAPTION_KEYS = ("model_version", "window_hours")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _FamilyNames(Sequence[str]):
    """The registry's names, read on first use: ``groundswell --help`` need not import the metrics (ibis)."""

    def _names(self) -> list[str]:
        from groundswell.metrics import METRIC_FAMILIES

        return sorted(METRIC_FAMILIES)

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


def _moment(value: str | None, *, end: bool) -> datetime | None:
    """``YYYY-MM-DD`` or an ISO date-time, UTC; a bare date as ``--until`` includes that whole day."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or an ISO date-time") from exc
    if end and _DATE.match(value):
        moment += timedelta(days=1)
    return moment


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


@click.command("metrics")
@click.argument("name", type=click.Choice(_FamilyNames()), metavar="NAME")
@click.option("--by", type=click.Choice(BY_CHOICES), help="One row per group of this kind.")
@period_options
@workspace_option
@json_option
def metrics_command(
    name: str,
    by: str | None,
    since: str | None,
    until: str | None,
    model_version: str | None,
    workspace: Path,
    as_json: bool,
) -> None:
    """Compute one metric family (NAME) as DESIGN.md defines it.

    response: inbound posts, response rate (replied within the config's window /
    inbound posts that need a reply), first response time median and 90th
    percentile (calendar, and business hours with a [business_hours] schedule).
    fairness: response by the customer's follower band. Rates come with their
    numerator and denominator, and figures from a classifier name its model
    version. Figures needing enrichments say so until `groundswell enrich` runs.
    """
    from groundswell.metrics import METRIC_FAMILIES
    from groundswell.metrics.engines import duckdb_sources

    period = period_from_options(since, until)
    family = METRIC_FAMILIES[name]
    with (
        Workspace.open(workspace) as ws,
        ws.store.for_metrics(),
        duckdb_sources(ws, model_version=model_version, period=period) as sources,
    ):
        documents = [row.as_dict() for row in family(sources, by=by)]
    if as_json:
        print_json(documents)
        return
    print_table(name, documents, period)


def print_table(name: str, documents: list[dict[str, Any]], period: Period, *, console: Console | None = None) -> None:
    """Rows as an aligned table with units; constant fields above it, notes on stderr.

    One row per group when that fits the terminal; else one column per group (figures down the side);
    else one block per group.
    """
    out = console or Console(highlight=False, emoji=False)
    flat = [_flatten(d) for d in documents]
    columns: list[str] = []
    for row in flat:
        columns.extend(k for k in row if k not in columns)
    caption: list[str] = [f"period: {_period_text(period)}"]
    if any(key.endswith("_s") for d in flat for key in d):
        caption.append("times in h:mm:ss")
    for key in _CAPTION_KEYS:
        values = {repr(row.get(key)) for row in flat}
        if key in columns and len(values) == 1:
            value = flat[0].get(key) if flat else None
            if value is not None:
                caption.append(f"{key.replace('_', ' ')}: {_cell(key, value)}")
            columns.remove(key)
    columns = [c for c in columns if any(row.get(c) is not None for row in flat)]
    cells = [[_cell(c, row.get(c)) for c in columns] for row in flat]
    headers = [_header(c) for c in columns]
    numeric = [any(isinstance(row.get(c), (int, float, _Figure)) for row in flat) for c in columns]
    out.print(Text(f"{name}: {'; '.join(caption)}"), soft_wrap=True)
    gap = 2
    wide = sum(max(len(h), *(len(r[i]) for r in cells)) + gap for i, h in enumerate(headers))
    tall = max((len(h) for h in headers), default=0) + sum(max((len(x) for x in r), default=0) + gap for r in cells)
    if wide <= out.width:
        table = Table(box=None, pad_edge=False, padding=(0, gap, 0, 0))
        for header, right in zip(headers, numeric, strict=True):
            table.add_column(Text(header), justify="right" if right else "left", no_wrap=True)
        for row_cells in cells:
            table.add_row(*(Text(c) for c in row_cells))
        out.print(table)
    elif tall <= out.width and len(flat) > 1:
        table = Table(box=None, pad_edge=False, padding=(0, gap, 0, 0))
        table.add_column("", no_wrap=True)
        for _ in flat:
            table.add_column("", justify="right", no_wrap=True)
        table.show_header = False
        for i, header in enumerate(headers):
            table.add_row(Text(header), *(Text(r[i]) for r in cells))
        out.print(table)
    else:
        width = max((len(h) for h in headers), default=0)
        for row_cells in cells:
            out.print(Text(""))
            for header, cell in zip(headers, row_cells, strict=True):
                out.print(Text(f"{header:<{width}}  {cell}"), soft_wrap=True)
    notes = sorted({note for d in documents for note in d.get("notes", ()) or ()})
    if notes:
        console_err = stderr_console()
        for note in notes:
            console_err.print(f"note: {note}", markup=False, soft_wrap=True)


def _flatten(document: dict[str, Any]) -> dict[str, Any]:
    """Group keys first; a nested figure (``value`` with its numerator and denominator) as one cell."""
    flat: dict[str, Any] = dict(document.get("group") or {})
    for key, value in document.items():
        if key in ("group", "period", "notes"):
            continue
        if isinstance(value, dict) and "value" in value:
            flat[key] = _Figure(value)
        elif isinstance(value, dict):
            continue
        elif isinstance(value, list):
            flat[key] = ", ".join(str(v) for v in value)
        else:
            flat[key] = value
    return flat


class _Figure:
    """A nested MetricValue: shown as its value, with numerator / denominator when it has them."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    def text(self, key: str) -> str:
        value = self.document.get("value")
        shown = _cell(key if "rate" in key or "share" in key or "ratio" in key else "", value)
        num, den = self.document.get("numerator"), self.document.get("denominator")
        if num is not None and den is not None:
            shown += f" ({_number(num)}/{_number(den)})"
        return shown


def _header(key: str) -> str:
    """A column's name: short, with its unit where the caption does not give it."""
    text = key.removesuffix("_s").replace("first_response_", "first reply ").replace("business_", "business-hours ")
    return text.replace("_", " ") + (" (%)" if key.endswith(("_rate", "_share", "_ratio")) else "")


def _cell(key: str, value: Any) -> str:
    if isinstance(value, _Figure):
        return value.text(key)
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and key.endswith("_s"):
        return _duration(float(value))
    if isinstance(value, (int, float)) and key.endswith(("_rate", "_share", "_ratio", "rate", "share", "ratio")):
        return f"{100 * float(value):.1f}"
    if key == "window_hours":
        return f"{value:g} h"
    if isinstance(value, (int, float)):
        return _number(value)
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{int(value):,}"


def _duration(seconds: float) -> str:
    """h:mm:ss, days spelled out past 24 h (``1d 02:03:04``)."""
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock


def _period_text(period: Period) -> str:
    if period.since is None and period.until is None:
        return "all posts"
    since = period.since.isoformat(sep=" ") if period.since else "the start"
    until = period.until.isoformat(sep=" ") if period.until else "the end"
    return f"{since} to {until} (UTC, until exclusive)"


@click.command("scorecard")
@period_options
@workspace_option
@json_option
def scorecard_command(
    since: str | None, until: str | None, model_version: str | None, workspace: Path, as_json: bool
) -> None:
    """The social media index and the social media marketing index (0-100), and the quadrant.

    Each index is the weighted mean of its components' scores; every component is
    shown with its weight, raw value and score. Weights and the values that score
    0 and 100 are set under [scorecard.components.NAME] in groundswell.toml, and
    the level that counts as high under [scorecard] high (default 50).
    """
    from groundswell.metrics.engines import duckdb_sources
    from groundswell.metrics.scorecard import scorecard

    period = period_from_options(since, until)
    with (
        Workspace.open(workspace) as ws,
        ws.store.for_metrics(),
        duckdb_sources(ws, model_version=model_version, period=period) as sources,
    ):
        card = scorecard(sources)[0]
    if as_json:
        print_json(card.as_dict())
        return
    print_scorecard(card.as_dict(), period)


def print_scorecard(document: dict[str, Any], period: Period, *, console: Console | None = None) -> None:
    """The quadrant and both indices, then each index's components: weight, raw value, score."""
    out = console or Console(highlight=False, emoji=False)
    caption = [f"period: {_period_text(period)}"]
    if document.get("model_version"):
        caption.append(f"model version: {document['model_version']}")
    out.print(Text(f"scorecard: {'; '.join(caption)}"), soft_wrap=True)
    out.print(Text(f"quadrant: {document['quadrant']}  (an index is high at {document['threshold']:g} or more)"))
    titles = {"social_media": "social media index", "social_media_marketing": "social media marketing index"}
    for index in document["indices"]:
        value = index["value"]
        out.print(Text(""))
        out.print(
            Text(f"{titles.get(index['name'], index['name'])}: {'n/a' if value is None else f'{value:.0f} / 100'}")
        )
        table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
        table.add_column("component", no_wrap=True)
        for header in ("weight", "value", "score"):
            table.add_column(header, justify="right", no_wrap=True)
        table.add_column("0 -> 100 at", no_wrap=True)
        for c in index["components"]:
            raw = "n/a" if c["raw"] is None else _component_value(c["name"], c["raw"])
            points = "n/a" if c["score"] is None else f"{c['score']:.0f}"
            ends = (_component_value(c["name"], c[end]) for end in ("bad", "good"))
            scale = " -> ".join(ends) + (" (log)" if c["scale"] == "log" else "")
            table.add_row(Text(c["label"]), Text(f"{c['weight']:g}"), Text(raw), Text(points), Text(scale))
        out.print(table)
    notes = sorted({f"{c['name']}: {c['note']}" for i in document["indices"] for c in i["components"] if c["note"]})
    if notes:
        console_err = stderr_console()
        for note in notes:
            console_err.print(f"note: {note}", markup=False, soft_wrap=True)


def _component_value(name: str, value: float) -> str:
    """A share (or growth) as a percentage, anything else as a number."""
    if name.endswith(("_rate", "_share", "_ratio")) or "growth" in name:
        return f"{100 * value:.3g}%"
    return _number(float(value))


def period_from_options(since: str | None, until: str | None) -> Period:
    """The period ``--since`` and ``--until`` name (UTC); a bad date or an empty period is a usage error."""
    period = Period(_moment(since, end=False), _moment(until, end=True))
    if period.since and period.until and period.until <= period.since:
        raise click.BadParameter("--until must be after --since", param_hint="--until")
    return period


COMMANDS = (metrics_command, scorecard_command)
