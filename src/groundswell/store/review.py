"""The team's labels of a random sample of its customer posts (``review_labels``), and the draw of that sample.

``groundswell.inbox.review`` reads and checks the labelled files; these functions only read and write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.store.base import Store

_INSERT_CHUNK = 500  # rows per INSERT: few round trips to a server, statements of a modest size


@dataclass(frozen=True, slots=True)
class ReviewLabel:
    """One post's labels as a person gave them (None: not labelled), and where they came from."""

    platform: str
    post_id: str
    sentiment: str | None
    subject: str | None
    needs_reply: bool | None
    labelled_by: str
    labelled_at: datetime
    source: str
    source_line: int


def draw_customer_posts(store: Store, size: int, seed: str) -> list[dict[str, Any]]:
    """``size`` customer posts (not the brand's) drawn at random among those no review label names yet.

    The order is md5 of the seed and the post's key, so a seed gives the same draw on DuckDB and PostgreSQL,
    and a later draw adds other posts of the same random order: all draws together stay one random sample.
    """
    return store.query(
        """
        SELECT p.platform, p.post_id, p.created_at, p.author_handle, p.in_reply_to_post_id, p.text
        FROM posts p
        WHERE NOT p.is_brand
          AND NOT EXISTS (SELECT 1 FROM review_labels r WHERE r.platform = p.platform AND r.post_id = p.post_id)
        ORDER BY md5(? || '|' || p.platform || '|' || p.post_id)
        LIMIT ?
        """,
        [seed, size],
    )


def known_posts(store: Store, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the ``(platform, post_id)`` keys are stored customer posts."""
    found: set[tuple[str, str]] = set()
    for begin in range(0, len(keys), _INSERT_CHUNK):
        chunk = keys[begin : begin + _INSERT_CHUNK]
        pairs = " OR ".join(["(platform = ? AND post_id = ?)"] * len(chunk))
        params = [v for key in chunk for v in key]
        found.update(
            (r[0], r[1])
            for r in store.execute(f"SELECT platform, post_id FROM posts WHERE NOT is_brand AND ({pairs})", params)
        )
    return found


def insert_review_labels(store: Store, labels: Sequence[ReviewLabel]) -> None:
    for begin in range(0, len(labels), _INSERT_CHUNK):
        chunk = labels[begin : begin + _INSERT_CHUNK]
        params: list[Any] = []
        for r in chunk:
            params += [r.platform, r.post_id, r.sentiment, r.subject, r.needs_reply, r.labelled_by, r.labelled_at,
                       r.source, r.source_line]  # fmt: skip
        placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        store.execute(
            "INSERT INTO review_labels (platform, post_id, sentiment, subject, needs_reply, labelled_by, labelled_at, "
            f"source, source_line) VALUES {placeholders}",
            params,
        )


def review_counts(store: Store) -> dict[str, int]:
    """Posts with a review label, and how many of them carry each label (the newest row per post)."""
    found = store.execute(
        """
        SELECT count(*), count(sentiment), count(subject), count(needs_reply) FROM (
            SELECT sentiment, subject, needs_reply,
                row_number() OVER (PARTITION BY platform, post_id ORDER BY labelled_at DESC, source_line DESC) AS newest
            FROM review_labels
        ) AS r WHERE newest = 1
        """
    )[0]
    return {"posts": int(found[0]), "sentiment": int(found[1]), "subject": int(found[2]), "needs_reply": int(found[3])}


def has_review_labels(store: Store) -> bool:
    """Whether the ``review_labels`` table exists and holds a row (a store migrated before it has none)."""
    exists = store.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'review_labels'")[0][0]
    return bool(exists) and bool(store.execute("SELECT count(*) FROM (SELECT 1 FROM review_labels LIMIT 1) AS t")[0][0])
