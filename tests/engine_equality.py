"""The same figures on two engines: test functions a module imports to run them on its own ``both`` fixture.

A module defines ``both`` (a pair of ``Sources`` over the same data: the embedded DuckDB first, the other
engine second) and ``least_threads`` (how many threads the data must at least hold, so an empty result
cannot pass), then imports the tests it wants; pytest collects them there. Used by tests/metrics/test_engines.py
(Spark) and tests/store/test_postgres.py (PostgreSQL).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from groundswell.metrics import METRIC_FAMILIES
from groundswell.metrics.response import response
from groundswell.metrics.scorecard import scorecard
from groundswell.metrics.social_panel import social_panel
from groundswell.query import Sources
from groundswell.threads import build_threads

GROUPINGS = (None, "account", "platform", "month", "follower_band", "location")


def same(a: Any, b: Any, where: str, *, rel_tol: float = 1e-9, abs_tol: float = 1e-9) -> None:
    """Equal, floats to ``rel_tol`` / ``abs_tol`` (engines sum in different orders), recursively through dicts,
    lists and tuples."""
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            same(a[key], b[key], f"{where}.{key}", rel_tol=rel_tol, abs_tol=abs_tol)
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]", rel_tol=rel_tol, abs_tol=abs_tol)
    else:
        assert a == b, where


def test_threads_are_equal(both: tuple[Sources, Sources], least_threads: int) -> None:
    found = []
    for sources in both:
        rows = build_threads(sources).threads.to_pyarrow().to_pylist()
        found.append(sorted(rows, key=lambda r: (r["platform"], r["thread_id"])))
    assert len(found[0]) > least_threads
    same(found[0], found[1], "threads")


@pytest.mark.parametrize("by", GROUPINGS)
def test_response_is_equal(both: tuple[Sources, Sources], by: str | None) -> None:
    on_duckdb, other = both
    expected = [f.as_dict() for f in response(on_duckdb, by=by)]
    assert expected and expected[0]["inbound"] > 0
    same(expected, [f.as_dict() for f in response(other, by=by)], f"response by {by}")


@pytest.mark.parametrize("name", sorted(METRIC_FAMILIES))
def test_every_family_is_equal(both: tuple[Sources, Sources], name: str) -> None:
    on_duckdb, other = both
    family = METRIC_FAMILIES[name]
    expected = [row.as_dict() for row in family(on_duckdb, by=None)]
    same(expected, [row.as_dict() for row in family(other, by=None)], name)


def test_scorecard_is_equal(both: tuple[Sources, Sources]) -> None:
    on_duckdb, other = both
    expected = scorecard(on_duckdb)[0].as_dict()
    assert expected["social_media_index"] is not None
    same([expected], [scorecard(other)[0].as_dict()], "scorecard")


def test_the_social_figures_per_store_are_equal(both: tuple[Sources, Sources]) -> None:
    """The social figures per store and week or month (the outcomes analysis's panel): the embedded store's
    added up from the day counts it keeps (``metrics.location_days``), the other engine's counted from the
    posts."""
    on_duckdb, other = both
    for granularity in ("week", "month"):
        expected = [cell.as_dict() for cell in social_panel(on_duckdb, granularity=granularity)]
        assert len(expected) >= 20, granularity
        same(expected, [cell.as_dict() for cell in social_panel(other, granularity=granularity)], granularity)


def test_a_brands_scoped_figures_are_equal(both: tuple[Sources, Sources]) -> None:
    """``Sources.for_brand`` (what ``--brand``, ``--account`` and ``scorecard --by brand`` use) materialises its
    own tables on each engine: the brand's scoped scorecard and figures are the same on both."""
    found = []
    for sources in both:
        own = sources.brand_map().own
        with sources.for_brand(own) as scoped:
            found.append(
                {
                    "scorecard": scorecard(scoped)[0].as_dict(),
                    "response": [f.as_dict() for f in response(scoped, by="account")],
                }
            )
    assert found[0]["response"] and found[0]["scorecard"]["social_media_index"] is not None
    same(found[0], found[1], "the brand's scoped figures")
