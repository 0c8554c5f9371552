"""The ``groundswell`` command: a thin layer over the library.

Exit status: 0 success, 1 a user error (a message on stderr), 2 bad usage.
Every ``GroundswellError`` is caught here, once, and turned into a message.
"""

from __future__ import annotations

from typing import Any

import click

from groundswell.errors import GroundswellError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GroundswellError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="groundswell")
def cli() -> None:
    """Does a brand succeed at social media, or only at social media marketing?"""


def _register() -> None:
    from groundswell.cli import (
        connect_commands,
        enrich_commands,
        ingest_commands,
        lint_commands,
        metrics_commands,
        outcomes_commands,
        report_commands,
        review_commands,
        users_commands,
        watch_commands,
        web_commands,
        workspace_commands,
    )

    for command in (
        *workspace_commands.COMMANDS,
        *ingest_commands.COMMANDS,
        *enrich_commands.COMMANDS,
        *metrics_commands.COMMANDS,
        *outcomes_commands.COMMANDS,
        *report_commands.COMMANDS,
        *review_commands.COMMANDS,
        *lint_commands.COMMANDS,
        *connect_commands.COMMANDS,
        *users_commands.COMMANDS,
        *web_commands.COMMANDS,
        *watch_commands.COMMANDS,
    ):
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="groundswell")
