"""Bluesky: a brand account read and answered through the AT Protocol (the ``atproto`` client).

What one sync fetches, each stream newer than its own cursor (or ``since``, or the last few days):

- ``own``: the account's posts and replies (``app.bsky.feed.getAuthorFeed``);
- ``mentions``: posts that mention, reply to or quote it (``app.bsky.notification.listNotifications``),
  hydrated with ``app.bsky.feed.getPosts``;
- ``thread``: the whole thread (``app.bsky.feed.getPostThread`` of the root) of each new mention and of each
  new reply the brand wrote, so the customer's opening post and other customers' replies come too;
- ``search``: ``app.bsky.feed.searchPosts`` for each campaign hashtag and keyword.

After them, ``engagement`` reads again the likes, reposts and replies of the recent posts a sync imported
(``app.bsky.feed.getPosts``), which the sync keeps beside the posts (``store.engagement``).

Pages are the API's JSON as returned (feed items trimmed to the new ones), which the ``bluesky`` file
importer reads exactly as it reads a saved response. Each stream is paged newest-first by the API, so its
new pages are gathered first and then yielded oldest-first: the cursor a page carries never covers a post
that a later page brings, and a sync interrupted after any page resumes without a gap.
"""

from __future__ import annotations

import copy
import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.request import Request

from groundswell.connect.base import AccountRef, ConnectorError, Cursor, FetchOptions, Page, SentPost, tid
from groundswell.ingest.base import parse_iso_timestamp
from groundswell.store.engagement import EngagementCount

T = TypeVar("T")

PLATFORM = "bluesky"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
POST_COLLECTION = "app.bsky.feed.post"
MENTION_REASONS = frozenset({"mention", "reply", "quote"})
DEFAULT_LOOKBACK = timedelta(days=7)
PAGE_LIMIT = 100  # the most the feed, notification and search endpoints return per page
GET_POSTS_LIMIT = 25  # app.bsky.feed.getPosts takes at most 25 URIs
THREAD_DEPTH = 1000  # replies below the root; the AppView caps what it returns
MAX_BACKOFF = 60.0
MAX_RATE_LIMIT_WAIT = 900.0  # a longer reset (the daily write budget) is reported, not slept through
_AUTH_ERRORS = frozenset(
    {"AuthenticationRequired", "AccountTakedown", "InvalidToken", "ExpiredToken", "AuthFactorTokenRequired"}
)
_NOT_FOUND_ERRORS = frozenset({"NotFound", "RecordNotFound", "ProfileNotFound"})


class BlueskyConnector:
    """One Bluesky account: ``account.server`` is its PDS or the service (``https://bsky.social``);
    ``secret`` is an app password. ``sleep`` is what waits between retries (tests pass a recorder)."""

    platform = PLATFORM

    def __init__(
        self,
        account: AccountRef,
        secret: str,
        *,
        timeout: float = 30,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        lookback: timedelta = DEFAULT_LOOKBACK,
    ):
        self.account = account
        self._secret = secret
        self._max_retries = max_retries
        self._sleep = sleep
        self._lookback = lookback
        self._client = Client(base_url=account.server, request=Request(timeout=timeout))
        self._did: str | None = None
        self._handle: str | None = None

    # -- the Connector protocol ---------------------------------------------------------------

    def verify(self) -> str:
        self._login()
        assert self._handle is not None  # noqa: S101 - an invariant (set by _login), not an input check
        return self._handle

    def fetch(self, cursor: Cursor, options: FetchOptions) -> Iterator[Page]:
        self._login()
        state = copy.deepcopy(cursor)
        now = datetime.now(UTC)
        threads_done: set[str] = set()  # roots fetched in this sync: one getPostThread per thread
        yield from self._own(state, options, now, threads_done)
        yield from self._mentions(state, options, now, threads_done)
        for term in _search_terms(options):
            yield from self._search(state, term, options, now)

    def reply(self, platform_post_id: str, text: str, *, idempotency_key: str) -> SentPost:
        """Answer the post ``platform_post_id`` (an at:// URI) in its thread, once per ``idempotency_key``.

        The reply's record key is the key itself (``record_key``): an attempt first asks the account's repo for
        that record and answers with it when a previous attempt made it, and ``createRecord`` with that key
        cannot make a second one. The creating request is not retried here: a timeout, a dropped connection or
        a 5xx raises ``ConnectorError`` with ``unconfirmed``, for the caller to retry with the same key.
        """
        self._login()
        assert self._did is not None and self._handle is not None  # noqa: S101 - an invariant (set by _login), not an input check
        rkey = record_key(idempotency_key)
        made = self._own_post(rkey)
        if made is not None:
            return made
        found = self._call(lambda: self._client.app.bsky.feed.get_posts({"uris": [platform_post_id]}))
        if not found.posts:
            raise ConnectorError(f"no Bluesky post {platform_post_id}", kind="not_found", status=None)
        parent = found.posts[0]
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
        # a reply names its thread's root as well as its parent; a top-level post is its own root
        parent_reply = getattr(parent.record, "reply", None)
        root_ref = parent_reply.root if parent_reply is not None else parent_ref
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=self._client.get_current_time_iso(),
            reply=models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref),
            facets=self._facets(text),
        )
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self._did or "", collection=POST_COLLECTION, record=record, rkey=rkey
        )
        try:
            created = self._call(lambda: self._client.com.atproto.repo.create_record(data), retries=0)
        except ConnectorError as exc:
            if exc.kind == "bad_request":  # the record key is taken: an earlier attempt made the reply meanwhile
                made = self._own_post(rkey)
                if made is not None:
                    return made
            exc.unconfirmed = exc.kind in ("network", "server")
            raise
        return self._sent(created.uri, created.cid, _dump(record))

    def _own_post(self, rkey: str) -> SentPost | None:
        """The account's post with record key ``rkey``, if there is one."""
        params = {"repo": self._did or "", "collection": POST_COLLECTION, "rkey": rkey}
        try:
            found = self._call(lambda: self._client.com.atproto.repo.get_record(params))
        except ConnectorError as exc:
            if exc.kind == "not_found" or (exc.kind == "bad_request" and "RecordNotFound" in str(exc)):
                return None
            raise
        value = found.value
        record = _dump(value) if hasattr(value, "model_dump") else dict(value)
        return self._sent(found.uri, found.cid or "", record)

    def _sent(self, uri: str, cid: str, record: dict[str, Any]) -> SentPost:
        # the AppView indexes the new post a moment later: the page is its post view built from what the
        # PDS accepted, which a later sync's own feed then brings again with its counts
        view = {
            "$type": "app.bsky.feed.defs#postView",
            "uri": uri,
            "cid": cid,
            "author": {"did": self._did, "handle": self._handle},
            "record": record,
            "indexedAt": record.get("createdAt"),
        }
        url = f"https://bsky.app/profile/{self._handle}/post/{uri.rsplit('/', 1)[-1]}"
        return SentPost(uri, url, Page("sent", {"posts": [view]}))

    # -- streams ---------------------------------------------------------------------------------

    def _own(self, state: Cursor, options: FetchOptions, now: datetime, threads_done: set[str]) -> Iterator[Page]:
        actor = self._did or self.account.handle

        def page(api_cursor: str | None) -> dict[str, Any]:
            params = {"actor": actor, "filter": "posts_with_replies", "limit": PAGE_LIMIT, "cursor": api_cursor}
            return _dump(self._call(lambda: self._client.app.bsky.feed.get_author_feed(params)))

        stream = _Stream(state, "own", options.since, now - self._lookback)
        for payload, items in stream.collect(page, "feed", _feed_item_key):
            posts = [item["post"] for item in items if isinstance(item.get("post"), dict)]
            own_replies = [p for p in posts if _author_did(p) == self._did]
            pages = [*self._threads(_roots(own_replies, replies_only=True), threads_done), Page("own", payload)]
            yield from stream.advance(pages, items)

    def _mentions(self, state: Cursor, options: FetchOptions, now: datetime, threads_done: set[str]) -> Iterator[Page]:
        def page(api_cursor: str | None) -> dict[str, Any]:
            params = {"limit": PAGE_LIMIT, "cursor": api_cursor}
            return _dump(self._call(lambda: self._client.app.bsky.notification.list_notifications(params)))

        stream = _Stream(state, "mentions", options.since, now - self._lookback)
        notes = [n for _, items in stream.collect(page, "notifications", _indexed_at) for n in items]
        for chunk in _chunks(notes, GET_POSTS_LIMIT):
            mentions = [
                n for n in chunk if n.get("reason") in MENTION_REASONS and n.get("author", {}).get("did") != self._did
            ]
            pages = list(self._threads(_roots(mentions, replies_only=False), threads_done))
            covered = {uri for p in pages for uri in _thread_uris(p.payload)}
            missing = list(dict.fromkeys(n["uri"] for n in mentions if n["uri"] not in covered))
            if missing or not pages:
                # mentions deeper than the thread view reaches, or whose root is gone; an empty page still
                # carries the cursor past notifications that were likes and follows
                found = self._get_posts(missing) if missing else None
                pages.append(Page("mentions", _dump(found) if found is not None else {"posts": []}))
            yield from stream.advance(pages, chunk)

    def _search(self, state: Cursor, term: str, options: FetchOptions, now: datetime) -> Iterator[Page]:
        def page(api_cursor: str | None) -> dict[str, Any]:
            params = {"q": term, "sort": "latest", "limit": PAGE_LIMIT, "cursor": api_cursor}
            return _dump(self._call(lambda: self._client.app.bsky.feed.search_posts(params)))

        stream = _Stream(state.setdefault("search", {}), term, options.since, now - self._lookback, top=state)
        for payload, items in stream.collect(page, "posts", _indexed_at):
            yield from stream.advance([Page("search", payload)], items)

    def _threads(self, roots: Iterable[str], done: set[str]) -> Iterator[Page]:
        for root in roots:
            if root in done:
                continue
            done.add(root)
            try:
                thread = self._get_thread(root)
            except ConnectorError as exc:
                if exc.kind == "not_found":  # the root was deleted: its replies still come as mentions
                    continue
                raise
            yield Page("thread", _dump(thread))

    def engagement(self, post_ids: Sequence[str]) -> list[EngagementCount]:
        """The likes, reposts (quotes counted with them, as a share) and replies of these posts (AT URIs) now,
        ``GET_POSTS_LIMIT`` a request; a post gone from the AppView is left out."""
        counts: list[EngagementCount] = []
        for start in range(0, len(post_ids), GET_POSTS_LIMIT):
            batch = list(post_ids[start : start + GET_POSTS_LIMIT])
            found = _dump(self._get_posts(batch)).get("posts") or []
            for post in found:
                if not isinstance(post, dict) or post.get("uri") not in batch:
                    continue
                shares = [n for n in (_count(post.get("repostCount")), _count(post.get("quoteCount"))) if n is not None]
                likes, replies = _count(post.get("likeCount")), _count(post.get("replyCount"))
                counts.append(EngagementCount(str(post["uri"]), likes, sum(shares) if shares else None, replies))
        return counts

    def _get_thread(self, root: str) -> Any:
        params = {"uri": root, "depth": THREAD_DEPTH, "parent_height": 0}
        return self._call(lambda: self._client.app.bsky.feed.get_post_thread(params))

    def _get_posts(self, uris: list[str]) -> Any:
        return self._call(lambda: self._client.app.bsky.feed.get_posts({"uris": uris}))

    # -- requests --------------------------------------------------------------------------------

    def _login(self) -> None:
        if self._did is not None:
            return
        # no profile lookup: that is the AppView's, which may not know a brand-new account yet
        self._call(lambda: self._client.login(self.account.handle, self._secret, fetch_bsky_profile=False))
        session = self._call(lambda: self._client.com.atproto.server.get_session())
        self._did, self._handle = session.did, session.handle

    def _facets(self, text: str) -> list[Any] | None:
        try:
            facets = self._client.detect_facets(text)
        except AtProtocolError:
            return None  # links and mentions stay plain text rather than fail the reply
        return list(facets) or None

    def _call(self, request: Callable[[], T], *, retries: int | None = None) -> T:
        """One API request, retried on 429 (waiting as the rate-limit headers say), 5xx and network errors, at
        most ``retries`` times (default ``max_retries``)."""
        retries = self._max_retries if retries is None else retries
        attempt = 0
        while True:
            try:
                return request()
            except RateLimitExceededError as exc:
                wait = _rate_limit_wait(exc, attempt)
                if attempt >= retries or wait > MAX_RATE_LIMIT_WAIT:
                    raise ConnectorError(_message("rate limited", exc), kind="rate_limited", status=429) from exc
            except UnauthorizedError as exc:
                raise ConnectorError(
                    _message("refused the app password or token", exc), kind="auth", status=_status(exc)
                ) from exc
            except BadRequestError as exc:
                raise _classify_4xx(exc) from exc
            except (NetworkError, RequestException) as exc:
                status = _status(exc)
                if status is not None and status < 500 and status not in (409,):
                    raise _classify_4xx(exc) from exc
                kind = "network" if status is None else "server"
                if attempt >= retries:
                    raise ConnectorError(_message("failed", exc), kind=kind, status=status) from exc
                wait = _backoff(attempt)
            except httpx.TransportError as exc:  # the ones atproto does not wrap (e.g. a dropped connection)
                if attempt >= retries:
                    raise ConnectorError(f"Bluesky request failed: {exc}", kind="network") from exc
                wait = _backoff(attempt)
            self._sleep(wait)
            attempt += 1


class _Stream:
    """One stream's resume point inside the connector cursor: the newest ``indexedAt`` imported and the
    URIs at exactly that instant (so a post sharing the newest timestamp is neither skipped nor repeated)."""

    def __init__(
        self, holder: Cursor, name: str, since: datetime | None, default_floor: datetime, top: Cursor | None = None
    ):
        self._holder = holder
        self._name = name
        self._top = top if top is not None else holder  # the whole cursor, which each page carries
        stored = holder.get(name) or {}
        self._newest: str | None = stored.get("newest")
        self._seen: set[str] = set(stored.get("uris", []))
        if since is not None:
            self._floor, self._floor_seen = since.astimezone(UTC), set[str]()
        elif self._newest is not None:
            self._floor, self._floor_seen = _at(self._newest), self._seen
        else:
            self._floor, self._floor_seen = default_floor, set()

    def _is_new(self, key: tuple[str, str]) -> bool:
        at = _at(key[0])
        return at > self._floor or (at == self._floor and key[1] not in self._floor_seen)

    def collect(
        self,
        fetch: Callable[[str | None], dict[str, Any]],
        items_key: str,
        key: Callable[[dict[str, Any]], tuple[str, str]],
    ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """The new part of each API page, oldest page first, paging back until the floor is reached."""
        pages: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        api_cursor: str | None = None
        while True:
            payload = fetch(api_cursor)
            items = [i for i in payload.get(items_key, []) if isinstance(i, dict)]
            new = [i for i in items if _has_key(i, key) and self._is_new(key(i))]
            if new:
                trimmed = {k: v for k, v in payload.items() if k != "cursor"}
                trimmed[items_key] = new
                pages.append((trimmed, new))
            api_cursor = payload.get("cursor")
            reached_floor = any(_has_key(i, key) and not self._is_new(key(i)) for i in items)
            if not items or not api_cursor or reached_floor:
                break
        pages.reverse()
        self._key = key
        return pages

    def advance(self, pages: list[Page], items: list[dict[str, Any]]) -> Iterator[Page]:
        """Yield ``pages``, the last one carrying the cursor moved past ``items``."""
        for key in (self._key(i) for i in items if _has_key(i, self._key)):
            if self._newest is None or _at(key[0]) > _at(self._newest):
                self._newest, self._seen = key[0], {key[1]}
            elif _at(key[0]) == _at(self._newest):
                self._seen.add(key[1])
        self._holder[self._name] = {"newest": self._newest, "uris": sorted(self._seen)}
        yield from pages[:-1]
        if pages:
            yield Page(pages[-1].kind, pages[-1].payload, copy.deepcopy(self._top))


def record_key(idempotency_key: str) -> str:
    """The reply's record key for ``idempotency_key``: the key itself when it is a TID (as
    ``connect.new_idempotency_key`` makes them), else a TID made from its SHA-256 (the same key, the same TID)."""
    if TID_PATTERN.match(idempotency_key):
        return idempotency_key
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    return tid(digest >> 1)  # 63 bits: a TID's first bit is 0


# -- JSON helpers -------------------------------------------------------------------------------


def _dump(model: Any) -> dict[str, Any]:
    """A response model back to the API's JSON (camelCase, ``$type``, absent fields left out)."""
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def _at(value: str) -> datetime:
    """An API timestamp as an aware UTC datetime (the importer's parser answers naive UTC)."""
    return parse_iso_timestamp(value).replace(tzinfo=UTC)


def _indexed_at(item: dict[str, Any]) -> tuple[str, str]:
    return item["indexedAt"], item["uri"]


def _feed_item_key(item: dict[str, Any]) -> tuple[str, str]:
    # a repost sorts by when it was reposted, not when the post was written
    reason = item.get("reason")
    post = item["post"]
    if isinstance(reason, dict) and isinstance(reason.get("indexedAt"), str):
        return reason["indexedAt"], f"{post['uri']}#repost"
    return post["indexedAt"], post["uri"]


def _has_key(item: dict[str, Any], key: Callable[[dict[str, Any]], tuple[str, str]]) -> bool:
    try:
        at, _ = key(item)
        _at(at)
    except (KeyError, TypeError, ValueError):
        return False
    return True


def _author_did(post: dict[str, Any]) -> str | None:
    author = post.get("author")
    return author.get("did") if isinstance(author, dict) else None


def _roots(posts: Iterable[dict[str, Any]], *, replies_only: bool) -> list[str]:
    """The thread roots of posts (post views or notifications), in order, once each."""
    roots: list[str] = []
    for post in posts:
        reply = post.get("record", {}).get("reply") if isinstance(post.get("record"), dict) else None
        root = reply.get("root", {}).get("uri") if isinstance(reply, dict) else None
        if root is None and not replies_only:
            root = post.get("uri")
        if isinstance(root, str) and root not in roots:
            roots.append(root)
    return roots


def _thread_uris(payload: Any) -> Iterator[str]:
    stack = [payload.get("thread")] if isinstance(payload, dict) else []
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        post = node.get("post")
        if isinstance(post, dict) and isinstance(post.get("uri"), str):
            yield post["uri"]
        stack.append(node.get("parent"))
        stack.extend(node.get("replies") or [])


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _search_terms(options: FetchOptions) -> list[str]:
    tags = [tag if tag.startswith("#") else f"#{tag}" for tag in options.hashtags]
    return list(dict.fromkeys([*tags, *options.keywords]))


# -- errors -------------------------------------------------------------------------------------


def _status(exc: RequestErrorBase) -> int | None:
    return exc.response.status_code if exc.response is not None else None


def _error_name(exc: RequestErrorBase) -> str | None:
    content = exc.response.content if exc.response is not None else None
    return content.error if isinstance(content, XrpcError) else None


def _message(what: str, exc: RequestErrorBase) -> str:
    return f"Bluesky {what}: {exc}" if str(exc) else f"Bluesky {what}"


def _classify_4xx(exc: RequestErrorBase) -> ConnectorError:
    status, name = _status(exc), _error_name(exc)
    if name in _AUTH_ERRORS:
        return ConnectorError(_message("refused the app password or token", exc), kind="auth", status=status)
    if status == 404 or name in _NOT_FOUND_ERRORS:
        return ConnectorError(_message("found nothing", exc), kind="not_found", status=status)
    return ConnectorError(_message("rejected the request", exc), kind="bad_request", status=status)


def _backoff(attempt: int) -> float:
    return float(min(2**attempt, MAX_BACKOFF))


def _rate_limit_wait(exc: RateLimitExceededError, attempt: int) -> float:
    """Seconds to wait after a 429: Retry-After, else until ratelimit-reset, else exponential backoff."""
    retry_after: float | None = exc.retry_after
    if retry_after is not None:
        return retry_after
    reset_at: datetime | None = exc.reset_at
    if reset_at is not None:
        return max((reset_at - datetime.now(UTC)).total_seconds(), 0.0)
    return _backoff(attempt)


def _count(value: Any) -> int | None:
    """A count the AppView gave (an int, never a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
