"""The generic csv format: canonical columns, mapped columns, Parquet."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from groundswell.ingest import ImportOptions
from groundswell.workspace import Workspace

CANONICAL = (
    "platform,post_id,author_id,author_handle,author_followers,is_brand,created_at,text,in_reply_to_post_id,location,like_count\n"
    "twitter,t1,u1,ana,120,,2026-03-01T10:00:00Z,@Acme the Leeds store was great 🎉,,Leeds,4\n"
    "twitter,t2,b1,Acme,50000,true,2026-03-01T10:30:00+00:00,@ana thank you Ana!,t1,,\n"
    'mastodon,m1,u2,bo@example.social,,,2026-03-01T12:00:00+01:00,"Ünïcode, quotes ""and"" commas",,,\n'
)


def test_canonical_columns_need_no_mapping(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(CANONICAL, encoding="utf-8")
    report = workspace.import_files([path])
    assert report.files[0].format == "csv"
    assert (report.imported, report.rejected) == (3, 0)
    rows = workspace.store.con.execute(
        "SELECT platform, post_id, author_handle, author_followers, is_brand, created_at, text, location, like_count "
        "FROM posts ORDER BY post_id"
    ).fetchall()
    assert rows[0] == (
        "mastodon",
        "m1",
        "bo@example.social",
        None,
        False,
        datetime(2026, 3, 1, 11, 0),
        'Ünïcode, quotes "and" commas',
        None,
        None,
    )
    assert rows[1][:5] == ("twitter", "t1", "ana", 120, False)
    assert rows[1][6:] == ("@Acme the Leeds store was great 🎉", "Leeds", 4)
    assert rows[2][4] is True  # is_brand given in the file


def test_brand_accounts_from_config_mark_brand_posts(tmp_path: Path) -> None:
    config = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "@acme"\n'
    with Workspace.init(tmp_path / "ws", config_text=config) as ws:
        path = tmp_path / "posts.csv"
        path.write_text(CANONICAL.replace(",true,", ",,"), encoding="utf-8")
        ws.import_files([path])
        brand = ws.store.con.execute("SELECT post_id FROM posts WHERE is_brand").fetchall()
    assert brand == [("t2",)]


def test_mapped_columns_and_constant_platform(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id;user;when;body;parent\n1;alice;01/03/2026 10:00;hello @Acme;\n2;Acme;01/03/2026 10:05;hi alice;1\n",
        encoding="utf-8",
    )
    options = ImportOptions(
        format="csv",
        column_map={
            "post_id": "id",
            "author_id": "user",
            "created_at": "when",
            "text": "body",
            "in_reply_to_post_id": "parent",
        },
        platform="other",
        timestamp_format="%d/%m/%Y %H:%M",
    )
    report = workspace.import_files([path], options)
    assert (report.imported, report.rejected) == (2, 0)
    assert workspace.store.con.execute(
        "SELECT platform, post_id, in_reply_to_post_id, created_at FROM posts ORDER BY post_id"
    ).fetchall() == [
        ("other", "1", None, datetime(2026, 3, 1, 10, 0)),
        ("other", "2", "1", datetime(2026, 3, 1, 10, 5)),
    ]


def test_missing_mapping_is_a_file_error_naming_the_field(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,body\n1,hello\n", encoding="utf-8")
    (f,) = workspace.import_files([path], ImportOptions(format="csv")).files
    assert f.error is not None and "post_id" in f.error and "--map" in f.error


def test_bad_count_is_rejected_not_altered(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(CANONICAL.replace(",Leeds,4", ",Leeds,four"), encoding="utf-8")
    report = workspace.import_files([path])
    assert (report.imported, report.rejected) == (2, 1)
    (reject,) = workspace.rejects()
    assert (reject.line, reject.field) == (2, "like_count")


def test_parquet_file(workspace: Workspace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "platform": ["bluesky", "bluesky", "bluesky"],
            "post_id": ["p1", "p2", "p3"],
            "author_id": ["did:plc:a", "did:plc:b", "did:plc:a"],
            "created_at": pa.array(
                [datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10), None], pa.timestamp("us", tz="UTC")
            ),
            "text": ["first", "second", "no time"],
        }
    )
    path = tmp_path / "posts.parquet"
    pq.write_table(table, path)
    report = workspace.import_files([path])
    assert report.files[0].format == "csv"
    assert (report.read, report.imported, report.rejected) == (3, 2, 1)
    (reject,) = workspace.rejects()
    assert (reject.line, reject.field) == (3, "created_at")
    assert '"no time"' in reject.raw


@pytest.mark.parametrize("value", ["1700000000", "2023-11-14T22:13:20Z", "Tue Nov 14 22:13:20 +0000 2023"])
def test_timestamp_styles(workspace: Workspace, tmp_path: Path, value: str) -> None:
    path = tmp_path / "ts.csv"
    path.write_text(f"platform,post_id,author_id,created_at,text\nother,1,a,{value},hi\n", encoding="utf-8")
    workspace.import_files([path])
    assert workspace.store.con.execute("SELECT created_at FROM posts").fetchone() == (
        datetime(2023, 11, 14, 22, 13, 20),
    )
