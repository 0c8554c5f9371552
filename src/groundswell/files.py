"""Files groundswell writes for people (reports, the config, synced pages, secrets): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write ``data`` beside ``path`` and rename it into place, so a failed write leaves the old file whole (and
    never half a new one). ``mode``: the new file's permissions (e.g. ``0o600`` for secrets), set before any
    byte is written."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
