"""The threads stage kept in the warehouse on Spark (``groundswell.threads.kept``): built once per version of the
data, its rows those of the embedded workspace's stored stage, read by every later run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from groundswell.threads import kept
from groundswell.workspace import Workspace
from spark_tables import kept_stage, stored_stage


def kept_folders(ws: Path) -> list[Path]:
    return sorted(ws.glob("warehouse/v-*/threads-*"))


@pytest.fixture(scope="module")
def scored(spark: Any, demo_ws: Path) -> dict[str, Any]:
    """The demo world scored on Spark (which keeps the stage) and on its own file (which stores it)."""
    with Workspace.open(demo_ws) as ws:
        ws.use_engine("spark")
        on_spark = ws.scorecard()
    with Workspace.open(demo_ws) as ws:
        local = ws.scorecard()
    return {"spark": on_spark, "local": local}


def test_the_kept_stage_holds_the_rows_of_the_stored_one(scored: dict[str, Any], demo_ws: Path) -> None:
    assert scored["spark"] == scored["local"]
    [folder] = kept_folders(demo_ws)
    assert (folder / kept.STATE_FILE).exists()
    on_spark, stored = kept_stage(demo_ws), stored_stage(demo_ws)
    assert len(on_spark["posts"]) == 3000 and len(on_spark["threads"]) > 500
    assert on_spark == stored


def test_a_later_run_reads_the_kept_stage(
    scored: dict[str, Any], demo_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the threads were built again")

    monkeypatch.setattr(kept, "compute_threads", no_build)
    with Workspace.open(demo_ws) as ws:
        ws.use_engine("spark")
        assert ws.scorecard() == scored["spark"]


def test_a_stage_left_incomplete_is_built_again(scored: dict[str, Any], demo_ws: Path) -> None:
    [folder] = kept_folders(demo_ws)
    (folder / kept.STATE_FILE).unlink()  # as a run cut short before its rename would leave a copy
    shutil.rmtree(folder / "threads")
    with Workspace.open(demo_ws) as ws:
        ws.use_engine("spark")
        assert ws.scorecard() == scored["spark"]
    assert kept_folders(demo_ws) == [folder] and (folder / "threads").is_dir()
    assert not list(folder.parent.glob(".writing-*"))


def test_another_config_keeps_another_stage(scored: dict[str, Any], demo_ws: Path) -> None:
    with Workspace.open(demo_ws) as ws:
        ws.use_engine("spark")
        ws.config = ws.config.model_copy(
            update={"response": ws.config.response.model_copy(update={"automation_patterns": ["(?i)^never$"]})}
        )
        ws.scorecard()
    assert len(kept_folders(demo_ws)) == 2
