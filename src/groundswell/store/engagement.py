"""Engagement seen again (``engagement_snapshots``): a post's likes, shares and replies as a later sync read
them from the platform. The post's own row keeps the counts it was imported with; these rows sit beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from groundswell.store.base import Store


@dataclass(frozen=True, slots=True)
class EngagementCount:
    """One post's counts as the platform gave them (None: the platform did not say)."""

    post_id: str
    likes: int | None
    shares: int | None
    replies: int | None


def recent_inbound(store: Store, *, platform: str, source_prefix: str, since: datetime, limit: int) -> list[str]:
    """The ids of posts not by a brand account, made since ``since``, imported from files under
    ``source_prefix`` (an account's sync folder), the newest first."""
    found = store.execute(
        "SELECT post_id FROM posts WHERE platform = ? AND NOT is_brand AND created_at >= ? "
        "AND substr(source, 1, ?) = ? ORDER BY created_at DESC, post_id LIMIT ?",
        [platform, since, len(source_prefix), source_prefix, limit],
    )
    return [str(row[0]) for row in found]


def record_engagement(
    store: Store, counts: Sequence[EngagementCount], *, platform: str, seen_at: datetime, source: str
) -> None:
    """Keep ``counts`` as seen at ``seen_at``."""
    for c in counts:
        store.execute(
            "INSERT INTO engagement_snapshots VALUES (?, ?, ?, ?, ?, ?, ?)",
            [platform, c.post_id, seen_at, c.likes, c.shares, c.replies, source],
        )
