"""The period a figure covers: an inclusive ``since`` and an exclusive ``until``, both UTC.

``parse_period`` is the one reading of ``--since``/``--until`` for the CLI and the web app; ``in_period``
limits any table expression to a period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from groundswell.clock import naive_utc
from groundswell.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive ``since``, exclusive ``until``, both UTC; None is open-ended."""

    since: datetime | None = None
    until: datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_period(since: str | None, until: str | None) -> Period:
    """The period two ``YYYY-MM-DD`` days or ISO date-times name, in UTC (an offset is converted, a bare time is
    UTC); a bare date as ``until`` includes that whole day. ``UsageError`` for what is no date, and for an
    ``until`` not after ``since``. The one reading of ``--since``/``--until`` for the CLI and the web app."""

    def moment(value: str | None, *, end: bool) -> datetime | None:
        if not value:
            return None
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{value!r} is not a date (YYYY-MM-DD) or an ISO date-time") from None
        try:
            if found.tzinfo is not None:
                found = found.astimezone(UTC).replace(tzinfo=None)
            if end and _DATE.match(value):
                found += timedelta(days=1)
        except OverflowError:
            if end:
                return None  # the end of year 9999 and after: no end
            raise UsageError(f"{value!r} is outside the dates this can count (years 1 to 9999 in UTC)") from None
        return found

    period = Period(moment(since, end=False), moment(until, end=True))
    if period.since and period.until and period.until <= period.since:
        raise UsageError("--until must be after --since")
    return period


def in_period(posts: ir.Table, period: Period, column: str = "created_at") -> ir.Table:
    """Rows of ``posts`` whose ``column`` is in ``period`` (inclusive since, exclusive until; UTC)."""
    ts = posts[column]
    if period.since is not None:
        posts = posts.filter(ts >= naive_utc(period.since))
        ts = posts[column]
    if period.until is not None:
        posts = posts.filter(ts < naive_utc(period.until))
    return posts
