"""The import contract, checked the same way for every format (twcs, twitter, mastodon, bluesky, csv) on both stores.

Whatever the format, an import keeps its sums (``read == imported + duplicates + rejected``), a second import of the
same file adds nothing, every post and the imports ledger say where they came from (file, line, sha256, and the file is
never modified), and a bad record becomes a reject naming its file, line and field, with its raw content kept.
What each format reads from its records is tested in that format's own module (test_twcs.py, test_twitter.py, ...).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from groundswell.workspace import Workspace

DATA = Path(__file__).resolve().parents[1] / "data"

TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
TWCS = TWCS_HEADER + (
    "1,111,True,Tue Oct 31 22:10:47 +0000 2017,@Acme my order is late,2,\n"
    "2,Acme,False,Tue Oct 31 22:20:47 +0000 2017,@111 sorry! DM us your order number,3,1\n"
    "3,111,True,Tue Oct 31 22:30:47 +0000 2017,@Acme done,,2\n"
)
CSV = (
    "platform,post_id,author_id,created_at,text,in_reply_to_post_id,like_count\n"
    "twitter,t1,u1,2026-03-01T10:00:00Z,@Acme the Leeds store was great,,4\n"
    "twitter,t2,b1,2026-03-01T10:30:00Z,@ana thank you Ana!,t1,\n"
)


def _tweet(tweet_id: str, **fields: Any) -> str:
    tweet = {"id": tweet_id, "text": f"@Acme tweet {tweet_id}", "author_id": "500",
             "created_at": "2024-05-20T10:00:00.000Z", "edit_history_tweet_ids": [tweet_id], **fields}  # fmt: skip
    return json.dumps(tweet)


def _status(status_id: str, **fields: Any) -> str:
    status = {"id": status_id, "created_at": "2024-05-20T10:00:00.000Z", "in_reply_to_id": None,
              "content": f"<p>status {status_id}</p>", "spoiler_text": "", "replies_count": 0, "reblogs_count": 0,
              "favourites_count": 1, "reblog": None,
              "account": {"id": "7", "username": "sam", "acct": "sam@trails.example"}, **fields}  # fmt: skip
    return json.dumps(status)


def _bsky_post(rkey: str, **record: Any) -> str:
    did = "did:plc:k3njwndrs4xyz5abc6def7gh"
    post = {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": "bafyreiexample",
            "author": {"did": did, "handle": "kenjiwanders.bsky.social"},
            "record": {"$type": "app.bsky.feed.post", "text": f"post {rkey}", "createdAt": "2024-05-20T10:00:00.000Z",
                       **record},
            "likeCount": 1, "repostCount": 0, "replyCount": 0}  # fmt: skip
    return json.dumps(post)


@dataclass(frozen=True)
class Good:
    """A file of ``format`` that imports: one of tests/data's fixtures, or ``text`` written as ``name``."""

    format: str
    name: str
    text: str | None = None

    def path(self, tmp_path: Path) -> Path:
        if self.text is None:
            return DATA / self.format / self.name
        path = tmp_path / "in" / self.name
        path.parent.mkdir(exist_ok=True)
        path.write_text(self.text, encoding="utf-8")
        return path


GOOD = [
    Good("twcs", "twcs.csv", TWCS),
    Good("twitter", "api_v2_search.json"),
    Good("twitter", "api_v2_stream.jsonl"),
    Good("twitter", "archive/tweets.js"),
    Good("mastodon", "statuses.json"),  # holds a boost, which is rejected
    Good("mastodon", "context.json"),
    Good("mastodon", "outbox.json"),  # holds an Announce, which is rejected
    Good("bluesky", "author_feed.json"),  # holds a repost, which is rejected
    Good("bluesky", "search_posts.json"),
    Good("bluesky", "post_thread.json"),
    Good("csv", "posts.csv", CSV),
]


@dataclass(frozen=True)
class Bad:
    """Three records of ``format``, the second of them bad in ``field``; ``raw`` is in the bad one's content."""

    format: str
    name: str
    lines: Callable[[], list[str]]
    field: str
    raw: str


BAD = [
    Bad(
        "twcs",
        "twcs.csv",
        lambda: [
            TWCS_HEADER.rstrip("\n"),
            "1,111,True,Tue Oct 31 22:10:47 +0000 2017,@Acme hi,,",
            "2,111,True,31/10/2017 22:30,@Acme hello?,,",
            "3,111,True,Tue Oct 31 22:40:47 +0000 2017,@Acme again,,",
        ],
        "created_at",
        "31/10/2017 22:30",
    ),
    Bad(
        "twitter",
        "tweets.jsonl",
        lambda: [_tweet("1"), _tweet("2", created_at="14/05/2024 10:00"), _tweet("3")],
        "created_at",
        "14/05/2024 10:00",
    ),
    Bad(
        "mastodon",
        "statuses.jsonl",
        lambda: [_status("1"), _status("2", created_at="20 May 2024"), _status("3")],
        "created_at",
        "20 May 2024",
    ),
    Bad(
        "bluesky",
        "posts.jsonl",
        lambda: [
            _bsky_post("3kline1aaaaa1"),
            _bsky_post("3kline2aaaaa2", createdAt="last tuesday"),
            _bsky_post("3kline3aaaaa3"),
        ],
        "record.createdAt",
        "last tuesday",
    ),
    Bad(
        "csv",
        "posts.csv",
        lambda: [*CSV.splitlines()[:2], "twitter,t3,u2,2026-03-01T11:00:00Z,hi,,four", CSV.splitlines()[2]],
        "like_count",
        "four",
    ),
]


def _id(case: Good | Bad) -> str:
    return f"{case.format}:{case.name}"


@pytest.fixture
def database(backend: str | None) -> str | None:
    """The contract holds on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


def _counts(report: Any) -> tuple[int, int, int, int]:
    return report.read, report.imported, report.duplicates, report.rejected


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.mark.parametrize("case", GOOD, ids=_id)
def test_read_is_imported_plus_duplicates_plus_rejected(workspace: Workspace, tmp_path: Path, case: Good) -> None:
    report = workspace.import_files([case.path(tmp_path)])
    (file,) = report.files
    assert file.format == case.format  # detected, not named
    assert file.error is None
    assert report.read > 0 and report.read == report.imported + report.duplicates + report.rejected
    assert workspace.store.post_count() == report.imported
    assert len(workspace.rejects()) == report.rejected


@pytest.mark.parametrize("case", GOOD, ids=_id)
def test_a_second_import_adds_nothing(workspace: Workspace, tmp_path: Path, case: Good) -> None:
    path = case.path(tmp_path)
    first = workspace.import_files([path])
    again = workspace.import_files([path])
    assert _counts(again) == (first.read, 0, first.imported, first.rejected)
    assert workspace.store.post_count() == first.imported


@pytest.mark.parametrize("case", GOOD, ids=_id)
def test_every_post_and_the_ledger_say_where_they_came_from(workspace: Workspace, tmp_path: Path, case: Good) -> None:
    path = case.path(tmp_path)
    before = _fingerprint(path)
    report = workspace.import_files([path])
    assert _fingerprint(path) == before  # the source file is never modified
    (ledger,) = workspace.store.imports()
    assert (ledger["source"], ledger["status"], ledger["sha256"]) == (str(path), "done", before[0])
    assert (ledger["read"], ledger["imported"], ledger["duplicates"], ledger["rejected"]) == _counts(report)
    lineage = workspace.store.execute("SELECT source, import_id, min(source_line), count(*) FROM posts GROUP BY 1, 2")
    assert lineage == [(str(path), ledger["import_id"], lineage[0][2], report.imported)]
    assert lineage[0][2] >= 1
    lines = {line for (line,) in workspace.store.execute("SELECT source_line FROM posts")}
    assert not lines & {r.line for r in workspace.rejects()}  # a line is a post or a reject, not both


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_a_bad_record_is_rejected_with_its_file_line_and_field(workspace: Workspace, tmp_path: Path, case: Bad) -> None:
    path = tmp_path / case.name
    path.write_text("\n".join(case.lines()) + "\n", encoding="utf-8")
    report = workspace.import_files([path])
    assert report.files[0].format == case.format
    assert _counts(report) == (3, 2, 0, 1)
    (reject,) = workspace.rejects()
    bad_line = 3 if case.format in ("twcs", "csv") else 2  # the CSVs' header is line 1
    assert (reject.file, reject.line, reject.field) == (str(path), bad_line, case.field)
    assert reject.reason and case.raw in reject.raw  # why, and the record as it was
    assert reject.import_id == workspace.store.imports()[0]["import_id"]
    assert sorted(line for (line,) in workspace.store.execute("SELECT source_line FROM posts")) == [
        bad_line - 1,
        bad_line + 1,
    ]
