"""What the Mastodon connector saves, read by the ``mastodon`` file importer, against the real-format fixtures.

A synced page is an API response kept as it came; three shapes are new to the importer: an array of
notifications (the mentions stream), a search result, and a thread context with its root under ``status``.
Each must give exactly the rows the same statuses give as a plain status array (tests/data/mastodon).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from groundswell.ingest import ImportOptions
from groundswell.ingest.base import ParseOptions, SourceFile
from groundswell.ingest.formats.mastodon import MastodonParser
from groundswell.ingest.registry import detect_format
from groundswell.records import PostRow, Rejected
from groundswell.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "mastodon"
STATUSES: list[dict[str, Any]] = json.loads((DATA / "statuses.json").read_text(encoding="utf-8"))
CONTEXT: dict[str, Any] = json.loads((DATA / "context.json").read_text(encoding="utf-8"))
BRAND_REPLY = "112456789012345678"  # statuses.json record 1: the status context.json is the context of
BOOST = "112455000111222333"


def parse(document: Any, tmp_path: Path, name: str = "page.json") -> list[PostRow | Rejected]:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")  # as connect.sync writes a page
    return list(MastodonParser().parse(SourceFile(path), ParseOptions()))


def posts(parsed: list[PostRow | Rejected]) -> list[tuple[Any, ...]]:
    """The rows without their record numbers."""
    return [row[1:] for row in parsed if isinstance(row, PostRow)]


def rejected(parsed: list[PostRow | Rejected]) -> list[tuple[int, str, str]]:
    return [(r.line, r.field, r.reason) for r in parsed if isinstance(r, Rejected)]


def notification(kind: str, status: dict[str, Any] | None, number: int) -> dict[str, Any]:
    found = {"id": str(900 + number), "type": kind, "created_at": "2024-05-14T11:00:00.000Z",
             "account": status["account"] if status else STATUSES[0]["account"]}  # fmt: skip
    return {**found, "status": status} if status is not None else found


def test_a_saved_page_reads_as_the_api_file_it_came_from(tmp_path: Path) -> None:
    original = list(MastodonParser().parse(SourceFile(DATA / "statuses.json"), ParseOptions()))
    assert parse(STATUSES, tmp_path) == original


def test_mentions_read_as_their_statuses(tmp_path: Path) -> None:
    page = [notification("mention", s, i) for i, s in enumerate(STATUSES)]
    assert posts(parse(page, tmp_path)) == posts(parse(STATUSES, tmp_path))
    assert rejected(parse(page, tmp_path)) == rejected(parse(STATUSES, tmp_path))  # the boost, still a boost


def test_notifications_that_carry_no_post_about_the_account_are_rejected(tmp_path: Path) -> None:
    page = [
        notification("favourite", STATUSES[0], 1),
        notification("follow", None, 2),
        notification("mention", None, 3),
        notification("mention", STATUSES[2], 4),
    ]
    parsed = parse(page, tmp_path)
    assert rejected(parsed) == [
        (1, "type", "a favourite notification, not a post"),
        (2, "type", "a follow notification, not a post"),
        (3, "status", "a mention notification without its status"),
    ]
    assert [r.post_id for r in parsed if isinstance(r, PostRow)] == [STATUSES[2]["id"]]


def test_a_search_result_reads_as_its_statuses(tmp_path: Path) -> None:
    page = {"accounts": [], "statuses": STATUSES, "hashtags": []}
    assert posts(parse(page, tmp_path)) == posts(parse(STATUSES, tmp_path))


def test_a_thread_reads_ancestors_then_its_root_then_descendants(tmp_path: Path) -> None:
    focal = next(s for s in STATUSES if s["id"] == BRAND_REPLY)
    thread = {"ancestors": CONTEXT["ancestors"], "status": focal, "descendants": CONTEXT["descendants"]}
    ids = [r.post_id for r in parse(thread, tmp_path) if isinstance(r, PostRow)]
    expected = [s["id"] for s in CONTEXT["ancestors"]] + [BRAND_REPLY] + [s["id"] for s in CONTEXT["descendants"]]
    assert ids == expected
    # without ``status`` it is the context as the API returns it, read as before: the same rows less the root
    with_root = posts(parse(thread, tmp_path))
    del with_root[len(CONTEXT["ancestors"])]
    assert posts(parse(CONTEXT, tmp_path)) == with_root


def test_pages_are_recognised_as_mastodon_and_import_with_the_same_dedupe(tmp_path: Path) -> None:
    page = [notification("mention", s, i) for i, s in enumerate(STATUSES)]
    path = tmp_path / "mentions.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    assert detect_format(SourceFile(path)).name == "mastodon"
    with Workspace.init(tmp_path / "ws") as ws:
        first = ws.import_files([path])
        again = ws.import_files([DATA / "statuses.json"], ImportOptions(format="mastodon"))
    assert (first.imported, first.rejected) == (len(STATUSES) - 1, 1)
    assert (again.imported, again.duplicates, again.rejected) == (0, len(STATUSES) - 1, 1)
    assert BOOST in {s["id"] for s in STATUSES}
