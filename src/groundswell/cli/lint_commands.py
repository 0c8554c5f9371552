"""``groundswell lint TEXT``: a draft against the five rules of engagement, as a table or one JSON document."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from groundswell.cli.console import print_json
from groundswell.cli.options import json_option, workspace_option
from groundswell.lint import DraftCheck, ReplyContext, check_draft, reply_context
from groundswell.workspace import Workspace

_STYLES = {"pass": "green", "warn": "yellow", "fail": "bold red"}


@click.command("lint")
@click.argument("text")
@click.option(
    "--reply-to",
    "reply_to",
    metavar="POST_ID",
    help="Check the draft as a reply to this workspace post (POST_ID, or PLATFORM:POST_ID when the id is on"
    " several platforms).",
)
@workspace_option
@json_option
def lint_command(text: str, reply_to: str | None, workspace: Path, as_json: bool) -> None:
    """Check a draft post or reply (TEXT, or - to read it from stdin) against the rules of engagement.

    One finding per rule: 1 adds value, 2 grateful for feedback, 3 transparent,
    4 not intrusive, 5 a dedicated team; each pass, warn or fail, with the
    words that triggered it and a suggestion. The verdict is the worst level.
    With --reply-to the post replied to sets what the draft must do (a
    complaint calls for thanks or an apology, ownership and no sales pitch);
    its stored enrichment is used, else it is classified now. Without
    --reply-to no workspace is needed. Exit status 0 whatever the verdict.
    """
    if text == "-":
        text = sys.stdin.read()
    context: ReplyContext | None = None
    if reply_to is not None:
        with Workspace.open(workspace) as ws:
            context = reply_context(ws, reply_to)
    check = check_draft(text, reply_to=context)
    if as_json:
        print_json(check.as_dict())
        return
    print_check(check)


def print_check(check: DraftCheck, *, console: Console | None = None) -> None:
    """The post replied to (if any), a row per rule, then the verdict."""
    out = console or Console(highlight=False, emoji=False)
    ctx = check.reply_to
    if ctx is not None:
        who = f" by {ctx.author}" if ctx.author else ""
        out.print(
            Text(f"reply to {ctx.platform}:{ctx.post_id}{who}: {ctx.intent}, {ctx.sentiment} ({ctx.source})"),
            soft_wrap=True,
        )
        if ctx.brand_replies or ctx.recent_brand_replies:
            out.print(
                Text(
                    f"brand replies to this post: {ctx.brand_replies}; to this author in the week before:"
                    f" {ctx.recent_brand_replies}"
                ),
                soft_wrap=True,
            )
    table = Table(pad_edge=False, show_lines=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("level", no_wrap=True)
    table.add_column("evidence", ratio=1)
    table.add_column("suggestion", ratio=2)
    for finding in check.findings:
        advice = finding.message if not finding.suggestion else f"{finding.message} {finding.suggestion}"
        table.add_row(
            Text(f"{finding.rule} {finding.name}"),
            Text(finding.level, style=_STYLES[finding.level]),
            Text(", ".join(f'"{quote}"' for quote in finding.evidence) or "-"),
            Text(advice),
        )
    out.print(table)
    out.print(Text.assemble("verdict: ", Text(check.verdict, style=_STYLES[check.verdict])))


COMMANDS = (lint_command,)
