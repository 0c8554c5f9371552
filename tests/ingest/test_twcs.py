"""TWCS import against the real excerpt in ../shared/data/twcs and hand-made variants (what every format
guarantees, the sums, re-import, lineage and rejects, is in test_import_contract.py)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from groundswell.ingest import ImportOptions
from groundswell.workspace import Workspace

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def _independent_counts(path: Path) -> tuple[int, set[str], int]:
    """Rows, brand authors and replies, read with the csv module directly."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    brands = {r["author_id"] for r in rows if r["inbound"] == "False"}
    replies = sum(1 for r in rows if r["in_response_to_tweet_id"])
    return len(rows), brands, replies


def test_real_twcs_excerpt_imports_every_row(workspace: Workspace, twcs_sample: Path) -> None:
    report = workspace.import_files([twcs_sample])
    rows, brands, replies = _independent_counts(twcs_sample)
    assert report.files[0].format == "twcs"  # detected from the header
    assert (report.read, report.imported, report.duplicates, report.rejected) == (rows, rows, 0, 0)
    con = workspace.store.con
    stored_brands = {r[0] for r in con.execute("SELECT DISTINCT author_id FROM posts WHERE is_brand").fetchall()}
    assert stored_brands == brands
    assert con.execute("SELECT count(*) FROM posts WHERE in_reply_to_post_id IS NOT NULL").fetchone() == (replies,)
    # ids written as 3.0 in the real file are stored as 3, matching the ids they point at
    assert con.execute("SELECT count(*) FROM posts c JOIN posts p ON p.post_id = c.in_reply_to_post_id").fetchone() == (
        745,
    )
    first = con.execute(
        "SELECT post_id, author_id, is_brand, created_at, in_reply_to_post_id, source, source_line "
        "FROM posts WHERE post_id = '1'"
    ).fetchone()
    assert first == ("1", "sprintcare", True, datetime(2017, 10, 31, 22, 10, 47), "3", str(twcs_sample), 2)


def test_lineage_counts_physical_lines_of_multiline_texts(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(
        HEADER
        + '10,111,True,Tue Oct 31 22:10:47 +0000 2017,"@Acme line one\nline two\nline three",,\n'
        + "11,Acme,False,Tue Oct 31 23:10:47 +0000 2017,@111 sorry to hear that,,10\n",
        encoding="utf-8",
    )
    workspace.import_files([path])
    lines = workspace.store.con.execute("SELECT post_id, source_line, text FROM posts ORDER BY post_id").fetchall()
    assert lines == [("10", 2, "@Acme line one\nline two\nline three"), ("11", 5, "@111 sorry to hear that")]


def test_integer_and_float_id_styles_are_the_same_ids(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        HEADER
        + "1,111,True,Tue Oct 31 22:10:47 +0000 2017,@Acme help,2,\n"
        + "2.0,Acme,False,Tue Oct 31 22:20:47 +0000 2017,@111 on it,3,1.0\n"
        + "3,111,True,Tue Oct 31 22:30:47 +0000 2017,@Acme thanks!,,2\n",
        encoding="utf-8",
    )
    report = workspace.import_files([path], ImportOptions(format="twcs"))
    assert report.imported == 3
    links = workspace.store.con.execute("SELECT post_id, in_reply_to_post_id FROM posts ORDER BY post_id").fetchall()
    assert links == [("1", None), ("2", "1"), ("3", "2")]


def test_non_utc_offsets_are_converted_to_utc(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "tz.csv"
    path.write_text(HEADER + "1,111,True,Tue Oct 31 22:10:47 -0500 2017,@Acme hi,,\n", encoding="utf-8")
    workspace.import_files([path])
    assert workspace.store.con.execute("SELECT created_at FROM posts").fetchone() == (datetime(2017, 11, 1, 3, 10, 47),)
