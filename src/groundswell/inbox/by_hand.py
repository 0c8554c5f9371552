"""A reply an agent sent by hand on the platform and then marked sent: kept as the brand's reply.

Marking an item sent with the reply's text keeps that text as a post of the brand, in reply to the
item's post, so every figure counts it as the brand's reply (response rate, first response time, the
threads' "answered"). It is imported like any other post, from a file of one row written under
``inbox/`` in the workspace: that file is its lineage, and importing it twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from groundswell.config import WorkspaceConfig, normalize_handle
from groundswell.files import write_atomically
from groundswell.ingest import ImportOptions
from groundswell.records import ImportReport, PostLookup

FOLDER = "inbox"
"""Where the files of hand-sent replies are kept, in the workspace folder."""
_COLUMNS = (
    "platform",
    "post_id",
    "author_id",
    "author_handle",
    "is_brand",
    "created_at",
    "text",
    "in_reply_to_post_id",
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Importing(Protocol):
    """What keeping a hand-sent reply needs of a workspace (``groundswell.Workspace`` is one)."""

    path: Path
    config: WorkspaceConfig

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]: ...

    def import_files(
        self, paths: Iterable[Path | str], options: ImportOptions | None = None, *, progress: Any = None
    ) -> ImportReport: ...


def hand_sent_id(post_id: str, version: int) -> str:
    """The id the reply is kept under: one per marking of the item (its version after the mark)."""
    return f"inbox-{post_id}-{version}"


def keep_hand_sent(
    workspace: Importing, platform: str, post_id: str, text: str, *, reply_id: str, at: datetime
) -> ImportReport:
    """Import ``text`` as the brand's reply ``reply_id`` to ``post_id``, sent at ``at`` (naive UTC)."""
    account = brand_account(workspace, platform, post_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    writer.writerow([platform, reply_id, account, account, "true", at.isoformat(), text, post_id])
    path = workspace.path / FOLDER / platform / f"{_UNSAFE.sub('_', reply_id)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, out.getvalue().encode("utf-8"))
    return workspace.import_files([path], ImportOptions(format="csv"))


def brand_account(workspace: Importing, platform: str, post_id: str) -> str:
    """The brand account the conversation is with: the brand author the post replies to, else a configured
    account of the platform the post mentions, else the platform's only configured account, else ``brand``."""
    (post, *_) = workspace.lookup_posts(post_id, platform=platform)
    if post.in_reply_to_post_id:
        parents = workspace.lookup_posts(post.in_reply_to_post_id, platform=platform)
        if parents and parents[0].is_brand:
            return parents[0].author_handle or parents[0].author_id
    handles = [a.handle for a in workspace.config.accounts if a.platform == platform]
    mentioned = {normalize_handle(m) for m in re.findall(r"@([\w.@-]+)", post.text)}
    for handle in handles:
        if normalize_handle(handle) in mentioned:
            return handle
    return handles[0] if len(handles) == 1 else "brand"
