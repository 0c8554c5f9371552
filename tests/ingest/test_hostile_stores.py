"""Hostile values and repeated imports give the same rows and rejects on DuckDB and on PostgreSQL, and an import
a killed process left running is marked interrupted on PostgreSQL too, never one another process still runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostile import break_parser

import groundswell
from groundswell.ingest import ImportOptions
from groundswell.workspace import Workspace

LINEAGE = {"source", "import_id", "ingested_at"}


def _tweet(tweet_id: str, **fields: Any) -> str:
    tweet = {"id": tweet_id, "text": f"@Acme tweet {tweet_id}", "author_id": "500",
             "created_at": "2024-05-20T10:00:00.000Z", "edit_history_tweet_ids": [tweet_id],
             "public_metrics": {"like_count": 1}, **fields}  # fmt: skip
    return json.dumps(tweet)


HOSTILE_TWEETS = [
    _tweet("1"),
    _tweet("2", text="@Acme NUL \x00 inside"),  # PostgreSQL refuses NUL in text; DuckDB would keep it
    _tweet("3", text="@Acme a lone \ud83d surrogate"),  # neither store holds it
    _tweet("4", public_metrics={"like_count": 2**63}),  # beyond BIGINT
    _tweet("5", public_metrics={"like_count": 2**63 - 1}),  # BIGINT's largest: kept
    _tweet("6", created_at="0001-01-01T00:00:00Z"),  # the first second both stores and Python share: kept
    _tweet("7", created_at="9999-12-31T23:59:59.999999Z"),  # the last: kept
    _tweet("8", created_at="0001-01-01T00:00:00+01:00"),  # UTC falls in year 0
    _tweet("9", author_id="5\x000"),
    _tweet("10", lang="e\udfffn"),
]
EXPECTED_REJECTS = [
    (3, "text", "text holds a NUL character (U+0000), which a database cannot store as text"),
    (4, "text", "text holds a lone surrogate U+D83D, which is not a character"),
    (5, "public_metrics.like_count", "9223372036854775808 is out of range (at most 9223372036854775807)"),
    (9, "created_at", "'0001-01-01T00:00:00+01:00' in UTC is outside years 1 to 9999"),
    (10, "author_id", "author_id holds a NUL character (U+0000), which a database cannot store as text"),
    (11, "lang", "lang holds a lone surrogate U+DFFF, which is not a character"),
]


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def _hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    path.write_text('{"edit_history_tweet_ids": []}\n' + "\n".join(HOSTILE_TWEETS) + "\n", encoding="utf-8")
    return path


def _rows(ws: Workspace) -> list[dict[str, Any]]:
    rows = ws.store.query("SELECT * FROM posts ORDER BY post_id")
    return [{k: v for k, v in row.items() if k not in LINEAGE} for row in rows]


def test_a_value_a_store_would_refuse_is_rejected_before_it_reaches_either(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = workspace.import_files([_hostile_file(tmp_path)], ImportOptions(format="twitter"))
    [f] = report.files
    assert (f.read, f.imported, f.rejected, f.error) == (11, 4, 7, None)
    rejects = [(r.line, r.field, r.reason) for r in workspace.rejects()]
    assert rejects[1:] == EXPECTED_REJECTS
    assert "\\u0000 inside" in workspace.rejects()[1].raw  # the record kept, its NUL written as an escape
    assert sorted(r["post_id"] for r in _rows(workspace)) == ["1", "5", "6", "7"]
    stored = {r["post_id"]: r for r in _rows(workspace)}
    assert stored["5"]["like_count"] == 2**63 - 1
    assert (stored["6"]["created_at"].year, stored["7"]["created_at"].year) == (1, 9999)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_same_file_gives_the_same_rows_and_rejects_on_both_stores(
    backend: str, postgres_database: str, tmp_path: Path
) -> None:
    path = _hostile_file(tmp_path)
    found = []
    for database in (None, postgres_database):
        with Workspace.init(tmp_path / f"ws-{bool(database)}", database=database) as ws:
            ws.import_files([path], ImportOptions(format="twitter"))
            found.append((_rows(ws), [(r.line, r.field, r.reason, r.raw) for r in ws.rejects()]))
    duckdb, postgres = found
    assert duckdb == postgres
    assert len(duckdb[0]) == 4


def test_a_reimport_lists_the_files_rejects_once(workspace: Workspace, tmp_path: Path) -> None:
    path = _hostile_file(tmp_path)
    first = workspace.import_files([path], ImportOptions(format="twitter"))
    again = workspace.import_files([path], ImportOptions(format="twitter"))
    assert (again.read, again.imported, again.duplicates, again.rejected) == (11, 0, 4, 7)
    rejects = workspace.rejects()
    assert len(rejects) == first.rejected == 7
    assert {r.import_id for r in rejects} == {workspace.imports()[-1]["import_id"]}  # the latest import's
    assert workspace.summary().rejects == 7


def test_a_reimport_after_an_interrupted_one_lists_its_rejects_once(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _hostile_file(tmp_path)
    break_parser(monkeypatch, "twitter", 6, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        workspace.import_files([path], ImportOptions(format="twitter", batch_size=1))
    [stopped] = workspace.imports()
    assert (stopped["status"], stopped["rejected"]) == ("interrupted", 4)
    assert len(workspace.rejects()) == 4  # what was written before the stop is kept
    monkeypatch.undo()
    again = workspace.import_files([path], ImportOptions(format="twitter"))
    assert (again.read, again.imported + again.duplicates, again.rejected) == (11, 4, 7)
    assert len(workspace.rejects()) == 7 == workspace.summary().rejects


def test_a_different_file_keeps_its_own_rejects(workspace: Workspace, tmp_path: Path) -> None:
    one = _hostile_file(tmp_path)
    other = tmp_path / "other.jsonl"
    other.write_bytes(one.read_bytes())
    workspace.import_files([one, other, one], ImportOptions(format="twitter"))
    assert len(workspace.rejects()) == 14


# -- PostgreSQL: several processes import at once -------------------------------------------------------------

HOLDER = """
import sys
from groundswell.workspace import Workspace
ws = Workspace.open(sys.argv[1], database=sys.argv[2])
print(ws.store.start_import(source="big.csv", format="twcs", size_bytes=10), flush=True)
sys.stdin.read()  # importing, until the test ends this process
"""


def _status(folder: Path, url: str, import_id: int) -> str:
    with Workspace.open(folder, database=url) as ws:
        [status] = [i["status"] for i in ws.imports() if i["import_id"] == import_id]
    return str(status)


def test_postgres_marks_interrupted_only_the_imports_whose_process_is_gone(
    postgres_database: str, tmp_path: Path
) -> None:
    Workspace.init(tmp_path / "ws", database=postgres_database).close()
    env = {**os.environ, "PYTHONPATH": str(Path(groundswell.__file__).parents[1])}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "ws"), postgres_database],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        import_id = int(holder.stdout.readline())
        with Workspace.open(tmp_path / "ws", database=postgres_database) as mine:
            # this process's own running import, on its own connection, is as alive as the other's
            own = mine.store.start_import(source="mine.csv", format="twcs", size_bytes=1)
            assert _status(tmp_path / "ws", postgres_database, import_id) == "running"
            assert _status(tmp_path / "ws", postgres_database, own) == "running"
            holder.kill()
            holder.wait(timeout=10)
            deadline = time.monotonic() + 20  # the server notices the dropped connection within moments
            while _status(tmp_path / "ws", postgres_database, import_id) == "running":
                assert time.monotonic() < deadline, "the killed process's import was never marked interrupted"
                time.sleep(0.1)
            assert _status(tmp_path / "ws", postgres_database, import_id) == "interrupted"
            assert _status(tmp_path / "ws", postgres_database, own) == "running"
    finally:
        holder.kill()
        holder.wait(timeout=10)
