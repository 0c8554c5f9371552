"""``groundswell init``, ``groundswell status`` and ``groundswell demo``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from groundswell.cli.console import count_progress, file_progress, print_json, runnable, stderr_console
from groundswell.cli.options import json_option, quiet_option, workspace_option
from groundswell.records import COUNT_NAMES, ThreadCounts, WorkspaceSummary
from groundswell.workspace import Workspace

ADMIN_PASSWORD_ENV = "GROUNDSWELL_ADMIN_PASSWORD"  # noqa: S105 - a variable's name, not a password


@click.command("init")
@workspace_option
@json_option
def init_command(workspace: Path, as_json: bool) -> None:
    """Create a workspace: a commented groundswell.toml, the embedded database and its first user, admin.

    With $GROUNDSWELL_DATABASE (a postgresql:// URL) the data goes to that PostgreSQL database instead: its
    tables are made if missing, and the first admin only where it has no users yet.

    The admin's password is $GROUNDSWELL_ADMIN_PASSWORD when set, else generated and printed
    once (on stderr; in the JSON document with --json): change it with `groundswell users password admin`.
    """
    password = _admin_password()
    with Workspace.init(workspace) as ws:
        made = _first_admin(ws, password)
        path, config_path, database = ws.path, ws.config_path, ws.location
    if as_json:
        print_json({"workspace": str(path), "config": str(config_path), "database": database,
                    "admin": _admin_document(made)})  # fmt: skip
        return
    click.echo(f"created workspace in {path} (data in {database}): edit {config_path} to name your brand accounts")
    _print_admin(made, path)


def _admin_password() -> str | None:
    """$GROUNDSWELL_ADMIN_PASSWORD, checked before anything is created; None: one is generated."""
    from groundswell.accounts.passwords import validate_password

    password = os.environ.get(ADMIN_PASSWORD_ENV) or None
    if password is not None:
        validate_password(password)
    return password


def _first_admin(ws: Workspace, password: str | None) -> Any:
    from groundswell.cli.users_commands import cli_actor

    return ws.accounts.create_first_admin(password=password, actor=cli_actor())


def _admin_document(made: Any) -> dict[str, Any] | None:
    return {"name": made[0].name, "password": made[1]} if made else None


def _print_admin(made: Any, path: Path) -> None:
    """The first admin's name and, once, a generated password (click.echo: a password is never wrapped)."""
    if made is None:
        return
    user, generated = made
    if generated is None:
        click.echo(f"first admin: {user.name}, with the password from ${ADMIN_PASSWORD_ENV}", err=True)
        return
    click.echo(f"first admin: {user.name}, password: {generated}", err=True)
    click.echo(
        f"it is shown only this once; change it: {runnable('users', 'password', user.name, '--workspace', path)}",
        err=True,
    )


@click.command("status")
@workspace_option
@json_option
def status_command(workspace: Path, as_json: bool) -> None:
    """What the workspace holds: posts, accounts, threads (replied, unanswered, waiting, as of when), imports,
    rejected rows."""
    with Workspace.open(workspace) as ws:
        summary = ws.summary()
    if as_json:
        print_json(summary.as_dict())
    else:
        print_summary(summary)


def print_summary(summary: WorkspaceSummary) -> None:
    out = Console(highlight=False)
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("posts", f"{summary.posts:,}")
    for platform, count in summary.platforms.items():
        table.add_row(f"  on {platform}", f"{count:,}")
    table.add_row("  by brand accounts", f"{summary.brand_posts:,}")
    table.add_row("accounts", f"{summary.accounts:,}")
    table.add_row("  brand accounts", f"{summary.brand_accounts:,}")
    if summary.counts is not None:
        add_count_rows(table, summary.counts)
    if summary.first_post and summary.last_post:
        table.add_row("period (UTC)", f"{summary.first_post:%Y-%m-%d} to {summary.last_post:%Y-%m-%d}")
    table.add_row("imports", f"{summary.imports:,}")
    table.add_row("rejected rows", f"{summary.rejects:,}")
    out.print(table)


def add_count_rows(table: Table, counts: ThreadCounts) -> None:
    """The thread counts under the names every view gives them (``records.COUNT_NAMES``)."""
    for key in ("threads", "replied", "unanswered", "waiting"):
        value = getattr(counts, key)
        indent = "" if key == "threads" else "  "
        table.add_row(indent + COUNT_NAMES[key], "n/a (not enriched)" if value is None else f"{value:,}")
    if counts.as_of is not None:
        table.add_row("  as of (UTC)", f"{counts.as_of:%Y-%m-%d %H:%M}, {counts.as_of_is}")


@click.command("demo")
@click.option(
    "--posts", type=click.IntRange(min=100), default=20_000, show_default=True, help="How many posts to generate."
)
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Random seed: the same seed builds the same world."
)
@click.option(
    "--model",
    default="fast",
    show_default=True,
    help="The model tier that classifies the posts (fast, accurate, or a model directory).",
)
@click.option(
    "--profile",
    type=click.Choice(("default", "helpful", "buzzing")),
    default="default",
    show_default=True,
    help="How the demo brand behaves: helpful answers and helps; buzzing campaigns and broadcasts.",
)
@workspace_option
@json_option
@quiet_option
def demo_command(posts: int, seed: int, model: str, profile: str, workspace: Path, as_json: bool, quiet: bool) -> None:
    """Build a synthetic brand world in the workspace, classify its posts, show its scorecard, write its report.

    The report is report.html in the workspace: open it in a browser.
    """
    from groundswell.cli.tables import print_scorecard
    from groundswell.demo import build_demo
    from groundswell.demo.outcomes import import_demo_sales
    from groundswell.demo.profiles import PROFILES
    from groundswell.query import Period

    password = _admin_password()
    console = stderr_console(quiet=quiet or as_json)
    console.print(f"building a demo world of {posts:,} posts in {workspace} ...")
    with file_progress(console) as progress:
        result = build_demo(workspace, posts=posts, seed=seed, profile=PROFILES[profile], progress=progress)
    console.print(f"classifying its posts with the {model} model ...")
    with Workspace.open(result.workspace) as ws, count_progress(console, "enrich") as enrich_progress:
        enriched = ws.enrich(model, progress=enrich_progress)
    console.print("importing its stores' weekly sales ...")
    with Workspace.open(result.workspace) as ws:
        sales = import_demo_sales(ws, seed=seed)
    console.print("computing its scorecard ...")
    with Workspace.open(result.workspace) as ws:
        card = ws.scorecard().as_dict()
    console.print("writing its report ...")
    with Workspace.open(result.workspace) as ws:
        report = ws.report()
        admin = _first_admin(ws, password)
    if as_json:
        print_json(
            {
                "workspace": str(result.workspace),
                "import": result.report.as_dict(),
                "enrich": enriched.as_dict(),
                "outcomes": sales.as_dict(),
                **result.summary.as_dict(),
                "scorecard": card,
                "report": str(report.path),
                "admin": _admin_document(admin),
            }
        )
        return
    print_summary(result.summary)
    console.print(f"enriched {enriched.enriched:,} posts with {enriched.model_version}")
    print(flush=True)
    print_scorecard(card, Period())
    print(flush=True)
    print(f"report: {report.path}  (open it in a browser)", flush=True)
    status, serve = (runnable(verb, "--workspace", result.workspace) for verb in ("status", "serve"))
    console.print(f"workspace: {result.workspace}  (try: {status})", markup=False, soft_wrap=True)
    console.print(f"web app: {serve}  (sign in as the admin below)", markup=False, soft_wrap=True)
    _print_admin(admin, result.workspace)


COMMANDS = (init_command, status_command, demo_command)
