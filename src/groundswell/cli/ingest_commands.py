"""``groundswell import`` and ``groundswell rejects``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from groundswell.cli.console import file_progress, print_json, runnable, stderr_console
from groundswell.cli.options import engine_option, json_option, quiet_option, workspace_option
from groundswell.ingest import ImportOptions
from groundswell.ingest.registry import format_names
from groundswell.records import ImportReport
from groundswell.workspace import Workspace


def _parse_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        field, sep, column = value.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=COLUMN", param_hint="--map")
        mapping[field.strip()] = column.strip()
    return mapping


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_",
    type=click.Choice(format_names()),
    help="The files' format (default: detected from the content).",
)
@click.option("--strict", is_flag=True, help="Stop at the first bad row; the file it is in is not imported.")
@click.option("--encoding", help="The files' text encoding (default: UTF-8, or what a byte-order mark says).")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="csv format: which column holds a post field (repeatable).",
)
@click.option("--platform", help="csv format: the platform when the file has no platform column.")
@click.option("--timestamp-format", help="csv format: a strptime format for created_at.")
@engine_option
@workspace_option
@json_option
@quiet_option
def import_command(
    paths: tuple[Path, ...],
    format_: str | None,
    strict: bool,
    encoding: str | None,
    maps: tuple[str, ...],
    platform: str | None,
    timestamp_format: str | None,
    engine: str | None,
    workspace: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Import posts from files; prints read / imported / duplicates / rejected.

    Importing a file twice adds nothing. A bad row is kept as a rejected row
    (see `groundswell rejects`) and the import goes on, unless --strict. With
    --engine spark the files are parsed on Spark's executors, in parallel
    (docs/scale.md); the posts are written to the workspace as always.
    """
    console = stderr_console(quiet=quiet or as_json)
    options = ImportOptions(
        format=format_,
        strict=strict,
        encoding=encoding,
        column_map=_parse_map(maps),
        platform=platform,
        timestamp_format=timestamp_format,
    )
    with Workspace.open(workspace) as ws, file_progress(console) as progress:
        ws.use_engine(engine)
        report = ws.import_files(paths, options, progress=progress)
    if as_json:
        print_json(report.as_dict())
    else:
        print_import_report(report, workspace)
    for failed in report.failed_files:
        # soft_wrap: a long path stays whole on its line (people copy it)
        stderr_console().print(Text.assemble(("error", "red"), f": {failed.path}: {failed.error}"), soft_wrap=True)
    for file_report in report.files:
        for warning in file_report.warnings:
            console.print(f"warning: {file_report.path}: {warning}", markup=False, soft_wrap=True)
    for refused in report.all_rejected_files:
        message = (
            f": {refused.path}: every one of its {refused.read:,} record(s) was rejected ({refused.format});"
            f" why: {runnable('rejects', '--workspace', workspace)}"
        )
        stderr_console().print(Text.assemble(("error", "red"), message), soft_wrap=True)
    if report.failed_files or report.all_rejected_files:
        raise SystemExit(1)


def print_import_report(report: ImportReport, workspace: Path) -> None:
    """The import's table per file and its read = imported + duplicates + rejected line."""
    out = Console(highlight=False)
    table = Table(box=None, pad_edge=False)
    table.add_column("file")
    table.add_column("format")
    for name in ("read", "imported", "duplicates", "rejected"):
        table.add_column(name, justify="right")
    for f in report.files:
        table.add_row(f.path, f.format, f"{f.read:,}", f"{f.imported:,}", f"{f.duplicates:,}", f"{f.rejected:,}")
    if len(report.files) > 1:
        table.add_row(
            "total", "", f"{report.read:,}", f"{report.imported:,}", f"{report.duplicates:,}", f"{report.rejected:,}"
        )
    out.print(table)
    out.print(
        f"read {report.read:,} = imported {report.imported:,} + duplicates {report.duplicates:,}"
        f" + rejected {report.rejected:,}"
    )
    if report.rejected:
        out.print(f"see the rejected rows with: {runnable('rejects', '--workspace', workspace)}", soft_wrap=True)


@click.command("rejects")
@click.option("--import", "import_id", type=int, help="Only the rows of this import (its number).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@workspace_option
@json_option
def rejects_command(import_id: int | None, limit: int | None, workspace: Path, as_json: bool) -> None:
    """List rejected rows with file, line, field and reason."""
    with Workspace.open(workspace) as ws:
        rows = ws.rejects(import_id=import_id, limit=limit)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    out = Console(highlight=False)
    if not rows:
        out.print("no rejected rows")
        return
    table = Table(box=None, pad_edge=False)
    for name in ("import", "file", "line", "field", "reason"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(str(r.import_id), r.file, str(r.line), r.field, r.reason)
    out.print(table)
    out.print(f"{len(rows):,} rejected row(s); --json shows each row's original content")


COMMANDS = (import_command, rejects_command)
