"""One definition, several engines: the same metrics on the embedded DuckDB and on Spark local[2] agree.

The data is a generated demo world (``groundswell.demo.build_demo``), enriched with the shipped fast
model; Spark reads the workspace's tables as Parquet files written by DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from engine_equality import (  # noqa: F401 - the shared tests, run here on this module's `both`
    test_a_brands_scoped_figures_are_equal,
    test_every_family_is_equal,
    test_response_is_equal,
    test_scorecard_is_equal,
    test_the_social_figures_per_store_are_equal,
    test_threads_are_equal,
)
from groundswell.demo import build_demo
from groundswell.enrich.registry import shipped_model_dir
from groundswell.metrics import subject_shares
from groundswell.query import Sources, spark_sources
from groundswell.store.warehouse import export_tables
from groundswell.workspace import Workspace

POSTS = 3000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path, Path]]:
    """(the demo workspace, its posts and its enrichments as Parquet files; its outcomes beside them)."""
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    root = tmp_path_factory.mktemp("engines")
    build_demo(root / "ws", posts=POSTS, seed=11)
    ws = Workspace.open(root / "ws")
    ws.enrich("fast", workers=1)
    # the warehouse's copies (``store.warehouse``), numbers included: Spark finds parents and enrichments by them
    tables = export_tables(ws.store, root / "warehouse")
    posts, enrichments = tables.posts, tables.enrichments
    assert "_parent_key" in duckdb.sql(f"SELECT * FROM '{posts}' LIMIT 0").columns
    ws.store.con.execute(f"COPY outcomes TO '{posts.parent / 'outcomes.parquet'}' (FORMAT parquet)")
    ws.store.con.execute(f"COPY review_labels TO '{posts.parent / 'review_labels.parquet'}' (FORMAT parquet)")
    yield ws, posts, enrichments
    ws.close()


@pytest.fixture(scope="module")
def both(world: tuple[Workspace, Path, Path], spark: Any) -> Iterator[tuple[Sources, Sources]]:
    ws, posts, enrichments = world
    outcomes = posts.parent / "outcomes.parquet"  # the goal on sales reads them
    review = posts.parent / "review_labels.parquet"  # the demo team's labels: the intervals are measured on them
    with (
        ws.sources() as on_duckdb,
        spark_sources(spark, posts, enrichments, ws.config, outcomes=outcomes, review=review) as on_spark,
    ):
        yield on_duckdb, on_spark


@pytest.fixture(scope="module")
def least_threads() -> int:
    return 500


def test_both_engines_read_the_same_model_version(both: tuple[Sources, Sources]) -> None:
    on_duckdb, on_spark = both
    assert on_duckdb.model_version is not None and on_duckdb.model_version == on_spark.model_version


def test_both_engines_measure_the_errors_on_the_demo_teams_review(both: tuple[Sources, Sources]) -> None:
    methods = [subject_shares(sources)[0].experience.share.interval for sources in both]
    assert all(m is not None and "prediction-powered" in m.method for m in methods), methods
    assert methods[0] == methods[1]


def test_spark_takes_dataframes_too(world: tuple[Workspace, Path, Path], spark: Any) -> None:
    ws, posts, enrichments = world
    frames = spark.read.parquet(str(posts)), spark.read.parquet(str(enrichments))
    with spark_sources(spark, *frames, ws.config) as sources, ws.sources() as local:
        assert sources.model_version == local.model_version
        assert sources.posts.count().to_pyarrow().as_py() == POSTS
