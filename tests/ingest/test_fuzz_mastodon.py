"""The Mastodon importer under hostile input: API statuses (JSON Lines, one document) and archive outbox.json.

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


def status(status_id: str) -> dict[str, Any]:
    """A status with every field the importer reads filled in."""
    return {
        "id": status_id, "created_at": "2024-05-20T10:00:00.000Z", "in_reply_to_id": "9", "language": "en",
        "content": "<p>Hello <a href='https://x.example'>@acme</a><br>again</p><p>two</p>",
        "spoiler_text": "cw", "replies_count": 0, "reblogs_count": 2, "favourites_count": 1, "reblog": None,
        "url": f"https://trails.example/@sam/{status_id}",
        "account": {"id": "7", "username": "sam", "acct": "sam", "url": "https://trails.example/@sam",
                    "followers_count": 12},
    }  # fmt: skip


def activity(note_id: str) -> dict[str, Any]:
    uri = f"https://trails.example/users/sam/statuses/{note_id}"
    return {
        "type": "Create", "actor": "https://trails.example/users/sam", "published": "2024-05-20T10:00:00Z",
        "object": {"id": uri, "type": "Note", "published": "2024-05-20T10:00:00Z", "summary": None,
                   "content": "<p>hello</p>", "contentMap": {"en": "<p>hello</p>"},
                   "inReplyTo": None, "conversation": "tag:trails.example,2024:1", "url": uri,
                   "attributedTo": "https://trails.example/users/sam"},
    }  # fmt: skip


STATUS_FIELDS = paths_of(status("1"))
ACTIVITY_FIELDS = paths_of(activity("1"))


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with fuzz_workspace(tmp_path_factory.mktemp("fuzz-mastodon")) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


def _goods() -> tuple[str, str]:
    n = unique()
    return f"{n}01", f"{n}03"


def _json_lines(ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any) -> None:
    first, last = _goods()
    lines = [dumps(status(first)), dumps(replaced(status(f"{first}2"), field, value)), dumps(status(last))]
    outcome = import_checked(ws, write(folder, "statuses.jsonl", "\n".join(lines) + "\n"), format="mastodon")
    assert outcome.report.error is None
    assert {first, last} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


@FUZZ
@given(field=st.sampled_from(STATUS_FIELDS), value=json_values())
def test_a_hostile_field_in_a_json_lines_status_rejects_that_line_only(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    _json_lines(ws, folder, field, value)


@FUZZ
@given(field=st.sampled_from(STATUS_FIELDS), value=json_values())
def test_a_hostile_field_in_an_array_of_statuses_rejects_that_status_only(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    first, last = _goods()
    statuses = [status(first), replaced(status(f"{first}2"), field, value), status(last)]
    outcome = import_checked(ws, write(folder, "statuses.json", dumps(statuses)))
    assert outcome.report.error is None
    assert {first, last} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


@FUZZ
@given(field=st.sampled_from(ACTIVITY_FIELDS), value=json_values())
def test_a_hostile_field_in_an_outbox_rejects_that_activity_only(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    first, last = _goods()
    items = [activity(first), replaced(activity(f"{first}2"), field, value), activity(last)]
    outbox = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", "orderedItems": items}
    outcome = import_checked(ws, write(folder, "outbox.json", dumps(outbox)))
    assert outcome.report.error is None
    assert {f"https://trails.example/users/sam/statuses/{n}" for n in (first, last)} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


def _truncated(ws: Workspace, folder: Path, cut: int) -> None:
    first, last = _goods()
    ids = (first, f"{first}2", last)
    lines = [dumps(status(i)) for i in ids]
    data = ("\n".join(lines) + "\n").encode()
    outcome = import_checked(ws, write(folder, "cut.jsonl", data[:cut]), format="mastodon")
    end = 0
    for line, status_id in zip(lines, ids, strict=True):
        end += len(line)
        if end <= cut:
            assert status_id in outcome.post_ids
        end += 1


@FUZZ
@given(cut=st.integers(min_value=0, max_value=1500))
def test_a_json_lines_file_cut_anywhere_keeps_its_whole_lines(ws: Workspace, folder: Path, cut: int) -> None:
    _truncated(ws, folder, cut)


@pytest.mark.slow
def test_a_json_lines_file_cut_at_every_byte_keeps_its_whole_lines(ws: Workspace, folder: Path) -> None:
    for cut in range(len(dumps(status("1"))) * 3 + 30):
        _truncated(ws, folder, cut)


@pytest.mark.slow
@FUZZ_SLOW
@given(field=st.sampled_from(STATUS_FIELDS), value=json_values())
def test_many_hostile_fields_in_json_lines(
    ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any
) -> None:
    _json_lines(ws, folder, field, value)
