"""Formats by name, and detection of a file's format from its content.

Third-party formats register through the ``groundswell.formats`` entry point
group (the entry point's name is the format name; it loads a parser class).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from groundswell.errors import SourceError
from groundswell.ingest.base import Parser, SourceFile

# Detection order: specific formats first, the generic table format last.
_BUILTIN: dict[str, str] = {
    "twcs": "groundswell.ingest.formats.twcs:TwcsParser",
    "twitter": "groundswell.ingest.formats.twitter:TwitterParser",
    "mastodon": "groundswell.ingest.formats.mastodon:MastodonParser",
    "bluesky": "groundswell.ingest.formats.bluesky:BlueskyParser",
    "csv": "groundswell.ingest.formats.table:TableParser",
}

_targets: dict[str, str | EntryPoint] | None = None
_loaded: dict[str, Parser] = {}


def _all_targets() -> dict[str, str | EntryPoint]:
    global _targets
    if _targets is None:
        found: dict[str, str | EntryPoint] = dict(_BUILTIN)
        for entry in entry_points(group="groundswell.formats"):
            found.setdefault(entry.name, entry)
        _targets = found
    return _targets


def format_names() -> list[str]:
    """Every known format name, without importing any parser."""
    return list(_all_targets())


def get_format(name: str) -> Parser:
    targets = _all_targets()
    if name not in targets:
        raise SourceError(f"unknown format {name!r}; known: {', '.join(targets)}", path="(format)")
    if name not in _loaded:
        target = targets[name]
        if isinstance(target, str):
            module_name, _, class_name = target.partition(":")
            factory = getattr(import_module(module_name), class_name)
        else:
            factory = target.load()
        _loaded[name] = factory()
    return _loaded[name]


def formats() -> dict[str, Parser]:
    """Every known format by name, in detection order (imports them all)."""
    return {name: get_format(name) for name in _all_targets()}


def detect_format(source: SourceFile) -> Parser:
    """The first format whose ``sniff`` accepts the file's first bytes."""
    head = source.sniff_head()
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


def looks_like(source: SourceFile, *, other_than: str) -> Parser | None:
    """The format a file seems to be in when it failed as ``other_than``: the first other one whose ``sniff``
    accepts it (None when none does, or the file cannot be read)."""
    try:
        head = source.sniff_head()
    except OSError:
        return None
    for name, parser in formats().items():
        if name != other_than and parser.sniff(head, Path(source.path)):
            return parser
    return None
