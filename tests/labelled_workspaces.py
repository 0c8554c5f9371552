"""Workspaces for the tests: a real workspace from a small CSV, enrichment rows written by hand, ``Sources``.

``Sources`` come from ``query.store_sources``, as ``Workspace.sources`` builds them. The fixtures here
(``make_workspace``, ``make_sources``, ``in_memory``) are registered for every test by tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from groundswell.config import WorkspaceConfig, parse_config
from groundswell.query import Period, Sources, store_sources
from groundswell.store.base import Store
from groundswell.store.duckdb import DuckDBStore
from groundswell.store.schema import apply_migrations
from groundswell.workspace import Workspace

MODEL_VERSION = "hand-labelled@1"
POST_COLUMNS = (
    "platform", "post_id", "author_id", "author_handle", "author_followers", "is_brand", "created_at", "text",
    "lang", "in_reply_to_post_id", "conversation_id", "url", "like_count", "share_count", "reply_count",
    "view_count", "location",
)  # fmt: skip


def sources_for(
    store: Store,
    config: WorkspaceConfig,
    *,
    period: Period | None = None,
    model_version: str | None = None,
) -> Sources:
    """The library's own DuckDB ``Sources``: the posts of ``period``, the newest enrichments by default."""
    return store_sources(store, config, period=period or Period(), model_version=model_version)


def write_enrichments(store: Store, labels: Mapping[str, Mapping[str, Any]], platform: str = "twitter") -> None:
    """One enrichment row per post id: ``sentiment``, ``intent``, ``subject``, ``campaign``; the rest defaulted."""
    if not labels:
        return
    n = len(labels)
    values = list(labels.values())
    sentiment = [v.get("sentiment", "neutral") for v in values]
    store.write_enrichments(
        pa.table(
            {
                "platform": [v.get("platform", platform) for v in values],
                "post_id": list(labels),
                "model": ["hand"] * n,
                "model_version": [v.get("model_version", MODEL_VERSION) for v in values],
                "sentiment": sentiment,
                "sentiment_score": [{"positive": 0.8, "negative": -0.8}.get(s, 0.0) for s in sentiment],
                "complaint_score": [0.9 if v.get("intent") == "complaint" else 0.1 for v in values],
                "intent": [v.get("intent", "other") for v in values],
                "subject": [v.get("subject", "other") for v in values],
                "needs_reply": [bool(v.get("needs_reply", False)) for v in values],
                "gratitude": [bool(v.get("gratitude", False)) for v in values],
                "campaign": pa.array([v.get("campaign") for v in values], pa.string()),
                "enriched_at": pa.array([datetime(2026, 1, 1)] * n, pa.timestamp("us")),
            }
        )
    )


WorkspaceFactory = Callable[..., Workspace]


@pytest.fixture
def make_workspace(tmp_path: Path, database: str | None) -> Iterator[WorkspaceFactory]:
    """``make_workspace(config_text, posts_csv, labels=None)``: a real workspace with the CSV imported, on
    ``database`` (None: the embedded one; a PostgreSQL URL holds one workspace only)."""
    opened: list[Workspace] = []

    def make(config_text: str, posts_csv: str, labels: Mapping[str, Mapping[str, Any]] | None = None) -> Workspace:
        root = tmp_path / f"ws{len(opened)}"
        if database and opened:
            raise AssertionError("one workspace per PostgreSQL database: ask for another database")
        ws = Workspace.init(root, config_text=config_text, database=database or "")
        opened.append(ws)
        path = tmp_path / f"posts{len(opened)}.csv"
        path.write_text(posts_csv, encoding="utf-8")
        report = ws.import_files([path])
        assert report.rejected == 0, ws.rejects()
        if labels:
            write_enrichments(ws.store, labels)
        return ws

    yield make
    for ws in opened:
        ws.close()


def memory_sources(
    posts: list[Mapping[str, Any]],
    config_text: str,
    labels: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
) -> Sources:
    """Posts (dicts of post fields) and enrichment labels in an in-memory store: fast, for property tests."""
    con = duckdb.connect()
    apply_migrations(con)
    store = DuckDBStore(con, Path(":memory:"))
    if posts:
        table = pa.table(
            {
                **{
                    name: pa.array([p.get(name) for p in posts], _TYPES.get(name, pa.string())) for name in POST_COLUMNS
                },
                "source": ["test"] * len(posts),
                "source_line": list(range(1, len(posts) + 1)),
                "import_id": [1] * len(posts),
                "ingested_at": pa.array([datetime(2026, 1, 1)] * len(posts), pa.timestamp("us")),
            }
        )
        con.register("_posts", table)
        con.execute("INSERT INTO posts SELECT * FROM _posts")
        con.unregister("_posts")
    if labels:
        for (platform, post_id), label in labels.items():
            write_enrichments(store, {post_id: {**label, "platform": platform}})
    return sources_for(store, parse_config(config_text))


_TYPES = {
    "author_followers": pa.int64(),
    "is_brand": pa.bool_(),
    "created_at": pa.timestamp("us"),
    "like_count": pa.int64(),
    "share_count": pa.int64(),
    "reply_count": pa.int64(),
    "view_count": pa.int64(),
}


@pytest.fixture(scope="session")
def make_sources() -> Callable[..., Sources]:
    """``make_sources(ws.store, ws.config, period=None, model_version=None)``."""
    return sources_for


@pytest.fixture(scope="session")
def in_memory() -> Callable[..., Sources]:
    """``in_memory(posts, config_text, labels=None)``: Sources over an in-memory store (property tests)."""
    return memory_sources
