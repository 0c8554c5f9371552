"""The Bluesky importer under hostile input: post views in JSON Lines, a feed and a thread document.

See hostile.py for the values and the checks; each test puts one hostile value in one field (any field, the
containers included) of the middle record, between two good ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile import FUZZ, FUZZ_SLOW, JsonFormat, dumps, import_checked, json_values, paths_of, write
from hypothesis import given
from hypothesis import strategies as st

from groundswell.workspace import Workspace

DID = "did:plc:k3njwndrs4xyz5abc6def7gh"


def uri(rkey: str) -> str:
    return f"at://{DID}/app.bsky.feed.post/{rkey}"


def item(rkey: str) -> dict[str, Any]:
    """A feed item with every field the importer reads filled in."""
    return {
        "post": {
            "uri": uri(rkey), "cid": "bafyreiexample",
            "author": {"did": DID, "handle": "kenji.bsky.social", "followersCount": 5},
            "record": {"$type": "app.bsky.feed.post", "text": f"post {rkey}", "createdAt": "2024-05-20T10:00:00.000Z",
                       "langs": ["en"], "reply": {"parent": {"uri": uri("p")}, "root": {"uri": uri("r")}}},
            "likeCount": 1, "repostCount": 0, "quoteCount": 2, "replyCount": 0,
        },
        "reason": None,
    }  # fmt: skip


def thread(items: list[Any]) -> dict[str, Any]:
    """The first item's post as the anchor of a thread, the others its replies."""
    return {"thread": {"post": items[0]["post"], "replies": items[1:]}}


BLUESKY = JsonFormat("bluesky", item, uri)
ITEM_FIELDS = paths_of(item("1"))


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_a_hostile_field_in_a_json_lines_post_rejects_that_line_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    BLUESKY.json_lines(fuzz_ws, fuzz_files, field, value)


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_a_hostile_field_in_a_feed_rejects_that_item_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    BLUESKY.document(fuzz_ws, fuzz_files, field, value, lambda items: {"feed": items})


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_a_hostile_field_in_a_thread_keeps_the_other_posts(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    # a hostile reply may hold no post at all, which a thread skips: the numbering is not fixed
    BLUESKY.document(fuzz_ws, fuzz_files, field, value, thread, numbered=False)


def test_lists_nested_deeper_than_the_recursion_limit_are_one_reject(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    first, _, last = BLUESKY.ids()
    lines = [dumps(item(first)), "[" * 5000 + "]" * 5000, dumps(item(last))]
    outcome = import_checked(fuzz_ws, write(fuzz_files, "deep.jsonl", "\n".join(lines) + "\n"), format="bluesky")
    assert outcome.post_ids == {uri(first), uri(last)}
    assert [(line, field) for line, field, _ in outcome.rejects] == [(2, "line")]


@FUZZ
@given(cut=st.integers(min_value=0, max_value=BLUESKY.size()))
def test_a_json_lines_file_cut_anywhere_keeps_its_whole_lines(fuzz_ws: Workspace, fuzz_files: Path, cut: int) -> None:
    BLUESKY.truncated(fuzz_ws, fuzz_files, cut)


@pytest.mark.slow
def test_a_json_lines_file_cut_at_every_byte_keeps_its_whole_lines(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    for cut in range(BLUESKY.size()):
        BLUESKY.truncated(fuzz_ws, fuzz_files, cut)


@pytest.mark.slow
@FUZZ_SLOW
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_many_hostile_fields_in_json_lines(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    BLUESKY.json_lines(fuzz_ws, fuzz_files, field, value)
