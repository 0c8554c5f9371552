"""`groundswell import --engine spark`: the files parsed on Spark's executors, JSON Lines and CSV files cut into
parts, and the same posts, duplicates and rejects (file, line, field, reason, raw) as a local import."""

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
from spark_tables import DATA, hostile_json_lines, stored_rows


def demo_csv(folder: Path) -> Path:
    path = folder / "demo.csv"
    write_posts_csv(generate_world(posts=600, seed=3), path)
    return path


def imported(ws_path: Path, files: list[Path], *engine: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["import", *map(str, files), "--json", *engine, "--workspace", str(ws_path)])
    assert result.exit_code == 1, result.output  # 1: a file could not be imported (notes.txt)
    report = json.loads(result.stdout)
    for entry in report["files"]:
        entry["path"] = Path(entry["path"]).name
    return {"report": report, **stored_rows(ws_path)}


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
    part_size = "\n[engine]\nimport_part_mb = 0.004  # 4 KB: the hostile file in many parts\n"
    (path / "groundswell.toml").write_text(demo_config_text() + part_size, encoding="utf-8")
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
    csv_cuts = parts.parts_of(get_format("csv"), SourceFile(files[2]))
    assert csv_cuts is not None and len(csv_cuts) > 5, "a CSV file is cut after whole records"


def test_an_import_on_spark_gives_what_a_local_one_gives(
    spark: Any, files: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    local = imported(workspace(tmp_path, "local"), files)
    on_spark_ws = workspace(tmp_path, "spark")
    with caplog.at_level(logging.INFO, logger="groundswell.ingest.on_spark"):
        on_spark = imported(on_spark_ws, files, "--engine", "spark")
    [job] = [r.getMessage() for r in caplog.records if r.name == "groundswell.ingest.on_spark"]
    files_parsed, parts_parsed = map(int, re.findall(r"\d+", job))
    assert files_parsed == 3 and parts_parsed > 20, job  # the empty and the unknown file are not sent
    assert on_spark == local
    by_name = {f["path"]: f for f in local["report"]["files"]}
    hostile = local["report"]["files"][0]
    assert hostile["imported"] >= 390 and hostile["duplicates"] >= 6 and hostile["rejected"] >= 30
    assert by_name["demo.csv"]["imported"] > 500 and by_name["notes.txt"]["error"]
    reasons = " ".join(r[3] for r in local["rejects"])
    assert "from line" in reasons, "a conflict names the line of the first post, in another part"
    assert "not valid JSON" in reasons and "0xFF" in reasons and "out of range" in reasons and "NUL" in reasons
    assert not list(on_spark_ws.glob("warehouse/.import-*")), "the staging folder is removed"


def test_a_strict_import_on_spark_stops_where_a_local_one_does(spark: Any, files: list[Path], tmp_path: Path) -> None:
    outcomes = []
    for name, engine in (("local", ()), ("spark", ("--engine", "spark"))):
        ws_path = workspace(tmp_path, name)
        args = ["import", str(files[0]), "--strict", *engine, "--workspace", str(ws_path)]
        result = CliRunner().invoke(cli, args)
        outcomes.append((result.exit_code, result.output.strip().splitlines()[-1], stored_rows(ws_path)["posts"]))
    assert outcomes[0] == outcomes[1]
    exit_code, message, posts = outcomes[0]
    assert exit_code == 1 and "statuses.jsonl:6" in message and "not valid JSON" in message and posts == []
