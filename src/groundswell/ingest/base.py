"""What every format parser shares: the source file, the options, the protocol.

A parser turns one file into a stream of ``PostRow`` and ``Rejected`` items,
one per record read, and raises ``SourceError`` only when the file as a whole
cannot be read as its format (wrong format, missing required column).
"""

from __future__ import annotations

import codecs
import csv
import functools
import html
import io
import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.entities import html5
from pathlib import Path
from typing import Any, BinaryIO, Concatenate, ParamSpec, Protocol, TextIO, cast

from typing_extensions import Buffer

from groundswell.config import WorkspaceConfig
from groundswell.errors import SourceError
from groundswell.records import POST_FIELDS, PostRow, Rejected

# Large enough for any real post, small enough that a dangling quote cannot eat all memory.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(CSV_FIELD_LIMIT)

P = ParamSpec("P")
_UNDECODABLE = re.compile("[\udc80-\udcff]")
# what a database cannot store as text: NUL (PostgreSQL refuses it) and surrogates (no character of UTF-8)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# An HTML character reference with its semicolon: named (``&amp;``), decimal (``&#39;``) or hex (``&#x27;``).
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# A stored 64-bit integer (BIGINT in both stores).
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# How far detection reads for the first whole lines of a file whose first line is long.
SNIFF_LIMIT = CSV_FIELD_LIMIT


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


class _PartReader(io.RawIOBase):
    """The bytes of ``spans`` (``(start, end)`` ranges) of a file, one after the other, as a file of their own."""

    def __init__(self, raw: BinaryIO, spans: list[tuple[int, int]]):
        self._raw = raw
        self._spans = [span for span in spans if span[1] > span[0]]
        self._left = 0
        self._next_span()

    def _next_span(self) -> None:
        if self._spans:
            start, end = self._spans.pop(0)
            self._raw.seek(start)
            self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        if not self._left:
            self._next_span()
        view = memoryview(buffer).cast("B")[: self._left]
        n = self._raw.readinto(view) if len(view) else 0  # type: ignore[attr-defined]
        self._left -= n or 0
        return int(n or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class SourceFile:
    """An input file, opened read-only; tracks bytes read for progress.

    ``part``: a byte range ``(start, end)`` of a file whose every line is a record by itself, or of a CSV
    file's records, read alone (``groundswell.ingest.parts``): ``open_binary`` and ``open_text`` then read
    those bytes only, after the file's first ``header`` bytes (a CSV file's header line; 0: none), the lines
    numbered from 1 again, while ``head``, ``sniff_head`` and ``size`` still see the whole file.
    """

    path: Path
    encoding: str | None = None
    part: tuple[int, int] | None = None
    header: int = 0
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

    def sniff_head(self, n: int = 65536, *, lines: int = 2, limit: int = SNIFF_LIMIT) -> bytes:
        """The first ``n`` bytes, or more, up to ``limit``, until ``lines`` whole lines are in it.

        A JSON Lines file whose first record is longer than ``n`` is still told apart from one
        JSON document, and its first record's keys are seen.
        """
        with self.path.open("rb") as f:
            head = f.read(n)
            while head.count(b"\n") < lines and len(head) < limit:
                more = f.read(min(len(head), limit - len(head)))
                if not more:
                    break
                head += more
        return head

    def open_binary(self) -> BinaryIO:
        raw: BinaryIO = self.path.open("rb")
        if self.part is not None:
            raw = cast(BinaryIO, _PartReader(raw, [(0, self.header), self.part]))
        self._counter = _CountingReader(raw)
        return io.BufferedReader(self._counter, buffer_size=1 << 20)

    def open_text(self) -> TextIO:
        """Text with universal newlines off (csv needs that) and bad bytes kept.

        Undecodable bytes become lone surrogates (``surrogateescape``) so the row
        that holds them can be rejected by name instead of failing the file.
        """
        encoding = self.encoding or detect_encoding(self.head(4))
        return io.TextIOWrapper(self.open_binary(), encoding=encoding, errors="surrogateescape", newline="")


# The names of UTF-8 an encoding may go by (what the engine's readers and a cut at byte offsets assume).
UTF8_NAMES = frozenset({"utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig"})


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


def decode_entities(text: str) -> str:
    """The text the person wrote, from a source that escapes it as HTML (Twitter sends ``&amp;``, ``&lt;``, ``&gt;``).

    One pass, so ``&amp;amp;`` (a person who typed ``&amp;``) becomes ``&amp;``, never ``&``. Only references
    ending in ``;`` are read: ``AT&T``, ``Q&A`` and ``&copy`` without one stay as written.
    """
    if "&" not in text:
        return text
    return _ENTITY.sub(_decoded, text)


def _decoded(found: re.Match[str]) -> str:
    reference = found.group()
    if reference[1] == "#":
        return html.unescape(reference)
    return html5.get(reference[1:], reference)  # a whole name only: "&notanentity;" is not "&not;" + "anentity;"


def to_raw(value: str) -> str:
    """A rejected record's text as both stores keep it: undecodable bytes and NUL shown as \\xNN, other
    lone surrogates as \\uXXXX (neither store can hold them; the rest is kept as it was)."""
    if _UNSTORABLE.search(value) is None:
        return value
    return _UNSTORABLE.sub(_escaped, value)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def storable_reject(reject: Rejected) -> Rejected:
    """A reject as both stores keep it: NUL, undecodable bytes and lone surrogates written as escapes."""
    return Rejected(reject.line, to_raw(reject.field), to_raw(reject.reason), to_raw(reject.raw))


def unstorable(value: str) -> str | None:
    """Why a text value cannot be stored as it is (NUL, a lone surrogate), if it cannot."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"byte 0x{code - 0xDC00:02X} is not valid in the file's encoding (try --encoding)"
    if code == 0:
        return "holds a NUL character (U+0000), which a database cannot store as text"
    return f"holds a lone surrogate U+{code:04X}, which is not a character"


def csv_raw(fields: list[str]) -> str:
    """A parsed CSV row written back as one CSV line, for keeping a rejected row."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return to_raw(out.getvalue())


Record = tuple[int, list[str]] | Rejected
"""A CSV record: the line where it starts and its fields, or the reject of a row that is not one."""


class _Lines:
    """The lines a csv reader is fed, the last one remembered: a row that broke the reader is kept from it."""

    def __init__(self, handle: TextIO):
        self._handle = handle
        self.last = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.last = next(self._handle)
        return self.last


def csv_header(handle: TextIO, path: Path | str, delimiter: str = ",") -> tuple[list[str], Iterator[Record]] | None:
    """A CSV file's header and its records, or None for a file with no line.

    Each record is (line where it starts, fields), or a reject for a row of another width than the header's
    or one the reader cannot take (a field over the size limit). After such a row the reader goes on when it
    is still in step (the row was one line without quotes); a break inside a quoted field leaves it out of
    step, and the rest of the file is one reject rather than rows read wrongly.
    """
    lines = _Lines(handle)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise SourceError(f"the header line cannot be read as CSV: {exc}", path=path, line=1, field="(file)") from exc
    if header is None:
        return None
    return header, _csv_records(reader, lines, len(header))


def _csv_records(reader: Any, lines: _Lines, width: int) -> Iterator[Record]:
    end_of_previous = reader.line_num
    while True:
        line = end_of_previous + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num == line and '"' not in lines.last:
                end_of_previous = reader.line_num
                yield Rejected(line, "row", f"unreadable CSV row: {exc}", to_raw(lines.last.rstrip("\r\n")))
                continue
            yield Rejected(line, "row", f"unreadable CSV from here to the end of the file: {exc}", "")
            return
        end_of_previous = reader.line_num
        if not fields:
            continue  # a blank line holds no record
        if len(fields) != width:
            hint = " (unterminated quote or truncated file?)" if len(fields) < width else ""
            yield Rejected(line, "row", f"row has {len(fields)} fields, the header has {width}{hint}", csv_raw(fields))
            continue
        yield line, fields


def parse_iso_timestamp(value: str) -> datetime:
    """ISO 8601 (``Z`` or an offset allowed) to naive UTC; a naive input is taken as UTC.

    ``ValueError`` for anything else, including a time whose UTC falls outside years 1 to 9999.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {_shown(value, 200)}") from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(f"{value!r} in UTC is outside years 1 to 9999") from None
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
        if offset[0] not in "+-" or not offset[1:].isascii() or not offset[1:].isdigit():
            raise ValueError(f"bad UTC offset {offset!r} in {value!r}")
        try:
            moment -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        except OverflowError:
            raise ValueError(f"{value!r} in UTC is outside years 1 to 9999") from None
    return moment


def optional_int(value: object) -> int | None:
    """Counts and follower numbers: absent or empty gives ``None``.

    Anything else that is not a whole number raises ``ValueError``, so the
    parser rejects the row naming the field rather than altering the value.
    """
    if value is None or value == "":
        return None
    number = _whole_number(value)
    if not INT64_MIN <= number <= INT64_MAX:
        shown = str(number) if len(str(number)) <= 30 else f"a number of {len(str(number))} digits"
        raise ValueError(f"{shown} is out of range (at most {INT64_MAX})")
    return number


def _whole_number(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value!r}")  # noqa: TRY004 - a bad cell is a value error
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float) and math.isinf(value):
        raise ValueError(f"{value} is out of range (at most {INT64_MAX})")
    text = str(value).strip()
    # ASCII digits only: int() would also read other scripts' digits
    digits = text.removesuffix(".0").removeprefix("-")
    if digits.isascii() and digits.isdigit():
        try:
            return int(text.removesuffix(".0"))
        except ValueError:  # more digits than Python converts
            raise ValueError(f"{len(digits)} digits is out of range (at most {INT64_MAX})") from None
    raise ValueError(f"not a whole number: {_shown(value)}")


def _shown(value: object, limit: int = 80) -> str:
    """A value in a reason, cut short: a reason names the problem, ``raw`` keeps the record."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def guarded(line: int, record: Any, build: Callable[[], Iterable[PostRow | Rejected]]) -> list[PostRow | Rejected]:
    """The items ``build`` makes of one record (a line of JSON Lines may hold several posts); one reject when
    it fails in a way no check foresaw, so one strange record never stops the file."""
    try:
        return list(build())
    except Exception as exc:  # noqa: BLE001 - any failure of one record is that record's reject
        return [unexpected(line, exc, record)]


def one_record(
    build: Callable[Concatenate[int, Any, P], PostRow | Rejected],
) -> Callable[Concatenate[int, Any, P], PostRow | Rejected]:
    """A parser's function of (line, record, ...) whose unforeseen failure is that record's reject."""

    @functools.wraps(build)
    def checked(line: int, record: Any, /, *args: P.args, **kwargs: P.kwargs) -> PostRow | Rejected:
        try:
            return build(line, record, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure of one record is that record's reject
            return unexpected(line, exc, record)

    return checked


def unexpected(line: int, exc: Exception, record: Any) -> Rejected:
    """The reject for a record whose reading failed in a way no check foresaw; the record kept as text."""
    try:
        if isinstance(record, str):
            raw = to_raw(record)
        elif isinstance(record, list) and all(isinstance(v, str) for v in record):
            raw = csv_raw(record)
        else:
            raw = to_raw(json.dumps(record, default=str, ensure_ascii=False))
    except Exception:  # noqa: BLE001 - too strange to write back (e.g. nested too deeply); its line still names it
        raw = ""
    return Rejected(line, "(record)", f"cannot read this record: {type(exc).__name__}: {exc}"[:500], raw)


_TEXT_FIELDS = tuple(
    POST_FIELDS.index(name)
    for name in ("platform", "post_id", "author_id", "author_handle", "text", "lang", "in_reply_to_post_id",
                 "conversation_id", "url", "location")
)  # fmt: skip
_INT_FIELDS = tuple(
    POST_FIELDS.index(name) for name in ("author_followers", "like_count", "share_count", "reply_count", "view_count")
)
_REQUIRED_TEXT = ("platform", "post_id", "author_id", "text")
_texts = operator.itemgetter(*_TEXT_FIELDS)
_counts = operator.itemgetter(*_INT_FIELDS)
_required = operator.itemgetter(*(POST_FIELDS.index(name) for name in _REQUIRED_TEXT))
_BRAND_TYPES = (type(None), bool)


def storable(row: PostRow) -> Rejected | None:
    """A reject when a row holds a value one of the stores would refuse or alter, so both refuse it alike.

    Text must be text without NUL or lone surrogates, counts 64-bit integers, ``created_at`` a datetime:
    the row is rejected before it reaches the database, never changed.
    """
    if _plainly_storable(row):
        return None
    problem = _storable_problem(row)
    if problem is None:
        return None
    name, reason = problem
    raw = {k: v for k, v in zip(POST_FIELDS, row, strict=True) if k != "line"}
    return Rejected(row.line, name, reason, to_raw(json.dumps(raw, default=str, ensure_ascii=False)))


def _plainly_storable(row: PostRow) -> bool:
    """The common case, checked with C-level calls only (this runs for every row of every import)."""
    try:
        if _UNSTORABLE.search("".join(filter(None, _texts(row)))) is not None:  # TypeError: a value is not text
            return False
    except TypeError:
        return False
    counts = tuple(filter(None, _counts(row)))
    if counts and (set(map(type, counts)) != {int} or min(counts) < INT64_MIN or max(counts) > INT64_MAX):
        return False
    return None not in _required(row) and type(row.created_at) is datetime and type(row.is_brand) in _BRAND_TYPES


def _storable_problem(row: PostRow) -> tuple[str, str] | None:
    texts: list[object] = [row[i] for i in _TEXT_FIELDS]
    if all(type(v) is str or v is None for v in texts):
        # one search over all the text (the common case: nothing found), then the field that holds it
        if _UNSTORABLE.search("".join(v for v in texts if isinstance(v, str))) is not None:
            for i, value in zip(_TEXT_FIELDS, texts, strict=True):
                problem = unstorable(value) if isinstance(value, str) else None
                if problem:
                    return POST_FIELDS[i], f"{POST_FIELDS[i]} {problem}"
    else:
        for i in _TEXT_FIELDS:
            if not (row[i] is None or isinstance(row[i], str)):
                return POST_FIELDS[i], f"{POST_FIELDS[i]} must be text, not {type(row[i]).__name__}"
    for name in _REQUIRED_TEXT:
        if getattr(row, name) is None:
            return name, f"{name} is missing"
    for i in _INT_FIELDS:
        value = row[i]
        if value is not None and (type(value) is not int or not INT64_MIN <= value <= INT64_MAX):
            return POST_FIELDS[i], f"{POST_FIELDS[i]} must be a whole number within 64 bits, not {_shown(value)}"
    if type(row.created_at) is not datetime:
        return "created_at", f"created_at must be a date and time, not {_shown(row.created_at)}"
    if row.is_brand is not None and type(row.is_brand) is not bool:
        return "is_brand", f"is_brand must be true or false, not {_shown(row.is_brand)}"
    return None
