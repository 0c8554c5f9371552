"""Kaggle "Customer Support on Twitter" CSV (TWCS).

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id. Authors of outbound (``inbound=False``) tweets are
brand accounts. Ids appear both as ``3`` and as ``3.0`` in real files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from groundswell.errors import SourceError
from groundswell.ingest.base import ParseOptions, SourceFile, csv_raw, parse_twitter_timestamp, undecodable
from groundswell.records import PostRow, Rejected

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

    def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        with source.open_text() as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            names = [h.strip().lower() for h in header]
            missing = [c for c in REQUIRED_COLUMNS if c not in names]
            if missing:
                raise SourceError(
                    f"not a TWCS file: missing required column(s) {', '.join(missing)} (header: {','.join(header)[:200]})",
                    path=source.path,
                    line=1,
                    field=missing[0],
                )
            i_id, i_author, i_inbound, i_created, i_text = (names.index(c) for c in REQUIRED_COLUMNS)
            i_parent = names.index("in_response_to_tweet_id") if "in_response_to_tweet_id" in names else None
            width = len(names)
            end_of_previous = reader.line_num
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield Rejected(
                        line=end_of_previous + 1,
                        field="row",
                        reason=f"unreadable CSV from here to the end of the file: {exc}",
                        raw="",
                    )
                    return
                line = end_of_previous + 1
                end_of_previous = reader.line_num
                if not fields:
                    continue  # a blank line holds no record
                if len(fields) != width:
                    hint = " (unterminated quote or truncated file?)" if len(fields) < width else ""
                    yield Rejected(
                        line, "row", f"row has {len(fields)} fields, the header has {width}{hint}", csv_raw(fields)
                    )
                    continue
                bad = _first_undecodable(fields, names)
                if bad:
                    yield Rejected(line, bad[0], bad[1], csv_raw(fields))
                    continue
                try:
                    post_id = normalize_id(fields[i_id])
                except ValueError as exc:
                    yield Rejected(line, "tweet_id", str(exc), csv_raw(fields))
                    continue
                author = fields[i_author].strip()
                if not author:
                    yield Rejected(line, "author_id", "author_id is empty", csv_raw(fields))
                    continue
                inbound = _BOOLEANS.get(fields[i_inbound].strip().lower())
                if inbound is None:
                    yield Rejected(
                        line, "inbound", f"inbound must be True or False, not {fields[i_inbound]!r}", csv_raw(fields)
                    )
                    continue
                try:
                    created_at = parse_twitter_timestamp(fields[i_created])
                except ValueError as exc:
                    yield Rejected(line, "created_at", str(exc), csv_raw(fields))
                    continue
                text = fields[i_text]
                if not text.strip():
                    yield Rejected(line, "text", "text is empty", csv_raw(fields))
                    continue
                parent: str | None = None
                if i_parent is not None and fields[i_parent].strip():
                    try:
                        parent = normalize_id(fields[i_parent])
                    except ValueError as exc:
                        yield Rejected(line, "in_response_to_tweet_id", str(exc), csv_raw(fields))
                        continue
                yield PostRow(
                    line, "twitter", post_id, author, author, None, not inbound, created_at, text,
                    None, parent, None, None, None, None, None, None, None,
                )  # fmt: skip


def _first_undecodable(fields: list[str], names: list[str]) -> tuple[str, str] | None:
    for name, value in zip(names, fields, strict=True):
        problem = undecodable(value)
        if problem:
            return name, problem
    return None
