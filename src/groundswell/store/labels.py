"""People's corrections of classifier labels (``label_corrections``), kept beside the model's value they
correct, and the model's newest label for a post (``enrichments``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from groundswell.store.base import Store


@dataclass(frozen=True, slots=True)
class ModelLabel:
    """A model's value for one label of a post (lowercase text), and the model's version."""

    value: str
    model_version: str


def model_label(store: Store, platform: str, post_id: str, field: str) -> ModelLabel | None:
    """The newest enrichment's value of the label column ``field`` for the post; None when it has none."""
    if not field.isidentifier():
        raise ValueError(f"not a label column: {field!r}")
    found = store.execute(
        f"SELECT CAST({field} AS VARCHAR), model_version FROM enrichments WHERE platform = ? AND post_id = ? "
        "ORDER BY enriched_at DESC LIMIT 1",
        [platform, post_id],
    )
    return ModelLabel(value=str(found[0][0]).lower(), model_version=found[0][1]) if found else None


def insert_correction(
    store: Store,
    platform: str,
    post_id: str,
    *,
    field: str,
    model: ModelLabel | None,
    value: str,
    by: str,
    at: datetime,
) -> None:
    store.execute(
        "INSERT INTO label_corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            platform,
            post_id,
            field,
            model.value if model else None,
            model.model_version if model else None,
            value,
            by,
            at,
        ],
    )


def latest_corrections(store: Store, field: str) -> list[tuple[str, str]]:
    """The newest correction of ``field`` per post as ``(post text, value)``, by platform and post_id."""
    found = store.execute(
        """
        SELECT p.text, c.value FROM (
            SELECT platform, post_id, value,
                row_number() OVER (PARTITION BY platform, post_id ORDER BY corrected_at DESC) AS newest
            FROM label_corrections WHERE field = ?
        ) c JOIN posts p ON p.platform = c.platform AND p.post_id = c.post_id
        WHERE c.newest = 1 ORDER BY c.platform, c.post_id
        """,
        [field],
    )
    return [(row[0], row[1]) for row in found]


def corrected_posts(store: Store, field: str) -> list[tuple[str, bool, bool, str]]:
    """The newest correction of ``field`` per post as ``(text, is_brand, is_reply, value)``, by platform and
    post_id: what training from corrections reads."""
    found = store.execute(
        """
        SELECT p.text, p.is_brand, p.in_reply_to_post_id IS NOT NULL, c.value FROM (
            SELECT platform, post_id, value,
                row_number() OVER (PARTITION BY platform, post_id ORDER BY corrected_at DESC) AS newest
            FROM label_corrections WHERE field = ?
        ) c JOIN posts p ON p.platform = c.platform AND p.post_id = c.post_id
        WHERE c.newest = 1 ORDER BY c.platform, c.post_id
        """,
        [field],
    )
    return [(str(row[0]), bool(row[1]), bool(row[2]), str(row[3])) for row in found]


def corrections(store: Store) -> list[dict[str, Any]]:
    """Every correction, oldest first."""
    return store.query("SELECT * FROM label_corrections ORDER BY corrected_at")
