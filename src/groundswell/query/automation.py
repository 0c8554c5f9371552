"""Which brand posts were sent by automation: DESIGN's "replies sent by automation do not count as a brand
reply", by the config's ``[response] automation_patterns``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

_CASELESS = "(?i)"


def automated(text: ir.StringValue, patterns: Sequence[str]) -> ir.BooleanValue:
    """The text matches one of ``patterns``.

    Patterns that all start with ``(?i)`` are searched as one alternation, one pass over each text instead
    of one per pattern; the flag stays at the start, the only place every engine's regular expressions
    (PostgreSQL's among them) take it."""
    if not patterns:
        return ibis.literal(False)
    if len(patterns) > 1 and all(p.startswith(_CASELESS) for p in patterns):
        return text.re_search(_CASELESS + "|".join(f"(?:{p[len(_CASELESS) :]})" for p in patterns))
    found = text.re_search(patterns[0])
    for pattern in patterns[1:]:
        found = found | text.re_search(pattern)
    return found
