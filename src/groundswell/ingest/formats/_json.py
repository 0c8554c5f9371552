"""JSON and JSON Lines input, shared by the platform parsers.

A file is read as JSON Lines when its first non-blank line is a complete JSON
value by itself and more lines follow; otherwise it is one JSON document. Lines
keep their physical line numbers; a line that is not JSON becomes a ``BadLine``
so the parser can reject it and go on. A document that does not parse raises
``SourceError`` with the line the decoder stopped at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from groundswell.errors import SourceError
from groundswell.ingest.base import SourceFile, detect_encoding, to_raw, undecodable

# A key at the start of an object member; an escaped quote inside a string value cannot match.
KEY = r'"{}"\s*:'


@dataclass(frozen=True, slots=True)
class BadLine:
    """A JSON Lines line that holds no JSON value."""

    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class JsonInput:
    """Either one parsed ``document`` or, for JSON Lines, ``lines`` of (line number, value or ``BadLine``)."""

    document: Any = None
    lines: Iterator[tuple[int, Any]] | None = None


def head_text(head: bytes) -> str:
    """The head of a file as text, for sniffing (BOM dropped, bad bytes replaced)."""
    return head.decode(detect_encoding(head[:4]), "replace")


def starts_like_json(head: bytes) -> bool:
    text = head_text(head).lstrip()
    return text.startswith(("{", "["))


def has_key(head: str, *names: str) -> bool:
    """True when any of ``names`` appears as an object key in ``head``."""
    return any(re.search(KEY.format(re.escape(name)), head) for name in names)


def read_json(source: SourceFile) -> JsonInput:
    """Open ``source`` as JSON Lines or as one JSON document (see the module docstring); a part of a file
    (``SourceFile.part``, cut where ``each_line_a_record`` said so) as JSON Lines."""
    if source.part is not None:
        return JsonInput(lines=_iter_lines(source))
    first, second, more = _head_lines(source)
    if first is not None and _parses(first):
        if more:
            return JsonInput(lines=_iter_lines(source))
        return JsonInput(document=parse_document(source, read_text(source)))
    text = read_text(source)
    try:
        return JsonInput(document=parse_document(source, text))
    except SourceError:
        # a JSON Lines file whose first line is broken: the next line still stands alone
        if first is not None and first.startswith("{") and len(first) > 1 and second is not None and _parses(second):
            return JsonInput(lines=_iter_lines(source))
        raise


def each_line_a_record(source: SourceFile) -> bool:
    """True when ``read_json`` reads ``source`` as JSON Lines from its first line on: then every line is a
    record by itself, and the file can be read in parts cut at line breaks."""
    first, _second, more = _head_lines(source)
    return first is not None and more and _parses(first)


def _head_lines(source: SourceFile) -> tuple[str | None, str | None, bool]:
    head = source.sniff_head()
    return _first_lines(head_text(head), len(head) >= source.size)


def read_text(source: SourceFile) -> str:
    with source.open_text() as handle:
        return handle.read()


def parse_document(source: SourceFile, text: str, *, line_offset: int = 0) -> Any:
    """Parse a whole JSON document; a syntax error fails the file, naming its line."""
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (line {exc.lineno + line_offset}, column {exc.colno})",
            path=source.path,
            line=exc.lineno + line_offset,
            field="(file)",
        ) from exc
    except RecursionError as exc:
        raise SourceError("JSON nested too deeply to read", path=source.path, field="(file)") from exc
    except ValueError as exc:  # a number of more digits than Python converts
        raise SourceError(f"not readable JSON: {exc}", path=source.path, field="(file)") from exc


def loads(text: str) -> Any:
    """JSON text to a value; an integer of more digits than Python converts becomes an infinite float, which
    no field takes as a number (so the record, not the file, is rejected)."""
    return json.loads(text, parse_int=_int)


def _int(digits: str) -> int | float:
    try:
        return int(digits)
    except ValueError:
        return float("-inf") if digits.startswith("-") else float("inf")


def json_raw(value: Any) -> str:
    """A record kept as its JSON text, undecodable bytes shown as \\xNN."""
    return to_raw(json.dumps(value, ensure_ascii=False))


def find_undecodable(value: Any, path: str = "") -> tuple[str, str] | None:
    """The dotted field holding the first byte that was not valid in the file's encoding."""
    if isinstance(value, str):
        problem = undecodable(value)
        return (path or "(record)", problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_undecodable(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = find_undecodable(item, path)
            if found:
                return found
    return None


def _iter_lines(source: SourceFile) -> Iterator[tuple[int, Any]]:
    with source.open_text() as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text:
                continue  # a blank line holds no record
            problem = undecodable(text)
            if problem:
                yield number, BadLine(problem, to_raw(text))
                continue
            try:
                value = loads(text)
            except json.JSONDecodeError as exc:
                yield number, BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}", to_raw(text))
            except RecursionError:
                yield number, BadLine("JSON nested too deeply to read", to_raw(text))
            except ValueError as exc:  # a number of more digits than Python converts
                yield number, BadLine(f"not readable JSON: {exc}", to_raw(text))
            else:
                yield number, value


def _first_lines(text: str, complete: bool) -> tuple[str | None, str | None, bool]:
    """The first two complete non-blank lines, and whether anything follows the first."""
    # not str.splitlines: JSON text may hold a raw U+2028, which is no line break in a file
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
    more = len(lines) > 1
    if not complete and lines:
        lines = lines[:-1]  # the last line of a partial head may be cut off
    return (lines[0] if lines else None, lines[1] if len(lines) > 1 else None, more)


def _parses(line: str) -> bool:
    try:
        loads(line)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError, as is a number too long to convert
        return False
    return True
