"""The stores' day counts kept in the workspace file (``metrics.location_days``): counted when per-store outcomes
are imported, equal to the counts from the posts, counted again after new posts, a new enrichment or a config
change, and the figures per store and week or month the same whichever way they were counted."""

from __future__ import annotations

import csv
import logging
from datetime import datetime, timedelta
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


def test_new_posts_and_their_enrichment_are_counted_again(
    sales_workspace: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
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
        with caplog.at_level(logging.INFO, logger="groundswell.metrics.location_days"):
            assert ws.import_files([more]).files[0].imported == 500
            ws.enrich("fast", workers=1)
        assert kept.read_state(ws.store) not in (None, before)
        # only the days of the new posts' trees were counted again, after the import and after the enrichment
        assert [r.getMessage().split(" days ")[0] for r in caplog.records if "counted again" in r.getMessage()]
        assert not [r for r in caplog.records if "every day" in r.getMessage()]
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


def test_a_reply_to_an_old_post_counts_on_the_day_of_the_post_it_answers(sales_workspace: Path, tmp_path: Path) -> None:
    """A brand reply imported later answers, within the day's window, a post of the day before: that day's
    replies within the window go up by one, though none of its own posts is new."""
    with Workspace.open(sales_workspace) as ws:
        waiting = ws.store.query(
            "SELECT t.post_id, t.created_at, p.conversation_id FROM thread_posts t JOIN posts p "
            "ON p.platform = t.platform AND p.post_id = t.post_id WHERE t.platform = 'twitter' AND t.inbound "
            "AND t.needs_reply AND t.reply_delay_s IS NULL AND hour(t.created_at) >= 2 ORDER BY t.created_at, t.post_id LIMIT 1"
        )[0]
        _, was_counted = _kept_and_counted(ws)
    reply = tmp_path / "reply.csv"
    with (sales_workspace / "demo-data" / "posts.csv").open(encoding="utf-8", newline="") as read:
        fields = list(csv.DictReader(read).fieldnames or ())
    with reply.open("w", encoding="utf-8", newline="") as write:
        writer = csv.DictWriter(write, fieldnames=fields)
        writer.writeheader()
        writer.writerow(
            {
                **dict.fromkeys(fields, ""),
                "platform": "twitter",
                "post_id": "9000000000001",
                "author_id": "NorthwindHelp",
                "author_handle": "NorthwindHelp",
                "is_brand": "true",
                "created_at": (waiting["created_at"] + timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "text": "So sorry to hear that. DM us your order number and we'll sort it today.",
                "lang": "en",
                "in_reply_to_post_id": waiting["post_id"],
                "conversation_id": waiting["conversation_id"] or waiting["post_id"],
            }
        )
    with Workspace.open(sales_workspace) as ws:
        assert ws.import_files([reply]).files[0].imported == 1
        ws.enrich("fast", workers=1)
        stored, counted = _kept_and_counted(ws)
        assert stored == counted
    day = waiting["created_at"].date()
    replied = {True: 0, False: 0}
    for found, when in ((was_counted, False), (stored, True)):
        replied[when] = sum(r[-1] for r in found if r[1] == day)
    assert replied[True] == replied[False] + 1
