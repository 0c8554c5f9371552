"""Kaggle "Customer Support on Twitter" CSV (TWCS).

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id. Authors of outbound (``inbound=False``) tweets are
brand accounts. Ids appear both as ``3`` and as ``3.0`` in real files. The text
comes from Twitter's API, HTML-escaped (``&amp;``): it is decoded once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from groundswell.errors import SourceError
from groundswell.ingest.base import (
    ParseOptions,
    SourceFile,
    csv_header,
    csv_raw,
    decode_entities,
    one_record,
    parse_twitter_timestamp,
    undecodable,
)
from groundswell.records import PostRow, Rejected, TwcsColumns

REQUIRED_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text")
LINK_COLUMNS = ("response_tweet_id", "in_response_to_tweet_id")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def normalize_id(value: str) -> str:
    """``"3"``, ``" 3 "`` and ``"3.0"`` are the same tweet id; anything else raises."""
    value = value.strip()
    value = value.removesuffix(".0")
    if not value.isdigit():
        raise ValueError(f"not a tweet id: {value!r}")
    return value


class TwcsParser:
    name = "twcs"
    description = 'Kaggle "Customer Support on Twitter" CSV'

    def sniff(self, head: bytes, path: Path) -> bool:
        first_line = head.split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace").lower()
        columns = {c.strip().strip('"') for c in first_line.split(",")}
        return {"tweet_id", "inbound", "in_response_to_tweet_id"} <= columns

    def csv_records(self, source: SourceFile) -> bool:
        """A CSV file of records read one at a time after its header: it can be read in parts of its records."""
        return True

    def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        with source.open_text() as handle:
            table = csv_header(handle, source.path)
            if table is None:
                return
            header, records = table
            layout = TwcsLayout.of(header, source.path)
            for record in records:
                yield record if isinstance(record, Rejected) else layout.row(*record)


class TwcsLayout(NamedTuple):
    """A TWCS file's header: its column names (lower case) and where the columns the parser reads are."""

    names: list[str]
    columns: TwcsColumns

    @classmethod
    def of(cls, header: list[str], path: Path | str) -> TwcsLayout:
        """The layout of ``header``; ``SourceError`` when a required column is missing."""
        names = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise SourceError(
                f"not a TWCS file: missing required column(s) {', '.join(missing)} (header: {','.join(header)[:200]})",
                path=path,
                line=1,
                field=missing[0],
            )
        tweet_id, author_id, inbound, created_at, text = (names.index(c) for c in REQUIRED_COLUMNS)
        parent = names.index("in_response_to_tweet_id") if "in_response_to_tweet_id" in names else None
        return cls(names, TwcsColumns(tweet_id, author_id, inbound, created_at, text, parent))

    def row(self, line: int, fields: list[str]) -> PostRow | Rejected:
        """The post of the record starting at ``line``, or its reject."""
        return _row(line, fields, self.names, self.columns)


@one_record
def _row(line: int, fields: list[str], names: list[str], c: TwcsColumns) -> PostRow | Rejected:
    bad = _first_undecodable(fields, names)
    if bad:
        return Rejected(line, bad[0], bad[1], csv_raw(fields))
    try:
        post_id = normalize_id(fields[c.tweet_id])
    except ValueError as exc:
        return Rejected(line, "tweet_id", str(exc), csv_raw(fields))
    author = fields[c.author_id].strip()
    if not author:
        return Rejected(line, "author_id", "author_id is empty", csv_raw(fields))
    inbound = _BOOLEANS.get(fields[c.inbound].strip().lower())
    if inbound is None:
        return Rejected(line, "inbound", f"inbound must be True or False, not {fields[c.inbound]!r}", csv_raw(fields))
    try:
        created_at = parse_twitter_timestamp(fields[c.created_at])
    except ValueError as exc:
        return Rejected(line, "created_at", str(exc), csv_raw(fields))
    text = fields[c.text]
    if not text.strip():
        return Rejected(line, "text", "text is empty", csv_raw(fields))
    parent: str | None = None
    if c.parent is not None and fields[c.parent].strip():
        try:
            parent = normalize_id(fields[c.parent])
        except ValueError as exc:
            return Rejected(line, "in_response_to_tweet_id", str(exc), csv_raw(fields))
    return PostRow(
        line, "twitter", post_id, author, author, None, not inbound, created_at, decode_entities(text),
        None, parent, None, None, None, None, None, None, None,
    )  # fmt: skip


def _first_undecodable(fields: list[str], names: list[str]) -> tuple[str, str] | None:
    for name, value in zip(names, fields, strict=True):
        problem = undecodable(value)
        if problem:
            return name, problem
    return None
