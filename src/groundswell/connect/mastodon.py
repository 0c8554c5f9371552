"""Mastodon: a brand account's posts, its mentions, their threads and the campaign searches, through Mastodon.py.

What a sync asks the instance, one stream each (``docs/mastodon.md`` lists the token scopes they need):

- ``mentions``: ``GET /api/v1/notifications?types[]=mention``;
- ``own``: ``GET /api/v1/accounts/:id/statuses`` (the account's posts and replies; its boosts are left out);
- ``thread``: ``GET /api/v1/statuses/:id/context`` for each new mention and each of the brand's new replies,
  asked at the thread's root so the page holds the whole conversation (every reply; a post nobody answered
  has no thread page);
- ``tag:NAME``: ``GET /api/v1/timelines/tag/:name`` for each campaign hashtag;
- ``search:WORDS``: ``GET /api/v2/search?type=statuses`` for each campaign keyword.

After them, ``engagement`` reads again the counts of the recent statuses a sync imported (``GET
/api/v1/statuses?id[]=...``), so a post that gains likes after its import is seen to (``connect.sync``).

A page's payload is the response body as the instance sent it (kept from the HTTP response before Mastodon.py
turns it into Python objects), so the ``mastodon`` file importer reads a synced page exactly as it reads a
saved API response. Two payloads differ from one response: a thread found from a reply is the root's context
with the root itself added under ``status`` (the context of a status leaves the status out), and a search page
keeps only the statuses the stream has not seen yet.

The cursor is the newest id seen per stream. A stream with a cursor pages forward from it (``min_id``),
oldest first, and moves its cursor with each page. A stream without one (the first sync, a campaign just
added) or a sync with ``since`` pages backward (``max_id``) down to ``since`` (default: the last
``FIRST_SYNC_DAYS`` days); its cursor moves only once that is done. The threads a page leads to are fetched
before that page's cursor moves. So an interrupted sync never skips a post: at worst it fetches some again,
and the importer counts those as duplicates.

Failures: a refused token (401, 403) stops at once (``ConnectorError`` kind ``auth``); 429 waits as long as
``Retry-After`` or ``X-RateLimit-Reset`` say (and a response whose ``X-RateLimit-Remaining`` is 0 waits for
the reset before the next request); 5xx and network errors are retried with exponential backoff; after
``max_retries`` the error is raised with kind ``rate_limited``, ``server`` or ``network``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from groundswell.connect.base import AccountRef, ConnectorError, Cursor, FetchOptions, Page, SentPost
from groundswell.ingest.base import parse_iso_timestamp
from groundswell.ingest.formats.mastodon import full_acct
from groundswell.store.engagement import EngagementCount

PAGE_SIZE = 40
"""Statuses per request: the most Mastodon returns for timelines and search."""
FIRST_SYNC_DAYS = 7
"""How far back a stream with no cursor goes when no ``since`` is given."""
ENGAGEMENT_BATCH = 20
"""Statuses per request when their counts are read again (the most ``GET /api/v1/statuses`` takes)."""
MAX_SEARCH_PAGES = 25
"""A keyword search stops after this many pages (1,000 statuses) in one sync."""
MAX_WAIT = 300.0
"""The longest single wait for a rate-limit window (Mastodon's windows are 5 minutes)."""
SEND_RETRIES = 2
"""A reply answered 5xx is sent again (same idempotency key) at most this many times, then left unconfirmed."""
BACKOFF_BASE = 1.0
"""The first retry waits this long (seconds); each next one twice as long."""
USER_AGENT = "groundswell (Mastodon.py)"

Json = Any


class MastodonConnector:
    """One connected Mastodon account: ``verify``, ``fetch`` and ``reply`` (see the module docstring)."""

    platform = "mastodon"

    def __init__(
        self,
        account: AccountRef,
        secret: str,
        *,
        timeout: float = 30,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
    ):
        self.account = account
        self.max_retries = max_retries
        self.page_size = page_size
        self._sleep = sleep
        self.requests_sent = 0  # HTTP requests made, retries included (for reports and benchmarks)
        self._last: requests.Response | None = None
        self._resume_at: float | None = None  # epoch seconds the rate-limit window reopens, when it is used up
        self._me: dict[str, Any] | None = None
        self._in_threads: set[str] = set()
        session = requests.Session()
        # the body of every response, kept before Mastodon.py turns it into objects: pages are the API's JSON
        session.hooks["response"].append(self._remember)
        self._api = Mastodon(
            access_token=secret,
            api_base_url=account.server,
            ratelimit_method="throw",  # waits are ours: injectable, bounded, and honouring Retry-After
            request_timeout=timeout,
            session=session,
            user_agent=USER_AGENT,
        )

    # -- the protocol ----------------------------------------------------------------------

    def verify(self) -> str:
        """The account the token opens, as ``user@host`` (how the importer writes its handle)."""
        me = self._call("the token's account", self._api.account_verify_credentials)
        handle = full_acct(me) if isinstance(me, dict) else None
        if handle is None:
            raise ConnectorError(f"{self.account.server} did not say whose account the token opens", kind="server")
        expected = self.account.handle.lstrip("@").lower()
        if expected and expected not in (handle.lower(), handle.split("@")[0].lower()):
            raise ConnectorError(
                f"the access token opens {handle}, not {self.account.handle}: connect that account again",
                kind="auth",
            )
        self._me = me
        return handle

    def fetch(self, cursor: Cursor, options: FetchOptions) -> Iterator[Page]:
        if self._me is None:
            self.verify()
        assert self._me is not None  # noqa: S101 - an invariant (set by verify), not an input check
        state: Cursor = dict(cursor)
        self._in_threads = set()
        since = _naive_utc(options.since) if options.since is not None else None
        first_sync = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=FIRST_SYNC_DAYS)
        me_id = str(self._me["id"])

        def own(**page: Any) -> Any:
            return self._call("the account's posts", self._api.account_statuses, id=me_id, exclude_reblogs=True, **page)

        def mentions(**page: Any) -> Any:
            return self._call("the account's mentions", self._api.notifications, types=["mention"], **page)

        # mentions first: the threads of the people who wrote in hold most of the brand's replies, which then
        # need no request of their own
        yield from self._stream(state, "mentions", "mentions", mentions, _mentioned, since, first_sync)
        yield from self._stream(state, "own", "own", own, _replies, since, first_sync)
        for tag in _unique(t.lstrip("#") for t in options.hashtags):

            def tagged(tag: str = tag, **page: Any) -> Any:
                return self._call(f"#{tag}", self._api.timeline_hashtag, hashtag=tag, **page)

            yield from self._stream(state, f"tag:{tag.lower()}", "hashtag", tagged, None, since, first_sync)
        for words in _unique(options.keywords):
            yield from self._search(state, words, since, first_sync)

    def reply(self, platform_post_id: str, text: str, *, idempotency_key: str) -> SentPost:
        """Answer the status ``platform_post_id`` in its thread, mentioning its author, at its visibility.

        ``idempotency_key`` goes as the ``Idempotency-Key`` header, which Mastodon keeps for an hour: the same
        key sent again answers with the status it already made. So a 5xx is retried here (at most
        ``SEND_RETRIES`` times), and a timeout or a dropped connection, which may leave the first request still
        posting, is not: it raises ``ConnectorError`` with ``unconfirmed`` for the caller to settle.
        """
        if self._me is None:
            self.verify()  # a refused token is found before anything is posted
        assert self._me is not None  # noqa: S101 - an invariant (set by verify), not an input check
        target = self._call("the post to answer", self._api.status, id=platform_post_id)
        author = target.get("account") if isinstance(target, dict) else None
        acct = author.get("acct") if isinstance(author, dict) else None
        is_self = isinstance(author, dict) and str(author.get("id")) == str(self._me["id"])
        if isinstance(acct, str) and acct and not is_self and not _mentions(text, acct):
            text = f"@{acct} {text}"  # Mastodon notifies people it mentions; a bare reply might go unseen
        visibility = target.get("visibility") if isinstance(target, dict) else None
        try:
            sent = self._call(
                "the reply",
                self._api.status_post,
                retries=SEND_RETRIES,
                retry_network=False,
                status=text,
                in_reply_to_id=platform_post_id,
                visibility=visibility if visibility in ("unlisted", "private", "direct") else None,
                idempotency_key=idempotency_key,
            )
        except ConnectorError as exc:
            exc.unconfirmed = exc.kind in ("network", "server")  # it may have been posted before the failure
            raise
        if not isinstance(sent, dict) or "id" not in sent:
            raise ConnectorError(
                f"{self.account.server} accepted the reply but did not return it", kind="server", unconfirmed=True
            )
        return SentPost(str(sent["id"]), sent.get("url") or sent.get("uri"), Page("sent", [sent]))

    def engagement(self, post_ids: Sequence[str]) -> list[EngagementCount]:
        """The likes (favourites), shares (boosts) and replies of these statuses now, ``ENGAGEMENT_BATCH`` a
        request (``GET /api/v1/statuses?id[]=...``); a status gone from the server is left out."""
        if self._me is None:
            self.verify()
        counts: list[EngagementCount] = []
        for start in range(0, len(post_ids), ENGAGEMENT_BATCH):
            batch = list(post_ids[start : start + ENGAGEMENT_BATCH])
            found = _list(self._call("the posts' engagement", self._api.statuses, ids=batch))
            for status in found:
                status_id = _id(status.get("id")) if isinstance(status, dict) else None
                if status_id in batch:
                    counts.append(
                        EngagementCount(
                            status_id,
                            _count(status.get("favourites_count")),
                            _count(status.get("reblogs_count")),
                            _count(status.get("replies_count")),
                        )
                    )
        return counts

    # -- streams -------------------------------------------------------------------------------

    def _stream(
        self,
        state: Cursor,
        key: str,
        kind: str,
        request: Callable[..., Any],
        leads: Callable[[list[Any]], list[dict[str, Any]]] | None,
        since: datetime | None,
        first_sync: datetime,
    ) -> Iterator[Page]:
        """One id-paged stream: forward from its cursor, or backward to ``since`` (see the module docstring)."""
        after = _id(state.get(key))
        if after is not None and since is None:
            while True:
                items = _list(request(min_id=after, limit=self.page_size))
                if not items:
                    return
                newest = _newest(items, after)
                state[key] = newest
                yield from self._with_threads(Page(kind, items), leads, dict(state))
                if newest == after:
                    return  # a server that ignores min_id: the same page again would never end
                after = newest
        floor = since if since is not None else first_sync
        newest = after
        max_id: str | None = None
        while True:
            items = _list(request(max_id=max_id, limit=self.page_size))
            if not items:
                break
            newest = _newest(items, newest)
            kept = [item for item in items if not _older(item, floor)]
            if kept:
                yield from self._with_threads(Page(kind, kept), leads, None)
            oldest = _oldest(items)
            if len(kept) < len(items) or oldest is None or (max_id is not None and _key(oldest) >= _key(max_id)):
                break
            max_id = oldest
        if newest is not None and newest != _id(state.get(key)):
            state[key] = newest
            yield Page(kind, [], dict(state))  # nothing to import: it only moves the cursor

    def _search(self, state: Cursor, words: str, since: datetime | None, first_sync: datetime) -> Iterator[Page]:
        """A keyword search, by offset; its results need not come in id order, so the cursor moves at the end."""
        key = f"search:{words}"
        after = _id(state.get(key))
        floor = since if since is not None else (first_sync if after is None else None)
        newest = after
        offset = 0
        seen: set[str] = set()  # a server that ignores offset answers the same page again: that ends the search
        for _ in range(MAX_SEARCH_PAGES):
            result = self._call(
                f"the search for {words!r}",
                self._api.search_v2,
                q=words,
                result_type="statuses",
                resolve=False,
                exclude_unreviewed=False,
                offset=offset,
                limit=self.page_size,
                min_id=after if floor is None else None,
            )
            statuses = _list(result.get("statuses")) if isinstance(result, dict) else []
            if not statuses:
                break
            newest = _newest(statuses, newest)
            fresh = [
                s
                for s in statuses
                if _id(s.get("id")) not in seen
                and ((floor is None and _key(_id(s.get("id"))) > _key(after)) or (floor and not _older(s, floor)))
            ]
            seen.update(i for s in statuses if (i := _id(s.get("id"))) is not None)
            if fresh:
                yield Page("search", {**result, "statuses": fresh})
            if not fresh or len(statuses) < self.page_size:
                break
            offset += len(statuses)
        if newest is not None and newest != after:
            state[key] = newest
            yield Page("search", {"accounts": [], "statuses": [], "hashtags": []}, dict(state))

    def _with_threads(
        self, page: Page, leads: Callable[[list[Any]], list[dict[str, Any]]] | None, cursor: Cursor | None
    ) -> Iterator[Page]:
        """``page``, then the threads its statuses lead to; the last of them carries ``cursor``."""
        # roots first: one request gets a root's whole thread, and the replies in it need none
        statuses = sorted(leads(page.payload) if leads else [], key=lambda s: s.get("in_reply_to_id") is not None)
        threads = [t for s in statuses if (t := self._thread(s)) is not None]
        pages = [page, *threads]
        for i, each in enumerate(pages):
            yield Page(each.kind, each.payload, cursor if i == len(pages) - 1 else None)

    def _thread(self, status: dict[str, Any]) -> Page | None:
        """The whole conversation ``status`` is in: the root's context with the root itself; None when a thread
        fetched earlier in this sync already holds ``status``."""
        status_id = _id(status.get("id"))
        if status_id is None or status_id in self._in_threads:
            return None
        if status.get("in_reply_to_id") is None and status.get("replies_count") == 0:
            return None  # a post nobody answered (yet): no thread beyond it, and no request to learn that
        context = self._call("a thread", self._api.status_context, id=status_id)
        ancestors = _list(context.get("ancestors")) if isinstance(context, dict) else []
        root: dict[str, Any] | None = None  # the root when it is not ``status``, which its own page holds already
        if ancestors and isinstance(ancestors[0], dict) and _id(ancestors[0].get("id")) is not None:
            root = ancestors[0]
            context = self._call("a thread", self._api.status_context, id=_id(root.get("id")))
        if not isinstance(context, dict):
            return None
        payload: dict[str, Any] = {"ancestors": _list(context.get("ancestors")),
                                   **({"status": root} if root is not None else {}),
                                   "descendants": _list(context.get("descendants"))}  # fmt: skip
        self._in_threads.add(status_id)
        for each in (*payload["ancestors"], *([root] if root else []), *payload["descendants"]):
            if isinstance(each, dict) and (each_id := _id(each.get("id"))) is not None:
                self._in_threads.add(each_id)
        if root is None and not payload["ancestors"] and not payload["descendants"]:
            return None  # a post nobody answered: no thread beyond it
        return Page("thread", payload)

    # -- requests ------------------------------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response
        self.requests_sent += 1
        # a 429 is waited out where it is raised; a success that used up the window waits before the next request
        if response.ok and response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
            wait = _reset_wait(response)
            self._resume_at = time.time() + wait if wait is not None and wait > 0 else None

    def _call(
        self,
        what: str,
        method: Callable[..., Any],
        /,
        *,
        retries: int | None = None,
        retry_network: bool = True,
        **kwargs: Any,
    ) -> Json:
        """``method`` (a Mastodon.py call) with retries and waits; the response body as the API sent it.

        ``retries``: at most this many (default ``max_retries``); ``retry_network``: False raises a timeout or a
        lost connection at once."""
        server = self.account.server
        retries = self.max_retries if retries is None else retries
        attempt = 0
        while True:
            if self._resume_at is not None:
                wait, self._resume_at = self._resume_at - time.time(), None
                if wait > 0:
                    self._sleep(min(wait, MAX_WAIT))
            self._last = None
            try:
                method(**kwargs)
                if self._last is None:
                    raise ConnectorError(f"{server}: no response for {what}", kind="network")
                return self._last.json()
            except MastodonUnauthorizedError as exc:
                raise ConnectorError(
                    f"{server} refused the access token (401{_detail(exc)}): reconnect the account with a new token",
                    kind="auth",
                    status=401,
                ) from exc
            except MastodonRatelimitError as exc:
                failure = ConnectorError(
                    f"{server} kept answering 429 (rate limited) for {what} after {attempt + 1} tries: "
                    "sync again once the window resets",
                    kind="rate_limited",
                    status=429,
                )
                cause: Exception = exc
                waited = _reset_wait(self._last) if self._last is not None else None
                wait = waited if waited is not None and waited > 0 else _backoff(attempt)
            except MastodonNotFoundError as exc:
                raise ConnectorError(f"{server}: {what} was not found (404)", kind="not_found", status=404) from exc
            except MastodonServerError as exc:
                status = _status(exc)
                failure = ConnectorError(
                    f"{server} answered {status} for {what} {attempt + 1} times{_detail(exc)}",
                    kind="server",
                    status=status,
                )
                cause, wait = exc, _backoff(attempt)
            except MastodonNetworkError as exc:
                failure = ConnectorError(f"could not reach {server} for {what} after {attempt + 1} tries: {exc}",
                                         kind="network")  # fmt: skip
                cause, wait = exc, _backoff(attempt)
                if not retry_network:
                    raise ConnectorError(f"{server} did not answer {what}: {exc}", kind="network") from exc
            except MastodonAPIError as exc:
                status = _status(exc)
                if status is None:  # a 2xx whose body is not JSON: cut by a proxy or a restart; try again
                    failure = ConnectorError(
                        f"{server} sent an unreadable answer for {what} {attempt + 1} times", kind="server"
                    )
                    cause, wait = exc, _backoff(attempt)
                elif status == 403:
                    raise ConnectorError(
                        f"{server} refused {what} (403{_detail(exc)}): the token may lack a permission "
                        "(docs/mastodon.md lists the scopes) or the account is disabled",
                        kind="auth",
                        status=403,
                    ) from exc
                else:
                    raise ConnectorError(
                        f"{server} refused {what} ({status}{_detail(exc)})", kind="bad_request", status=status
                    ) from exc
            except (MastodonError, ValueError) as exc:  # a version the call needs, a body that is not JSON
                raise ConnectorError(f"{server}: {what} failed: {exc}", kind="bad_request") from exc
            if attempt >= retries:
                raise failure from cause
            self._sleep(min(wait, MAX_WAIT))
            attempt += 1


# -- which statuses lead to a thread ----------------------------------------------------------


def _replies(statuses: list[Any]) -> list[dict[str, Any]]:
    """The brand's replies: the conversations it took part in."""
    return [s for s in statuses if isinstance(s, dict) and s.get("in_reply_to_id") is not None]


def _mentioned(notifications: list[Any]) -> list[dict[str, Any]]:
    return [
        n["status"]
        for n in notifications
        if isinstance(n, dict) and n.get("type") == "mention" and isinstance(n.get("status"), dict)
    ]


# -- ids, times and headers -------------------------------------------------------------------


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None


def _key(value: str | None) -> tuple[int, int, str]:
    """Mastodon ids are decimal strings that grow with time: compare them by length, then digits."""
    if value is None:
        return (-1, 0, "")
    return (1, len(value), value) if value.isdigit() else (0, 0, value)


def _newest(items: list[Any], current: str | None) -> str | None:
    ids = [i for item in items if isinstance(item, dict) and (i := _id(item.get("id"))) is not None]
    return max([*ids, *([current] if current else [])], key=_key, default=current)


def _oldest(items: list[Any]) -> str | None:
    ids = [i for item in items if isinstance(item, dict) and (i := _id(item.get("id"))) is not None]
    return min(ids, key=_key, default=None)


def _older(item: Any, floor: datetime) -> bool:
    """Whether ``item`` (a status or notification) was created before ``floor``; unknown: no (keep it)."""
    created = item.get("created_at") if isinstance(item, dict) else None
    if not isinstance(created, str):
        return False
    try:
        return parse_iso_timestamp(created) < floor
    except ValueError:
        return False


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _reset_wait(response: requests.Response) -> float | None:
    """Seconds until the server takes requests again: ``Retry-After``, else ``X-RateLimit-Reset`` measured
    against the response's own ``Date`` (so a skewed local clock does not matter)."""
    retry_after = response.headers.get("Retry-After", "").strip()
    if retry_after:
        try:
            return float(retry_after)
        except ValueError:
            moment = _http_date(retry_after)
            if moment is not None:
                return (moment - _server_now(response)).total_seconds()
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if not reset:
        return None
    try:
        if reset.isdigit():
            moment = datetime.fromtimestamp(int(reset), UTC)
        else:
            moment = datetime.fromisoformat(reset)
            moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except ValueError:
        return None
    return (moment - _server_now(response)).total_seconds()


def _server_now(response: requests.Response) -> datetime:
    return _http_date(response.headers.get("Date", "")) or datetime.now(UTC)


def _http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _backoff(attempt: int) -> float:
    return min(MAX_WAIT, BACKOFF_BASE * 2.0**attempt)


def _status(exc: MastodonError) -> int | None:
    """The HTTP status Mastodon.py put in an API error's arguments."""
    found = exc.args[1] if len(exc.args) > 1 else None
    return found if isinstance(found, int) else None


def _detail(exc: MastodonError) -> str:
    """The server's own error message, when it sent one."""
    message = exc.args[3] if len(exc.args) > 3 else None
    return f": {message}" if isinstance(message, str) and message else ""


def _mentions(text: str, acct: str) -> bool:
    wanted = f"@{acct}".lower()
    return any(word.strip(".,:;!?()[]\"'").lower() == wanted for word in text.split())


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value.strip() and value.strip().lower() not in seen:
            seen[value.strip().lower()] = value.strip()
    return list(seen.values())
