"""The CSV importers under hostile input: TWCS and the generic table format (CSV and Parquet).

See hostile.py for the values and the checks; each test puts one hostile value in one column of the middle row,
between two good ones. Lone surrogates reach the file as the bytes a bad writer leaves (invalid UTF-8).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import FUZZ, FUZZ_SLOW, INT64_MAX, INT64_MIN, cells, import_checked, texts, unique, write
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.base import CSV_FIELD_LIMIT
from groundswell.workspace import Workspace

TWCS_COLUMNS = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]
TABLE_COLUMNS = [
    "platform", "post_id", "author_id", "author_handle", "author_followers", "is_brand", "created_at", "text", "lang",
    "in_reply_to_post_id", "conversation_id", "url", "like_count", "share_count", "reply_count", "view_count",
    "location",
]  # fmt: skip


def twcs_row(tweet_id: str) -> list[str]:
    return [tweet_id, "111", "True", "Tue Oct 31 22:10:47 +0000 2017", "@Acme my order is late", "", "7"]


def table_row(post_id: str) -> list[str]:
    return ["twitter", post_id, "u1", "ana", "10", "false", "2026-03-01T10:00:00Z", "@Acme hi", "en", "t0", "t0",
            "https://x.com/ana/status/1", "4", "1", "0", "100", "Leeds"]  # fmt: skip


def as_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _hostile_file(
    fuzz_ws: Workspace, fuzz_files: Path, format: str, columns: list[str], column: int, value: str
) -> None:
    n = unique()
    first, middle, last = f"{n}1", f"{n}2", f"{n}3"
    make = twcs_row if format == "twcs" else table_row
    bad = make(middle)
    bad[column] = value
    text = as_csv([columns, make(first), bad, make(last)])
    outcome = import_checked(fuzz_ws, write(fuzz_files, f"{format}.csv", text), format=format)
    assert outcome.report.error is None
    assert {first, last} <= outcome.post_ids
    # a cell may hold newlines (quoted): the bad row starts at line 3, the last one after it
    assert all(line >= 3 for line, _, _ in outcome.rejects)


@FUZZ
@given(column=st.integers(min_value=0, max_value=len(TWCS_COLUMNS) - 1), value=cells())
def test_a_hostile_twcs_cell_rejects_that_row_only(
    fuzz_ws: Workspace, fuzz_files: Path, column: int, value: str
) -> None:
    _hostile_file(fuzz_ws, fuzz_files, "twcs", TWCS_COLUMNS, column, value)


@FUZZ
@given(column=st.integers(min_value=0, max_value=len(TABLE_COLUMNS) - 1), value=cells())
def test_a_hostile_table_cell_rejects_that_row_only(
    fuzz_ws: Workspace, fuzz_files: Path, column: int, value: str
) -> None:
    _hostile_file(fuzz_ws, fuzz_files, "csv", TABLE_COLUMNS, column, value)


@FUZZ
@given(
    text=texts(),
    count=st.integers(min_value=INT64_MIN, max_value=INT64_MAX),
    moment=st.integers(min_value=-(2**62), max_value=2**62),
)
def test_hostile_parquet_values_reject_their_row_only(
    fuzz_ws: Workspace, fuzz_files: Path, text: str, count: int, moment: int
) -> None:
    """Typed columns: any 64-bit count, any timestamp a Parquet file can hold (far beyond Python's years)."""
    n = unique()
    ids = [f"{n}1", f"{n}2", f"{n}3"]
    good_text = "@Acme hello"
    table = pa.table({
        "platform": ["twitter"] * 3, "post_id": ids, "author_id": ["u1"] * 3,
        "created_at": pa.array([0, moment, 0], pa.int64()).cast(pa.timestamp("us")),
        "text": pa.array([good_text, text, good_text], pa.string()) if _encodable(text) else [good_text] * 3,
        "like_count": pa.array([1, count, 1], pa.int64()),
    })  # fmt: skip
    path = fuzz_files / f"{n}.parquet"
    pq.write_table(table, path)
    outcome = import_checked(fuzz_ws, path, format="csv")
    assert outcome.report.error is None
    assert {ids[0], ids[2]} <= outcome.post_ids
    assert {line for line, _, _ in outcome.rejects} <= {2}


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _truncated(fuzz_ws: Workspace, fuzz_files: Path, format: str, cut: int) -> None:
    n = unique()
    ids = [f"{n}1", f"{n}2", f"{n}3"]
    if format == "twcs":
        rows = [TWCS_COLUMNS, *(twcs_row(i) for i in ids)]
    else:
        rows = [TABLE_COLUMNS, *(table_row(i) for i in ids)]
    data = as_csv(rows).encode()
    outcome = import_checked(fuzz_ws, write(fuzz_files, f"cut-{format}.csv", data[:cut]), format=format)
    end = len(as_csv(rows[:1]))
    for row, post_id in zip(rows[1:], ids, strict=True):
        end += len(as_csv([row]))
        if end <= cut:  # the row and its newline are whole
            assert post_id in outcome.post_ids


@FUZZ
@given(format=st.sampled_from(["twcs", "csv"]), cut=st.integers(min_value=0, max_value=400))
def test_a_csv_file_cut_anywhere_keeps_its_whole_rows(
    fuzz_ws: Workspace, fuzz_files: Path, format: str, cut: int
) -> None:
    _truncated(fuzz_ws, fuzz_files, format, cut)


@pytest.mark.slow
@pytest.mark.parametrize("format", ["twcs", "csv"])
def test_a_csv_file_cut_at_every_byte_keeps_its_whole_rows(fuzz_ws: Workspace, fuzz_files: Path, format: str) -> None:
    for cut in range(400):
        _truncated(fuzz_ws, fuzz_files, format, cut)


def test_a_cell_longer_than_the_detection_window_is_imported_as_it_is(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    n = unique()
    row = twcs_row(f"{n}1")
    row[4] = "@Acme " + "x" * 100_000
    outcome = import_checked(fuzz_ws, write(fuzz_files, "long.csv", as_csv([TWCS_COLUMNS, row])), format="twcs")
    assert outcome.post_ids == {f"{n}1"}
    [(text,)] = fuzz_ws.store.execute("SELECT text FROM posts WHERE post_id = ?", [f"{n}1"])
    assert text == row[4]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_over_the_size_limit(fuzz_ws: Workspace, fuzz_files: Path, quoted: bool) -> None:
    """Unquoted, the row is rejected and the reader goes on; quoted, the reader cannot tell where the field
    ends, so the rest of the file is one reject rather than rows read out of step."""
    n = unique()
    huge = "x" * (CSV_FIELD_LIMIT + 1)
    big = (
        f'{n}2,111,True,Tue Oct 31 22:10:47 +0000 2017,"{huge}\nstill inside",,7'
        if quoted
        else f"{n}2,111,True,Tue Oct 31 22:10:47 +0000 2017,{huge},,7"
    )
    rows = as_csv([TWCS_COLUMNS, twcs_row(f"{n}1")]) + big + "\n" + as_csv([twcs_row(f"{n}3")])
    outcome = import_checked(fuzz_ws, write(fuzz_files, "huge.csv", rows), format="twcs")
    [(line, field, reason)] = outcome.rejects
    assert (line, field) == (3, "row") and "field limit" in reason
    if quoted:
        assert outcome.post_ids == {f"{n}1"} and "to the end of the file" in reason
    else:
        assert outcome.post_ids == {f"{n}1", f"{n}3"}
        [(raw,)] = fuzz_ws.store.execute("SELECT raw FROM rejects WHERE file = ?", [outcome.report.path])
        assert raw == big  # the row kept whole


def test_a_date_beyond_year_9999_in_parquet_is_a_reject_naming_its_column(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    n = unique()
    beyond = int((datetime(9999, 12, 31) - datetime(1970, 1, 1)).total_seconds() * 1_000_000) * 2
    table = pa.table({"platform": ["x", "x"], "post_id": [f"{n}1", f"{n}2"], "author_id": ["u", "u"],
                      "created_at": pa.array([beyond, 0], pa.int64()).cast(pa.timestamp("us")),
                      "text": ["far", "near"]})  # fmt: skip
    pq.write_table(table, fuzz_files / f"{n}.parquet")
    outcome = import_checked(fuzz_ws, fuzz_files / f"{n}.parquet", format="csv")
    assert outcome.post_ids == {f"{n}2"}
    [(line, field, reason)] = outcome.rejects
    assert (line, field) == (1, "created_at") and "out of range" in reason


@pytest.mark.slow
@FUZZ_SLOW
@given(column=st.integers(min_value=0, max_value=len(TABLE_COLUMNS) - 1), value=cells())
def test_many_hostile_table_cells(fuzz_ws: Workspace, fuzz_files: Path, column: int, value: str) -> None:
    _hostile_file(fuzz_ws, fuzz_files, "csv", TABLE_COLUMNS, column, value)


@pytest.mark.slow
@FUZZ_SLOW
@given(column=st.integers(min_value=0, max_value=len(TWCS_COLUMNS) - 1), value=cells())
def test_many_hostile_twcs_cells(fuzz_ws: Workspace, fuzz_files: Path, column: int, value: str) -> None:
    _hostile_file(fuzz_ws, fuzz_files, "twcs", TWCS_COLUMNS, column, value)
