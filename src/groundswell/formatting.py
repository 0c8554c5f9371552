"""How figures are written for people: percentages, counts, numbers, hours and durations.

One module for every face: the CLI's tables (``cli/tables.py``), the report's text and charts (``report/``),
the dashboard and the web pages' templates (``web/``). Each function writes ``n/a`` for a figure that is
missing (None, or NaN where a computation gave one). Bottom layer: imports nothing of groundswell.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "n/a"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(value: Any, digits: int = 1, *, significant: bool = False, symbol: bool = True) -> str:
    """A share as a percentage: ``0.4567`` -> ``45.7%``; ``digits`` significant ones with ``significant``
    (``45.7%`` at 3); without the ``%`` where a header carries it (``symbol=False``)."""
    if _missing(value):
        return MISSING
    text = f"{100 * float(value):.{digits}{'g' if significant else 'f'}}"
    return text + "%" if symbol else text


def count(value: Any) -> str:
    """A count with thousands separators (``12,345``); a fractional one with two decimals (``1,234.50``)."""
    if _missing(value):
        return MISSING
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def number(value: Any) -> str:
    """A figure in a table: a whole number with separators (``12,345``), else three significant digits
    (``0.123``, ``12.3``), or none past a thousand (``1,235``)."""
    if _missing(value):
        return MISSING
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{int(value):,}"


def decimal(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals and separators (``1,234.57``)."""
    return MISSING if _missing(value) else f"{float(value):,.{digits}f}"


def signed(value: Any, digits: int = 2) -> str:
    """A number that may be negative, always with its sign (``+0.25``, ``-0.10``)."""
    return MISSING if _missing(value) else f"{float(value):+.{digits}f}"


def hours(seconds: Any) -> str:
    """Seconds as hours with one decimal (``2.5 h``)."""
    return MISSING if _missing(seconds) else f"{float(seconds) / 3600:.1f} h"


def clock(seconds: Any) -> str:
    """Seconds as ``h:mm:ss``, days spelled out past 24 h (``1d 2:03:04``)."""
    if _missing(seconds):
        return MISSING
    whole = round(float(seconds))
    days, rest = divmod(whole, 86_400)
    hours_, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours_}:{minutes:02d}:{secs:02d}"
    return f"{days}d {text}" if days else text


def duration(seconds: Any) -> str:
    """Seconds in words: minutes (``45 min``), hours and minutes (``3 h 05 min``), days past two days
    (``2.5 days``)."""
    if _missing(seconds):
        return MISSING
    minutes = round(float(seconds) / 60)
    hours_, minutes = divmod(minutes, 60)
    if hours_ >= 48:
        return f"{hours_ / 24:.1f} days"
    return f"{hours_} h {minutes:02d} min" if hours_ else f"{minutes} min"


def interval(low: Any, high: Any, *, share: bool = True, digits: int = 1) -> str:
    """A 95% interval as its two ends, never as a point: ``41.0–53.2%`` for shares, ``-0.12 to +0.05``
    otherwise; when the ends would print alike, digits are added until they differ (``47.12–47.14%``)."""
    if _missing(low) or _missing(high):
        return MISSING
    for places in range(digits, digits + 6):
        if share:
            ends = percent(low, places, symbol=False), percent(high, places, symbol=False)
        else:
            ends = signed(low, places + 1), signed(high, places + 1)
        if ends[0] != ends[1]:
            break
    return f"{ends[0]}–{ends[1]}%" if share else f"{ends[0]} to {ends[1]}"


def interval_of(document: Any, share: bool = True, prefix: str = "") -> str | None:
    """A figure's 95% interval as text, from its JSON (``ci_low`` / ``ci_high``, or ``PREFIX_ci_low`` /
    ``PREFIX_ci_high`` in a flat row); None when it has none."""
    if not isinstance(document, dict):
        return None
    key = f"{prefix}_" if prefix else ""
    low, high = document.get(f"{key}ci_low"), document.get(f"{key}ci_high")
    return None if low is None or high is None else interval(low, high, share=share)


def wait(seconds: Any) -> str:
    """How long someone has waited, in whole units a reader takes in at a glance: ``45 min``, ``3 h 05 min``,
    ``2 d 4 h`` (days and hours from a day on; the minutes no longer matter)."""
    if _missing(seconds):
        return MISSING
    minutes = max(0, int(float(seconds) // 60))
    hours_, minutes = divmod(minutes, 60)
    days, hours_ = divmod(hours_, 24)
    if days:
        return f"{days} d {hours_} h"
    return f"{hours_} h {minutes:02d} min" if hours_ else f"{minutes} min"


__all__ = [
    "MISSING", "clock", "count", "decimal", "duration", "hours", "interval", "interval_of", "number", "percent",
    "signed", "wait",
]  # fmt: skip
