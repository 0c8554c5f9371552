"""Mastodon: statuses from the REST API, and the outbox.json of an account archive.

API: a JSON array of statuses (account statuses, timelines), a thread context
``{"ancestors": [...], "descendants": [...]}`` (with the thread's own ``status``
between them when it has one: that is how the live connector keeps a whole
thread, its root and every reply), a search result ``{"statuses": [...]}``, an
array of notifications (the status a ``mention`` carries; other kinds are
rejected: a favourite or a follow is not a post), or JSON Lines of any of these.
post_id and in_reply_to_post_id are ids as the queried server numbers them. ``acct`` is relative to that server (``user`` for its own accounts,
``user@host`` for others), so the server's host is added to local accounts:
handles then read ``user@host`` as they do in an archive.

Archive: an ActivityStreams ``OrderedCollection`` whose ``Create`` activities
carry the posts (``Note``); ids, reply links and conversations are URIs there.

HTML content becomes plain text: paragraphs apart by a blank line, ``<br>`` a
newline, links and mentions as their text. A content warning goes before the
text, a blank line between. Boosts (``reblog``, ``Announce``) are rejected: they
are another author's post.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from groundswell.errors import SourceError
from groundswell.ingest.base import ParseOptions, SourceFile, guarded, one_record, optional_int, parse_iso_timestamp
from groundswell.ingest.formats._json import (
    BadLine,
    each_line_a_record,
    find_undecodable,
    has_key,
    head_text,
    json_raw,
    read_json,
    starts_like_json,
)
from groundswell.records import PostRow, Rejected

PLATFORM = "mastodon"
_POST_TYPES = ("Note", "Question", "Article")
# notifications that carry someone's post about the account; the rest (favourite, reblog, follow...) do not
_POST_NOTIFICATIONS = ("mention", "status", "quote")
_BOOST = "a boost of another post, not a post"


class MastodonParser:
    name = "mastodon"
    description = "Mastodon API statuses and contexts (JSON, JSON Lines) and archive outbox.json"

    def sniff(self, head: bytes, path: Path) -> bool:
        if not starts_like_json(head):
            return False
        text = head_text(head)
        if has_key(text, "reblogs_count", "spoiler_text", "in_reply_to_account_id"):
            return True
        if has_key(text, "ancestors") and has_key(text, "descendants"):
            return True
        return "activitystreams" in text and has_key(text, "orderedItems")

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
        if isinstance(document, dict) and isinstance(document.get("orderedItems"), list):
            for record, activity in enumerate(document["orderedItems"], start=1):
                yield _activity_row(record, activity)
            return
        if (
            isinstance(document, dict)
            and "orderedItems" not in document
            and document.get("type")
            in (
                "OrderedCollection",
                "OrderedCollectionPage",
            )
        ):
            raise SourceError(
                "an ActivityPub collection without orderedItems (a paged outbox: save its pages instead)",
                path=source.path,
                field="orderedItems",
            )
        if not (isinstance(document, list) or _is_context(document) or _is_search(document) or _is_status(document)):
            raise SourceError(
                "not Mastodon statuses: expected a JSON array of statuses or notifications, a context, "
                "a search result or an outbox",
                path=source.path,
                field="(file)",
            )
        for record, status in enumerate(_statuses(document), start=1):
            yield _status_row(record, status)


# -- API statuses ----------------------------------------------------------------------


def _line_rows(line: int, value: Any) -> Iterator[PostRow | Rejected]:
    for status in _statuses(value):
        yield _status_row(line, status)


def _is_context(value: Any) -> bool:
    return isinstance(value, dict) and "ancestors" in value and "descendants" in value


def _is_search(value: Any) -> bool:
    """A search result (``/api/v2/search``): statuses beside accounts and hashtags."""
    return isinstance(value, dict) and isinstance(value.get("statuses"), list) and not _is_status(value)


def _is_notification(value: Any) -> bool:
    """A notification: it has a ``type``, which a status never has, and no content of its own."""
    return isinstance(value, dict) and isinstance(value.get("type"), str) and "content" not in value


def _is_status(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and ("content" in value or "account" in value)


def _statuses(value: Any) -> list[Any]:
    """The statuses in an API value: an array, a context (ancestors, the thread's status if given, then
    descendants), a search result, or one status."""
    if isinstance(value, list):
        return value
    if _is_context(value):
        focal = value.get("status")
        return [*_list(value.get("ancestors")), *([focal] if isinstance(focal, dict) else []),
                *_list(value.get("descendants"))]  # fmt: skip
    if _is_search(value):
        return _list(value.get("statuses"))
    return [value]


@one_record
def _status_row(line: int, status: Any) -> PostRow | Rejected:
    if _is_notification(status):
        kind = status["type"]
        if kind not in _POST_NOTIFICATIONS:
            return Rejected(line, "type", f"a {kind} notification, not a post", json_raw(status))
        if not isinstance(status.get("status"), dict):
            return Rejected(line, "status", f"a {kind} notification without its status", json_raw(status))
        return _status_row(line, status["status"])
    if not _is_status(status):
        return Rejected(line, "record", "not a Mastodon status (no id, content or account)", json_raw(status))
    raw = json_raw(status)
    bad = find_undecodable(status)
    if bad:
        return Rejected(line, bad[0], bad[1], raw)
    post_id = _id(status.get("id"))
    if post_id is None:
        return Rejected(line, "id", "id is missing", raw)
    if status.get("reblog") is not None:
        return Rejected(line, "reblog", _BOOST, raw)
    account = status.get("account")
    if not isinstance(account, dict) or _id(account.get("id")) is None:
        return Rejected(line, "account.id", "account.id is missing", raw)
    created = status.get("created_at")
    if not isinstance(created, str) or not created.strip():
        return Rejected(line, "created_at", "created_at is missing", raw)
    try:
        created_at = parse_iso_timestamp(created)
    except ValueError as exc:
        return Rejected(line, "created_at", str(exc), raw)
    text = _with_warning(status.get("spoiler_text"), html_to_text(status.get("content")))
    if not text:
        return Rejected(line, "content", "content is empty", raw)
    counts: dict[str, int | None] = {}
    for name in ("favourites_count", "reblogs_count", "replies_count"):
        try:
            counts[name] = optional_int(status.get(name))
        except ValueError as exc:
            return Rejected(line, name, str(exc), raw)
    try:
        followers = optional_int(account.get("followers_count"))
    except ValueError as exc:
        return Rejected(line, "account.followers_count", str(exc), raw)
    return PostRow(
        line, PLATFORM, post_id, str(_id(account.get("id"))), full_acct(account), followers, None, created_at,
        text, _text(status.get("language")), _id(status.get("in_reply_to_id")), None,
        _text(status.get("url")) or _text(status.get("uri")),
        counts["favourites_count"], counts["reblogs_count"], counts["replies_count"], None, None,
    )  # fmt: skip


def full_acct(account: dict[str, Any]) -> str | None:
    """An API account's handle as ``user@host`` (the live connector names the brand account the same way)."""
    acct = _text(account.get("acct")) or _text(account.get("username"))
    if acct is None or "@" in acct:
        return acct
    host = urlsplit(_text(account.get("url")) or "").hostname
    return f"{acct}@{host}" if host else acct


# -- archive outbox ----------------------------------------------------------------------


@one_record
def _activity_row(line: int, activity: Any) -> PostRow | Rejected:
    if not isinstance(activity, dict):
        return Rejected(line, "record", "an activity must be a JSON object", json_raw(activity))
    raw = json_raw(activity)
    bad = find_undecodable(activity)
    if bad:
        return Rejected(line, bad[0], bad[1], raw)
    kind = activity.get("type")
    if kind == "Announce":
        return Rejected(line, "type", _BOOST, raw)
    note = activity.get("object")
    if kind != "Create":
        return Rejected(line, "type", f"a {kind or 'typeless'} activity, not a post (Create)", raw)
    if isinstance(note, str):
        return Rejected(line, "object", "the post is not in the file, only its address", raw)
    if not isinstance(note, dict) or note.get("type") not in _POST_TYPES:
        found = note.get("type") if isinstance(note, dict) else type(note).__name__
        return Rejected(line, "object.type", f"a Create of {found!r}, not of a post ({', '.join(_POST_TYPES)})", raw)
    post_id = _uri(note.get("id"))
    if post_id is None:
        return Rejected(line, "object.id", "object.id is missing", raw)
    actor = _uri(activity.get("actor")) or _uri(note.get("attributedTo"))
    if actor is None:
        return Rejected(line, "actor", "actor is missing", raw)
    created = note.get("published") or activity.get("published")
    if not isinstance(created, str) or not created.strip():
        return Rejected(line, "object.published", "object.published is missing", raw)
    try:
        created_at = parse_iso_timestamp(created)
    except ValueError as exc:
        return Rejected(line, "object.published", str(exc), raw)
    content_map = note.get("contentMap")
    content_map = content_map if isinstance(content_map, dict) else {}
    content = note.get("content") or next(iter(content_map.values()), None)
    text = _with_warning(note.get("summary"), html_to_text(content))
    if not text:
        return Rejected(line, "object.content", "object.content is empty", raw)
    return PostRow(
        line, PLATFORM, post_id, actor, handle_from_actor(actor), None, None, created_at, text,
        next(iter(content_map), None), _uri(note.get("inReplyTo")), _text(note.get("conversation")),
        _uri(note.get("url")) or post_id, None, None, None, None, None,
    )  # fmt: skip


def handle_from_actor(actor: str) -> str | None:
    """``https://host/users/name`` or ``https://host/@name`` as ``name@host``."""
    parts = urlsplit(actor)
    segments = [s for s in parts.path.split("/") if s]
    if not parts.hostname or not segments:
        return None
    return f"{segments[-1].lstrip('@')}@{parts.hostname}"


# -- text ----------------------------------------------------------------------------------


def html_to_text(content: Any) -> str:
    """Mastodon's HTML as plain text: ``<p>`` apart by a blank line, ``<br>`` a newline."""
    if not isinstance(content, str):
        return ""
    if "<" not in content and "&" not in content:
        return content.strip()
    soup = BeautifulSoup(content, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    paragraphs = soup.find_all("p")
    for paragraph in paragraphs[:-1]:
        paragraph.insert_after("\n\n")
    return soup.get_text().strip()


def _with_warning(warning: Any, text: str) -> str:
    warning = warning.strip() if isinstance(warning, str) else ""
    return f"{warning}\n\n{text}" if warning and text else text


# -- small helpers ---------------------------------------------------------------------------


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _uri(value: Any) -> str | None:
    """An ActivityPub reference: a URI, or an object or link carrying one."""
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    elif isinstance(value, list) and value:
        return _uri(value[0])
    return value.strip() or None if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
