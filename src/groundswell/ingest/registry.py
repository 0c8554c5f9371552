"""Formats by name, and detection of a file's format from its content.

Built-in formats register exactly as third-party ones do, through the
``groundswell.formats`` entry point group (each entry point names a parser class).
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from groundswell.errors import SourceError
from groundswell.ingest.base import Parser, SourceFile

# Detection order: specific formats first, the generic table format last.
_BUILTIN = (
    "groundswell.ingest.formats.twcs:TwcsParser",
    "groundswell.ingest.formats.twitter:TwitterParser",
    "groundswell.ingest.formats.mastodon:MastodonParser",
    "groundswell.ingest.formats.bluesky:BlueskyParser",
    "groundswell.ingest.formats.table:TableParser",
)

_registry: dict[str, Parser] | None = None


def _load(target: str) -> Parser:
    module_name, _, class_name = target.partition(":")
    module = __import__(module_name, fromlist=[class_name])
    parser: Parser = getattr(module, class_name)()
    return parser


def formats() -> dict[str, Parser]:
    """Every known format by name, built-ins first."""
    global _registry
    if _registry is None:
        found: dict[str, Parser] = {}
        for target in _BUILTIN:
            parser = _load(target)
            found[parser.name] = parser
        for entry in entry_points(group="groundswell.formats"):
            parser = entry.load()()
            found.setdefault(parser.name, parser)
        _registry = found
    return _registry


def get_format(name: str) -> Parser:
    known = formats()
    if name not in known:
        raise SourceError(f"unknown format {name!r}; known: {', '.join(known)}", path="(format)")
    return known[name]


def detect_format(source: SourceFile) -> Parser:
    """The first format whose ``sniff`` accepts the file's first bytes."""
    head = source.head()
    if not head.strip():
        raise SourceError("the file is empty", path=source.path, line=0, field="(file)")
    for parser in formats().values():
        if parser.sniff(head, Path(source.path)):
            return parser
    raise SourceError(
        f"cannot tell the file's format; name it with --format ({', '.join(formats())})",
        path=source.path,
        line=0,
        field="(file)",
    )
