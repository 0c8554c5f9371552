"""The terminal side of the CLI: one stderr console per run, and progress.

Figures go to stdout (pipeable, or one JSON document with ``--json``);
messages and progress go to stderr. Progress shows only on a terminal, only
for work big enough to wait for, and never with ``--quiet``.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from groundswell.ingest.pipeline import ProgressCallback

# Below this size an import finishes before a bar is worth drawing (a few thousand rows).
PROGRESS_MIN_BYTES = 512 * 1024
# Below this many posts enrichment finishes before a bar is worth drawing.
PROGRESS_MIN_POSTS = 5_000


def runnable(*args: str | Path) -> str:
    """A groundswell command line the user can paste into this shell as it is.

    ``groundswell`` when the shell finds this very program by that name; else the path it was started by
    (``.venv/bin/groundswell`` in a shell that has not activated the environment), or ``python -m
    groundswell.cli`` when it was started that way.
    """
    started = Path(sys.argv[0])
    if started.name == "groundswell":
        found = shutil.which("groundswell")
        same = found is not None and Path(found).resolve() == started.resolve()
        program = "groundswell" if same else shlex.quote(str(started))
    else:
        program = f"{shlex.quote(sys.executable)} -m groundswell.cli"
    return " ".join([program, *(shlex.quote(str(a)) for a in args)])


def stderr_console(*, quiet: bool = False) -> Console:
    return Console(stderr=True, quiet=quiet, highlight=False)


def print_json(document: Any) -> None:
    """The one JSON document a ``--json`` command prints on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def file_progress(console: Console, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing a transient bar per file, or None when not wanted."""
    if not enabled or console.quiet or not console.is_terminal:
        yield None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[records]:,} records"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(path: str, done: int, total: int, records: int) -> None:
        if total < PROGRESS_MIN_BYTES:
            return
        if path not in tasks:
            tasks[path] = progress.add_task(path, total=total, records=0)
        progress.update(tasks[path], completed=done, records=records)

    with progress:
        yield update


@contextmanager
def count_progress(
    console: Console, description: str, *, minimum: int = PROGRESS_MIN_POSTS, enabled: bool = True
) -> Iterator[Callable[[int, int], None] | None]:
    """A ``(done, total)`` callback drawing one transient bar, or None when not wanted.

    The bar appears once ``total`` reaches ``minimum``; smaller work finishes first.
    """
    if not enabled or console.quiet or not console.is_terminal:
        yield None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if total < minimum:
            return
        if not task:
            task.append(progress.add_task(description, total=total))
        progress.update(task[0], completed=done, total=total)

    with progress:
        yield update
