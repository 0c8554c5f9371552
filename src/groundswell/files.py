"""Files groundswell writes for people (reports, the config, synced pages, secrets): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OWNER_ONLY_UMASK = 0o077


def write_atomically(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write ``data`` beside ``path`` and rename it into place, so a failed write leaves the old file whole (and
    never half a new one). ``mode``: the new file's permissions (e.g. ``0o600`` for secrets), set before any
    byte is written; by default a file replaced keeps its permissions, and a new one gets the umask's."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        mode = _kept_mode(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _kept_mode(path: Path) -> int:
    """The permissions of the file at ``path``, or what ``open`` would give a new one (mkstemp's are 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def owner_only_files() -> Iterator[None]:
    """Files and folders created in this block (by this process, also by a library such as the database
    engine) are readable by their owner only: the umask gains ``OWNER_ONLY_UMASK`` and is restored after."""
    before = os.umask(OWNER_ONLY_UMASK)
    os.umask(before | OWNER_ONLY_UMASK)
    try:
        yield
    finally:
        os.umask(before)


def keep_owner_only() -> None:
    """From now on, every file this process creates is readable by its owner only (``groundswell serve``: the
    database's write-ahead log is created and removed by the engine as it goes, beyond any one call)."""
    os.umask(os.umask(OWNER_ONLY_UMASK) | OWNER_ONLY_UMASK)
