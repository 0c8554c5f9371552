"""Bluesky feed, search and thread responses, against the fixtures in tests/data/bluesky."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.ingest import ImportOptions
from groundswell.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"
FEED = DATA / "bluesky" / "author_feed.json"
SEARCH = DATA / "bluesky" / "search_posts.json"
THREAD = DATA / "bluesky" / "post_thread.json"

BRAND = "northwindhelp.bsky.social"
CONFIG = f'brand = "Northwind Outfitters"\n[[accounts]]\nplatform = "bluesky"\nhandle = "@{BRAND}"\n'

REPOST = "app.bsky.feed.defs#reasonRepost"
NOT_FOUND = "app.bsky.feed.defs#notFoundPost"

BRAND_DID = "did:plc:nw4hlp7brnd2acct5q6r7s3t"
MAYA_DID = "did:plc:m4y4trl2wlkr5abc6def7ghi"
KENJI_DID = "did:plc:k3njwndrs4xyz5abc6def7gh"
RUTH_DID = "did:plc:rth2hks3lt4abc5def6ghi7j"


def _uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


CAMPAIGN = _uri(BRAND_DID, "3ksmz7xq4ab2c")
COMPLAINT = _uri(MAYA_DID, "3ksnb2vwr5k2d")
BRAND_REPLY = _uri(BRAND_DID, "3ksnb5lmt7a2e")
KENJI_REPLY = _uri(KENJI_DID, "3ksnbaxq2ve2f")
THANKS = _uri(MAYA_DID, "3ksnbcz4dpq2g")
WELCOME = _uri(BRAND_DID, "3ksnbf7ulcq2j")
RUTH_PRAISE = _uri(RUTH_DID, "3ksnc2hqgw52h")


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


def _post(rkey: str, **record: Any) -> dict[str, Any]:
    base = {
        "$type": "app.bsky.feed.post",
        "text": f"post {rkey}",
        "createdAt": "2024-05-20T10:00:00.000Z",
        "langs": ["en"],
    }
    return {
        "uri": _uri(KENJI_DID, rkey),
        "cid": "bafyreiexample",
        "author": {"did": KENJI_DID, "handle": "kenjiwanders.bsky.social"},
        "record": {k: v for k, v in {**base, **record}.items() if v is not None},
        "likeCount": 1,
        "repostCount": 0,
        "replyCount": 0,
        "indexedAt": "2024-05-20T10:00:01.000Z",
    }


# -- the fixtures ----------------------------------------------------------------------------


def test_author_feed_imports_posts_and_rejects_the_repost(ws: Workspace) -> None:
    report = ws.import_files([FEED])
    assert report.files[0].format == "bluesky"  # detected
    assert _counts(report) == (3, 2, 0, 1)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_id, author_handle, author_followers, is_brand, created_at, "
        "in_reply_to_post_id, conversation_id, like_count, share_count, reply_count, view_count FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, BRAND_REPLY, BRAND_DID, BRAND, None, True, datetime(2024, 5, 14, 11, 20, 3, 118000), COMPLAINT, COMPLAINT, 7, 0, 1, None),
        # share_count = reposts + quotes
        (3, CAMPAIGN, BRAND_DID, BRAND, None, True, datetime(2024, 5, 13, 9, 0), None, None, 63, 14 + 3, 2, None),
    ]  # fmt: skip
    (repost,) = ws.rejects()
    assert (repost.line, repost.field, repost.reason) == (2, "reason", "a repost of another post, not a post")
    assert json.loads(repost.raw)["reason"]["$type"] == REPOST
    assert _row(ws, CAMPAIGN, "text, lang, url") == (
        (
            "Trails are calling \U0001f3d4\ufe0f Share your favourite trail photo with #TrailReady by 31 May for a chance "
            "to win a full Ridgeline kit. Rules: northwind-outfitters.example/trailready"
        ),
        "en",
        f"https://bsky.app/profile/{BRAND}/post/3ksmz7xq4ab2c",
    )


def test_search_posts_import_with_reply_links_and_utc_times(ws: Workspace) -> None:
    report = ws.import_files([SEARCH])
    assert report.files[0].format == "bluesky"
    assert _counts(report) == (4, 4, 0, 0)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_handle, is_brand, created_at, in_reply_to_post_id, conversation_id, lang "
        "FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        # written at +02:00, stored in UTC
        (1, RUTH_PRAISE, "ruthiehikesalot.bsky.social", False, datetime(2024, 5, 14, 10, 15), None, None, "de"),
        (2, THANKS, "mayatrailwalker.bsky.social", False, datetime(2024, 5, 14, 11, 41, 29, 3000), BRAND_REPLY, COMPLAINT, "en"),
        # a customer answering a customer
        (3, KENJI_REPLY, "kenjiwanders.bsky.social", False, datetime(2024, 5, 14, 11, 34, 50, 900000), COMPLAINT, COMPLAINT, "en"),
        (4, COMPLAINT, "mayatrailwalker.bsky.social", False, datetime(2024, 5, 14, 11, 2, 17, 482000), None, None, "en"),
    ]  # fmt: skip
    assert _row(ws, RUTH_PRAISE, "text")[0] == (
        "Zweite Tour mit dem Ridgeline-Rucksack \u2013 sitzt perfekt. Danke @northwindhelp.bsky.social! "
        "#TrailReady \U0001f3d4\ufe0f"
    )


def test_thread_walks_parents_anchor_and_replies_and_skips_missing_posts(ws: Workspace) -> None:
    report = ws.import_files([THREAD])
    assert report.files[0].format == "bluesky"
    # 4 posts; the #notFoundPost and #blockedPost entries are not records
    assert _counts(report) == (4, 4, 0, 0)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, is_brand, in_reply_to_post_id, conversation_id FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, COMPLAINT, False, None, None),
        (2, BRAND_REPLY, True, COMPLAINT, COMPLAINT),
        (3, THANKS, False, BRAND_REPLY, COMPLAINT),
        (4, WELCOME, True, THANKS, COMPLAINT),
    ]
    assert ws.rejects() == []


def test_the_same_post_in_feed_search_and_thread_is_one_post(ws: Workspace) -> None:
    ws.import_files([FEED, SEARCH])
    report = ws.import_files([THREAD])
    assert _counts(report) == (4, 1, 3, 0)  # only the brand's "Happy trails" is new
    assert ws.store.post_count() == 7


# -- detection ---------------------------------------------------------------------------------


# -- bad records --------------------------------------------------------------------------------


def test_bad_posts_are_rejected_and_the_rest_imported(ws: Workspace, tmp_path: Path) -> None:
    followed = _post("3kgood2aaaaa2")
    followed["author"]["followersCount"] = 321
    bad_followers = _post("3kbad22aaaaa8")
    bad_followers["author"]["followersCount"] = "a few"
    no_did = _post("3kbad22aaaaa9")
    del no_did["author"]["did"]
    feed = {
        "feed": [
            {"post": followed},  # 1 good
            {"post": _post("3kbad22aaaaa2", createdAt=None)},  # 2
            {"post": _post("3kbad22aaaaa3", createdAt="last tuesday")},  # 3
            {"post": _post("3kbad22aaaaa4", text="")},  # 4: an image-only post
            {"post": _post("3kbad22aaaaa5") | {"likeCount": 2.5}},  # 5
            {"post": _post("3kbad22aaaaa6"), "reason": {"$type": REPOST, "by": {"did": BRAND_DID}}},  # 6
            {
                "post": _post("3kgood2aaaaa7"),
                "reason": {"$type": "app.bsky.feed.defs#reasonPin"},
            },  # 7: pinned, still a post
            {"post": bad_followers},  # 8
            {"post": no_did},  # 9
            {"post": _post("3kbad22aaaa10") | {"uri": "https://bsky.app/x"}},  # 10
            {"post": _post("3kbad22aaaa11", **{"$type": "app.bsky.feed.like"})},  # 11
        ]
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed, indent=2), encoding="utf-8")
    report = ws.import_files([path])
    assert report.files[0].format == "bluesky"
    assert _counts(report) == (11, 2, 0, 9)
    assert [(r.line, r.field) for r in ws.rejects()] == [
        (2, "record.createdAt"),
        (3, "record.createdAt"),
        (4, "record.text"),
        (5, "likeCount"),
        (6, "reason"),
        (8, "author.followersCount"),
        (9, "author.did"),
        (10, "uri"),
        (11, "record.$type"),
    ]
    reasons = {r.line: r.reason for r in ws.rejects()}
    assert "last tuesday" in reasons[3]
    assert "repost" in reasons[6]
    assert "a few" in reasons[8]
    assert _row(ws, _uri(KENJI_DID, "3kgood2aaaaa2"), "author_followers, source_line") == (321, 1)
    assert _row(ws, _uri(KENJI_DID, "3kgood2aaaaa7"), "source_line")[0] == 7


def test_jsonl_of_responses_and_post_views(ws: Workspace, tmp_path: Path) -> None:
    lines = [
        json.dumps({"posts": [_post("3kline1aaaaa1"), _post("3kline1aaaaa2")]}),  # 1: two posts
        '{"posts": [',  # 2
        json.dumps(_post("3kline3aaaaa3")),  # 3: a bare post view
        "",
        json.dumps({"thread": {"$type": NOT_FOUND, "uri": _uri(KENJI_DID, "3kgone"), "notFound": True}}),  # 5
        json.dumps({"thread": {"post": _post("3kline6aaaaa6", createdAt="")}}),  # 6
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ws.import_files([path], ImportOptions(format="bluesky"))
    assert _counts(report) == (5, 3, 0, 2)
    assert [(r.line, r.field) for r in ws.rejects()] == [(2, "line"), (6, "record.createdAt")]
    assert ws.store.con.execute("SELECT source_line FROM posts ORDER BY post_id").fetchall() == [(1,), (1,), (3,)]


def test_a_non_bluesky_document_fails_the_file(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"statuses": []}', encoding="utf-8")
    report = ws.import_files([path], ImportOptions(format="bluesky"))
    (failed,) = report.failed_files
    assert "not a Bluesky response" in (failed.error or "")
