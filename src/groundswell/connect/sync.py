"""Sync a connected account: fetch its pages, keep each as a file, import it like any export, move the cursor.

Each ``Page`` a connector yields is written to ``<workspace>/sync/<platform>/<account>/`` exactly as the API
returned it, then imported with that platform's file format through ``Workspace.import_files``: the same
parsing, validation, dedupe and quarantine as a file the user imports, and the page file is the lineage
(``source`` of every row names it, the import log lists it). Only after a page is imported is its cursor
saved, in the workspace's database: an interrupted sync resumes after the last page it kept, and a page
fetched again only adds duplicates, which are counted and dropped.

A post's likes and shares go on changing after its import. So, once its pages are in, a sync asks the platform
again (when the connector can: ``engagement``) for the counts of the recent posts, not by a brand, that this
account's syncs imported (made within ``[response] window_hours``, ``REFRESH_LIMIT`` at most) and keeps them in
``engagement_snapshots`` beside the posts, whose imported rows stay as they were.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from groundswell.connect.base import ConnectorError, Cursor, FetchOptions, Page, WorkspaceParts
from groundswell.connect.registry import open_connector
from groundswell.files import write_atomically
from groundswell.ingest import ImportOptions
from groundswell.store import connections, engagement
from groundswell.store.connections import ConnectedAccount

SYNC_FOLDER = "sync"
REFRESH_LIMIT = 400
"""The most posts whose engagement one sync reads again (the newest first)."""

SyncProgress = Callable[[str, "SyncReport"], None]
"""Called after each page with the page's kind and the report so far."""


@dataclass
class SyncReport:
    """What one sync of one account did; ``read == imported + duplicates + rejected`` as for an import."""

    account: str
    platform: str
    pages: int = 0
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    refreshed: int = 0  # posts whose engagement was read again
    seconds: float = 0.0
    status: str = "done"  # done, failed
    error: str | None = None
    error_kind: str | None = None
    files: list[str] = field(default_factory=list)

    @property
    def posts_per_second(self) -> float | None:
        return self.read / self.seconds if self.seconds > 0 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "platform": self.platform,
            "status": self.status,
            "pages": self.pages,
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "refreshed": self.refreshed,
            "seconds": self.seconds,
            "error": self.error,
            "error_kind": self.error_kind,
        }


def campaign_searches(workspace: WorkspaceParts) -> FetchOptions:
    """The config's campaign hashtags and keywords, each once, as the connectors search them."""
    hashtags: list[str] = []
    keywords: list[str] = []
    for campaign in workspace.config.campaigns:
        hashtags.extend(h.lstrip("#") for h in campaign.hashtags if h.lstrip("#") not in hashtags)
        keywords.extend(k for k in campaign.keywords if k not in keywords)
    return FetchOptions(hashtags=tuple(hashtags), keywords=tuple(keywords))


def sync_account(
    workspace: WorkspaceParts,
    account: ConnectedAccount | str,
    connector: Any = None,
    *,
    since: datetime | None = None,
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Fetch what is new for ``account`` (a name or a stored account) and import it; see the module docstring.

    ``connector``: the platform client to use (default: ``registry.open_connector`` with the stored secret).
    A ``ConnectorError`` ends the sync with status ``failed`` and the reason; what was imported before it is
    kept, with the cursor of the last imported page. Ctrl-C is recorded as ``interrupted`` and re-raised.
    """
    stored = account if isinstance(account, ConnectedAccount) else connections.account(workspace.store, account)
    report = SyncReport(account=stored.name, platform=stored.platform)
    started = time.perf_counter()
    folder = workspace.path / SYNC_FOLDER / stored.platform / _safe(stored.name)
    cursor: Cursor = dict(stored.cursor)
    options = campaign_searches(workspace)
    options.since = since
    try:
        client = connector if connector is not None else open_connector(stored)
        for page in client.fetch(cursor, options):
            _import_page(workspace, stored, folder, page, report)
            if page.cursor is not None:
                cursor = dict(page.cursor)
            connections.save_cursor(workspace.store, stored.name, cursor)
            if progress is not None:
                progress(page.kind, report)
        if hasattr(client, "engagement"):
            report.refreshed = _refresh_engagement(workspace, stored, folder, client)
    except ConnectorError as exc:
        report.status, report.error, report.error_kind = "failed", str(exc), exc.kind
    except KeyboardInterrupt:
        connections.finish_sync(workspace.store, stored.name, status="interrupted", error="interrupted")
        raise
    report.seconds = time.perf_counter() - started
    connections.finish_sync(workspace.store, stored.name, status=report.status, error=report.error)
    return report


def _refresh_engagement(workspace: WorkspaceParts, account: ConnectedAccount, folder: Path, client: Any) -> int:
    """Read again the counts of the recent posts this account's syncs imported, and keep them; how many."""
    now = datetime.now(UTC).replace(tzinfo=None)
    since = now - timedelta(hours=workspace.config.response.window_hours)
    ids = engagement.recent_inbound(
        workspace.store, platform=account.platform, source_prefix=f"{folder}{os.sep}", since=since, limit=REFRESH_LIMIT
    )
    if not ids:
        return 0
    counts = client.engagement(ids)
    with workspace.store.transaction():
        engagement.record_engagement(
            workspace.store, counts, platform=account.platform, seen_at=now, source=f"sync:{account.name}"
        )
    return len(counts)


def import_page(workspace: WorkspaceParts, account: ConnectedAccount, page: Page) -> SyncReport:
    """Keep and import one page outside a sync (a reply that was just sent): the same path as a synced page."""
    report = SyncReport(account=account.name, platform=account.platform)
    folder = workspace.path / SYNC_FOLDER / account.platform / _safe(account.name)
    _import_page(workspace, account, folder, page, report)
    return report


def _import_page(
    workspace: WorkspaceParts, account: ConnectedAccount, folder: Path, page: Page, report: SyncReport
) -> None:
    if _empty(page.payload):
        return
    report.pages += 1
    path = _write_page(folder, page, report.pages)
    imported = workspace.import_files([path], ImportOptions(format=account.platform))
    [file_report] = imported.files
    report.files.append(str(path))
    report.read += file_report.read
    report.imported += file_report.imported
    report.duplicates += file_report.duplicates
    report.rejected += file_report.rejected
    # a page the importer could not read is kept on disk with its reject recorded; the sync goes on
    connections.add_totals(workspace.store, account.name, read=file_report.read, imported=file_report.imported)


def _empty(payload: Any) -> bool:
    if payload is None:
        return True
    if isinstance(payload, list):
        return not payload
    if isinstance(payload, dict):
        return not any(payload.values())
    return False


def _write_page(folder: Path, page: Page, number: int) -> Path:
    """The page as a JSON file, written atomically under a name that sorts in fetch order."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{number:05d}-{_safe(page.kind)}.json"
    write_atomically(path, json.dumps(page.payload, ensure_ascii=False))
    return path


def _safe(name: str) -> str:
    """A file-name-safe form of an account or page kind name."""
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", name).strip("._") or "page"
