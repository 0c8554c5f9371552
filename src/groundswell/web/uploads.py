"""Uploads for imports: the caller is checked before a byte of the body is read, and the body is counted as it
streams in, so neither an anonymous caller nor an oversized file gets spooled to disk.

The limit (``groundswell serve --max-upload-mb``, default ``DEFAULT_MAX_UPLOAD_MB``) is on the request body: a
``Content-Length`` over it is refused before reading, and a body that grows past it (chunked, or a lying
header) is refused as soon as it does. Starlette's form parser closes its spooled files on any failure, and a
file being copied into ``uploads/`` when something fails is removed.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import Message

from groundswell.errors import GroundswellError, UsageError

DEFAULT_MAX_UPLOAD_MB = 200
UPLOADS = "uploads"
UPLOAD_CHUNK = 1 << 20
NAME_MAX = 100
"""An uploaded file's name is kept to this many characters (its extension kept): file systems allow 255 bytes."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadTooLarge(GroundswellError):
    """A request body over the server's upload limit."""

    http_status = 413

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"the upload is larger than this server's limit of {_size(limit)} (groundswell serve --max-upload-mb)"
        )


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit} bytes"


def max_upload_bytes(request: Request) -> int:
    """This app's upload limit in bytes (``create_app(max_upload_bytes=...)``)."""
    limit: int = request.app.state.max_upload_bytes
    return limit


async def read_upload(request: Request) -> tuple[UploadFile, dict[str, str]]:
    """The multipart body's ``file`` part (spooled by Starlette) and its text fields, the body read at most to
    the limit. ``UploadTooLarge`` past it, ``UsageError`` without a file."""
    limit = max_upload_bytes(request)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise UploadTooLarge(limit)
    received = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise UploadTooLarge(limit)
        return message

    counted_request = Request(request.scope, counted)
    form = await counted_request.form(max_files=1, max_fields=20)
    fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    found = form.get("file")
    if not isinstance(found, UploadFile):
        await form.close()
        raise UsageError("send the file as the multipart/form-data field 'file' (with a file name)")
    return found, fields


def safe_name(given: str | None) -> str:
    """A name for the stored copy: letters, digits, ``._-`` only, no leading dot, at most ``NAME_MAX`` characters
    with the extension kept (it tells the import the format); ``upload`` when nothing is left."""
    name = _UNSAFE.sub("_", Path(given or "").name).lstrip(".") or "upload"
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot and stem else ""
        name = name[: NAME_MAX - len(extension) - 1].rstrip(".") + (f".{extension}" if extension else "")
    return name


def store_upload(upload: UploadFile, folder: Path) -> tuple[Path, int]:
    """Copy the spooled upload into ``folder`` under a time-stamped name; its path and size in bytes. A copy that
    fails is removed."""
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{safe_name(upload.filename)}"
    size = 0
    try:
        # 0600: an upload holds the public's posts and is the workspace's business only
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while chunk := upload.file.read(UPLOAD_CHUNK):
                out.write(chunk)
                size += len(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def upload_summary(path: Path, workspace: Path, report: Any) -> dict[str, Any]:
    """The API's answer for an imported upload: the stored copy's path within the workspace, never the server's."""
    return {
        "file": path.name.split("-", 1)[1],
        "stored_as": path.relative_to(workspace).as_posix(),
        "format": report.format,
        "read": report.read,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "error": report.error,
    }
