"""Mastodon API statuses, thread contexts and archive outbox, against the fixtures in tests/data/mastodon."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.ingest import ImportOptions
from groundswell.ingest.base import SourceFile
from groundswell.ingest.formats.mastodon import handle_from_actor, html_to_text
from groundswell.ingest.registry import detect_format
from groundswell.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"
STATUSES = DATA / "mastodon" / "statuses.json"
CONTEXT = DATA / "mastodon" / "context.json"
OUTBOX = DATA / "mastodon" / "outbox.json"

BRAND = "NorthwindHelp@social.northwind.example"
CONFIG = f'brand = "Northwind Outfitters"\n[[accounts]]\nplatform = "mastodon"\nhandle = "{BRAND}"\n'
ACTOR = "https://social.northwind.example/users/NorthwindHelp"

# status ids as social.northwind.example numbers them
BRAND_REPLY = "112456789012345678"
BOOST = "112455000111222333"
RECALL = "112452987654321098"
CAMPAIGN = "112450123456789012"
MAYA_COMPLAINT = "112456701234567890"
MAYA_THANKS = "112456801122334455"
PIERRE_REPLY = "112456834455667788"

CAMPAIGN_TEXT = (
    "Trails are calling \U0001f3d4\ufe0f\n\n"
    "Share your favourite trail photo with #TrailReady by 31 May for a chance to win a full Ridgeline kit.\n"
    "Rules: https://northwind-outfitters.example/trailready"
)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws", config_text=CONFIG)
    yield workspace
    workspace.close()


def _counts(report: Any) -> tuple[int, int, int, int]:
    assert report.read == report.imported + report.duplicates + report.rejected
    return report.read, report.imported, report.duplicates, report.rejected


def _row(ws: Workspace, post_id: str, columns: str) -> tuple[Any, ...]:
    row = ws.store.con.execute(f"SELECT {columns} FROM posts WHERE post_id = ?", [post_id]).fetchone()
    assert row is not None, post_id
    return tuple(row)


def _status(status_id: str, **fields: Any) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": status_id,
        "created_at": "2024-05-20T10:00:00.000Z",
        "in_reply_to_id": None,
        "content": f"<p>status {status_id}</p>",
        "spoiler_text": "",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 1,
        "reblog": None,
        "account": {"id": "7", "username": "sam", "acct": "sam@trails.example", "url": "https://trails.example/@sam"},
    }
    status.update(fields)
    return {k: v for k, v in status.items() if v is not None or k in ("reblog", "in_reply_to_id")}


# -- the fixtures ---------------------------------------------------------------------------


def test_account_statuses_import_and_the_boost_is_rejected(ws: Workspace) -> None:
    report = ws.import_files([STATUSES])
    assert report.files[0].format == "mastodon"  # detected
    assert _counts(report) == (4, 3, 0, 1)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_id, author_handle, author_followers, is_brand, created_at, "
        "in_reply_to_post_id, conversation_id, like_count, share_count, reply_count, view_count FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, BRAND_REPLY, "109284756381920011", BRAND, 3120, True, datetime(2024, 5, 14, 10, 5, 31), MAYA_COMPLAINT, None, 4, 0, 1, None),
        (3, RECALL, "109284756381920011", BRAND, 3120, True, datetime(2024, 5, 13, 16, 45), None, None, 9, 31, 5, None),
        (4, CAMPAIGN, "109284756381920011", BRAND, 3120, True, datetime(2024, 5, 13, 9, 0), None, None, 40, 12, 3, None),
    ]  # fmt: skip
    (boost,) = ws.rejects()
    assert (boost.line, boost.field, boost.reason) == (2, "reblog", "a boost of another post, not a post")
    assert json.loads(boost.raw)["id"] == BOOST
    assert _row(ws, CAMPAIGN, "text, lang, url") == (
        CAMPAIGN_TEXT,
        "en",
        f"https://social.northwind.example/@NorthwindHelp/{CAMPAIGN}",
    )
    # HTML entities decoded, <p> apart by a blank line, <br> a newline, the mention as its text
    assert _row(ws, BRAND_REPLY, "text")[0] == (
        "@maya So sorry about the leaky seam, Maya & thanks for the photos.\n\n"
        "A replacement Ridgeline tent is on its way today.\nTracking follows by DM."
    )
    # the content warning comes first
    assert _row(ws, RECALL, "text")[0].startswith(
        "Product safety notice: Trailblaze stove\n\nWe are recalling Trailblaze"
    )


def test_context_imports_ancestors_then_descendants(ws: Workspace) -> None:
    report = ws.import_files([CONTEXT])
    assert report.files[0].format == "mastodon"
    assert _counts(report) == (3, 3, 0, 0)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_id, author_handle, author_followers, is_brand, in_reply_to_post_id, lang, url "
        "FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, MAYA_COMPLAINT, "109301122334455667", "maya@toot.example", 233, False, None, "en",
         "https://toot.example/@maya/112456700000000001"),
        (2, MAYA_THANKS, "109301122334455667", "maya@toot.example", 233, False, BRAND_REPLY, "en",
         "https://toot.example/@maya/112456700000000042"),
        # a customer answering a customer
        (3, PIERRE_REPLY, "109455566677788899", "pierre@piaille.example", 1045, False, MAYA_THANKS, "fr",
         "https://piaille.example/@pierre/112456830000000007"),
    ]  # fmt: skip
    assert _row(ws, PIERRE_REPLY, "text")[0] == (
        "@maya Bon \u00e0 savoir ! Le service client de Northwind m'a aussi d\u00e9pann\u00e9 l'an dernier \U0001f44d"
    )
    assert _row(ws, MAYA_COMPLAINT, "text")[0] == (
        "@NorthwindHelp my new Ridgeline tent leaked through the seam on its first night out \U0001f61e "
        "Sleeping bag soaked. What are my options?"
    )


def test_statuses_and_context_join_into_one_thread(ws: Workspace) -> None:
    ws.import_files([STATUSES, CONTEXT])
    linked = ws.store.con.execute(
        "SELECT c.author_handle, p.author_handle FROM posts c JOIN posts p ON p.post_id = c.in_reply_to_post_id "
        "ORDER BY c.created_at"
    ).fetchall()
    assert linked == [
        (BRAND, "maya@toot.example"),
        ("maya@toot.example", BRAND),
        ("pierre@piaille.example", "maya@toot.example"),
    ]


def test_outbox_imports_the_creates_and_rejects_the_announce(ws: Workspace) -> None:
    report = ws.import_files([OUTBOX])
    assert report.files[0].format == "mastodon"
    assert _counts(report) == (4, 3, 0, 1)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_id, author_handle, is_brand, created_at, in_reply_to_post_id, "
        "conversation_id, lang, url, like_count FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, f"{ACTOR}/statuses/{CAMPAIGN}", ACTOR, BRAND, True, datetime(2024, 5, 13, 9, 0), None,
         "tag:social.northwind.example,2024-05-13:objectId=4411:objectType=Conversation", "en",
         f"https://social.northwind.example/@NorthwindHelp/{CAMPAIGN}", None),
        (2, f"{ACTOR}/statuses/{RECALL}", ACTOR, BRAND, True, datetime(2024, 5, 13, 16, 45), None,
         "tag:social.northwind.example,2024-05-13:objectId=4432:objectType=Conversation", "en",
         f"https://social.northwind.example/@NorthwindHelp/{RECALL}", None),
        (4, f"{ACTOR}/statuses/{BRAND_REPLY}", ACTOR, BRAND, True, datetime(2024, 5, 14, 10, 5, 31),
         "https://toot.example/users/maya/statuses/112456700000000001",
         "tag:toot.example,2024-05-14:objectId=998877:objectType=Conversation", "en",
         f"https://social.northwind.example/@NorthwindHelp/{BRAND_REPLY}", None),
    ]  # fmt: skip
    assert _row(ws, f"{ACTOR}/statuses/{CAMPAIGN}", "text")[0] == CAMPAIGN_TEXT
    assert _row(ws, f"{ACTOR}/statuses/{RECALL}", "text")[0].startswith("Product safety notice: Trailblaze stove\n\n")
    (announce,) = ws.rejects()
    assert (announce.line, announce.field, announce.reason) == (3, "type", "a boost of another post, not a post")


# -- detection ---------------------------------------------------------------------------------


def test_an_empty_context_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "context.json"
    path.write_text('{"ancestors":[],"descendants":[]}', encoding="utf-8")
    assert detect_format(SourceFile(path)).name == "mastodon"


# -- text and handles -----------------------------------------------------------------------------


def test_html_to_text() -> None:
    assert html_to_text("<p>One &amp; two</p><p>three<br>four<br/>five</p>") == "One & two\n\nthree\nfour\nfive"
    assert (
        html_to_text('<p><a href="https://x.example/@a" class="u-url mention">@<span>a</span></a> hi &lt;3</p>')
        == "@a hi <3"
    )
    assert html_to_text("plain text") == "plain text"
    assert html_to_text(None) == ""


def test_handle_from_actor() -> None:
    assert handle_from_actor("https://social.northwind.example/users/NorthwindHelp") == BRAND
    assert handle_from_actor("https://toot.example/@maya") == "maya@toot.example"
    assert handle_from_actor("not a uri") is None


# -- bad records ------------------------------------------------------------------------------------


def test_bad_statuses_are_rejected_and_the_rest_imported(ws: Workspace, tmp_path: Path) -> None:
    statuses = [
        _status("1"),  # 1 good
        _status("2", created_at=None),  # 2
        _status("3", created_at="20 May 2024"),  # 3
        _status("4", content="<p></p>"),  # 4
        _status("5", favourites_count="lots"),  # 5
        _status("6", reblog=_status("60")),  # 6: a boost
        _status("7", account={"username": "nobody"}),  # 7
        "not a status",  # 8
        _status(
            "9", created_at="2024-05-20T12:00:00+02:00", spoiler_text="cw: gear rant", in_reply_to_id="1"
        ),  # 9 good
    ]
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps(statuses, indent=1), encoding="utf-8")
    report = ws.import_files([path])
    assert report.files[0].format == "mastodon"
    assert _counts(report) == (9, 2, 0, 7)
    assert [(r.line, r.field) for r in ws.rejects()] == [
        (2, "created_at"),
        (3, "created_at"),
        (4, "content"),
        (5, "favourites_count"),
        (6, "reblog"),
        (7, "account.id"),
        (8, "record"),
    ]
    reasons = {r.line: r.reason for r in ws.rejects()}
    assert "20 May 2024" in reasons[3]
    assert "lots" in reasons[5]
    assert "boost" in reasons[6]
    assert _row(ws, "9", "created_at, text, in_reply_to_post_id, author_handle, source_line") == (
        datetime(2024, 5, 20, 10, 0),
        "cw: gear rant\n\nstatus 9",
        "1",
        "sam@trails.example",
        9,
    )


def test_bad_jsonl_lines_are_rejected_by_line(ws: Workspace, tmp_path: Path) -> None:
    lines = [
        json.dumps(_status("1")),
        "{not json",
        "",
        json.dumps(_status("3", created_at="")),
        json.dumps(_status("4")),
    ]
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ws.import_files([path], ImportOptions(format="mastodon"))
    assert _counts(report) == (4, 2, 0, 2)
    assert [(r.line, r.field) for r in ws.rejects()] == [(2, "line"), (4, "created_at")]
    assert ws.store.con.execute("SELECT post_id, source_line FROM posts ORDER BY post_id").fetchall() == [
        ("1", 1),
        ("4", 5),
    ]


def test_bad_outbox_activities_are_rejected_by_field(ws: Workspace, tmp_path: Path) -> None:
    def create(note: Any, **fields: Any) -> dict[str, Any]:
        return {"type": "Create", "actor": ACTOR, "published": "2024-05-20T10:00:00Z", "object": note, **fields}

    def note(n: int, **fields: Any) -> dict[str, Any]:
        base = {
            "id": f"{ACTOR}/statuses/{n}",
            "type": "Note",
            "published": "2024-05-20T10:00:00Z",
            "content": f"<p>note {n}</p>",
        }
        return {k: v for k, v in {**base, **fields}.items() if v is not None}

    outbox = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "OrderedCollection",
        "orderedItems": [
            create(note(1)),  # 1 good
            create(note(2, published="then")),  # 2
            create(note(3, content="")),  # 3
            create(f"{ACTOR}/statuses/4"),  # 4: only the address
            create(note(5, type="Image")),  # 5
            {"type": "Like", "actor": ACTOR, "object": "https://toot.example/users/maya/statuses/1"},  # 6
            {"type": "Announce", "actor": ACTOR, "object": "https://toot.example/users/maya/statuses/1"},  # 7
            create(note(8, id=None)),  # 8
            {"type": "Create", "object": note(9)},  # 9: no actor
        ],
    }
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox, indent=2), encoding="utf-8")
    report = ws.import_files([path])
    assert report.files[0].format == "mastodon"
    assert _counts(report) == (9, 1, 0, 8)
    assert [(r.line, r.field) for r in ws.rejects()] == [
        (2, "object.published"),
        (3, "object.content"),
        (4, "object"),
        (5, "object.type"),
        (6, "type"),
        (7, "type"),
        (8, "object.id"),
        (9, "actor"),
    ]


def test_a_paged_outbox_fails_with_a_clear_message(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_text(
        json.dumps({"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", "totalItems": 3,
                    "first": f"{ACTOR}/outbox?page=true"}),
        encoding="utf-8",
    )  # fmt: skip
    report = ws.import_files([path], ImportOptions(format="mastodon"))
    (failed,) = report.failed_files
    assert "orderedItems" in (failed.error or "")
