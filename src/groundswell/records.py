"""The typed records that move between stages, and the words every layer shares.

A parser yields one ``PostRow`` (a plain tuple in ``POST_FIELDS`` order, for
speed) or one ``Rejected`` per record it reads. The pipeline adds lineage and
writes them; ``ImportReport`` is what an import tells its caller. The stores
answer with ``BatchResult``, ``PostLookup`` and ``WorkspaceSummary``.

The label sets and outcomes are ``StrEnum``s (``Sentiment``, ``Intent``,
``Subject``, ``Outcome``): a member equals its stored string, so the stored
values are plain text and comparisons with strings still hold. The post's
columns are written once, in ``groundswell.columns``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from groundswell.columns import ROW_COLUMNS, check_record, names


class Platform(enum.StrEnum):
    TWITTER = "twitter"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    OTHER = "other"


class Sentiment(enum.StrEnum):
    """A post's sentiment, as the sentiment classifier labels it."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Intent(enum.StrEnum):
    """What a post does (DESIGN: the intent rules over the classifiers' outputs)."""

    COMPLAINT = "complaint"
    QUESTION = "question"
    PRAISE = "praise"
    FEEDBACK = "feedback"
    PROMOTION = "promotion"
    SUPPORT_REPLY = "support_reply"
    OTHER = "other"


class Subject(enum.StrEnum):
    """What a post is about: the marketing (a campaign, a promotion), the experience (product, service), other."""

    MARKETING = "marketing"
    EXPERIENCE = "experience"
    OTHER = "other"


class Outcome(enum.StrEnum):
    """A thread's outcome: whether the brand's replies helped the customer."""

    HELPED = "helped"
    NOT_HELPED = "not_helped"
    UNKNOWN = "unknown"


def labels(kind: type[enum.StrEnum]) -> tuple[str, ...]:
    """The values of a label enum, in order, as plain strings (for models, forms and SQL)."""
    return tuple(member.value for member in kind)


SENTIMENT_LABELS = labels(Sentiment)
INTENT_LABELS = labels(Intent)
SUBJECT_LABELS = labels(Subject)
OUTCOMES = labels(Outcome)


class TwcsColumns(NamedTuple):
    """Where, in a TWCS file's records, the columns a TWCS post is made of are (0-based; ``parent`` None where
    the file has no ``in_response_to_tweet_id``): read by the format's parser and by the engine's fast path."""

    tweet_id: int
    author_id: int
    inbound: int
    created_at: int
    text: int
    parent: int | None


class PostRow(NamedTuple):
    """One post as a parser produces it, before lineage is attached.

    ``is_brand`` is ``True`` when the source itself says the author is the
    brand (TWCS ``inbound=False``); ``None`` means "decide from the config".
    ``created_at`` is naive UTC.
    """

    line: int
    platform: str
    post_id: str
    author_id: str
    author_handle: str | None
    author_followers: int | None
    is_brand: bool | None
    created_at: datetime
    text: str
    lang: str | None
    in_reply_to_post_id: str | None
    conversation_id: str | None
    url: str | None
    like_count: int | None
    share_count: int | None
    reply_count: int | None
    view_count: int | None
    location: str | None


POST_FIELDS: tuple[str, ...] = names(ROW_COLUMNS)
check_record(PostRow, ROW_COLUMNS)  # the row type is the column list's, field for field


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that could not become a post, kept with where and why.

    ``line`` is the physical line in a text file where the record starts, or
    the 1-based record number in a file without lines (Parquet, a JSON array).
    ``raw`` is the record's original content, so nothing imported is lost.
    """

    line: int
    field: str
    reason: str
    raw: str


@dataclass(slots=True)
class FileReport:
    """What happened to one input file."""

    path: str
    format: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.read == self.imported + self.duplicates + self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "error": self.error,
            "warnings": list(self.warnings),
        }


@dataclass(slots=True)
class ImportReport:
    """The sum over every file of one import call.

    ``read == imported + duplicates + rejected`` always holds; a file that
    could not be read at all is listed in ``failed_files`` instead.
    """

    files: list[FileReport] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.error is not None]

    @property
    def all_rejected_files(self) -> list[FileReport]:
        """Files read without an error whose every record was rejected: most likely not what the user meant."""
        return [f for f in self.files if f.error is None and f.read > 0 and f.rejected == f.read]

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "failed_files": len(self.failed_files),
            "all_rejected_files": len(self.all_rejected_files),
            "balanced": self.read == self.imported + self.duplicates + self.rejected,
            "files": [f.as_dict() for f in self.files],
        }


@dataclass(frozen=True, slots=True)
class RejectRecord:
    """A rejected row as stored in the workspace."""

    import_id: int
    file: str
    line: int
    field: str
    reason: str
    raw: str
    rejected_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            "raw": self.raw,
            "rejected_at": self.rejected_at.isoformat(),
        }


# -- what the stores answer ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What writing one batch of posts did: posts added, exact repeats counted, conflicting repeats as rejects."""

    imported: int
    duplicates: int
    conflicts: list[Rejected]


COUNT_NAMES = {
    "threads": "threads",
    "replied": "replied threads",
    "unanswered": "unanswered threads needing a reply",
    "waiting": "threads waiting for a reply",
}
"""What each face calls the counts of ``ThreadCounts``: the same words in ``status``, the report and the inbox."""


@dataclass(frozen=True, slots=True)
class ThreadCounts:
    """How many threads there are and how many got an answer, as every view shows them
    (``groundswell.threads.counts`` defines and computes them; docs/metrics.md, "Counts").

    ``threads``: brand conversation threads whose first inbound post is in the period; ``replied``: those
    with a brand reply; ``unanswered``: threads needing a reply that got no brand reply at all;
    ``waiting``: threads needing a reply whose latest such post has no brand reply after it (the unanswered
    ones, and replied ones where the customer asked again): the inbox's conversations. ``unanswered`` and
    ``waiting`` are None when the posts are not enriched (nothing says which posts need a reply).
    ``as_of``: the moment waits run to; ``live``: True when that is now (a workspace syncing connected
    accounts), False when it is the data's last post in the period (an import).
    """

    threads: int
    replied: int
    unanswered: int | None
    waiting: int | None
    as_of: datetime | None
    live: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "replied": self.replied,
            "unanswered": self.unanswered,
            "waiting": self.waiting,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "as_of_is": self.as_of_is,
        }

    @property
    def as_of_is(self) -> str:
        """What ``as_of`` is, in words."""
        return "now (the workspace syncs)" if self.live else "the data's last post"


@dataclass(frozen=True, slots=True)
class WorkspaceSummary:
    """What a workspace holds (``groundswell status``); ``counts``: its threads, set by the Workspace (a store
    alone cannot rebuild threads)."""

    posts: int
    brand_posts: int
    accounts: int
    brand_accounts: int
    platforms: dict[str, int]
    first_post: datetime | None
    last_post: datetime | None
    imports: int
    rejects: int
    counts: ThreadCounts | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "brand_posts": self.brand_posts,
            "accounts": self.accounts,
            "brand_accounts": self.brand_accounts,
            "platforms": dict(self.platforms),
            **(self.counts.as_dict() if self.counts is not None else {}),
            "first_post": self.first_post.isoformat() if self.first_post else None,
            "last_post": self.last_post.isoformat() if self.last_post else None,
            "imports": self.imports,
            "rejects": self.rejects,
        }


@dataclass(frozen=True, slots=True)
class PostLookup:
    """One stored post with what a reply to it needs: its newest enrichment and the brand's replies around it."""

    platform: str
    post_id: str
    author_id: str
    author_handle: str | None
    is_brand: bool
    created_at: datetime
    text: str
    in_reply_to_post_id: str | None
    intent: str | None  # None: not enriched
    sentiment: str | None
    needs_reply: bool | None
    model_version: str | None
    brand_replies: int  # brand posts replying to this post
    recent_brand_replies: int  # brand replies to the author's other posts in the 7 days up to this one
