"""`groundswell enrich` on a real demo workspace with the shipped fast models."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from groundswell.cli import cli
from groundswell.cli.console import count_progress
from groundswell.demo import build_demo
from groundswell.enrich import stage
from groundswell.enrich.registry import shipped_model_dir
from groundswell.workspace import Workspace

POSTS = 2000
REPORT_KEYS = {
    "model", "model_version", "to_enrich", "enriched", "replaced", "workers", "seconds", "posts_per_second", "notes",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for task in ("sentiment", "complaint"):
        if not shipped_model_dir("fast").joinpath(task, "model.json").is_file():
            pytest.skip(f"the shipped fast {task} model is not in this checkout")
    path = tmp_path_factory.mktemp("template") / "demo"
    build_demo(path, posts=POSTS, seed=5)
    return path


@pytest.fixture
def ws_dir(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo workspace (building one per test would be slow)."""
    return Path(shutil.copytree(demo_template, tmp_path / "ws"))


def enrich(ws_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["enrich", "--workspace", str(ws_dir), *args])


def enrich_json(ws_dir: Path, *args: str) -> dict[str, Any]:
    result = enrich(ws_dir, "--json", *args)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def enrichment_rows(ws_dir: Path) -> list[tuple[Any, ...]]:
    with Workspace.open(ws_dir) as ws:
        return ws.store.con.execute(
            "SELECT platform, post_id, model, model_version, sentiment, sentiment_score, complaint_score, intent,"
            " subject, needs_reply, gratitude, campaign FROM enrichments ORDER BY platform, post_id"
        ).fetchall()


def test_every_post_gets_one_row_then_nothing_then_force_replaces(ws_dir: Path) -> None:
    first = enrich_json(ws_dir)
    assert (first["to_enrich"], first["enriched"], first["replaced"]) == (POSTS, POSTS, 0)
    assert first["model"] == "fast" and first["model_version"].endswith("+rules-3")
    with Workspace.open(ws_dir) as ws:
        per_post = ws.store.con.execute(
            "SELECT count(*), count(e.post_id), max(n) FROM posts p LEFT JOIN (SELECT platform, post_id, count(*) n"
            " FROM enrichments WHERE model_version = ? GROUP BY ALL) e USING (platform, post_id)",
            [first["model_version"]],
        ).fetchall()[0]
    assert per_post == (POSTS, POSTS, 1)  # every post, exactly once

    again = enrich(ws_dir)
    assert again.exit_code == 0, again.output
    assert "nothing to enrich" in again.stdout and first["model_version"] in again.stdout

    forced = enrich_json(ws_dir, "--force")
    assert (forced["to_enrich"], forced["enriched"], forced["replaced"]) == (POSTS, POSTS, POSTS)
    assert len(enrichment_rows(ws_dir)) == POSTS


def test_rows_hold_every_label(ws_dir: Path) -> None:
    enrich_json(ws_dir)
    rows = enrichment_rows(ws_dir)
    assert {r[4] for r in rows} == {"negative", "neutral", "positive"}
    assert all(-1.0 <= r[5] <= 1.0 and 0.0 <= r[6] <= 1.0 for r in rows)
    intents = {r[7] for r in rows}
    assert {"complaint", "question", "support_reply"} <= intents
    assert {r[8] for r in rows} <= {"marketing", "experience", "other"}
    assert any(r[9] for r in rows) and any(r[10] for r in rows)
    with Workspace.open(ws_dir) as ws:
        campaigns = {c.name for c in ws.config.campaigns}
    assert campaigns and {r[11] for r in rows} - {None} <= campaigns and any(r[11] for r in rows)


def test_two_workers_give_the_rows_one_gives(ws_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stage, "CLASSIFY_WHILE_WORKERS_START", False)  # else 2,000 posts are done before it is up
    other = Path(shutil.copytree(ws_dir, tmp_path / "other"))
    one = enrich_json(ws_dir, "--workers", "1", "--batch-size", "300")
    two = enrich_json(other, "--workers", "2", "--batch-size", "300")
    assert (one["workers"], two["workers"]) == (1, 2)
    assert one["model_version"] == two["model_version"] and two["enriched"] == POSTS
    serial, parallel = enrichment_rows(ws_dir), enrichment_rows(other)
    assert len(serial) == len(parallel) == POSTS
    for a, b in zip(serial, parallel, strict=True):
        assert a[:5] == b[:5] and a[7:] == b[7:]
        assert a[5] == pytest.approx(b[5], abs=1e-9) and a[6] == pytest.approx(b[6], abs=1e-9)


def test_json_is_one_document_and_stderr_is_quiet(ws_dir: Path) -> None:
    result = enrich(ws_dir, "--json")
    assert result.exit_code == 0 and result.stderr == ""
    document = json.loads(result.stdout)
    assert set(document) == REPORT_KEYS
    assert document["posts_per_second"] > 0 and document["notes"] == []


def test_summary_line_names_counts_version_and_speed(ws_dir: Path) -> None:
    result = enrich(ws_dir, "--workers", "1")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.startswith(f"enriched {POSTS:,} posts (replaced 0) with fast-")
    assert "posts/s" in line and "(1 worker)" in line and "\n" not in line


@pytest.mark.parametrize(
    ("model", "message"),
    [("./no-such-model", "no such model directory"), ("{empty}", "neither a groundswell model")],
)
def test_an_unknown_model_is_a_user_error(ws_dir: Path, tmp_path: Path, model: str, message: str) -> None:
    (tmp_path / "empty").mkdir()
    result = enrich(ws_dir, "--model", model.format(empty=tmp_path / "empty"))
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert enrichment_rows(ws_dir) == []


def test_missing_workspace_is_a_user_error(tmp_path: Path) -> None:
    result = enrich(tmp_path / "nothing")
    assert result.exit_code == 1 and "groundswell init" in result.stderr


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert enrich(tmp_path, "--workers", "0").exit_code == 2
    assert enrich(tmp_path, "--batch-size", "0").exit_code == 2


# -- progress -------------------------------------------------------------------------


def test_progress_bar_on_a_terminal_only_for_enough_posts() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with count_progress(console, "enriching", minimum=100) as update:
        assert update is not None
        update(0, 10)  # too little to draw
    assert "enriching" not in buffer.getvalue()
    with count_progress(console, "enriching", minimum=100) as update:
        assert update is not None
        update(0, 5000)
        update(4096, 5000)
    assert "enriching" in buffer.getvalue() and "4096/5000" in buffer.getvalue()
    for quiet_or_piped in (
        Console(file=io.StringIO(), force_terminal=True, quiet=True),
        Console(file=io.StringIO(), force_terminal=False),
    ):
        with count_progress(quiet_or_piped, "enriching") as update:
            assert update is None
