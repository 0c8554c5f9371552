"""What the Spark tests compare between a workspace run on Spark and one run on this machine: the stored tables
(posts, rejects, enrichments; the threads stage stored in the file or kept in the warehouse), and a hostile
JSON Lines file to import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from groundswell.workspace import Workspace

DATA = Path(__file__).parent / "data"
_STATUS = json.loads((DATA / "mastodon" / "statuses.json").read_text(encoding="utf-8"))[0]


def status(number: int, **changes: Any) -> bytes:
    """A Mastodon status of the test data, as the ``number``th post."""
    record = {**_STATUS, "id": str(10_000 + number), "url": f"https://example.social/@a/{10_000 + number}"}
    record["content"] = f"<p>post number {number}: the parcel came {number % 7} days late</p>"
    record.update(changes)
    return json.dumps(record, ensure_ascii=False).encode()


def hostile_json_lines(path: Path, statuses: int = 400) -> Path:
    """Mastodon statuses one per line, with what a real export holds and worse: lines that are not JSON,
    blank lines, bytes that are not UTF-8, NUL, a count beyond 64 bits, a post repeated, a post repeated with
    other content, every kind of line end, and a last line without one."""
    lines: list[bytes] = []
    for number in range(statuses):
        if number % 37 == 5:
            lines.append(b"{not json at all")
        if number % 41 == 7:
            lines.append(b"")
        if number % 43 == 9:
            lines.append(
                status(number, content="<p>bytes \xff that are not UTF-8</p>").replace("\xff".encode(), b"\xff")
            )
        if number % 47 == 11:
            lines.append(status(number, content="<p>a NUL \u0000 inside</p>"))
        if number % 53 == 13:
            lines.append(status(number, favourites_count=2**70))
        if number % 59 == 17:
            lines.append(status(number - 1))  # the same post again: a duplicate
        if number % 61 == 19:
            lines.append(status(number - 2, content="<p>edited: the same id, another text</p>"))  # a conflict
        lines.append(status(number))
    ends = (b"\r\n", b"\n", b"\r")  # every line end Python's reader knows
    body = b"".join(line + ends[index % 3] for index, line in enumerate(lines))
    path.write_bytes(body + status(statuses + 1000))
    return path


def stored_rows(workspace: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The posts (but when they were imported), the rejects and the enrichments (but when they were made),
    sorted."""
    with Workspace.open(workspace) as ws:
        store = ws.store
        return {
            "posts": sorted(store.execute("SELECT * EXCLUDE (import_id, ingested_at) FROM posts")),
            "rejects": sorted(store.execute("SELECT file, line, field, reason, raw FROM rejects")),
            "enrichments": sorted(store.execute("SELECT * EXCLUDE (enriched_at) FROM enrichments"), key=repr),
        }


_STAGE = (("posts", "thread_posts"), ("threads", "threads"))


def stored_stage(workspace: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the threads stage the workspace file stores (``threads.stored``), sorted."""
    with duckdb.connect(str(workspace / "groundswell.duckdb"), read_only=True) as con:
        return {
            name: sorted(con.execute(f"SELECT {_columns(con, table)} FROM {table}").fetchall(), key=repr)
            for name, table in _STAGE
        }


def kept_stage(workspace: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the threads stage Spark kept in the workspace's warehouse (``threads.kept``; one build there),
    in the stored tables' columns, sorted."""
    [kept] = sorted(workspace.glob("warehouse/v-*/threads-*"))
    with duckdb.connect(str(workspace / "groundswell.duckdb"), read_only=True) as con:
        return {
            name: sorted(
                con.execute(f"SELECT {_columns(con, table)} FROM read_parquet('{kept / name}/*.parquet')").fetchall(),
                key=repr,
            )
            for name, table in _STAGE
        }


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    return ", ".join(row[0] for row in con.execute(f"DESCRIBE {table}").fetchall())
