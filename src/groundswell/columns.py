"""The columns of the posts and enrichments tables, written once: name, SQL type, nullability, meaning.

Everything else is made from these lists: the parser's row type and its field order (``records.PostRow``,
``POST_FIELDS``), the Arrow schema of an import batch, the column types of the PostgreSQL staging table, the
demo's canonical CSV header, and the Arrow schema of a batch of enrichments.

The tables themselves are made by the migrations (``store/schema.py``), which are history and never edited;
``tests/store/test_columns.py`` checks that what they create on DuckDB and on PostgreSQL is exactly this list.
A new column is a new migration *and* a new entry here.

Types are written as DuckDB names them; ``Column.postgres_type`` is the PostgreSQL spelling.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

_PYTHON_TYPES: dict[str, type] = {
    "VARCHAR": str,
    "BIGINT": int,
    "BOOLEAN": bool,
    "TIMESTAMP": datetime,
    "DOUBLE": float,
}
_POSTGRES_TYPES = {"DOUBLE": "DOUBLE PRECISION"}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``type`` as DuckDB writes it (VARCHAR, BIGINT, BOOLEAN, TIMESTAMP, DOUBLE)."""

    name: str
    type: str
    nullable: bool
    meaning: str

    @property
    def python_type(self) -> builtins.type:
        return _PYTHON_TYPES[self.type]

    @property
    def postgres_type(self) -> str:
        return _POSTGRES_TYPES.get(self.type, self.type)

    @property
    def annotation(self) -> str:
        """The Python annotation a typed record gives this column, e.g. ``str | None``."""
        name = self.python_type.__name__
        return f"{name} | None" if self.nullable else name

    def arrow_type(self) -> pa.DataType:
        import pyarrow as pa

        return {
            "VARCHAR": pa.string(),
            "BIGINT": pa.int64(),
            "BOOLEAN": pa.bool_(),
            "TIMESTAMP": pa.timestamp("us"),
            "DOUBLE": pa.float64(),
        }[self.type]


def _c(name: str, type: str, nullable: bool, meaning: str) -> Column:
    return Column(name, type, nullable, meaning)


POST_COLUMNS: tuple[Column, ...] = (
    _c("platform", "VARCHAR", False, "twitter, mastodon, bluesky or other (records.Platform)"),
    _c("post_id", "VARCHAR", False, "the platform's id of the post; with platform, the post's key"),
    _c("author_id", "VARCHAR", False, "the platform's id of the author"),
    _c("author_handle", "VARCHAR", True, "the author's handle, e.g. @northwind"),
    _c("author_followers", "BIGINT", True, "the author's followers when the post was read"),
    _c("is_brand", "BOOLEAN", False, "written by one of the brand's accounts (the source says so, or the config)"),
    _c("created_at", "TIMESTAMP", False, "when it was posted, naive UTC"),
    _c("text", "VARCHAR", False, "the post's text"),
    _c("lang", "VARCHAR", True, "language code, as the source gives it"),
    _c("in_reply_to_post_id", "VARCHAR", True, "the post it answers (same platform)"),
    _c("conversation_id", "VARCHAR", True, "the source's conversation or thread id"),
    _c("url", "VARCHAR", True, "the post's address"),
    _c("like_count", "BIGINT", True, "likes, favourites"),
    _c("share_count", "BIGINT", True, "retweets, boosts, reposts"),
    _c("reply_count", "BIGINT", True, "replies, as the source counts them"),
    _c("view_count", "BIGINT", True, "impressions, where the platform gives them"),
    _c("location", "VARCHAR", True, "a place the post names or the author gives"),
    _c("source", "VARCHAR", False, "the file path or connector it was imported from"),
    _c("source_line", "BIGINT", False, "the line or record number in the source"),
    _c("import_id", "BIGINT", False, "the import that brought it (imports.import_id)"),
    _c("ingested_at", "TIMESTAMP", False, "when it was imported, naive UTC"),
)
"""The ``posts`` table, in table order."""

LINEAGE_FIELDS: tuple[str, ...] = ("source", "source_line", "import_id", "ingested_at")
"""The columns the import pipeline adds to what a parser reads."""

PARSED_POST_COLUMNS: tuple[Column, ...] = tuple(c for c in POST_COLUMNS if c.name not in LINEAGE_FIELDS)
"""The post as a source gives it: every column but the lineage (the demo's canonical CSV header too)."""

ROW_COLUMNS: tuple[Column, ...] = (
    _c("line", "BIGINT", False, "the line (or record number) in the file being read; stored as source_line"),
    *(replace(c, nullable=True) if c.name == "is_brand" else c for c in PARSED_POST_COLUMNS),
)
"""A parser's row (``records.PostRow``), in field order: the line it was read from, then the parsed post.
``is_brand`` may be None there: "decide from the config's brand accounts"."""

ENRICHMENT_COLUMNS: tuple[Column, ...] = (
    _c("platform", "VARCHAR", False, "the post's platform"),
    _c("post_id", "VARCHAR", False, "the post's id"),
    _c("model", "VARCHAR", False, "the tier or path asked for, e.g. fast"),
    _c("model_version", "VARCHAR", False, "every classifier's name and version"),
    _c("sentiment", "VARCHAR", False, "negative, neutral, positive (records.Sentiment)"),
    _c("sentiment_score", "DOUBLE", False, "P(positive) - P(negative), in [-1, 1]"),
    _c("complaint_score", "DOUBLE", False, "P(complaint)"),
    _c("intent", "VARCHAR", False, "records.Intent"),
    _c("subject", "VARCHAR", False, "records.Subject"),
    _c("needs_reply", "BOOLEAN", False, "an inbound post the brand should answer"),
    _c("gratitude", "BOOLEAN", False, "the post thanks someone"),
    _c("campaign", "VARCHAR", True, "the campaign it mentions (config [[campaigns]])"),
    _c("enriched_at", "TIMESTAMP", False, "when it was classified, naive UTC"),
)
"""The ``enrichments`` table, in table order: one row per post and model version."""


def names(columns: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(c.name for c in columns)


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    """The Arrow schema of a batch of these columns. Every field is nullable: the database checks NOT NULL."""
    import pyarrow as pa

    return pa.schema([(c.name, c.arrow_type()) for c in columns])


def postgres_columns(columns: tuple[Column, ...]) -> str:
    """``name TYPE, ...`` for a PostgreSQL table of these columns (no constraints: a staging table)."""
    return ", ".join(f"{c.name} {c.postgres_type}" for c in columns)


def check_record(record: type, columns: tuple[Column, ...]) -> None:
    """Raise ``TypeError`` unless the NamedTuple or dataclass ``record`` has exactly these fields, in this
    order, annotated with these types (``str | None`` for a nullable VARCHAR)."""
    annotations = dict(getattr(record, "__annotations__", {}))
    # NamedTuple keeps postponed annotations as ForwardRef('str | None'), a dataclass as the string itself
    found = tuple((name, str(getattr(kind, "__forward_arg__", kind))) for name, kind in annotations.items())
    wanted = tuple((c.name, c.annotation) for c in columns)
    if found != wanted:
        raise TypeError(f"{record.__qualname__} does not match its columns: {found} != {wanted}")


# The warehouse's copies (``store.warehouse``) add two columns of numbers to the posts, and one to the
# enrichments, by which Spark joins them (``query.numbers``): each post's number and its parent's.
POST_NUMBER = "_key"
PARENT_NUMBER = "_parent_key"


__all__ = [
    "ENRICHMENT_COLUMNS",
    "LINEAGE_FIELDS",
    "PARENT_NUMBER",
    "PARSED_POST_COLUMNS",
    "POST_COLUMNS",
    "POST_NUMBER",
    "ROW_COLUMNS",
    "Column",
    "arrow_schema",
    "check_record",
    "names",
    "postgres_columns",
]
