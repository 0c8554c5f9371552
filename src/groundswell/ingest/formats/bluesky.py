"""Bluesky: post views as the app.bsky.feed API returns them (JSON or JSON Lines).

Accepted: getAuthorFeed / getTimeline ``{"feed": [{"post": ..., "reason": ...}]}``,
searchPosts / getPosts ``{"posts": [...]}``, getPostThread ``{"thread": ...}``
(parents from the root down, then the post, then its replies depth first;
``#notFoundPost`` and ``#blockedPost`` entries hold no post and are skipped),
a JSON array of these, or JSON Lines of these or of single post views.

post_id is the at:// URI; reply links and conversation_id (the thread root)
are URIs too. ``share_count`` is ``repostCount + quoteCount``. A feed item
whose reason is a repost is rejected: it is another author's post.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from groundswell.errors import SourceError
from groundswell.ingest.base import ParseOptions, SourceFile, guarded, one_record, optional_int, parse_iso_timestamp
from groundswell.ingest.formats._json import (
    BadLine,
    each_line_a_record,
    find_undecodable,
    head_text,
    json_raw,
    read_json,
    starts_like_json,
)
from groundswell.records import PostRow, Rejected

PLATFORM = "bluesky"
POST_TYPE = "app.bsky.feed.post"
REPOST_REASON = "app.bsky.feed.defs#reasonRepost"
_SIGNATURE = re.compile(r'"\$type"\s*:\s*"app\.bsky\.|"uri"\s*:\s*"at://')
_CONTAINERS = ("feed", "posts", "thread")


class BlueskyParser:
    name = "bluesky"
    description = "Bluesky feed, search and thread responses (JSON, JSON Lines)"

    def sniff(self, head: bytes, path: Path) -> bool:
        return starts_like_json(head) and _SIGNATURE.search(head_text(head)) is not None

    def record_lines(self, source: SourceFile) -> bool:
        """Whether every line of ``source`` is a record by itself (JSON Lines), so it can be read in parts."""
        return each_line_a_record(source)

    def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        loaded = read_json(source)
        if loaded.lines is not None:
            for line, value in loaded.lines:
                if isinstance(value, BadLine):
                    yield Rejected(line, "line", value.reason, value.raw)
                    continue
                yield from guarded(line, value, partial(_line_rows, line, value))
            return
        document = loaded.document
        if not (isinstance(document, list) or _is_container(document) or _is_post_or_item(document)):
            raise SourceError(
                "not a Bluesky response: expected feed, posts or thread (app.bsky.feed.*)",
                path=source.path,
                field="(file)",
            )
        for record, (entry, post) in enumerate(_entries(document), start=1):
            yield _row(record, entry, post)


# -- walking the responses -------------------------------------------------------------


def _line_rows(line: int, value: Any) -> Iterator[PostRow | Rejected]:
    for entry, post in _entries(value):
        yield _row(line, entry, post)


def _is_container(value: Any) -> bool:
    return isinstance(value, dict) and any(key in value for key in _CONTAINERS)


def _is_post_or_item(value: Any) -> bool:
    return isinstance(value, dict) and ("post" in value or ("uri" in value and "record" in value))


def _entries(value: Any) -> Iterator[tuple[Any, Any]]:
    """(entry, post view) for each post in a response; entry is what a reject keeps."""
    if isinstance(value, list):
        # a stack, not recursion: lists may nest deeper than Python's recursion limit
        stack: list[Any] = list(reversed(value))
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            else:
                yield from _entries(item)
    elif _is_container(value):
        for item in _list(value.get("feed")):
            yield item, item.get("post") if isinstance(item, dict) else None
        for post in _list(value.get("posts")):
            yield post, post
        if isinstance(value.get("thread"), dict):
            for post in _thread_posts(value["thread"]):
                yield post, post
    elif isinstance(value, dict) and "post" in value:
        yield value, value["post"]
    else:
        yield value, value


def _thread_posts(anchor: dict[str, Any]) -> list[Any]:
    """A thread view's posts: parents root first, the anchor, then replies depth first."""
    if "post" not in anchor:
        return []  # the anchor itself was not found or is blocked
    parents: list[Any] = []
    parent = anchor.get("parent")
    while isinstance(parent, dict) and "post" in parent:
        parents.append(parent["post"])
        parent = parent.get("parent")
    posts = [*reversed(parents), anchor["post"]]
    # a stack, not recursion: reply trees can be deeper than Python's recursion limit
    stack = list(reversed(_list(anchor.get("replies"))))
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and "post" in node:
            posts.append(node["post"])
            stack.extend(reversed(_list(node.get("replies"))))
    return posts


# -- one post ------------------------------------------------------------------------------


@one_record
def _row(line: int, entry: Any, post: Any) -> PostRow | Rejected:
    raw = json_raw(entry)
    if not isinstance(post, dict):
        return Rejected(line, "post", "not a Bluesky post view (no uri and record)", raw)
    bad = find_undecodable(entry)
    if bad:
        return Rejected(line, bad[0], bad[1], raw)
    reason = entry.get("reason") if isinstance(entry, dict) and entry is not post else None
    if isinstance(reason, dict) and reason.get("$type") == REPOST_REASON:
        return Rejected(line, "reason", "a repost of another post, not a post", raw)
    uri = post.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return Rejected(line, "uri", "uri is missing or not an at:// URI", raw)
    author = post.get("author")
    did = author.get("did") if isinstance(author, dict) else None
    if not isinstance(did, str) or not did:
        return Rejected(line, "author.did", "author.did is missing", raw)
    record = post.get("record")
    if not isinstance(record, dict):
        return Rejected(line, "record", "record is missing", raw)
    if record.get("$type", POST_TYPE) != POST_TYPE:
        return Rejected(line, "record.$type", f"a {record.get('$type')!r} record, not a post ({POST_TYPE})", raw)
    created = record.get("createdAt")
    if not isinstance(created, str) or not created.strip():
        return Rejected(line, "record.createdAt", "record.createdAt is missing", raw)
    try:
        created_at = parse_iso_timestamp(created)
    except ValueError as exc:
        return Rejected(line, "record.createdAt", str(exc), raw)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejected(line, "record.text", "record.text is empty", raw)
    counts: dict[str, int | None] = {}
    for name in ("likeCount", "repostCount", "quoteCount", "replyCount"):
        try:
            counts[name] = optional_int(post.get(name))
        except ValueError as exc:
            return Rejected(line, name, str(exc), raw)
    assert isinstance(author, dict)  # noqa: S101 - an invariant (checked above), not an input check
    try:
        followers = optional_int(author.get("followersCount"))
    except ValueError as exc:
        return Rejected(line, "author.followersCount", str(exc), raw)
    handle = author.get("handle") if isinstance(author.get("handle"), str) else None
    reply = record.get("reply")
    reply = reply if isinstance(reply, dict) else {}
    langs = _list(record.get("langs"))
    profile = handle if handle and handle != "handle.invalid" else did
    return PostRow(
        line, PLATFORM, uri, did, handle, followers, None, created_at, text,
        langs[0] if langs and isinstance(langs[0], str) else None,
        _ref_uri(reply.get("parent")), _ref_uri(reply.get("root")),
        f"https://bsky.app/profile/{profile}/post/{uri.rsplit('/', 1)[-1]}",
        counts["likeCount"], _sum(counts["repostCount"], counts["quoteCount"]), counts["replyCount"], None, None,
    )  # fmt: skip


def _ref_uri(ref: Any) -> str | None:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None
