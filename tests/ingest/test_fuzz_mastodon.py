"""The Mastodon importer under hostile input: API statuses (JSON Lines, one document) and archive outbox.json.

See hostile.py for the values and the checks; each test puts one hostile value in one field (any field, the
containers included) of the middle record, between two good ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile import FUZZ, FUZZ_SLOW, JsonFormat, json_values, paths_of
from hypothesis import given
from hypothesis import strategies as st

from groundswell.workspace import Workspace

OUTBOX = "https://trails.example/users/sam/statuses/"


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
    uri = OUTBOX + note_id
    return {
        "type": "Create", "actor": "https://trails.example/users/sam", "published": "2024-05-20T10:00:00Z",
        "object": {"id": uri, "type": "Note", "published": "2024-05-20T10:00:00Z", "summary": None,
                   "content": "<p>hello</p>", "contentMap": {"en": "<p>hello</p>"},
                   "inReplyTo": None, "conversation": "tag:trails.example,2024:1", "url": uri,
                   "attributedTo": "https://trails.example/users/sam"},
    }  # fmt: skip


def outbox(items: list[Any]) -> dict[str, Any]:
    return {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", "orderedItems": items}


STATUSES = JsonFormat("mastodon", status)
ACTIVITIES = JsonFormat("mastodon", activity, lambda note_id: OUTBOX + note_id)
STATUS_FIELDS = paths_of(status("1"))
ACTIVITY_FIELDS = paths_of(activity("1"))


@FUZZ
@given(field=st.sampled_from(STATUS_FIELDS), value=json_values())
def test_a_hostile_field_in_a_json_lines_status_rejects_that_line_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    STATUSES.json_lines(fuzz_ws, fuzz_files, field, value)


@FUZZ
@given(field=st.sampled_from(STATUS_FIELDS), value=json_values())
def test_a_hostile_field_in_an_array_of_statuses_rejects_that_status_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    STATUSES.document(fuzz_ws, fuzz_files, field, value)


@FUZZ
@given(field=st.sampled_from(ACTIVITY_FIELDS), value=json_values())
def test_a_hostile_field_in_an_outbox_rejects_that_activity_only(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    ACTIVITIES.document(fuzz_ws, fuzz_files, field, value, outbox)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=STATUSES.size()))
def test_a_json_lines_file_cut_anywhere_keeps_its_whole_lines(fuzz_ws: Workspace, fuzz_files: Path, cut: int) -> None:
    STATUSES.truncated(fuzz_ws, fuzz_files, cut)


@pytest.mark.slow
def test_a_json_lines_file_cut_at_every_byte_keeps_its_whole_lines(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    for cut in range(STATUSES.size()):
        STATUSES.truncated(fuzz_ws, fuzz_files, cut)


@pytest.mark.slow
@FUZZ_SLOW
@given(field=st.sampled_from(STATUS_FIELDS), value=json_values())
def test_many_hostile_fields_in_json_lines(
    fuzz_ws: Workspace, fuzz_files: Path, field: tuple[str | int, ...], value: Any
) -> None:
    STATUSES.json_lines(fuzz_ws, fuzz_files, field, value)
