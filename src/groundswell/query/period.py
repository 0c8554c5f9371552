"""The period a figure covers: an inclusive ``since`` and an exclusive ``until``, both UTC.

``parse_period`` is the one reading of ``--since``/``--until`` for the CLI and the web app; ``in_period``
limits any table expression to a period; ``dense_period`` is the period figures cover when none is named.

**The dense period** (the default): the days that have posts are cut into runs wherever no post was made
for more than ``GAP_DAYS`` days. The period is the shortest stretch of consecutive runs that holds at least
``DENSE_SHARE`` of the posts, from its first post's day to the end of its last post's day. Posts outside
it (a few years-old tweets in a file of one month, a test post dated 1970) are left out of the period's
figures and counted in ``Period.left_out``, which says once how to include them (``--since``/``--until``).
Data without such a gap, or with fewer than 1 / (1 - ``DENSE_SHARE``) = 100 posts, keeps every post: the
period is then open (no ``since``, no ``until``), as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from groundswell.clock import naive_utc
from groundswell.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir


# More days than this without a post cut the data into runs; a stretch of runs must hold this share of posts.
GAP_DAYS = 30
DENSE_SHARE = 0.99


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Posts outside the dense period: how many, the days of the first and the last, and how to include them."""

    posts: int
    first: date
    last: date
    since: date | None
    until: date | None
    dense_from: date
    dense_to: date

    @property
    def note(self) -> str:
        """One sentence for the CLI, the report and the web: what was left out and the options that include it."""
        years = f"{self.first.year}" if self.first.year == self.last.year else f"{self.first.year}-{self.last.year}"
        options = " ".join(
            f"`--{name} {day.isoformat()}`" for name, day in (("since", self.since), ("until", self.until)) if day
        )
        posts = "1 post" if self.posts == 1 else f"{self.posts} posts"
        return (
            f"{posts} from {years} left out of the figures: the data is dense from {self.dense_from.isoformat()}"
            f" to {self.dense_to.isoformat()}; {options} to include them"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "posts": self.posts,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive ``since``, exclusive ``until``, both UTC; None is open-ended.

    ``left_out``: set when this is the data's dense period (``dense_period``) and posts fall outside it.
    """

    since: datetime | None = None
    until: datetime | None = None
    left_out: LeftOut | None = None

    @property
    def named(self) -> bool:
        """Whether a bound was given (``--since``/``--until``); an open period becomes the dense one."""
        return self.since is not None or self.until is not None

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        if self.left_out is not None:
            found["left_out"] = self.left_out.as_dict()
        return found


def dense_period(posts_per_day: Mapping[date, int]) -> Period:
    """The period where the data is dense (the module docstring gives the rule), from the posts of each UTC day.

    An open ``Period()`` when every post is in it; else bounded, with what it leaves out in ``left_out``.
    """
    days = sorted(day for day, n in posts_per_day.items() if n > 0)
    if not days:
        return Period()
    runs: list[list[date]] = [[days[0]]]
    for day in days[1:]:
        if (day - runs[-1][-1]).days > GAP_DAYS:
            runs.append([])
        runs[-1].append(day)
    sizes = [sum(posts_per_day[d] for d in run) for run in runs]
    total = sum(sizes)

    def span(stretch: tuple[int, int]) -> int:
        return (runs[stretch[1]][-1] - runs[stretch[0]][0]).days

    best = (0, len(runs) - 1)  # every run holds every post
    for i in range(len(runs)):
        held = 0
        for j in range(i, len(runs)):
            held += sizes[j]
            if held >= DENSE_SHARE * total:
                if span((i, j)) < span(best):
                    best = (i, j)
                break
    first, last = best
    if first == 0 and last == len(runs) - 1:
        return Period()
    outside = [d for k, run in enumerate(runs) if not first <= k <= last for d in run]
    start, end = runs[first][0], runs[last][-1]
    left_out = LeftOut(
        posts=total - sum(sizes[first : last + 1]),
        first=min(outside),
        last=max(outside),
        since=min(outside) if first > 0 else None,
        until=max(outside) if last < len(runs) - 1 else None,
        dense_from=start,
        dense_to=end,
    )
    return Period(datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time()), left_out)


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
