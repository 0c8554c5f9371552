"""``groundswell users ...`` and ``groundswell audit``: the people who use the web app and the API, and the log of changes.

The command line acts as the workspace's owner (whoever can write its files): no sign-in, every change
recorded in the audit log as ``cli:<os user>``.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from groundswell.accounts import ROLES
from groundswell.cli.console import print_json, stderr_console
from groundswell.cli.options import json_option, workspace_option
from groundswell.workspace import Workspace

PASSWORD_ENV = "GROUNDSWELL_PASSWORD"  # noqa: S105 - a variable's name, not a password


def cli_actor() -> str:
    """How the audit log names a change made from the command line."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers: still say it came from the command line
        who = "unknown"
    return f"cli:{who}"


def read_password(what: str) -> str:
    """``$GROUNDSWELL_PASSWORD``, else asked for twice without echo; a clear error when neither can be."""
    value = os.environ.get(PASSWORD_ENV, "")
    if value:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError(f"set {PASSWORD_ENV} or run this in a terminal to be asked for {what}")
    return str(click.prompt(f"{what} (not shown)", hide_input=True, confirmation_prompt=True))


def _out() -> Console:
    # Names, labels and audit details are data, never rich markup.
    return Console(highlight=False, markup=False, emoji=False)


@click.group("users")
def users_group() -> None:
    """The people who use the web app and the API: add them, set their role, reset a password, disable them,
    and give scripts API tokens. Roles: viewer (dashboard and reports), agent (also the inbox), admin (also
    config, imports and users). See docs/accounts.md."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@workspace_option
@json_option
def users_add(name: str, role: str, workspace: Path, as_json: bool) -> None:
    """Add the user NAME with the role --role.

    The password comes from $GROUNDSWELL_PASSWORD, else is asked for twice without echo
    (at least 12 characters, and hard to guess: see docs/accounts.md).
    """
    from groundswell.accounts.passwords import validate_password

    password = read_password(f"a password for {name}")
    validate_password(password, user_name=name)
    with Workspace.open(workspace) as ws:
        user = ws.accounts.add_user(name, role, password, actor=cli_actor())
    if as_json:
        print_json(user.as_dict())
        return
    print(f"added {user.name} ({user.role})")


@users_group.command("list")
@workspace_option
@json_option
def users_list(workspace: Path, as_json: bool) -> None:
    """List the users, their role and whether they are disabled."""

    with Workspace.open(workspace) as ws:
        found = ws.accounts.list_users()
    if as_json:
        print_json([u.as_dict() for u in found])
        return
    if not found:
        print("no users (groundswell users add NAME --role ROLE)")
        return
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in ("user", "role", "status", "created (UTC)"):
        table.add_column(header)
    for u in found:
        table.add_row(u.name, u.role, "disabled" if u.disabled else "active", f"{u.created_at:%Y-%m-%d %H:%M}")
    _out().print(table)


@users_group.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@workspace_option
def users_set_role(name: str, role: str, workspace: Path) -> None:
    """Give the user NAME the role ROLE.

    The last active admin cannot be demoted.
    """

    with Workspace.open(workspace) as ws:
        user = ws.accounts.set_role(name, role, actor=cli_actor())
    print(f"{user.name} is now {user.role}")


@users_group.command("password")
@click.argument("name")
@workspace_option
def users_password(name: str, workspace: Path) -> None:
    """Set a new password for NAME and end its sessions.

    The password comes from $GROUNDSWELL_PASSWORD, else is asked for twice without echo.
    """
    from groundswell.accounts.passwords import validate_password

    with Workspace.open(workspace) as ws:
        ws.accounts.get_user(name)  # before asking for a password for nobody
    password = read_password(f"a new password for {name}")
    validate_password(password, user_name=name)
    with Workspace.open(workspace) as ws:
        ws.accounts.set_password(name, password, actor=cli_actor())
    print(f"password of {name} changed; its sessions were ended")


@users_group.command("disable")
@click.argument("name")
@workspace_option
def users_disable(name: str, workspace: Path) -> None:
    """Disable NAME: no more sign-ins, sessions or API tokens.

    The user and its history stay; the last active admin cannot be disabled.
    """

    with Workspace.open(workspace) as ws:
        ws.accounts.disable_user(name, actor=cli_actor())
    print(f"{name} is disabled")


@users_group.command("enable")
@click.argument("name")
@workspace_option
def users_enable(name: str, workspace: Path) -> None:
    """Enable the disabled user NAME again.

    Its API tokens that were not revoked work again.
    """

    with Workspace.open(workspace) as ws:
        ws.accounts.enable_user(name, actor=cli_actor())
    print(f"{name} is enabled")


@users_group.command("token")
@click.argument("name")
@click.option("--label", default="script", show_default=True, help="What the token is for, to tell tokens apart.")
@workspace_option
@json_option
def users_token(name: str, label: str, workspace: Path, as_json: bool) -> None:
    """Create an API token for NAME and print it, this once only.

    The token acts as NAME, with NAME's role. Scripts send it as the header
    `Authorization: Bearer gsw_...`.
    """

    with Workspace.open(workspace) as ws:
        user = ws.accounts.get_user(name)
        token = ws.accounts.create_token(user, label, actor=cli_actor())
        made = ws.accounts.list_tokens(user)[-1]  # this process holds the database: the newest is this one
    if as_json:
        print_json({**made.as_dict(), "token": token})
        return
    click.echo(f"API token {made.id} ({made.name}) for {name}; it will not be shown again, so store it now:", err=True)
    print(token)


@users_group.command("tokens")
@click.argument("name", required=False)
@workspace_option
@json_option
def users_tokens(name: str | None, workspace: Path, as_json: bool) -> None:
    """List the API tokens, never the tokens themselves.

    Of NAME only, when given: id, user, name, created, last use, revoked.
    """

    with Workspace.open(workspace) as ws:
        found = ws.accounts.list_tokens(ws.accounts.get_user(name) if name else None)
    if as_json:
        print_json([t.as_dict() for t in found])
        return
    if not found:
        print("no API tokens (groundswell users token NAME)")
        return
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in ("id", "user", "name", "created (UTC)", "last used", "revoked"):
        table.add_column(header, justify="right" if header == "id" else "left")
    for t in found:
        table.add_row(
            str(t.id),
            t.user_name,
            t.name,
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "-",
        )
    _out().print(table)


@users_group.command("revoke-token")
@click.argument("token_id", type=int)
@workspace_option
def users_revoke_token(token_id: int, workspace: Path) -> None:
    """Revoke the API token TOKEN_ID: it stops working at once.

    `groundswell users tokens` lists the ids.
    """

    with Workspace.open(workspace) as ws:
        found = ws.accounts.revoke_token(token_id, actor=cli_actor())
    print(f"API token {found.id} ({found.name}) of {found.user_name} is revoked")


@click.command("audit")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="The newest N entries.")
@click.option("--action", metavar="ACTION", help="Only this action (users.add) or family (users).")
@click.option("--actor", metavar="NAME", help="Only changes by this user (or cli:<os user>).")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the whole log (oldest first) to this CSV file instead.",
)
@workspace_option
@json_option
def audit_command(
    limit: int, action: str | None, actor: str | None, csv_path: Path | None, workspace: Path, as_json: bool
) -> None:
    """The audit log, newest first: who changed what and when (users, tokens, the inbox, the config)."""

    with Workspace.open(workspace) as ws:
        if csv_path is not None:
            written = ws.accounts.export_audit(csv_path)
            stderr_console().print(f"wrote {written:,} audit entries to {csv_path}", markup=False)
            return
        found = ws.accounts.audit_entries(limit=limit, action=action, actor=actor)
    if as_json:
        print_json([e.as_dict() for e in found])
        return
    if not found:
        print("no audit entries")
        return
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in ("when (UTC)", "actor", "action", "target", "detail"):
        table.add_column(header, overflow="fold")
    for e in found:
        detail = ", ".join(f"{k}={v}" for k, v in e.detail.items())
        table.add_row(f"{e.logged_at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, e.target or "-", detail)
    _out().print(table)


COMMANDS = (users_group, audit_command)
