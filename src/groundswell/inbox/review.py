"""The team's review of a random sample of its customer posts: what the classifiers' errors are measured on.

The intervals of classified figures (``metrics.intervals``) allow for the classifiers' errors. Measured on
held-out public posts they describe other posts than the workspace's own; measured on a random sample of the
workspace's own posts, labelled by its team, they describe these. ``write_review_sample`` draws such a sample
into a CSV file with empty label columns; the team fills in ``sentiment``, ``subject`` and ``needs_reply`` (any
of them; a blank is "not labelled"); ``load_review_labels`` checks the file and keeps the labels
(``review_labels``), the newest per post counting. A post labelled because a classifier got it wrong (an
inbox correction) is not a random one, so corrections do not count here.

A bad row (an unknown post, a label that is none of the allowed ones, a post twice in one file) is rejected
with its file, line, field and reason; the other rows are kept. Nothing in the file is changed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundswell.errors import SourceError, UsageError
from groundswell.records import SENTIMENT_LABELS, SUBJECT_LABELS
from groundswell.store.base import Store, utcnow
from groundswell.store.review import ReviewLabel, draw_customer_posts, insert_review_labels, known_posts

LABELS: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "subject": SUBJECT_LABELS,
    "needs_reply": ("true", "false"),
}
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
SAMPLE_COLUMNS = ("platform", "post_id", "created_at", "author", "in_reply_to", "text", *LABELS)
DEFAULT_SEED = "review"


@dataclass(frozen=True, slots=True)
class ReviewReject:
    """A row of a review file that was not kept, and why."""

    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass(slots=True)
class ReviewLoad:
    """What one review file gave: rows read, posts labelled (kept), rows with no label yet, rows rejected."""

    path: str
    read: int = 0
    labelled: int = 0
    blank: int = 0
    rejected: list[ReviewReject] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "read": self.read,
            "labelled": self.labelled,
            "blank": self.blank,
            "rejected": [r.as_dict() for r in self.rejected],
        }


def write_review_sample(store: Store, path: Path, size: int, *, seed: str = DEFAULT_SEED) -> int:
    """Draw ``size`` customer posts at random (none labelled yet; ``store.review.draw_customer_posts``) into a
    new CSV file at ``path`` for the team to label; returns the posts written. An existing file is refused."""
    if size < 1:
        raise UsageError("a review sample needs at least one post")
    if path.exists():
        raise UsageError(f"{path} already exists: give a new file for the sample (a file is never overwritten)")
    drawn = draw_customer_posts(store, size, seed)
    with path.open("x", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SAMPLE_COLUMNS)
        for post in drawn:
            created = post["created_at"]
            writer.writerow(
                [post["platform"], post["post_id"], created.isoformat() if created is not None else "",
                 post["author_handle"] or "", post["in_reply_to_post_id"] or "", post["text"], "", "", ""]
            )  # fmt: skip
    return len(drawn)


def load_review_labels(
    store: Store, path: Path, *, by: str, progress: Callable[[str], None] | None = None
) -> ReviewLoad:
    """Check a labelled review file (see the module doc) and keep its labels; returns what it gave."""
    report = ReviewLoad(str(path))
    parsed: list[tuple[int, str, str, dict[str, str | None]]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(path):
        report.read += 1
        platform, post_id = (row.get("platform") or "").strip(), (row.get("post_id") or "").strip()
        if not platform or not post_id:
            report.rejected.append(ReviewReject(line, "post_id" if platform else "platform", "missing"))
            continue
        labels, bad = _labels(row)
        if bad is not None:
            report.rejected.append(ReviewReject(line, bad[0], bad[1]))
            continue
        if all(v is None for v in labels.values()):
            report.blank += 1
            continue
        if (platform, post_id) in seen:
            report.rejected.append(ReviewReject(line, "post_id", f"labelled already on line {seen[platform, post_id]}"))
            continue
        seen[platform, post_id] = line
        parsed.append((line, platform, post_id, labels))
    stored = known_posts(store, [(p, i) for _, p, i, _ in parsed])
    now = utcnow()
    kept = []
    for line, platform, post_id, labels in parsed:
        if (platform, post_id) not in stored:
            report.rejected.append(ReviewReject(line, "post_id", f"no customer post {platform}:{post_id} here"))
            continue
        needs = labels["needs_reply"]
        kept.append(
            ReviewLabel(platform, post_id, labels["sentiment"], labels["subject"],
                        None if needs is None else _BOOLEANS[needs], by, now, str(path), line)
        )  # fmt: skip
    with store.transaction():
        insert_review_labels(store, kept)
    report.labelled = len(kept)
    report.rejected.sort(key=lambda r: r.line)
    if progress is not None:
        progress(f"{path}: {report.labelled:,} posts labelled, {len(report.rejected):,} rows rejected")
    return report


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's records with the line each starts on; a file that is not a CSV with the key columns is refused."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("platform", "post_id") if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceError(f"no {' and no '.join(missing)} column", path=path, line=1)
            if not any(c in (reader.fieldnames or []) for c in LABELS):
                raise SourceError(f"no label column ({', '.join(LABELS)})", path=path, line=1)
            out = []
            start = reader.line_num + 1
            for row in reader:
                out.append((start, row))
                start = reader.line_num + 1
            return out
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from exc
    except csv.Error as exc:
        raise SourceError(f"not a CSV file: {exc}", path=path) from exc
    except OSError as exc:
        raise SourceError(f"cannot read it: {exc.strerror or exc}", path=path) from exc


def _labels(row: dict[str, str]) -> tuple[dict[str, str | None], tuple[str, str] | None]:
    """The row's labels in lower case (None: blank), or the first bad field and why."""
    out: dict[str, str | None] = {}
    for name, allowed in LABELS.items():
        value = (row.get(name) or "").strip().lower()
        if not value:
            out[name] = None
            continue
        if name == "needs_reply":
            if value not in _BOOLEANS:
                return out, (name, f"{value!r} is not true or false")
            value = "true" if _BOOLEANS[value] else "false"
        elif value not in allowed:
            return out, (name, f"{value!r} is none of {', '.join(allowed)}")
        out[name] = value
    return out, None
