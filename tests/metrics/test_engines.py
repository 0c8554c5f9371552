"""One definition, several engines: the same metrics on the embedded DuckDB and on Spark local[2] agree.

The data is a generated demo world (``groundswell.demo.build_demo``), enriched with the shipped fast
model; Spark reads the workspace's tables as Parquet files written by DuckDB.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import build_demo
from groundswell.enrich.registry import shipped_model_dir
from groundswell.metrics import METRIC_FAMILIES
from groundswell.metrics.base import Sources
from groundswell.metrics.engines import duckdb_sources, spark_sources
from groundswell.metrics.response import response
from groundswell.metrics.scorecard import scorecard
from groundswell.threads import build_threads
from groundswell.workspace import Workspace

POSTS = 3000
GROUPINGS = (None, "account", "platform", "month", "follower_band", "location")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path, Path]]:
    """(the demo workspace, its posts and its enrichments as Parquet files)."""
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    root = tmp_path_factory.mktemp("engines")
    build_demo(root / "ws", posts=POSTS, seed=11)
    ws = Workspace.open(root / "ws")
    ws.enrich("fast", workers=1)
    posts, enrichments = root / "posts.parquet", root / "enrichments.parquet"
    ws.store.con.execute(f"COPY posts TO '{posts}' (FORMAT parquet)")
    ws.store.con.execute(f"COPY enrichments TO '{enrichments}' (FORMAT parquet)")
    yield ws, posts, enrichments
    ws.close()


@pytest.fixture(scope="module")
def both(world: tuple[Workspace, Path, Path], spark: Any) -> Iterator[tuple[Sources, Sources]]:
    ws, posts, enrichments = world
    with duckdb_sources(ws) as on_duckdb, spark_sources(spark, posts, enrichments, ws.config) as on_spark:
        yield on_duckdb, on_spark


def _same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_both_engines_read_the_same_model_version(both: tuple[Sources, Sources]) -> None:
    on_duckdb, on_spark = both
    assert on_duckdb.model_version is not None and on_duckdb.model_version == on_spark.model_version


def test_spark_takes_dataframes_too(world: tuple[Workspace, Path, Path], spark: Any) -> None:
    ws, posts, enrichments = world
    frames = spark.read.parquet(str(posts)), spark.read.parquet(str(enrichments))
    with spark_sources(spark, *frames, ws.config) as sources, duckdb_sources(ws) as local:
        assert sources.model_version == local.model_version
        assert sources.posts.count().to_pyarrow().as_py() == POSTS


def test_threads_are_equal(both: tuple[Sources, Sources]) -> None:
    found = []
    for sources in both:
        threads = build_threads(sources)
        rows = threads.threads.to_pyarrow().to_pylist()
        found.append(sorted(rows, key=lambda r: (r["platform"], r["thread_id"])))
    assert len(found[0]) > 500
    _same(found[0], found[1], "threads")


@pytest.mark.parametrize("by", GROUPINGS)
def test_response_is_equal(both: tuple[Sources, Sources], by: str | None) -> None:
    on_duckdb, on_spark = both
    expected = [f.as_dict() for f in response(on_duckdb, by=by)]
    assert expected and expected[0]["inbound"] > 0
    _same(expected, [f.as_dict() for f in response(on_spark, by=by)], f"response by {by}")


@pytest.mark.parametrize("name", sorted(METRIC_FAMILIES))
def test_every_family_is_equal(both: tuple[Sources, Sources], name: str) -> None:
    on_duckdb, on_spark = both
    family = METRIC_FAMILIES[name]
    expected = [row.as_dict() for row in family(on_duckdb, by=None)]
    _same(expected, [row.as_dict() for row in family(on_spark, by=None)], name)


def test_scorecard_is_equal(both: tuple[Sources, Sources]) -> None:
    on_duckdb, on_spark = both
    expected = scorecard(on_duckdb)[0].as_dict()
    assert expected["social_media_index"] is not None
    _same([expected], [scorecard(on_spark)[0].as_dict()], "scorecard")
