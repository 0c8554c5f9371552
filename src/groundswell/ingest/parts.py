"""A large file read in parts: where to cut it, and how many lines each part holds.

Only a file whose every line is a record by itself (JSON Lines: the formats' ``record_lines``) is cut, each
cut right after a line feed, so that each part holds whole records and reads alone as the whole file would
read there. A part numbers its lines from 1; the line of a record in the file is that number plus the lines
of the parts before it, counted as Python's text reader counts them (``\\n``, ``\\r\\n`` and a lone ``\\r``
each end a line). A CSV file is never cut: a quoted field may hold a line break, so where a record starts
is known only to a reader that started at the top.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from groundswell.ingest.base import UTF8_NAMES, Parser, SourceFile, detect_encoding

PART_BYTES = 64 << 20
_CHUNK = 8 << 20


def parts_of(parser: Parser, source: SourceFile, part_bytes: int | None = None) -> list[tuple[int, int]] | None:
    """Where to cut ``source`` into parts of about ``part_bytes`` (default ``PART_BYTES``); None where it is
    read whole (a small file, a format or a file whose records are not one per line, an encoding other than
    UTF-8)."""
    part_bytes = part_bytes or PART_BYTES
    size = source.size
    if size <= part_bytes:
        return None
    record_lines = getattr(parser, "record_lines", None)
    encoding = (source.encoding or detect_encoding(source.head(4))).lower()
    if record_lines is None or encoding not in UTF8_NAMES or not record_lines(source):
        return None
    cuts = [0]
    with source.path.open("rb") as handle:
        while cuts[-1] + part_bytes < size:
            handle.seek(cuts[-1] + part_bytes)
            cut = _after_next_line_feed(handle)
            if cut is None or cut >= size:
                break
            cuts.append(cut)
    cuts.append(size)
    return list(zip(cuts, cuts[1:], strict=False)) if len(cuts) > 2 else None


def lines_in(path: Path, start: int, end: int) -> int:
    """The lines in bytes ``start`` to ``end`` of ``path``, as Python's text reader numbers them."""
    lines = 0
    ended_with_cr = False
    with path.open("rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            chunk = handle.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if ended_with_cr and chunk.startswith(b"\n"):
                lines -= 1  # a \r\n cut between two chunks ends one line, not two
            ended_with_cr = chunk.endswith(b"\r")
    return lines


def _after_next_line_feed(handle: BinaryIO) -> int | None:
    while True:
        position = handle.tell()
        chunk = handle.read(1 << 16)
        if not chunk:
            return None
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
