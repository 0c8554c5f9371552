"""X/Twitter: API v2 responses (JSON or JSON Lines) and a personal archive's tweets.js.

API v2: one response ``{"data": [...], "includes": {"users": [...]}, "meta": {...}}``,
a JSON array of responses, or JSON Lines where each line is a response (the
filtered stream writes ``{"data": {...}, "includes": ..., "matching_rules": ...}``)
or a bare tweet. Handles and follower counts come from ``includes.users``, the
location from ``includes.places``. ``share_count`` is ``retweet_count +
quote_count`` (a quote is a share with a comment); ``view_count`` is
``impression_count``. A long post's full text is ``note_tweet.text``.

Archive: ``window.YTD.tweets.part0 = [{"tweet": {...}}, ...]`` with v1.1 fields.
The owner comes from ``account.js`` beside it, else from the config's only
Twitter brand account, whose handle then also serves as author_id.

Text is the text the person wrote: both sources send ``&amp;``, ``&lt;`` and ``&gt;``, decoded once
(``ingest.base.decode_entities``).
Retweets are rejected: they are another author's post, not this author's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from groundswell.errors import SourceError
from groundswell.ingest.base import (
    ParseOptions,
    SourceFile,
    decode_entities,
    guarded,
    one_record,
    optional_int,
    parse_iso_timestamp,
    parse_twitter_timestamp,
)
from groundswell.ingest.formats._json import (
    BadLine,
    each_line_a_record,
    find_undecodable,
    has_key,
    head_text,
    json_raw,
    parse_document,
    read_json,
    read_text,
    starts_like_json,
)
from groundswell.records import PostRow, Rejected

PLATFORM = "twitter"
_ARCHIVE_PREFIX = re.compile(r"\A\s*window\.YTD\.tweets?\.part\d+\s*=\s*")
_ACCOUNT_PREFIX = re.compile(r"\A\s*window\.YTD\.account\.part\d+\s*=\s*")
_BLUESKY = re.compile(r'"uri"\s*:\s*"at://')
_RESPONSE_KEYS = ("data", "includes", "meta", "errors")
_RETWEET = "a retweet of another post, not a post"


@dataclass(frozen=True, slots=True)
class _Owner:
    """The author of every tweet in an archive."""

    author_id: str
    username: str


class TwitterParser:
    name = "twitter"
    description = "X/Twitter API v2 responses (JSON, JSON Lines) and archive tweets.js"

    def sniff(self, head: bytes, path: Path) -> bool:
        text = head_text(head)
        if _ARCHIVE_PREFIX.match(text):
            return True
        if not starts_like_json(head) or has_key(text, "reblogs_count", "spoiler_text") or _BLUESKY.search(text):
            return False
        return has_key(text, "edit_history_tweet_ids") or (has_key(text, "author_id") and has_key(text, "text"))

    def record_lines(self, source: SourceFile) -> bool:
        """Whether every line of ``source`` is a record by itself (JSON Lines), so it can be read in parts."""
        return not _is_archive(source) and each_line_a_record(source)

    def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        if _is_archive(source):
            yield from _parse_archive(source, options)
        else:
            yield from _parse_api(source)


def _is_archive(source: SourceFile) -> bool:
    return _ARCHIVE_PREFIX.match(head_text(source.head(4096))) is not None


# -- API v2 --------------------------------------------------------------------------


def _parse_api(source: SourceFile) -> Iterator[PostRow | Rejected]:
    loaded = read_json(source)
    if loaded.lines is not None:
        for line, value in loaded.lines:
            if isinstance(value, BadLine):
                yield Rejected(line, "line", value.reason, value.raw)
                continue
            if not _looks_like_page(value):
                yield Rejected(line, "line", "neither a tweet nor an API v2 response", json_raw(value))
                continue
            yield from guarded(line, value, partial(_page_rows, line, value))
        return
    document = loaded.document
    pages = document if isinstance(document, list) else [document]
    if pages and not any(_looks_like_page(p) for p in pages):
        raise SourceError(
            'not an X/Twitter API v2 response: expected {"data": [...]} objects or tweets',
            path=source.path,
            field="(file)",
        )
    record = 0
    for page in pages:
        if not _looks_like_page(page):
            record += 1
            yield Rejected(record, "record", "neither a tweet nor an API v2 response", json_raw(page))
            continue
        for tweet, includes in _tweets(page):
            record += 1
            yield _api_row(record, tweet, includes)


def _page_rows(line: int, page: dict[str, Any]) -> Iterator[PostRow | Rejected]:
    for tweet, includes in _tweets(page):
        yield _api_row(line, tweet, includes)


def _looks_like_page(value: Any) -> bool:
    """An API v2 response or a bare tweet."""
    return isinstance(value, dict) and (_is_response(value) or "id" in value or "text" in value)


def _is_response(value: dict[str, Any]) -> bool:
    return any(key in value for key in _RESPONSE_KEYS)


def _tweets(value: dict[str, Any]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(tweet, includes) for each tweet in a response, or the value itself when it is a tweet."""
    if not _is_response(value):
        yield value, {}
        return
    includes = value.get("includes")
    includes = includes if isinstance(includes, dict) else {}
    data = value.get("data")
    for tweet in data if isinstance(data, list) else [] if data is None else [data]:
        yield tweet, includes


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i["id"]): i for i in items if isinstance(i, dict) and "id" in i}


@one_record
def _api_row(line: int, tweet: Any, includes: dict[str, Any]) -> PostRow | Rejected:
    if not isinstance(tweet, dict):
        return Rejected(line, "data", "a tweet must be a JSON object", json_raw(tweet))
    raw = json_raw(tweet)
    bad = find_undecodable(tweet)
    if bad:
        return Rejected(line, bad[0], bad[1], raw)
    post_id = _id(tweet.get("id"))
    if post_id is None:
        return Rejected(line, "id", "id is missing", raw)
    references = tweet.get("referenced_tweets") or []
    if not isinstance(references, list):
        return Rejected(line, "referenced_tweets", "referenced_tweets must be a list", raw)
    kinds = {r.get("type"): _id(r.get("id")) for r in references if isinstance(r, dict)}
    if "retweeted" in kinds:
        return Rejected(line, "referenced_tweets", _RETWEET, raw)
    author_id = _id(tweet.get("author_id"))
    if author_id is None:
        return Rejected(line, "author_id", "author_id is missing (request it with expansions=author_id)", raw)
    created = tweet.get("created_at")
    if not isinstance(created, str) or not created.strip():
        return Rejected(line, "created_at", "created_at is missing (request it with tweet.fields=created_at)", raw)
    try:
        created_at = parse_iso_timestamp(created)
    except ValueError as exc:
        return Rejected(line, "created_at", str(exc), raw)
    note = tweet.get("note_tweet")
    text = note.get("text") if isinstance(note, dict) and note.get("text") else tweet.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejected(line, "text", "text is empty", raw)
    metrics = tweet.get("public_metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    counts: dict[str, int | None] = {}
    for name in ("like_count", "retweet_count", "quote_count", "reply_count", "impression_count"):
        try:
            counts[name] = optional_int(metrics.get(name))
        except ValueError as exc:
            return Rejected(line, f"public_metrics.{name}", str(exc), raw)
    user = _by_id(includes.get("users")).get(author_id, {})
    handle = user.get("username") if isinstance(user.get("username"), str) else None
    user_metrics = user.get("public_metrics")
    try:
        followers = optional_int(user_metrics.get("followers_count")) if isinstance(user_metrics, dict) else None
    except ValueError as exc:
        return Rejected(line, "includes.users.public_metrics.followers_count", str(exc), raw)
    return PostRow(
        line, PLATFORM, post_id, author_id, handle, followers, None, created_at, decode_entities(text),
        _text(tweet.get("lang")), kinds.get("replied_to"), _id(tweet.get("conversation_id")),
        f"https://x.com/{handle}/status/{post_id}" if handle else None,
        counts["like_count"], _sum(counts["retweet_count"], counts["quote_count"]), counts["reply_count"],
        counts["impression_count"], _place(tweet, includes),
    )  # fmt: skip


def _place(tweet: dict[str, Any], includes: dict[str, Any]) -> str | None:
    geo = tweet.get("geo")
    if not isinstance(geo, dict) or geo.get("place_id") is None:
        return None
    place = _by_id(includes.get("places")).get(str(geo["place_id"]), {})
    return _text(place.get("full_name"))


# -- archive tweets.js ---------------------------------------------------------------


def _parse_archive(source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
    owner = _archive_owner(source, options)
    text = read_text(source)
    prefix = _ARCHIVE_PREFIX.match(text)
    assert prefix is not None  # noqa: S101 - an invariant (checked by parse()), not an input check
    body = text[prefix.end() :].rstrip().removesuffix(";")
    items = parse_document(source, body, line_offset=text[: prefix.end()].count("\n"))
    if not isinstance(items, list):
        raise SourceError(
            "not an archive tweets.js: expected a list after '='", path=source.path, line=1, field="(file)"
        )
    for record, item in enumerate(items, start=1):
        # archives since 2019 wrap each tweet as {"tweet": {...}}
        tweet = item.get("tweet", item) if isinstance(item, dict) else item
        yield _archive_row(record, tweet, owner)


@one_record
def _archive_row(line: int, tweet: Any, owner: _Owner) -> PostRow | Rejected:
    if not isinstance(tweet, dict):
        return Rejected(line, "tweet", "a tweet must be a JSON object", json_raw(tweet))
    raw = json_raw(tweet)
    bad = find_undecodable(tweet)
    if bad:
        return Rejected(line, bad[0], bad[1], raw)
    post_id = _id(tweet.get("id_str", tweet.get("id")))
    if post_id is None:
        return Rejected(line, "id_str", "id_str is missing", raw)
    created = tweet.get("created_at")
    if not isinstance(created, str) or not created.strip():
        return Rejected(line, "created_at", "created_at is missing", raw)
    try:
        created_at = parse_twitter_timestamp(created)
    except ValueError as exc:
        return Rejected(line, "created_at", str(exc), raw)
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str) or not text.strip():
        return Rejected(line, "full_text", "full_text is empty", raw)
    if text.startswith("RT @"):
        return Rejected(line, "full_text", _RETWEET, raw)
    counts: dict[str, int | None] = {}
    for name in ("favorite_count", "retweet_count"):
        try:
            counts[name] = optional_int(tweet.get(name))
        except ValueError as exc:
            return Rejected(line, name, str(exc), raw)
    return PostRow(
        line, PLATFORM, post_id, owner.author_id, owner.username, None, None, created_at, decode_entities(text),
        _text(tweet.get("lang")), _id(tweet.get("in_reply_to_status_id_str", tweet.get("in_reply_to_status_id"))),
        None, f"https://x.com/{owner.username}/status/{post_id}",
        counts["favorite_count"], counts["retweet_count"], None, None, None,
    )  # fmt: skip


def _archive_owner(source: SourceFile, options: ParseOptions) -> _Owner:
    account_file = Path(source.path).with_name("account.js")
    if account_file.is_file():
        return _read_account(account_file)
    brands = [a for a in options.config.accounts if a.platform == PLATFORM]
    if len(brands) == 1:
        handle = brands[0].handle.strip().lstrip("@")
        return _Owner(author_id=handle, username=handle)
    raise SourceError(
        "tweets.js does not say whose tweets these are: put the archive's account.js beside it "
        f"(found {len(brands)} Twitter brand accounts in the config, so none can be assumed)",
        path=source.path,
        field="(file)",
    )


def _read_account(path: Path) -> _Owner:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    prefix = _ACCOUNT_PREFIX.match(text)
    if prefix is None:
        raise SourceError(
            "not an archive account.js (no 'window.YTD.account.part0 =')", path=path, line=1, field="(file)"
        )
    value = parse_document(SourceFile(path), text[prefix.end() :].rstrip().removesuffix(";"))
    account = value[0].get("account") if isinstance(value, list) and value and isinstance(value[0], dict) else None
    if not isinstance(account, dict) or _id(account.get("accountId")) is None or not account.get("username"):
        raise SourceError("account.js has no account with accountId and username", path=path, field="account")
    return _Owner(author_id=str(_id(account.get("accountId"))), username=str(account["username"]))


# -- small helpers -------------------------------------------------------------------


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    return text or None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None
