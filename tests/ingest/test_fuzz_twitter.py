"""The X/Twitter importer under hostile input: API v2 pages (JSON Lines and one document) and archive tweets.js.

See hostile.py for the values and the checks; each test puts one hostile value in one field (any field, the
containers included) of the middle record, between two good ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile import FUZZ, FUZZ_SLOW, JsonFormat, dumps, import_checked, json_values, paths_of, replaced, write
from hypothesis import given
from hypothesis import strategies as st

from groundswell.workspace import Workspace


def page(tweet_id: str) -> dict[str, Any]:
    """An API v2 page holding one tweet, every field the importer reads filled in."""
    tweet = {
        "id": tweet_id, "text": "@Acme hello &amp; more", "author_id": "500", "created_at": "2024-05-20T10:00:00.000Z",
        "edit_history_tweet_ids": [tweet_id], "conversation_id": "1", "lang": "en",
        "referenced_tweets": [{"type": "replied_to", "id": "9"}],
        "public_metrics": {"like_count": 1, "retweet_count": 2, "quote_count": 0, "reply_count": 3,
                           "impression_count": 40},
        "note_tweet": {"text": "@Acme hello, the long version"}, "geo": {"place_id": "p1"},
    }  # fmt: skip
    return {
        "data": [tweet],
        "includes": {
            "users": [{"id": "500", "username": "ana", "public_metrics": {"followers_count": 10}}],
            "places": [{"id": "p1", "full_name": "Leeds"}],
        },
    }


def archive_tweet(tweet_id: str) -> dict[str, Any]:
    return {"tweet": {"id_str": tweet_id, "id": tweet_id, "created_at": "Tue Oct 31 22:10:47 +0000 2017",
                      "full_text": "@ana thanks!", "lang": "en", "in_reply_to_status_id_str": "7",
                      "favorite_count": "3", "retweet_count": "1"}}  # fmt: skip


TWITTER = JsonFormat("twitter", page)
PAGE_FIELDS = paths_of(page("1"))
ARCHIVE_FIELDS = paths_of(archive_tweet("1"))
ACCOUNT_JS = 'window.YTD.account.part0 = [{"account": {"accountId": "42", "username": "acme"}}]'


@FUZZ
@given(field=st.sampled_from(PAGE_FIELDS), value=json_values())
def test_a_hostile_field_in_a_json_lines_page_rejects_that_line_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    TWITTER.json_lines(fuzz_ws, fuzz_files, field, value)


@FUZZ
@given(field=st.sampled_from(PAGE_FIELDS), value=json_values())
def test_a_hostile_field_in_a_document_rejects_that_record_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    # a page may hold several tweets, each numbered: the ones after a hostile page are numbered on from it
    TWITTER.document(fuzz_ws, fuzz_files, field, value, numbered=False)


@FUZZ
@given(field=st.sampled_from(ARCHIVE_FIELDS), value=json_values())
def test_a_hostile_field_in_an_archive_rejects_that_tweet_only(
    fuzz_ws: Workspace, tmp_path_factory: pytest.TempPathFactory, field: tuple[str | int, ...], value: Any
) -> None:
    archive = tmp_path_factory.mktemp("archive")
    (archive / "account.js").write_text(ACCOUNT_JS, encoding="utf-8")
    first, middle, last = TWITTER.ids()
    tweets = [archive_tweet(first), replaced(archive_tweet(middle), field, value), archive_tweet(last)]
    outcome = import_checked(fuzz_ws, write(archive, "tweets.js", "window.YTD.tweets.part0 = " + dumps(tweets)))
    assert outcome.report.error is None
    assert {first, last} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


@FUZZ
@given(cut=st.integers(min_value=0, max_value=TWITTER.size()))
def test_a_json_lines_file_cut_anywhere_keeps_its_whole_lines(fuzz_ws: Workspace, fuzz_files: Path, cut: int) -> None:
    TWITTER.truncated(fuzz_ws, fuzz_files, cut)


@pytest.mark.slow
def test_a_json_lines_file_cut_at_every_byte_keeps_its_whole_lines(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    for cut in range(TWITTER.size()):
        TWITTER.truncated(fuzz_ws, fuzz_files, cut)


def test_a_json_lines_file_whose_first_line_is_longer_than_the_detection_window(
    fuzz_ws: Workspace, fuzz_files: Path
) -> None:
    first, _, last = TWITTER.ids()
    long = replaced(page(first), ("data", 0, "text"), "@Acme " + "long " * 40_000)
    data = "\n".join([dumps(long), dumps(page(last))]) + "\n"
    assert len(data.split("\n")[0]) > 65536
    outcome = import_checked(fuzz_ws, write(fuzz_files, "long.jsonl", data))
    assert (outcome.report.format, outcome.report.error, outcome.post_ids) == ("twitter", None, {first, last})


@pytest.mark.slow
@FUZZ_SLOW
@given(field=st.sampled_from(PAGE_FIELDS), value=json_values())
def test_many_hostile_fields_in_json_lines(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    TWITTER.json_lines(fuzz_ws, fuzz_files, field, value)
