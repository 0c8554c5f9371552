"""Time as groundswell keeps it: naive datetimes in UTC, everywhere (the stores, the stages, the figures)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (how every table stores a moment)."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as stored: an aware datetime converted to UTC and made naive, a naive one taken as UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment
