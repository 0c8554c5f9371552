"""``groundswell connect``, ``accounts``, ``sync`` and ``reply``: live brand accounts on Mastodon and Bluesky."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from groundswell.cli.console import print_json, stderr_console
from groundswell.cli.metrics_commands import period_from_options
from groundswell.cli.options import json_option, quiet_option, workspace_option
from groundswell.workspace import Workspace


def _secret(platform: str) -> str:
    """The secret from the platform's environment variable, else asked for without echo."""
    from groundswell.connect.registry import SECRET_ENV, SECRET_NAME

    variable = SECRET_ENV[platform]
    value = os.environ.get(variable, "")
    if value:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError(f"set {variable} or run this in a terminal to be asked for the {SECRET_NAME[platform]}")
    return str(click.prompt(f"{SECRET_NAME[platform]} (not shown)", hide_input=True))


insecure_option = click.option(
    "--insecure",
    is_flag=True,
    help="Allow a plain http:// server elsewhere than this machine (the secret is sent unencrypted).",
)


@click.group("connect")
def connect_group() -> None:
    """Connect a brand account on Mastodon or Bluesky (its secret is kept out of groundswell.toml and the database)."""


@connect_group.command("mastodon")
@click.option("--instance", required=True, metavar="URL", help="The Mastodon server, e.g. https://mastodon.social.")
@insecure_option
@workspace_option
@json_option
def connect_mastodon(instance: str, insecure: bool, workspace: Path, as_json: bool) -> None:
    """Connect a Mastodon account with an access token ($GROUNDSWELL_MASTODON_TOKEN, else asked for)."""
    _connect("mastodon", instance, None, workspace, as_json, insecure=insecure)


@connect_group.command("bluesky")
@click.option("--handle", required=True, help="The account's handle, e.g. northwind.bsky.social.")
@click.option("--service", default="https://bsky.social", show_default=True, metavar="URL", help="Its PDS or entryway.")
@insecure_option
@workspace_option
@json_option
def connect_bluesky(handle: str, service: str, insecure: bool, workspace: Path, as_json: bool) -> None:
    """Connect a Bluesky account with an app password ($GROUNDSWELL_BLUESKY_APP_PASSWORD, else asked for)."""
    _connect("bluesky", service, handle, workspace, as_json, insecure=insecure)


def _connect(platform: str, server: str, handle: str | None, workspace: Path, as_json: bool, *, insecure: bool) -> None:
    from groundswell.connect import connect_account, credentials
    from groundswell.connect.registry import check_server_url

    server = check_server_url(server, insecure=insecure)  # before the secret is asked for
    secret = _secret(platform)
    with Workspace.open(workspace) as ws:
        account = connect_account(ws, platform, server=server, secret=secret, handle=handle)
    if as_json:
        print_json(account.as_dict())
        return
    stderr_console().print(f"secret kept in {credentials.where()}", markup=False)
    print(f"connected {account.name} ({platform} at {account.server}); next: groundswell sync --account {account.name}")


@click.command("accounts")
@workspace_option
@json_option
def accounts_command(workspace: Path, as_json: bool) -> None:
    """List the connected accounts and their last sync."""
    with Workspace.open(workspace) as ws:
        found = ws.connections()
    if as_json:
        print_json([a.as_dict() for a in found])
        return
    if not found:
        print("no connected accounts (groundswell connect mastodon|bluesky)")
        return
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in ("account", "platform", "server", "last sync (UTC)", "status", "read", "imported"):
        table.add_column(header, justify="right" if header in ("read", "imported") else "left", overflow="fold")
    for a in found:
        when = a.last_sync_at.strftime("%Y-%m-%d %H:%M") if a.last_sync_at else "never"
        status = a.last_status or "-"
        if a.last_error:
            status += f": {a.last_error}"
        table.add_row(a.name, a.platform, a.server, when, status, f"{a.synced_read:,}", f"{a.synced_imported:,}")
    Console(highlight=False).print(table)


@click.command("sync")
@click.option("--account", "account_name", metavar="NAME", help="Sync this account only (default: every one).")
@click.option("--since", metavar="DATE", help="Back-fill history from this day (UTC) as well.")
@workspace_option
@json_option
@quiet_option
def sync_command(account_name: str | None, since: str | None, workspace: Path, as_json: bool, quiet: bool) -> None:
    """Fetch what is new for the connected accounts and import it like a file: read / imported / duplicates /
    rejected per account. Resumes where the last sync stopped; safe to run from cron or a systemd timer."""
    from groundswell.connect.sync import SyncReport, sync_account

    moment: datetime | None = period_from_options(since, None).since if since else None
    console = stderr_console(quiet=quiet or as_json)
    reports: list[SyncReport] = []
    with Workspace.open(workspace) as ws:
        names = [account_name] if account_name else [a.name for a in ws.connections()]
        if not names:
            raise click.UsageError("no connected accounts: run `groundswell connect mastodon|bluesky` first")
        for name in names:
            with console.status(f"syncing {name} ...") as status:

                def progress(kind: str, report: SyncReport, status: object = status, name: str = name) -> None:
                    status.update(f"syncing {name}: {report.pages} pages, {report.imported:,} new posts")  # type: ignore[attr-defined]

                reports.append(sync_account(ws, name, since=moment, progress=progress))
    if as_json:
        print_json([r.as_dict() for r in reports])
    else:
        for r in reports:
            line = (
                f"{r.account}: read {r.read:,}, imported {r.imported:,}, duplicates {r.duplicates:,}, "
                f"rejected {r.rejected:,} ({r.pages} pages, {r.seconds:.1f} s)"
            )
            print(line if r.status == "done" else f"{line}; FAILED: {r.error}")
    failed = [r for r in reports if r.status != "done"]
    if failed:
        raise click.ClickException(
            "; ".join(f"{r.account}: {r.error}" for r in failed) + " (what was fetched before the failure is kept)"
        )


@click.command("reply")
@click.argument("post_id")
@click.argument("text", required=False)
@click.option("--account", "account_name", metavar="NAME", help="The connected account to reply from.")
@click.option("--force", is_flag=True, help="Send even when the draft checker fails the reply.")
@click.option("--retry", is_flag=True, help="Send the reply left sending again, with the same idempotency key.")
@click.option("--sent", "sent_as", metavar="ID_OR_URL", help="Settle the reply left sending: it is on the platform.")
@click.option("--not-sent", is_flag=True, help="Settle the reply left sending: it is not on the platform.")
@workspace_option
@json_option
def reply_command(
    post_id: str,
    text: str | None,
    account_name: str | None,
    force: bool,
    retry: bool,
    sent_as: str | None,
    not_sent: bool,
    workspace: Path,
    as_json: bool,
) -> None:
    """Reply to the stored post POST_ID (or PLATFORM:POST_ID) with TEXT through its platform's connected account.

    The draft checker runs first and a reply it fails is not sent unless --force; the sent reply is
    imported at once, in its thread, so the response metrics count it. The reply is recorded (the inbox item
    "sending") before the platform is called, and the workspace is not held while it answers. A reply the
    platform did not confirm (a timeout, a dropped connection) stays "sending": --retry sends it again with
    the same key (never a second reply), or --sent ID_OR_URL / --not-sent records what the platform shows.
    """
    from groundswell.cli.users_commands import cli_actor
    from groundswell.lint import find_post

    settle = [flag for flag, given in (("--retry", retry), ("--sent", sent_as is not None), ("--not-sent", not_sent))
              if given]  # fmt: skip
    if len(settle) > 1:
        raise click.UsageError(f"choose one of {', '.join(settle)}")
    if settle and text is not None:
        raise click.UsageError(f"{settle[0]} settles the reply already being sent: give no TEXT")
    if not settle and text is None:
        raise click.UsageError("give the reply's TEXT (or --retry, --sent, --not-sent for one being sent)")
    actor = cli_actor()
    with Workspace.open(workspace) as ws:
        post = find_post(ws, post_id)
        current = ws.inbox.item_state(post.platform, post.post_id)
        version = current.version if current else 0
        if sent_as is not None or not_sent:
            link = sent_as if sent_as and sent_as.startswith(("http://", "https://")) else None
            item = ws.inbox.resolve_send(
                post.platform, post.post_id, sent=not not_sent, version=version, actor=actor,
                reply_post_id=None if link else sent_as, reply_url=link,
            )  # fmt: skip
            if as_json:
                print_json(item.as_dict())
            else:
                print(f"inbox item {item.platform}:{item.post_id} is {item.status}")
            return
        if retry:
            pending = ws.retry_reply(post.platform, post.post_id, actor=actor, version=version)
        else:
            assert text is not None  # noqa: S101 - checked above
            pending = ws.begin_reply(post_id, text, actor=actor, account=account_name, force=force, version=version)
    delivery = pending.deliver()  # the workspace is closed while the platform answers
    with Workspace.open(workspace) as ws:
        done = ws.finish_reply(pending, delivery)
    if as_json:
        print_json(done.as_dict())
        return
    sent = done.sent
    print(
        f"sent as {sent.post_id}{' (' + sent.url + ')' if sent.url else ''}; checker verdict: {sent.verdict};"
        f" inbox item {done.item.platform}:{done.item.post_id} marked sent"
    )


COMMANDS = (connect_group, accounts_command, sync_command, reply_command)
