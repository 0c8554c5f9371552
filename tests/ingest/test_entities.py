"""HTML entities, format by format: each importer stores the text the person wrote, decoded once and never twice.

Twitter (its API, its archive, and TWCS, which was collected through it) sends text HTML-escaped: ``&amp;``,
``&lt;``, ``&gt;``. Mastodon sends HTML. Bluesky sends the text as typed, and the generic CSV format takes the
text as the file holds it (groundswell's own columns: re-importing an export must not decode it a second time).
Whatever is stored, the file the posts' lineage names is left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from groundswell.ingest.base import decode_entities
from groundswell.workspace import Workspace

# What a person typed, and that text as Twitter's API sends it (one level of escaping).
TYPED = "Q&A <3 AT&T > all, and I literally typed &amp; here"
ESCAPED = "Q&amp;A &lt;3 AT&amp;T &gt; all, and I literally typed &amp;amp; here"
DID = "did:plc:k3njwndrs4xyz5abc6def7gh"


def _twcs() -> str:
    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    return header + f'1,111,True,Tue Oct 31 22:10:47 +0000 2017,"@Acme {ESCAPED}",,\n'


def _twitter_api() -> str:
    tweet = {"id": "1", "text": f"@Acme {ESCAPED}", "author_id": "500", "created_at": "2024-05-20T10:00:00.000Z",
             "edit_history_tweet_ids": ["1"]}  # fmt: skip
    return json.dumps({"data": [tweet], "includes": {"users": [{"id": "500", "username": "ana"}]}})


def _twitter_archive() -> str:
    tweet = {"id_str": "1", "full_text": f"@Acme {ESCAPED}", "created_at": "Tue May 14 09:19:41 +0000 2024"}
    return "window.YTD.tweets.part0 = " + json.dumps([{"tweet": tweet}])


def _mastodon() -> str:
    status = {"id": "1", "created_at": "2024-05-20T10:00:00.000Z", "in_reply_to_id": None,
              "content": f"<p>@Acme {ESCAPED}</p>", "spoiler_text": "", "replies_count": 0, "reblogs_count": 0,
              "favourites_count": 1, "reblog": None,
              "account": {"id": "7", "username": "sam", "acct": "sam@trails.example"}}  # fmt: skip
    return json.dumps([status])


def _bluesky() -> str:
    post = {"uri": f"at://{DID}/app.bsky.feed.post/3kline1aaaaa1", "cid": "bafyreiexample",
            "author": {"did": DID, "handle": "kenjiwanders.bsky.social"},
            "record": {"$type": "app.bsky.feed.post", "text": f"@Acme {TYPED}", "createdAt": "2024-05-20T10:00:00Z"}}  # fmt: skip
    return json.dumps({"feed": [{"post": post}]})


def _csv() -> str:
    return f'platform,post_id,author_id,created_at,text\ntwitter,t1,u1,2026-03-01T10:00:00Z,"@Acme {TYPED}"\n'


@dataclass(frozen=True)
class Case:
    format: str
    name: str
    content: str
    stored: str


CASES = [
    Case("twcs", "twcs.csv", _twcs(), f"@Acme {TYPED}"),
    Case("twitter", "search.json", _twitter_api(), f"@Acme {TYPED}"),
    Case("twitter", "tweets.js", _twitter_archive(), f"@Acme {TYPED}"),
    Case("mastodon", "statuses.json", _mastodon(), f"@Acme {TYPED}"),
    Case("bluesky", "feed.json", _bluesky(), f"@Acme {TYPED}"),
    Case("csv", "posts.csv", _csv(), f"@Acme {TYPED}"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.format}:{c.name}")
def test_each_format_stores_the_text_the_person_wrote(workspace: Workspace, tmp_path: Path, case: Case) -> None:
    path = tmp_path / "in" / case.name
    path.parent.mkdir()
    path.write_text(case.content, encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    if case.name == "tweets.js":  # an archive's owner: the config's only Twitter brand account
        workspace.config_path.write_text('brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "Acme"\n')
        workspace = Workspace.open(workspace.path)
    try:
        report = workspace.import_files([path])
        assert (report.files[0].format, report.imported, report.rejected) == (case.format, 1, 0), report
        ((text, source, line),) = workspace.store.execute("SELECT text, source, source_line FROM posts")
    finally:
        if case.name == "tweets.js":
            workspace.close()
    assert text == case.stored
    assert source == str(path) and line >= 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # the raw source, as lineage names it


def test_entities_are_decoded_once_and_only_whole() -> None:
    assert decode_entities("&amp;amp;") == "&amp;"
    assert decode_entities(ESCAPED) == TYPED
    assert decode_entities("&#39;&#x2764;&eacute;") == "'\u2764é"
    for kept in ("AT&T", "Q&A", "&copy 2017", "fish & chips", "&notanentity;", "&", "no ampersand"):
        assert decode_entities(kept) == kept
