"""The Bluesky importer under hostile input: post views in JSON Lines, a feed and a thread document.

See hostile.py for the values and the checks; each test puts one hostile value in one field (any field, the
containers included) of the middle record, between two good ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile import (
    FUZZ,
    FUZZ_SLOW,
    dumps,
    fuzz_workspace,
    import_checked,
    json_values,
    paths_of,
    replaced,
    unique,
    write,
)
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


ITEM_FIELDS = paths_of(item("1"))


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with fuzz_workspace(tmp_path_factory.mktemp("fuzz-bluesky")) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


def _goods() -> tuple[str, str]:
    n = unique()
    return f"3k{n}a", f"3k{n}c"


def _json_lines(ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any) -> None:
    first, last = _goods()
    lines = [dumps(item(first)), dumps(replaced(item(f"{first}b"), field, value)), dumps(item(last))]
    outcome = import_checked(ws, write(folder, "feed.jsonl", "\n".join(lines) + "\n"), format="bluesky")
    assert outcome.report.error is None
    assert {uri(first), uri(last)} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_a_hostile_field_in_a_json_lines_post_rejects_that_line_only(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    _json_lines(ws, folder, field, value)


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_a_hostile_field_in_a_feed_rejects_that_item_only(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    first, last = _goods()
    feed = {"feed": [item(first), replaced(item(f"{first}b"), field, value), item(last)]}
    outcome = import_checked(ws, write(folder, "feed.json", dumps(feed)))
    assert outcome.report.error is None
    assert {uri(first), uri(last)} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_a_hostile_field_in_a_thread_keeps_the_other_posts(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    first, last = _goods()
    bad = replaced(item(f"{first}b"), field, value)
    thread = {"thread": {"post": item(first)["post"], "replies": [bad, {"post": item(last)["post"]}]}}
    outcome = import_checked(ws, write(folder, "thread.json", dumps(thread)))
    assert outcome.report.error is None
    assert {uri(first), uri(last)} <= outcome.post_ids


def test_lists_nested_deeper_than_the_recursion_limit_are_one_reject(ws: Workspace, folder: Path) -> None:
    first, last = _goods()
    deep = "[" * 5000 + "]" * 5000
    lines = [dumps(item(first)), deep, dumps(item(last))]
    outcome = import_checked(ws, write(folder, "deep.jsonl", "\n".join(lines) + "\n"), format="bluesky")
    assert outcome.post_ids == {uri(first), uri(last)}
    assert [(line, field) for line, field, _ in outcome.rejects] == [(2, "line")]


def _truncated(ws: Workspace, folder: Path, cut: int) -> None:
    first, last = _goods()
    keys = (first, f"{first}b", last)
    lines = [dumps(item(k)) for k in keys]
    data = ("\n".join(lines) + "\n").encode()
    outcome = import_checked(ws, write(folder, "cut.jsonl", data[:cut]), format="bluesky")
    end = 0
    for line, key in zip(lines, keys, strict=True):
        end += len(line)
        if end <= cut:
            assert uri(key) in outcome.post_ids
        end += 1


@FUZZ
@given(cut=st.integers(min_value=0, max_value=1500))
def test_a_json_lines_file_cut_anywhere_keeps_its_whole_lines(ws: Workspace, folder: Path, cut: int) -> None:
    _truncated(ws, folder, cut)


@pytest.mark.slow
def test_a_json_lines_file_cut_at_every_byte_keeps_its_whole_lines(ws: Workspace, folder: Path) -> None:
    for cut in range(len(dumps(item("1"))) * 3 + 30):
        _truncated(ws, folder, cut)


@pytest.mark.slow
@FUZZ_SLOW
@given(field=st.sampled_from(ITEM_FIELDS), value=json_values())
def test_many_hostile_fields_in_json_lines(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    _json_lines(ws, folder, field, value)
