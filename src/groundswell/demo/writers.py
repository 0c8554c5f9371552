"""Write demo posts as files groundswell imports: the canonical CSV and TWCS.

Both stream: memory stays flat however many posts go through (the TWCS
writer holds one conversation, to fill ``response_tweet_id``). Lines are
built by hand, quoting exactly as ``csv.writer`` (QUOTE_MINIMAL) would,
because the csv module costs about twice as much per row and the writer is
half of the demo's run time; any row the fast path cannot vouch for goes
through ``csv.writer`` itself, so the bytes are the same either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from groundswell.columns import PARSED_POST_COLUMNS, check_record, names
from groundswell.demo.world import DemoPost

# the header ``--format csv`` maps with no mapping; the writer below reads a DemoPost by position in this order
CANONICAL_COLUMNS: tuple[str, ...] = names(PARSED_POST_COLUMNS)
check_record(DemoPost, PARSED_POST_COLUMNS)
TWCS_COLUMNS = (
    "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id",
)  # fmt: skip
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TWO_DIGITS = tuple(f"{i:02d}" for i in range(60))
_FLUSH_LINES = 2048


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _cell(value: str) -> str:
    """A CSV cell as QUOTE_MINIMAL writes it."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _plain(part: str, commas: int) -> bool:
    """True when ``part`` (cells joined by commas) needs no quoting anywhere."""
    return part.count(",") == commas and '"' not in part and "\n" not in part and "\r" not in part


def _csv_line() -> Callable[[Sequence[object]], str]:
    """The slow, always-right path: one row through ``csv.writer``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(fields: Sequence[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(fields)
        return buffer.getvalue()

    return line


def write_posts_csv(posts: Iterable[DemoPost], path: Path | str) -> int:
    """The canonical-column CSV (``--format csv`` imports it with no mapping); returns rows written.

    Timestamps are ISO 8601 UTC with ``Z``, ``is_brand`` is ``true``/``false``,
    ``None`` is an empty cell.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    slow = _csv_line()
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(CANONICAL_COLUMNS) + "\n")
        out: list[str] = []
        for p in posts:
            count += 1
            created = (p[6] if p[6].tzinfo is None else _utc(p[6])).isoformat() + "Z"
            head = (
                f"{p[0]},{p[1]},{p[2]},{'' if p[3] is None else p[3]},{'' if p[4] is None else p[4]},"
                f"{'true' if p[5] else 'false'},{created}"
            )
            tail = (
                f"{'' if p[8] is None else p[8]},{'' if p[9] is None else p[9]},{'' if p[10] is None else p[10]},"
                f"{'' if p[11] is None else p[11]},{'' if p[12] is None else p[12]},{'' if p[13] is None else p[13]},"
                f"{'' if p[14] is None else p[14]},{'' if p[15] is None else p[15]},{'' if p[16] is None else p[16]}"
            )
            if _plain(head, 6) and _plain(tail, 8):
                out.append(f"{head},{_cell(p[7])},{tail}\n")
            else:
                out.append(slow((*p[:5], "true" if p[5] else "false", created, *p[7:])))
            if len(out) >= _FLUSH_LINES:
                handle.write("".join(out))
                out.clear()
        handle.write("".join(out))
    return count


def twitter_timestamp(moment: datetime) -> str:
    """``Tue Oct 31 22:10:47 +0000 2017``, as TWCS and the Twitter v1 API write it."""
    m = _utc(moment)
    return (
        f"{_WEEKDAYS[m.weekday()]} {_MONTHS[m.month]} {m.day:02d} "
        f"{_TWO_DIGITS[m.hour]}:{_TWO_DIGITS[m.minute]}:{_TWO_DIGITS[m.second]} +0000 {m.year}"
    )


def write_twcs_csv(posts: Iterable[DemoPost], path: Path | str, *, platform: str = "twitter") -> int:
    """The Kaggle "Customer Support on Twitter" layout; returns rows written.

    Only ``platform`` posts are written (TWCS is tweets). ``author_id`` is the
    handle for brand accounts and the numeric id for customers, as in the real
    file; ``inbound`` is ``False`` for brand posts. ``response_tweet_id`` lists
    the replies found in the same conversation, which must be contiguous in
    ``posts`` (``generate_world`` guarantees it). The parent id is written as
    ``123.0`` (like the real file) for most rows and ``123`` for the rest.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    slow = _csv_line()
    day_cache: dict[int, tuple[str, str]] = {}

    def stamp(moment: datetime) -> str:
        # the hot path: the date part is cached per day, the clock from a 00..59 table
        m = moment if moment.tzinfo is None else _utc(moment)
        day = m.toordinal()
        parts = day_cache.get(day)
        if parts is None:
            if len(day_cache) > 4096:
                day_cache.clear()
            parts = day_cache[day] = (f"{_WEEKDAYS[m.weekday()]} {_MONTHS[m.month]} {m.day:02d} ", f" +0000 {m.year}")
        return f"{parts[0]}{_TWO_DIGITS[m.hour]}:{_TWO_DIGITS[m.minute]}:{_TWO_DIGITS[m.second]}{parts[1]}"

    def conversation_lines(group: list[DemoPost], out: list[str]) -> None:
        replies: dict[str, list[str]] = {}
        if len(group) > 1:
            for p in group:
                if p[9] is not None:
                    replies.setdefault(p[9], []).append(p[1])
        for p in group:
            parent = p[9]
            if parent is None:
                parent_cell = ""
            else:
                # both id styles occur in real TWCS files; which one is fixed by the id, not by chance
                parent_cell = parent if p[1][-1] in "037" else parent + ".0"
            kids = replies.get(p[1]) if replies else None
            author = (p[3] or p[2]) if p[5] else p[2]
            inbound = "False" if p[5] else "True"
            when = stamp(p[6])
            if _plain(f"{p[1]},{author},{when},{parent_cell}", 3):
                kids_cell = _cell(",".join(kids)) if kids else ""
                out.append(f"{p[1]},{author},{inbound},{when},{_cell(p[7])},{kids_cell},{parent_cell}\n")
            else:
                out.append(slow((p[1], author, inbound, when, p[7], ",".join(kids) if kids else "", parent_cell)))

    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(TWCS_COLUMNS) + "\n")
        out: list[str] = []
        group: list[DemoPost] = []
        current: str | None = None
        for p in posts:
            if p[0] != platform:
                continue
            key = p[10] or p[1]
            if key != current and group:
                # one conversation at a time: its replies are all known once the next one starts
                count += len(group)
                conversation_lines(group, out)
                group = []
                if len(out) >= _FLUSH_LINES:
                    handle.write("".join(out))
                    out.clear()
            current = key
            group.append(p)
        if group:
            count += len(group)
            conversation_lines(group, out)
        handle.write("".join(out))
    return count
