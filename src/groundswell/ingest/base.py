"""What every format parser shares: the source file, the options, the protocol.

A parser turns one file into a stream of ``PostRow`` and ``Rejected`` items,
one per record read, and raises ``SourceError`` only when the file as a whole
cannot be read as its format (wrong format, missing required column).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol, TextIO

from typing_extensions import Buffer

from groundswell.config import WorkspaceConfig
from groundswell.records import PostRow, Rejected

# Large enough for any real post, small enough that a dangling quote cannot eat all memory.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(CSV_FIELD_LIMIT)

_UNDECODABLE = re.compile("[\udc80-\udcff]")


class _CountingReader(io.RawIOBase):
    """A raw file reader that remembers how many bytes were read (for progress)."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self.bytes_read += n
        return int(n or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class SourceFile:
    """An input file, opened read-only; tracks bytes read for progress."""

    path: Path
    encoding: str | None = None
    _counter: _CountingReader | None = field(default=None, init=False, repr=False)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def bytes_read(self) -> int:
        return self._counter.bytes_read if self._counter else 0

    def head(self, n: int = 65536) -> bytes:
        with self.path.open("rb") as f:
            return f.read(n)

    def open_binary(self) -> BinaryIO:
        self._counter = _CountingReader(self.path.open("rb"))
        return io.BufferedReader(self._counter, buffer_size=1 << 20)

    def open_text(self) -> TextIO:
        """Text with universal newlines off (csv needs that) and bad bytes kept.

        Undecodable bytes become lone surrogates (``surrogateescape``) so the row
        that holds them can be rejected by name instead of failing the file.
        """
        encoding = self.encoding or detect_encoding(self.head(4))
        return io.TextIOWrapper(self.open_binary(), encoding=encoding, errors="surrogateescape", newline="")


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


@dataclass(frozen=True)
class ParseOptions:
    """What a parser may need beyond the file."""

    config: WorkspaceConfig = field(default_factory=WorkspaceConfig)
    column_map: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None
    timestamp_format: str | None = None


class Parser(Protocol):
    """A file format groundswell can import."""

    name: str
    description: str

    def sniff(self, head: bytes, path: Path) -> bool:
        """True when the first bytes of the file look like this format."""
        ...

    def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        """One ``PostRow`` or ``Rejected`` per record, in file order."""
        ...


# -- helpers shared by the parsers ------------------------------------------------


def undecodable(value: str) -> str | None:
    """Describe the first byte that was not valid in the file's encoding, if any."""
    if value.isascii():
        return None
    found = _UNDECODABLE.search(value)
    if found is None:
        return None
    byte = ord(found.group()) - 0xDC00
    return f"byte 0x{byte:02X} is not valid in the file's encoding (try --encoding)"


def to_raw(value: str) -> str:
    """Undecodable bytes shown as \\xNN so a rejected row can be stored as text."""
    if value.isascii() or _UNDECODABLE.search(value) is None:
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def csv_raw(fields: list[str]) -> str:
    """A parsed CSV row written back as one CSV line, for keeping a rejected row."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return to_raw(out.getvalue())


def parse_iso_timestamp(value: str) -> datetime:
    """ISO 8601 (``Z`` or an offset allowed) to naive UTC; a naive input is taken as UTC."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}


def parse_twitter_timestamp(value: str) -> datetime:
    """``Tue Oct 31 22:10:47 +0000 2017`` (Twitter API v1 and TWCS) to naive UTC.

    Hand-split because it is on the hot path of every TWCS import and
    ``strptime`` is several times slower.
    """
    parts = value.split()
    if len(parts) != 6 or len(parts[3]) != 8 or len(parts[4]) != 5:
        raise ValueError(f"not a timestamp like 'Tue Oct 31 22:10:47 +0000 2017': {value!r}")
    _, month, day, clock, offset, year = parts
    try:
        moment = datetime(int(year), _MONTHS[month], int(day), int(clock[0:2]), int(clock[3:5]), int(clock[6:8]))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"not a timestamp like 'Tue Oct 31 22:10:47 +0000 2017': {value!r}") from exc
    if offset != "+0000":
        sign = 1 if offset[0] == "+" else -1
        if offset[0] not in "+-" or not offset[1:].isdigit():
            raise ValueError(f"bad UTC offset {offset!r} in {value!r}")
        moment -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    return moment


def optional_int(value: object) -> int | None:
    """Counts and follower numbers: absent or empty gives ``None``.

    Anything else that is not a whole number raises ``ValueError``, so the
    parser rejects the row naming the field rather than altering the value.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value!r}")  # noqa: TRY004 - a bad cell is a value error
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        return int(text[:-2])
    raise ValueError(f"not a whole number: {value!r}")
