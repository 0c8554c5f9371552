"""The threads stage kept in the warehouse on Spark (``groundswell.threads.kept``): built once per version of the
data, its rows those of the embedded workspace's stored stage, read by every later run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import demo_config_text, generate_labelled_world, write_posts_csv
from groundswell.ingest.pipeline import ImportOptions
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


def split_world(folder: Path) -> tuple[Path, Path]:
    """A 3,000-post demo world in two files by time: the later posts reply into the earlier ones' threads."""
    posts = sorted((post for post, _ in generate_labelled_world(posts=3000, seed=9)), key=lambda p: p.created_at)
    first, later = folder / "first.csv", folder / "later.csv"
    write_posts_csv(posts[:2000], first)
    write_posts_csv(posts[2000:], later)
    return first, later


@contextmanager
def scored_on_spark(path: Path, posts: Path) -> Iterator[Workspace]:
    """A new workspace at ``path`` holding ``posts``, enriched, its scorecard computed on Spark (the stage kept)."""
    with Workspace.init(path, config_text=demo_config_text()) as ws:
        ws.import_files([posts], ImportOptions(format="csv"))
        ws.enrich("fast", workers=1)
        ws.use_engine("spark")
        ws.scorecard()
        yield ws


def test_a_new_version_refreshes_the_touched_trees(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, later = split_world(tmp_path)
    built: list[int] = []
    compute = kept.compute_threads

    def counted(sources: Any, **kwargs: Any) -> Any:
        built.append(int(sources.every_post.count().to_pyarrow().as_py()))
        return compute(sources, **kwargs)

    monkeypatch.setattr(kept, "compute_threads", counted)
    path = tmp_path / "ws"
    with scored_on_spark(path, first) as ws:
        assert built == [2000]  # built whole
        ws.import_files([later], ImportOptions(format="csv"))
        ws.enrich("fast", workers=1)
        on_spark = ws.scorecard()
    assert len(built) == 2 and 1000 <= built[1] < 3000  # the new posts and the trees they touch
    [folder] = kept_folders(path)
    assert [p.name for p in (folder.parent / "previous").iterdir()] == [folder.name]  # the stage refreshed from
    with Workspace.open(path) as ws:
        assert ws.scorecard() == on_spark
    assert kept_stage(path) == stored_stage(path)


def test_marks_refresh_the_marked_trees(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = split_world(tmp_path)
    path = tmp_path / "ws"
    with scored_on_spark(path, first) as ws:
        [(platform, post_id)] = ws.store.execute(
            "SELECT platform, post_id FROM posts WHERE NOT is_brand AND in_reply_to_post_id IS NOT NULL "
            "ORDER BY post_id LIMIT 1"
        )
        ws.store.execute(
            "INSERT INTO outcome_marks (platform, post_id, outcome, marked_by, marked_at) "
            "VALUES (?, ?, 'not_helped', 'agent', TIMESTAMP '2030-01-01')",
            [platform, post_id],
        )
        monkeypatch.setattr(kept, "compute_threads", refuse_whole_builds(3000))
        on_spark = ws.scorecard()
    with Workspace.open(path) as ws:
        assert ws.scorecard() == on_spark
    assert kept_stage(path) == stored_stage(path)


def refuse_whole_builds(posts: int) -> Any:
    compute = kept.compute_threads

    def partial(sources: Any, **kwargs: Any) -> Any:
        assert int(sources.every_post.count().to_pyarrow().as_py()) < posts // 2, "built whole"
        return compute(sources, **kwargs)

    return partial
