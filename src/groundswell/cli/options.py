"""Options every command shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from groundswell.config import ENGINE_KINDS
from groundswell.workspace import WORKSPACE_ENV

F = TypeVar("F", bound=Callable[..., Any])


def workspace_option(func: F) -> F:
    return click.option(
        "--workspace",
        "workspace",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=WORKSPACE_ENV,
        default=".",
        show_default="$GROUNDSWELL_WORKSPACE, else the current directory",
        help="The workspace directory.",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout and nothing else.")(
        func
    )


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="No progress and no messages on stderr, only errors.")(func)


def engine_option(func: F) -> F:
    return click.option(
        "--engine",
        type=click.Choice(ENGINE_KINDS),
        help="Where to compute: the workspace's own store, or Apache Spark ([engine] in groundswell.toml; "
        "default: its kind).",
    )(func)
