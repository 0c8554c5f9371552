"""X/Twitter API v2 (JSON, JSON Lines) and archive tweets.js, against the fixtures in tests/data/twitter."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.ingest import ImportOptions
from groundswell.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"
SEARCH = DATA / "twitter" / "api_v2_search.json"
STREAM = DATA / "twitter" / "api_v2_stream.jsonl"
ARCHIVE = DATA / "twitter" / "archive" / "tweets.js"

BRANDS = """\
brand = "Northwind Outfitters"
[[accounts]]
platform = "twitter"
handle = "NorthwindHelp"
[[accounts]]
platform = "twitter"
handle = "@NorthwindOutfit"
"""

# tweet ids in the fixtures
MAYA_COMPLAINT = "1790293987506229643"
BRAND_REPLY = "1790295907419124187"
JONAS_REPLY = "1790297609707594432"
MAYA_THANKS = "1790299541240825779"
CAMPAIGN = "1790271672808780790"
RUTH_PRAISE = "1790303809052622001"
KENJI_QUESTION = "1790548333117056066"
KENJI_ANSWER = "1790552721392440260"
KENJI_THANKS = "1790555486645826380"
RUTH_ANSWER = "1790307364101437079"
BOOT_TIPS = "1790034264727319326"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws", config_text=BRANDS)
    yield workspace
    workspace.close()


def _counts(report: Any) -> tuple[int, int, int, int]:
    assert report.read == report.imported + report.duplicates + report.rejected
    return report.read, report.imported, report.duplicates, report.rejected


def _row(ws: Workspace, post_id: str, columns: str) -> tuple[Any, ...]:
    row = ws.store.con.execute(f"SELECT {columns} FROM posts WHERE post_id = ?", [post_id]).fetchone()
    assert row is not None, post_id
    return tuple(row)


def _write_jsonl(path: Path, lines: list[Any]) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _tweet(tweet_id: str, **fields: Any) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": f"@NorthwindHelp tweet {tweet_id}",
        "author_id": "500",
        "created_at": "2024-05-20T10:00:00.000Z",
        "edit_history_tweet_ids": [tweet_id],
    }
    tweet.update(fields)
    return {k: v for k, v in tweet.items() if v is not None}


# -- the fixtures -------------------------------------------------------------------------


def test_search_response_imports_every_tweet_with_its_author(ws: Workspace) -> None:
    report = ws.import_files([SEARCH])
    assert report.files[0].format == "twitter"  # detected
    assert _counts(report) == (6, 6, 0, 0)
    rows = ws.store.con.execute(
        "SELECT post_id, author_id, author_handle, author_followers, is_brand, in_reply_to_post_id, conversation_id, "
        "source_line FROM posts ORDER BY created_at"
    ).fetchall()
    assert rows == [
        (CAMPAIGN, "1456700001", "NorthwindOutfit", 251300, True, None, CAMPAIGN, 6),
        (MAYA_COMPLAINT, "88120345", "maya_trails", 412, False, None, MAYA_COMPLAINT, 5),
        (BRAND_REPLY, "1456789012", "NorthwindHelp", 48210, True, MAYA_COMPLAINT, MAYA_COMPLAINT, 4),
        (JONAS_REPLY, "99231877", "jonas_on_foot", 1290, False, MAYA_COMPLAINT, MAYA_COMPLAINT, 3),
        (MAYA_THANKS, "88120345", "maya_trails", 412, False, BRAND_REPLY, MAYA_COMPLAINT, 2),
        (RUTH_PRAISE, "1622001234567890433", "ruthie_wandert", 87, False, None, RUTH_PRAISE, 1),
    ]
    assert _row(ws, BRAND_REPLY, "platform, created_at, text, lang, url") == (
        "twitter",
        datetime(2024, 5, 14, 8, 19, 41),
        (
            "@maya_trails That's not how a Ridgeline should hold up, Maya \u2013 sorry! Please DM us your order number "
            "& a photo and we'll ship a replacement today."
        ),  # &amp; in the API text
        "en",
        f"https://x.com/NorthwindHelp/status/{BRAND_REPLY}",
    )
    # share_count = retweets + quotes, view_count = impressions
    assert _row(ws, CAMPAIGN, "like_count, share_count, reply_count, view_count") == (1204, 187 + 23, 42, 98400)
    assert _row(ws, RUTH_PRAISE, "lang, location, text") == (
        "de",
        "M\u00fcnchen, Deutschland",
        (
            "Die neue Wanderhose von @NorthwindHelp ist gro\u00dfartig \u2013 endlich Taschen, in die ein Handy passt! "
            "\U0001f456\u2728 #TrailReady"
        ),
    )
    assert _row(ws, MAYA_COMPLAINT, "text")[0].endswith("\U0001f624 order NW-48213. Not what I paid \u00a3180 for.")


def test_stream_lines_keep_their_physical_line_numbers(ws: Workspace) -> None:
    report = ws.import_files([STREAM])
    assert report.files[0].format == "twitter"
    assert _counts(report) == (4, 4, 0, 0)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_handle, is_brand, in_reply_to_post_id, conversation_id, lang, url "
        "FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, KENJI_QUESTION, "kenji_sotoasobi", False, None, KENJI_QUESTION, "ja",
         f"https://x.com/kenji_sotoasobi/status/{KENJI_QUESTION}"),
        (2, KENJI_ANSWER, "NorthwindHelp", True, KENJI_QUESTION, KENJI_QUESTION, "en",
         f"https://x.com/NorthwindHelp/status/{KENJI_ANSWER}"),
        (4, MAYA_THANKS, "maya_trails", False, BRAND_REPLY, MAYA_COMPLAINT, "en",
         f"https://x.com/maya_trails/status/{MAYA_THANKS}"),
        # a bare tweet: no includes, so no handle and no link
        (5, KENJI_THANKS, None, False, KENJI_ANSWER, KENJI_QUESTION, "ja", None),
    ]  # fmt: skip
    assert _row(ws, KENJI_QUESTION, "text, created_at") == (
        (
            "@NorthwindHelp \u65e5\u672c\u3078\u306e\u914d\u9001\u306f\u3042\u308a\u307e\u3059\u304b\uff1f"
            "\u30ea\u30c3\u30b8\u30e9\u30a4\u30f3\u306e\u5bdd\u888b\u304c\u6b32\u3057\u3044\u3067\u3059 \U0001f1ef\U0001f1f5"
        ),
        datetime(2024, 5, 15, 1, 2, 44),
    )


def test_the_same_tweet_from_stream_and_search_is_one_post(ws: Workspace) -> None:
    ws.import_files([SEARCH])
    report = ws.import_files([STREAM])
    assert _counts(report) == (4, 3, 1, 0)  # line 4 repeats the search file's thanks tweet
    assert ws.store.post_count() == 9


def test_archive_reads_its_owner_from_account_js(ws: Workspace) -> None:
    report = ws.import_files([ARCHIVE])
    assert report.files[0].format == "twitter"
    assert _counts(report) == (4, 4, 0, 0)
    rows = ws.store.con.execute(
        "SELECT source_line, post_id, author_id, author_handle, is_brand, created_at, in_reply_to_post_id, lang, "
        "like_count, share_count, reply_count, view_count FROM posts ORDER BY source_line"
    ).fetchall()
    assert rows == [
        (1, KENJI_ANSWER, "1456789012", "NorthwindHelp", True, datetime(2024, 5, 15, 1, 20, 10), KENJI_QUESTION, "en", 2, 0, None, None),
        (2, RUTH_ANSWER, "1456789012", "NorthwindHelp", True, datetime(2024, 5, 14, 9, 5, 12), RUTH_PRAISE, "de", 3, 0, None, None),
        (3, BRAND_REPLY, "1456789012", "NorthwindHelp", True, datetime(2024, 5, 14, 8, 19, 41), MAYA_COMPLAINT, "en", 9, 0, None, None),
        (4, BOOT_TIPS, "1456789012", "NorthwindHelp", True, datetime(2024, 5, 13, 15, 0), None, "en", 31, 6, None, None),
    ]  # fmt: skip
    assert _row(ws, BOOT_TIPS, "text, url") == (
        (
            "Waxing your boots before the wet season? Our 3-step guide keeps leather supple & dry \U0001f97e "
            "https://t.co/Nw7BoOt03"
        ),
        f"https://x.com/NorthwindHelp/status/{BOOT_TIPS}",
    )


def test_archive_and_api_agree_on_the_same_tweets(ws: Workspace) -> None:
    ws.import_files([SEARCH, STREAM])
    report = ws.import_files([ARCHIVE])
    assert _counts(report) == (4, 2, 2, 0)  # the brand replies to Maya and Kenji were already there
    assert ws.store.post_count() == 11


def test_archive_without_account_js_uses_the_only_brand_account(tmp_path: Path) -> None:
    alone = tmp_path / "export" / "tweets.js"
    alone.parent.mkdir()
    shutil.copy(ARCHIVE, alone)
    one_brand = 'brand = "Northwind"\n[[accounts]]\nplatform = "twitter"\nhandle = "@NorthwindHelp"\n'
    with Workspace.init(tmp_path / "ws", config_text=one_brand) as ws:
        report = ws.import_files([alone])
        assert _counts(report) == (4, 4, 0, 0)
        assert ws.store.con.execute("SELECT DISTINCT author_id, author_handle, is_brand FROM posts").fetchall() == [
            ("NorthwindHelp", "NorthwindHelp", True)
        ]


@pytest.mark.parametrize("config_text", ["", BRANDS], ids=["no brand account", "two brand accounts"])
def test_archive_without_account_js_and_no_single_brand_fails_the_file(tmp_path: Path, config_text: str) -> None:
    alone = tmp_path / "export" / "tweets.js"
    alone.parent.mkdir()
    shutil.copy(ARCHIVE, alone)
    with Workspace.init(tmp_path / "ws", config_text=config_text) as ws:
        report = ws.import_files([alone])
        (failed,) = report.failed_files
        assert "account.js" in (failed.error or "")
        assert ws.store.post_count() == 0


# -- detection -------------------------------------------------------------------------------


# -- bad records -------------------------------------------------------------------------------


def test_bad_stream_lines_are_rejected_and_the_rest_imported(ws: Workspace, tmp_path: Path) -> None:
    long_text = "x" * 300
    path = _write_jsonl(
        tmp_path / "bad.jsonl",
        [
            _tweet("1", public_metrics={"like_count": 3, "retweet_count": 1}),  # 1 good
            _tweet("2", created_at=None),  # 2
            _tweet("3", created_at="14/05/2024 10:00"),  # 3
            _tweet("4", text="   "),  # 4
            '{"id": "5", "text": "cut off',  # 5
            _tweet("6", public_metrics={"like_count": "many"}),  # 6
            _tweet(
                "7", text="RT @maya_trails: zipper split", referenced_tweets=[{"type": "retweeted", "id": "1"}]
            ),  # 7
            _tweet("8", author_id=None),  # 8
            "",  # 9: blank, no record
            _tweet("10", id=None),  # 10
            {"data": [_tweet("11", note_tweet={"text": long_text}), _tweet("12", created_at=None)]},  # 11: two tweets
            [1, 2],  # 12
        ],
    )
    report = ws.import_files([path])
    assert report.files[0].format == "twitter"
    assert _counts(report) == (12, 2, 0, 10)
    assert {r[0] for r in ws.store.con.execute("SELECT post_id FROM posts").fetchall()} == {"1", "11"}
    assert _row(ws, "1", "like_count, share_count, view_count, author_handle") == (3, 1, None, None)
    assert _row(ws, "11", "text, source_line") == (long_text, 11)
    rejects = [(r.line, r.field) for r in ws.rejects()]
    assert rejects == [
        (2, "created_at"),
        (3, "created_at"),
        (4, "text"),
        (5, "line"),
        (6, "public_metrics.like_count"),
        (7, "referenced_tweets"),
        (8, "author_id"),
        (10, "id"),
        (11, "created_at"),
        (12, "line"),
    ]
    reasons = {r.line: r.reason for r in ws.rejects()}
    assert "missing" in reasons[2]
    assert "14/05/2024 10:00" in reasons[3]
    assert reasons[4] == "text is empty"
    assert reasons[5].startswith("not valid JSON")
    assert "many" in reasons[6]
    assert "retweet" in reasons[7]
    raw = {r.line: r.raw for r in ws.rejects()}
    assert raw[5] == '{"id": "5", "text": "cut off'  # the line as it was
    assert json.loads(raw[6])["public_metrics"] == {"like_count": "many"}  # the tweet's own JSON


def test_bad_tweets_in_a_document_are_numbered_by_position(ws: Workspace, tmp_path: Path) -> None:
    pages = [
        {
            "data": [_tweet("1"), _tweet("2", created_at="yesterday")],
            "includes": {"users": [{"id": "500", "username": "sam", "public_metrics": {"followers_count": 7}}]},
        },
        {"data": [_tweet("3", public_metrics={"impression_count": 1.5})]},
        {"meta": {"result_count": 0}},
        {"data": [_tweet("4")]},
    ]  # fmt: skip
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(pages, indent=2), encoding="utf-8")
    report = ws.import_files([path], ImportOptions(format="twitter"))
    assert _counts(report) == (4, 2, 0, 2)
    assert [(r.line, r.field) for r in ws.rejects()] == [(2, "created_at"), (3, "public_metrics.impression_count")]
    assert _row(ws, "1", "author_handle, author_followers, url, source_line") == (
        "sam",
        7,
        "https://x.com/sam/status/1",
        1,
    )
    assert _row(ws, "4", "author_handle, source_line") == (None, 4)  # users are joined per response


def test_broken_json_document_fails_the_file_naming_the_line(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "data": [\n    {"id": "1", "author_id": "5", "text": "hi",}\n  ]\n}\n', encoding="utf-8")
    report = ws.import_files([path], ImportOptions(format="twitter"))
    (failed,) = report.failed_files
    assert "not valid JSON" in (failed.error or "")
    ((line, field),) = [(r.line, r.field) for r in ws.rejects()]
    assert (line, field) == (3, "(file)")
    assert ws.store.post_count() == 0


def test_bad_archive_tweets_are_rejected_by_field(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(ARCHIVE.with_name("account.js"), folder / "account.js")

    def tweet(tweet_id: str, **fields: Any) -> dict[str, Any]:
        base = {
            "id_str": tweet_id,
            "created_at": "Mon May 20 10:00:00 +0000 2024",
            "full_text": "Hello &lt;3",
            "favorite_count": "1",
            "retweet_count": "0",
        }
        return {"tweet": {k: v for k, v in {**base, **fields}.items() if v is not None}}

    items = [
        tweet("1"),
        tweet("2", created_at="2024-05-20 10:00"),
        tweet("3", favorite_count="1k"),
        tweet("4", full_text=""),
        tweet("5", full_text="RT @someone: look at this"),
        tweet("6", id_str=None),
        tweet("7", created_at="Mon May 20 12:00:00 +0200 2024"),
    ]
    (folder / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(items, indent=2), encoding="utf-8")
    with Workspace.init(tmp_path / "ws") as ws:
        report = ws.import_files([folder / "tweets.js"])
        assert report.files[0].format == "twitter"
        assert _counts(report) == (7, 2, 0, 5)
        assert [(r.line, r.field) for r in ws.rejects()] == [
            (2, "created_at"),
            (3, "favorite_count"),
            (4, "full_text"),
            (5, "full_text"),
            (6, "id_str"),
        ]
        assert "retweet" in ws.rejects()[3].reason
        assert ws.store.con.execute("SELECT post_id, text, created_at FROM posts ORDER BY post_id").fetchall() == [
            ("1", "Hello <3", datetime(2024, 5, 20, 10, 0)),
            ("7", "Hello <3", datetime(2024, 5, 20, 10, 0)),  # +0200 converted to UTC
        ]
