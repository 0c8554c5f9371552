"""The stores' day counts kept in the workspace file (``metrics.location_days``): counted when per-store outcomes
are imported, equal to the counts from the posts, counted again after new posts, a new enrichment or a config
change, and the figures per store and week or month the same whichever way they were counted."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import build_demo
from groundswell.demo.outcomes import import_demo_sales
from groundswell.enrich.registry import shipped_model_dir
from groundswell.metrics.location_days import COUNTS, _counted, location_days
from groundswell.query import Period, in_period, rows
from groundswell.store import location_days as kept
from groundswell.threads.stage import build_threads
from groundswell.workspace import Workspace

EVERY_POST = Period(datetime(2000, 1, 1))
"""A period of whole days holding every post (the kept counts serve it)."""
EVERY_POST_WITHIN_A_DAY = Period(datetime(2000, 1, 1, 0, 0, 1))
"""The same posts, from a second past midnight: counted from the posts."""


@pytest.fixture
def sales_workspace(tmp_path: Path) -> Path:
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    built = build_demo(tmp_path / "ws", posts=2500, seed=3)
    with Workspace.open(built.workspace) as ws:
        ws.enrich("fast", workers=1)
        assert kept.read_state(ws.store) is None  # no outcomes yet: nothing counted ahead
        assert import_demo_sales(ws, seed=3).imported > 0
    return built.workspace


def _sorted(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((str(r["location"]), r["day"], *(int(r[c]) for c in COUNTS)) for r in found)


def _kept_and_counted(ws: Workspace) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with ws.computing(period=EVERY_POST) as src:
        stored = rows(location_days(src))
        counted = rows(_counted(src, src.posts, in_period(build_threads(src).posts, src.period)))
    return _sorted(stored), _sorted(counted)


def test_the_import_of_store_outcomes_counts_them_as_the_posts_give_them(sales_workspace: Path) -> None:
    with Workspace.open(sales_workspace) as ws:
        assert kept.read_state(ws.store) is not None
        stored, counted = _kept_and_counted(ws)
        assert stored == counted
        assert len(stored) > 500 and {r[0] for r in stored} >= {"Keswick", "None"}
        for granularity in ("week", "month"):
            from_kept = ws.social_figures(granularity=granularity, period=EVERY_POST)
            from_posts = ws.social_figures(granularity=granularity, period=EVERY_POST_WITHIN_A_DAY)
            assert from_kept == from_posts and len(from_kept) > 40


def test_new_posts_and_their_enrichment_are_counted_again(sales_workspace: Path, tmp_path: Path) -> None:
    source = sales_workspace / "demo-data" / "posts.csv"
    more = tmp_path / "more.csv"
    with source.open(encoding="utf-8", newline="") as read, more.open("w", encoding="utf-8", newline="") as write:
        reader = csv.DictReader(read)
        writer = csv.DictWriter(write, fieldnames=list(reader.fieldnames or ()))
        writer.writeheader()
        for i, row in enumerate(reader):
            if i % 5 == 0:  # every fifth post again, as other posts (ids of their own, replies kept together)
                for key in ("post_id", "in_reply_to_post_id", "conversation_id"):
                    row[key] = f"{row[key]}-b" if row[key] else ""
                writer.writerow(row)
    with Workspace.open(sales_workspace) as ws:
        before = kept.read_state(ws.store)
        was, _ = _kept_and_counted(ws)
        assert ws.import_files([more]).files[0].imported == 500
        ws.enrich("fast", workers=1)
        assert kept.read_state(ws.store) not in (None, before)
        stored, counted = _kept_and_counted(ws)
        assert stored == counted
        assert sum(r[2] for r in stored) > sum(r[2] for r in was)  # more posts counted


def test_a_config_change_is_counted_again_when_the_figures_ask(sales_workspace: Path) -> None:
    config = sales_workspace / "groundswell.toml"
    with Workspace.open(sales_workspace) as ws:
        before = kept.read_state(ws.store)
        replies = sum(r[-1] for r in _kept_and_counted(ws)[0])
    config.write_text(config.read_text(encoding="utf-8").replace("window_hours = 24", "window_hours = 1"), "utf-8")
    with Workspace.open(sales_workspace) as ws:
        stored, counted = _kept_and_counted(ws)  # the figures ask: the kept counts no longer match the config
        assert kept.read_state(ws.store) not in (None, before)
        assert stored == counted
        assert sum(r[-1] for r in stored) < replies  # fewer replies within an hour than within a day
