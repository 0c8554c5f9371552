"""``groundswell serve``: the web app (dashboard, inbox, REST API) on one workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from groundswell.cli.options import workspace_option
from groundswell.workspace import DATABASE_ENV

SWITCH_INTERVAL_S = 0.001
"""How long a thread may hold the interpreter while another waits for it, in the server. The event loop
answers cached pages in long runs of Python, and a worker thread writing waits for the interpreter after each
database call: beside one busy thread, an inbox assignment took 2 to 3 times longer at Python's default (5 ms)."""


DEFAULT_MAX_UPLOAD_MB = 200
"""``web.uploads.DEFAULT_MAX_UPLOAD_MB``, repeated: the command line starts without importing the web stack."""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port.")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (behind an https proxy).")
@click.option(
    "--database",
    envvar=DATABASE_ENV,
    default=None,
    metavar="URL",
    show_default="$GROUNDSWELL_DATABASE, else the workspace's embedded database",
    help="A PostgreSQL URL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE) holding a team's data.",
)
@click.option(
    "--cache-mb",
    default=None,
    type=click.FloatRange(min=0),
    metavar="MIB",
    show_default="$GROUNDSWELL_CACHE_MB, else 256",
    help="Memory for cached figures (scorecard, metrics, report, dashboard, inbox) in MiB; past it the least "
    "recently used go first.",
)
@click.option(
    "--max-upload-mb",
    default=DEFAULT_MAX_UPLOAD_MB,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="The largest import upload, in megabytes (10^6 bytes); a larger one is refused (413) unread.",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    metavar="ADDRESSES",
    help="Comma-separated addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are "
    "believed ('*': any). Without it those headers are ignored: sign-in limits count the connecting address.",
)
@click.option("--watch", is_flag=True, help="Run the watch loop (groundswell watch) in the server too.")
@workspace_option
def serve_command(
    host: str,
    port: int,
    secure_cookies: bool,
    database: str | None,
    cache_mb: float | None,
    max_upload_mb: float,
    forwarded_allow_ips: str | None,
    watch: bool,
    workspace: Path,
) -> None:
    """Run the web app: dashboard and report (viewer), inbox (agent), users and imports (admin), and the
    REST API under /api/v1 (OpenAPI at /api/v1/openapi.json). Sign in with a user of `groundswell users`."""
    import uvicorn

    from groundswell.files import keep_owner_only
    from groundswell.web import create_app

    keep_owner_only()  # the database, its write-ahead log and uploads: the server's files are its owner's only
    app = create_app(
        workspace, secure_cookies=secure_cookies, database=database or "",
        max_upload_bytes=int(max_upload_mb * 1_000_000), watch=watch,
    )  # fmt: skip
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if cache_mb is not None:
        app.state.groundswell.limit_cache(int(cache_mb * 2**20))
    shown = app.state.groundswell.workspace.location  # the database URL without its password
    where = f"workspace {workspace}" + (f", database {shown}" if database else "")
    watching = ", watching" if watch else ""
    click.echo(f"groundswell on http://{host}:{port}/ ({where}{watching}); Ctrl-C stops it", err=True)
    uvicorn.run(
        app, host=host, port=port, log_level="warning",
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: only from the proxies named here
        proxy_headers=forwarded_allow_ips is not None, forwarded_allow_ips=forwarded_allow_ips or "",
    )  # fmt: skip


COMMANDS = (serve_command,)
