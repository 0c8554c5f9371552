"""The warehouse: Parquet copies of an embedded workspace's tables, written only when they changed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from groundswell.demo import demo_config_text, generate_world, write_posts_csv
from groundswell.ingest.pipeline import ImportOptions
from groundswell.store.warehouse import PREVIOUS, export_tables
from groundswell.workspace import Workspace


def posts_file(path: Path, *, posts: int, seed: int) -> Path:
    write_posts_csv(generate_world(posts=posts, seed=seed), path)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws", config_text=demo_config_text())
    workspace.import_files([posts_file(tmp_path / "a.csv", posts=600, seed=3)], ImportOptions(format="csv"))
    return workspace


def rows(path: Path) -> list[tuple[object, ...]]:
    """The copy's rows without the numbers the warehouse adds (``_key``, ``_parent_key``)."""
    found = duckdb.connect().execute(f"SELECT * EXCLUDE (_key, _parent_key) FROM '{path}'").fetchall()
    return sorted(found, key=repr)


def test_the_copies_hold_the_tables_rows(ws: Workspace, tmp_path: Path) -> None:
    tables = export_tables(ws.store, tmp_path / "warehouse")
    posts = ws.store.execute("SELECT * FROM posts")
    assert rows(tables.posts) == sorted(posts, key=repr)
    assert len(posts) > 500
    assert tables.outcome_marks is None  # no marks: no table, and the figures read none
    assert (tables.folder / "COMPLETE").exists()


def test_each_post_its_parent_and_its_enrichments_carry_one_number(ws: Workspace, tmp_path: Path) -> None:
    ws.enrich("fast", workers=1)
    tables = export_tables(ws.store, tmp_path / "warehouse")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW p AS SELECT * FROM '{tables.posts}'")
    con.execute(f"CREATE VIEW e AS SELECT * FROM '{tables.enrichments}'")
    posts, numbers = con.execute("SELECT count(*), count(DISTINCT _key) FROM p").fetchall()[0]
    assert posts == numbers > 500
    by_strings = con.execute(
        "SELECT c.post_id, q.post_id FROM p c LEFT JOIN p q ON q.platform = c.platform AND q.post_id = c.in_reply_to_post_id"
    ).fetchall()
    by_numbers = con.execute("SELECT c.post_id, q.post_id FROM p c LEFT JOIN p q ON q._key = c._parent_key").fetchall()
    assert sorted(by_numbers, key=repr) == sorted(by_strings, key=repr)
    assert sum(parent is not None for _, parent in by_numbers) > 100
    mismatched = (
        "SELECT count(*) FROM e JOIN p ON p._key = e._key WHERE p.post_id <> e.post_id OR p.platform <> e.platform"
    )
    assert con.execute(mismatched).fetchall()[0][0] == 0
    assert con.execute("SELECT count(_key) FROM e").fetchall()[0][0] == posts


def test_unchanged_tables_are_not_written_again(ws: Workspace, tmp_path: Path) -> None:
    first = export_tables(ws.store, tmp_path / "warehouse")
    written = first.posts.stat().st_mtime_ns
    again = export_tables(ws.store, tmp_path / "warehouse")
    assert again.folder == first.folder and again.posts.stat().st_mtime_ns == written


def test_new_posts_make_a_new_version_and_the_old_one_goes(ws: Workspace, tmp_path: Path) -> None:
    first = export_tables(ws.store, tmp_path / "warehouse")
    ws.import_files([posts_file(tmp_path / "b.csv", posts=300, seed=4)], ImportOptions(format="csv"))
    second = export_tables(ws.store, tmp_path / "warehouse")
    assert second.folder != first.folder
    assert not first.folder.exists()
    assert len(rows(second.posts)) == ws.store.execute("SELECT count(*) FROM posts")[0][0]
    assert [p.name for p in (tmp_path / "warehouse").iterdir()] == [second.folder.name]


def test_what_stages_kept_in_the_old_version_is_handed_down(ws: Workspace, tmp_path: Path) -> None:
    first = export_tables(ws.store, tmp_path / "warehouse")
    (first.folder / "threads-abc" / "posts").mkdir(parents=True)
    (first.folder / "threads-abc" / "stage.json").write_text("{}", encoding="utf-8")
    (first.folder / "previous" / "threads-older").mkdir(parents=True)  # handed down before: not again
    ws.import_files([posts_file(tmp_path / "b.csv", posts=300, seed=4)], ImportOptions(format="csv"))
    second = export_tables(ws.store, tmp_path / "warehouse")
    handed = second.folder / PREVIOUS
    assert sorted(p.name for p in handed.iterdir()) == ["threads-abc"]
    assert (handed / "threads-abc" / "stage.json").read_text(encoding="utf-8") == "{}"
    assert not first.folder.exists()


def test_marks_are_copied_with_the_columns_figures_read(ws: Workspace, tmp_path: Path) -> None:
    ws.store.execute(
        "INSERT INTO outcome_marks (platform, post_id, outcome, marked_by, marked_at) "
        "VALUES ('twitter', 'p1', 'helped', 'ana', '2026-01-01 10:00')"
    )
    tables = export_tables(ws.store, tmp_path / "warehouse")
    assert tables.outcome_marks is not None
    con = duckdb.connect()
    assert [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{tables.outcome_marks}'").fetchall()] == [
        "platform",
        "post_id",
        "outcome",
        "marked_at",
    ]
    ws.store.execute("UPDATE outcome_marks SET outcome = 'not_helped'")
    assert export_tables(ws.store, tmp_path / "warehouse").folder != tables.folder  # a changed mark is seen
