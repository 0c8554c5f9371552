"""The typed records that move between stages.

A parser yields one ``PostRow`` (a plain tuple in ``POST_FIELDS`` order, for
speed) or one ``Rejected`` per record it reads. The pipeline adds lineage and
writes them; ``ImportReport`` is what an import tells its caller.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple


class Platform(str, enum.Enum):
    TWITTER = "twitter"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    OTHER = "other"


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


POST_FIELDS: tuple[str, ...] = PostRow._fields


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "failed_files": len(self.failed_files),
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
