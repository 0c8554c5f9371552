"""``groundswell review sample | load | status``: the team labels a random sample of its posts, and the error bars
of classified figures are then measured on them (``groundswell.inbox.review``)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from groundswell.cli.console import print_json, stderr_console
from groundswell.cli.options import json_option, workspace_option
from groundswell.workspace import Workspace


@click.group("review")
def review_group() -> None:
    """Label a random sample of your customer posts, so the error bars of classified figures are measured on
    your own posts (sentiment, subject, needs-reply)."""


@review_group.command("sample")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--size", type=click.IntRange(1, 100_000), default=300, show_default=True, help="Posts to draw.")
@click.option("--seed", help="Any text; the same seed draws the same posts (default: one fixed seed).")
@workspace_option
def review_sample_command(out: Path, size: int, seed: str | None, workspace: Path) -> None:
    """Write SIZE customer posts, drawn at random among those nobody labelled yet, to a new CSV file OUT.

    Fill in its sentiment (negative, neutral, positive), subject (marketing, experience, other) and needs_reply
    (true, false) columns, any of them, for every post as it is, not only where the model seems wrong; then
    `groundswell review load OUT`.
    """
    with Workspace.open(workspace) as ws:
        written = ws.write_review_sample(out, size, seed=seed)
    Console().print(
        f"{written:,} posts drawn into {out}: label them, then `groundswell review load {out}`", soft_wrap=True
    )


@review_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "labelled_by", help="Who labelled them (default: your user name).")
@workspace_option
@json_option
def review_load_command(path: Path, labelled_by: str | None, workspace: Path, as_json: bool) -> None:
    """Keep the labels of a review file; the error bars then use them (at least 30 labelled posts of a figure)."""
    with Workspace.open(workspace) as ws:
        report = ws.load_review_labels(path, by=labelled_by or getpass.getuser())
        counts = ws.review_counts()
    if as_json:
        print_json({**report.as_dict(), "workspace": counts})
        return
    Console().print(
        f"{report.read:,} rows read: {report.labelled:,} posts labelled, {report.blank:,} without a label yet, "
        f"{len(report.rejected):,} rejected. The workspace has {counts['posts']:,} labelled posts "
        f"(sentiment {counts['sentiment']:,}, subject {counts['subject']:,}, needs_reply {counts['needs_reply']:,}).",
        soft_wrap=True,
    )
    err = stderr_console()
    for reject in report.rejected:
        err.print(
            Text.assemble(("rejected", "yellow"), f": {path}:{reject.line}: {reject.field}: {reject.reason}"),
            soft_wrap=True,
        )


@review_group.command("status")
@workspace_option
@json_option
def review_status_command(workspace: Path, as_json: bool) -> None:
    """How many customer posts the team labelled, per label."""
    with Workspace.open(workspace) as ws:
        counts = ws.review_counts()
    if as_json:
        print_json(counts)
        return
    Console().print(
        f"{counts['posts']:,} labelled posts: sentiment {counts['sentiment']:,}, subject {counts['subject']:,}, "
        f"needs_reply {counts['needs_reply']:,}"
    )


COMMANDS = (review_group,)
