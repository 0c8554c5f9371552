"""`groundswell import --engine spark`: the files parsed on Spark's executors, JSON Lines files cut into parts,
and the same posts, duplicates and rejects (file, line, field, reason, raw) as a local import."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.demo import demo_config_text, generate_world, write_posts_csv
from groundswell.ingest import parts
from groundswell.ingest.base import SourceFile
from groundswell.ingest.registry import get_format
from groundswell.workspace import Workspace

DATA = Path(__file__).parents[1] / "data"
STATUS = json.loads((DATA / "mastodon" / "statuses.json").read_text(encoding="utf-8"))[0]


def status(number: int, **changes: Any) -> bytes:
    record = {**STATUS, "id": str(10_000 + number), "url": f"https://example.social/@a/{10_000 + number}"}
    record["content"] = f"<p>post number {number}: the parcel came {number % 7} days late</p>"
    record.update(changes)
    return json.dumps(record, ensure_ascii=False).encode()


def hostile_json_lines(path: Path) -> Path:
    """Mastodon statuses, one per line, with what a real export holds and worse, spread over many parts."""
    lines: list[bytes] = []
    for number in range(400):
        if number % 37 == 5:
            lines.append(b"{not json at all")
        if number % 41 == 7:
            lines.append(b"")  # blank: no record, but a line
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
    path.write_bytes(body + status(999))  # the last line without a line end
    return path


def demo_csv(folder: Path) -> Path:
    path = folder / "demo.csv"
    write_posts_csv(generate_world(posts=600, seed=3), path)
    return path


def imported(ws_path: Path, files: list[Path], *engine: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["import", *map(str, files), "--json", *engine, "--workspace", str(ws_path)])
    assert result.exit_code == 1, result.output  # 1: a file could not be imported (notes.txt)
    report = json.loads(result.stdout)
    with Workspace.open(ws_path) as ws:
        store = ws.store
        posts = store.execute("SELECT * EXCLUDE (import_id, ingested_at) FROM posts ORDER BY platform, post_id")
        rejects = store.execute(
            "SELECT file, line, field, reason, raw FROM rejects ORDER BY file, line, field, reason, raw"
        )
    for entry in report["files"]:
        entry["path"] = Path(entry["path"]).name
    return {"report": report, "posts": posts, "rejects": [(Path(r[0]).name, *r[1:]) for r in rejects]}


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "files"
    folder.mkdir()
    empty = folder / "empty.jsonl"
    empty.write_bytes(b"")
    unknown = folder / "notes.txt"
    unknown.write_text("nothing any format reads\n", encoding="utf-8")
    return [
        hostile_json_lines(folder / "statuses.jsonl"),
        DATA / "twitter" / "api_v2_stream.jsonl",
        demo_csv(folder),
        empty,
        unknown,
        folder / "statuses.jsonl",  # named twice: all duplicates the second time
    ]


def workspace(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    (path / "groundswell.toml").write_text(demo_config_text(), encoding="utf-8")
    return path


def test_the_hostile_file_is_cut_into_many_parts(files: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 4096)
    source = SourceFile(files[0])
    cuts = parts.parts_of(get_format("mastodon"), source)
    assert cuts is not None and len(cuts) > 20
    assert cuts[0][0] == 0 and cuts[-1][1] == source.size
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:], strict=False))
    lines = sum(parts.lines_in(files[0], start, end) for start, end in cuts[:-1])
    with files[0].open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        assert lines == sum(1 for _ in handle) - parts.lines_in(files[0], *cuts[-1]) - 1
    assert parts.parts_of(get_format("csv"), SourceFile(files[2])) is None, "a CSV file is never cut"


def test_an_import_on_spark_gives_what_a_local_one_gives(
    spark: Any, files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 4096)
    local = imported(workspace(tmp_path, "local"), files)
    on_spark_ws = workspace(tmp_path, "spark")
    with caplog.at_level(logging.INFO, logger="groundswell.ingest.on_spark"):
        on_spark = imported(on_spark_ws, files, "--engine", "spark")
    [job] = [r.getMessage() for r in caplog.records if r.name == "groundswell.ingest.on_spark"]
    files_parsed, parts_parsed = map(int, re.findall(r"\d+", job))
    assert files_parsed == 3 and parts_parsed > 20, job  # the empty and the unknown file are not sent
    assert on_spark["report"] == local["report"]
    assert on_spark["posts"] == local["posts"]
    assert on_spark["rejects"] == local["rejects"]
    by_name = {f["path"]: f for f in local["report"]["files"]}
    hostile = local["report"]["files"][0]
    assert hostile["imported"] >= 390 and hostile["duplicates"] >= 6 and hostile["rejected"] >= 30
    assert by_name["demo.csv"]["imported"] > 500 and by_name["notes.txt"]["error"]
    reasons = " ".join(r[3] for r in local["rejects"])
    assert "not valid JSON" in reasons and "0xFF" in reasons and "out of range" in reasons and "NUL" in reasons
    assert not list(on_spark_ws.glob("warehouse/.import-*")), "the staging folder is removed"
