"""What a live connector is: a brand account on a platform, fetched page by page and answered through its API.

A connector fetches the platform's own API responses (``Page``: the JSON exactly as the API returned it)
and never maps posts itself: ``connect.sync`` writes each page to the workspace's ``sync/`` folder and
imports it with the file importer of the same platform (``mastodon``, ``bluesky``), so a synced post and
an imported one are the same row, deduplicated and quarantined by the same code. Each page carries the
cursor to resume from once it is imported, so an interrupted sync starts again after the last page it
kept: nothing is lost, and a page fetched twice only counts duplicates.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from groundswell.errors import GroundswellError

if TYPE_CHECKING:
    from groundswell.config import WorkspaceConfig
    from groundswell.ingest import ImportOptions
    from groundswell.records import ImportReport, PostLookup
    from groundswell.store.base import Store

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
"""The AT Protocol's base32-sortable alphabet, in which a TID is written."""

Cursor = dict[str, Any]
"""A connector's own resume point (e.g. the newest id seen per stream), stored as JSON between syncs."""


class ConnectorError(GroundswellError):
    """A platform refused or failed a request; ``kind`` says how, so callers can tell what to do next.

    kinds: ``auth`` (401/403: the token or app password is wrong or lacks a permission), ``rate_limited``
    (429 after the allowed waits), ``server`` (5xx after retries), ``network`` (no connection, timeout),
    ``not_found`` (404), ``bad_request`` (other 4xx). ``status`` is the platform's HTTP status, where it gave
    one; the web app answers 502 (``http_status``): the platform, not the request, failed.

    ``unconfirmed``: the request that posts a reply may have reached the platform (it timed out, the connection
    dropped, or the server kept failing): the reply may be out or not, and only the same idempotency key may
    send it again. False: nothing was posted.
    """

    http_status = 502

    def __init__(self, message: str, *, kind: str, status: int | None = None, unconfirmed: bool = False):
        self.kind = kind
        self.status = status
        self.unconfirmed = unconfirmed
        super().__init__(message)


def new_idempotency_key() -> str:
    """A fresh key for one reply, sent with every attempt of it: an AT Protocol TID (13 characters: the
    microseconds since 1970 and 10 random bits), which Bluesky takes as the reply's record key and Mastodon as
    its ``Idempotency-Key``."""
    return tid((time.time_ns() // 1000) << 10 | secrets.randbits(10))


def tid(value: int) -> str:
    """A 63-bit number as a TID."""
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


@dataclass(frozen=True)
class AccountRef:
    """A connected brand account: where it lives and which secret signs in as it (never the secret itself)."""

    name: str  # as the user refers to it, e.g. "northwind@mastodon.social" or "northwind.bsky.social"
    platform: str  # "mastodon" or "bluesky": also the import format its pages are read with
    handle: str  # the brand's handle on the platform (added to the config's brand accounts)
    server: str  # Mastodon instance URL, or the Bluesky PDS / service URL
    credential_key: str  # the key ``connect.credentials`` stores the secret under


@dataclass(frozen=True)
class Page:
    """One API response, as returned, and where to resume once it is imported.

    ``kind``: what was fetched (``own``, ``mentions``, ``thread``, ``search``...), for the page's file name
    and the report; ``payload``: the JSON document exactly as the API returned it, in a shape the
    platform's file importer reads (a status array or a context for Mastodon; a feed, search result or
    thread for Bluesky); ``cursor``: the connector's cursor after this page (None: unchanged).
    """

    kind: str
    payload: Any
    cursor: Cursor | None = None


@dataclass(frozen=True)
class SentPost:
    """What the platform answered when a reply was posted: its id, and the post as a page to import."""

    post_id: str
    url: str | None
    page: Page


@dataclass
class FetchOptions:
    """``since``: back-fill history from this moment (else from the stored cursor, else the last few days)."""

    since: datetime | None = None
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


class Connector(Protocol):
    """One platform's client for one connected account."""

    platform: str

    def verify(self) -> str:
        """Sign in and return the account's handle as the platform spells it; ``ConnectorError`` if refused."""
        ...

    def fetch(self, cursor: Cursor, options: FetchOptions) -> Iterator[Page]:
        """The account's own posts, its mentions, the threads they belong to and the campaign searches, newer
        than ``cursor``, one API response at a time, oldest first where the API allows."""
        ...

    def reply(self, platform_post_id: str, text: str, *, idempotency_key: str) -> SentPost:
        """Post ``text`` as a reply to the post ``platform_post_id`` in its thread, once per ``idempotency_key``:
        sent again with the same key, the platform answers with the reply it already has. A failure of the
        posting request that may have posted raises ``ConnectorError`` with ``unconfirmed``."""
        ...


class WorkspaceParts(Protocol):
    """What connecting, syncing and replying use of a workspace (``groundswell.Workspace`` is one): its folder,
    its config (replaced when a brand account is added), its store, and its import."""

    path: Path
    config: WorkspaceConfig
    store: Store

    @property
    def location(self) -> str: ...

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]: ...

    def import_files(
        self, paths: Iterable[Path | str], options: ImportOptions | None = None, *, progress: Any = None
    ) -> ImportReport: ...
