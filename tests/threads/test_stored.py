"""The threads stage kept in the workspace file equals a build from scratch, after every kind of change.

Each test starts from a real workspace (a DuckDB file), changes it the way the product does (an import,
an enrichment, an agent's mark, a config edit) and compares every row of both stored tables with
``compute_threads`` over every post, sorted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.config import WorkspaceConfig, parse_config
from groundswell.metrics.scorecard import scorecard
from groundswell.query import Period, store_sources
from groundswell.threads import build_threads, compute_threads, drop_stored, refresh_stored
from groundswell.threads import stored as stage
from groundswell.threads.build import ROOT_NUMBER
from groundswell.workspace import Workspace
from labelled_workspaces import write_enrichments

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
HEADER = ["platform", "post_id", "author_id", "author_handle", "author_followers", "created_at", "text"]
HEADER += ["in_reply_to_post_id"]
FIRST = [
    # a: answered and thanked
    ("a1", "c1", "ana", "2026-03-02T10:00:00Z", "@AcmeHelp my order is late", ""),
    ("a2", "b1", "AcmeHelp", "2026-03-02T10:30:00Z", "@ana sorry! DM us the order number", "a1"),
    ("a3", "c1", "ana", "2026-03-02T10:40:00Z", "@AcmeHelp thanks, sorted!", "a2"),
    # b: a reply whose parent b1 is not imported yet (it roots its own tree)
    ("b2", "c2", "bo", "2026-03-02T09:00:00Z", "@AcmeHelp still waiting on this", "b1"),
    ("b3", "b1", "AcmeHelp", "2026-03-02T09:10:00Z", "@bo looking now", "b2"),
    ("b4", "c3", "cy", "2026-03-02T09:20:00Z", "@bo same here", "b2"),
    # c: unanswered, and an orphan o2 whose missing parent o1 will answer c1
    ("c1", "c4", "di", "2026-03-03T10:00:00Z", "@AcmeHelp the app crashes", ""),
    ("o2", "c5", "ed", "2026-03-03T12:00:00Z", "@AcmeHelp me too, since the update", "o1"),
    ("o3", "b1", "AcmeHelp", "2026-03-03T12:05:00Z", "Automated reply: we will get back to you", "o2"),
    # j: customers talking, no brand
    ("j1", "c6", "jo", "2026-03-04T10:00:00Z", "what a lovely day", ""),
    ("j2", "c7", "jim", "2026-03-04T10:01:00Z", "@jo it is", "j1"),
]
MORE = [
    # into existing trees: the customer comes back two days later (a new thread), the brand answers c1
    ("a4", "c1", "ana", "2026-03-04T11:00:00Z", "@AcmeHelp it happened again", "a3"),
    ("c2", "b1", "AcmeHelp", "2026-03-03T11:00:00Z", "@di try updating the app", "c1"),
    # a new tree
    ("n1", "c8", "fay", "2026-03-05T10:00:00Z", "@AcmeHelp where is my refund", ""),
    ("n2", "b1", "AcmeHelp", "2026-03-05T10:10:00Z", "@fay on its way", "n1"),
]
PARENTS = [
    # the missing parents: b1 re-roots b2's tree; o1 answers c1, so trees c and o merge
    ("b1", "b1", "AcmeHelp", "2026-03-02T08:00:00Z", "Our spring sale starts today!", ""),
    ("o1", "c9", "gus", "2026-03-03T11:30:00Z", "@di @AcmeHelp have you tried turning it off?", "c1"),
]
# customers talking among themselves, each post a tree of its own: a change to one tree touches a small share
QUIET = [(f"q{i}", f"c{100 + i}", f"q{i}", "2026-03-06T10:00:00Z", "nice weather today", "") for i in range(40)]
LABELS = {
    "a1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "a3": {"sentiment": "positive", "intent": "praise", "gratitude": True},
    "b2": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
}


def _csv(rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for post_id, author, handle, at, text, parent in rows:
        writer.writerow(["twitter", post_id, author, handle, 9000 if author.startswith("b") else 20, at, text, parent])
    return out.getvalue()


def _import(ws: Workspace, rows: list[tuple[str, ...]], name: str) -> None:
    path = ws.path.parent / f"{name}.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    report = ws.import_files([path])
    assert report.rejected == 0 and report.imported == len(rows)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws", config_text=CONFIG)
    _import(workspace, FIRST, "first")
    write_enrichments(workspace.store, LABELS)
    yield workspace
    workspace.close()


def _value(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _rows(table: Any) -> list[tuple[Any, ...]]:
    data = table.to_pyarrow()
    names = sorted(data.column_names)
    return sorted((tuple(_value(row[n]) for n in names) for row in data.to_pylist()), key=repr)


def _columns(table: Any) -> dict[str, str]:
    return {name: str(dtype.copy(nullable=True)) for name, dtype in table.schema().items()}


def assert_stored_equals_scratch(ws: Workspace, config: WorkspaceConfig | None = None) -> None:
    """``build_threads`` (the stored stage, refreshed) has every row ``compute_threads`` has, and no other."""
    with store_sources(ws.store, config or ws.config) as sources:
        assert sources.store is not None
        kept = build_threads(sources)
        state = stage._read_state(ws.store)
        assert state is not None and state.watermarks == stage._observe(ws.store, sources.model_version)
        scratch = compute_threads(sources)
        for got, want in ((kept.posts, scratch.posts), (kept.threads, scratch.threads)):
            assert _columns(got) == _columns(want)
            assert list(got.columns) == list(want.columns)
            assert _rows(got) == _rows(want)
        assert kept.accounts == scratch.accounts and kept.converged == scratch.converged


def _state(ws: Workspace) -> stage.StageState:
    found = stage._read_state(ws.store)
    assert found is not None
    return found


def test_a_full_build_equals_a_build_from_scratch(ws: Workspace) -> None:
    assert stage._read_state(ws.store) is None  # a small workspace: built when first asked for
    assert_stored_equals_scratch(ws)
    # the build's own root numbers group its thread rows, and are not kept: another build's would collide
    kept_columns = [row[0] for row in ws.store.con.execute("DESCRIBE thread_posts").fetchall()]
    assert ROOT_NUMBER not in kept_columns and "root_id" in kept_columns
    report = refresh_stored(ws.store, ws.config)
    assert report.action == "fresh" and report.posts == 0


def test_importing_posts_into_existing_trees_rebuilds_only_those_trees(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    built_at = _state(ws).built_at
    _import(ws, MORE, "more")  # refreshes the stored stage at the end of the import
    state = _state(ws)
    assert state.built_at == built_at and state.refreshed_at != built_at  # incremental, not rebuilt
    assert state.watermarks.posts == len(FIRST) + len(MORE)
    assert_stored_equals_scratch(ws)


def test_a_missing_parent_re_roots_its_orphans_and_merges_trees(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    built_at = _state(ws).built_at
    _import(ws, PARENTS, "parents")
    assert _state(ws).built_at == built_at
    assert_stored_equals_scratch(ws)
    with ws.sources() as sources:
        posts = {r["post_id"]: r for r in build_threads(sources).posts.to_pyarrow().to_pylist()}
    assert posts["b2"]["root_id"] == "b1" and not posts["b2"]["parent_missing"]
    assert posts["o2"]["root_id"] == "c1" and posts["o1"]["root_id"] == "c1"


def test_new_posts_are_found_without_a_new_import_id(ws: Workspace) -> None:
    """Posts written outside an import (a copy, a restore) are found all the same."""
    assert_stored_equals_scratch(ws)
    ws.store.con.execute(
        "INSERT INTO posts SELECT * REPLACE (post_id || '-copy' AS post_id, "
        "in_reply_to_post_id || '-copy' AS in_reply_to_post_id) FROM posts"
    )
    assert refresh_stored(ws.store, ws.config).action == "incremental"
    assert_stored_equals_scratch(ws)


def test_enriching_posts_rebuilds_their_trees(ws: Workspace) -> None:
    _import(ws, MORE, "more")
    _import(ws, QUIET, "quiet")
    assert_stored_equals_scratch(ws)
    built_at = _state(ws).built_at
    # the same model version, an old timestamp: found as stored posts without an enrichment that have one now
    write_enrichments(ws.store, {"a4": {"sentiment": "negative", "intent": "complaint", "needs_reply": True}})
    report = refresh_stored(ws.store, ws.config)
    assert report.action == "incremental" and report.trees == 1
    assert _state(ws).built_at == built_at
    assert_stored_equals_scratch(ws)
    # enriched again (as --force does), newer than the watermark
    ws.store.con.execute("DELETE FROM enrichments WHERE post_id = 'a3'")
    write_enrichments(ws.store, {"a3": {"sentiment": "negative", "intent": "complaint"}})
    ws.store.con.execute("UPDATE enrichments SET enriched_at = TIMESTAMP '2026-02-01' WHERE post_id = 'a3'")
    assert refresh_stored(ws.store, ws.config).action == "incremental"
    assert_stored_equals_scratch(ws)


def test_a_new_model_version_joins_its_enrichments_to_the_stored_trees(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    built_at = _state(ws).built_at
    labels = {k: {**v, "model_version": "hand@2"} for k, v in LABELS.items()}
    labels["a1"] = {"sentiment": "positive", "intent": "praise", "model_version": "hand@2"}  # read otherwise now
    write_enrichments(ws.store, labels)
    ws.store.con.execute("UPDATE enrichments SET enriched_at = TIMESTAMP '2026-02-01' WHERE model_version = 'hand@2'")
    report = refresh_stored(ws.store, ws.config)
    assert report.action == "rejoined" and report.posts == len(FIRST)
    state = _state(ws)
    assert state.model_version == "hand@2" and state.built_at == built_at  # the trees were not rebuilt
    assert_stored_equals_scratch(ws)
    # an older model version asked for by name is built for that run, not stored
    with ws.sources(model_version="hand-labelled@1") as sources:
        assert stage.stored_threads(sources) is None
        assert build_threads(sources).posts.count().to_pyarrow().as_py() == len(FIRST)
    assert _state(ws).model_version == "hand@2"


def test_every_post_enriched_again_joins_the_new_enrichments(ws: Workspace) -> None:
    """As ``enrich --force`` does: every enrichment deleted and written again, some of them otherwise."""
    _import(ws, MORE + PARENTS, "more")
    assert_stored_equals_scratch(ws)
    ws.store.con.execute("DELETE FROM enrichments")
    labels = {**LABELS, "a3": {"sentiment": "negative", "intent": "complaint"}, "n1": {"intent": "complaint"}}
    write_enrichments(ws.store, labels)
    ws.store.con.execute("UPDATE enrichments SET enriched_at = TIMESTAMP '2026-02-01'")  # enriched now
    assert refresh_stored(ws.store, ws.config).action == "rejoined"
    assert_stored_equals_scratch(ws)
    with ws.sources() as sources:
        threads = {r["thread_id"]: r for r in build_threads(sources).threads.to_pyarrow().to_pylist()}
    assert threads["a1"]["outcome"] == "not_helped"  # the customer's last post, read again, complains
    # nothing enriched any more: the same trees, no enrichment columns
    ws.store.con.execute("DELETE FROM enrichments")
    assert refresh_stored(ws.store, ws.config).action == "rejoined"
    assert_stored_equals_scratch(ws)


def test_new_posts_with_new_enrichments_rebuild_the_trees(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    ws.store.con.execute("DELETE FROM enrichments")
    ws.store.con.execute(  # posts new to the stage, written outside an import (which would refresh it)
        "INSERT INTO posts SELECT * REPLACE (post_id || '-copy' AS post_id, "
        "in_reply_to_post_id || '-copy' AS in_reply_to_post_id) FROM posts WHERE post_id LIKE 'a%'"
    )
    write_enrichments(ws.store, LABELS)
    assert refresh_stored(ws.store, ws.config).action != "rejoined"
    assert_stored_equals_scratch(ws)
    # a post the stage holds removed and another added outside an import: the counts agree, the posts do not
    ws.store.con.execute("DELETE FROM posts WHERE post_id = 'a3-copy'")
    ws.store.con.execute(
        "INSERT INTO posts SELECT * REPLACE ('z9' AS post_id, NULL AS in_reply_to_post_id) FROM posts "
        "WHERE post_id = 'j1'"
    )
    ws.store.con.execute("DELETE FROM enrichments WHERE post_id = 'a1'")
    assert refresh_stored(ws.store, ws.config).action == "full"
    assert_stored_equals_scratch(ws)


def test_an_outcome_mark_rebuilds_its_tree(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    ws.store.con.execute(
        "INSERT INTO outcome_marks VALUES ('twitter', 'b3', 'helped', 'agent', ?)", [datetime(2026, 3, 6)]
    )
    report = refresh_stored(ws.store, ws.config)
    assert report.action == "incremental" and report.trees == 1
    assert_stored_equals_scratch(ws)
    with ws.sources() as sources:
        threads = {r["thread_id"]: r for r in build_threads(sources).threads.to_pyarrow().to_pylist()}
    assert threads["b2"]["outcome"] == "helped" and threads["b2"]["marked"]


def test_a_workspace_without_outcome_marks_table(ws: Workspace) -> None:
    """An older workspace may lack the inbox's tables: the stage does without marks."""
    ws.store.con.execute("DROP TABLE outcome_marks")
    assert_stored_equals_scratch(ws)
    _import(ws, MORE, "more")
    assert_stored_equals_scratch(ws)


def test_changing_the_automation_patterns_rebuilds_everything(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    before = _state(ws).fingerprint
    changed = parse_config(CONFIG + '[response]\nautomation_patterns = ["(?i)^automated reply"]\n')
    assert_stored_equals_scratch(ws, changed)
    assert _state(ws).fingerprint != before
    with store_sources(ws.store, changed) as sources:
        posts = {r["post_id"]: r for r in build_threads(sources).posts.to_pyarrow().to_pylist()}
    assert posts["o3"]["automated"]


def test_a_period_uses_the_whole_stored_stage(ws: Workspace) -> None:
    _import(ws, MORE, "more")
    _import(ws, PARENTS, "parents")
    period = Period(since=datetime(2026, 3, 3), until=datetime(2026, 3, 5))
    with ws.sources(period=period) as sources:
        assert sources.store is not None
        kept = build_threads(sources)
        assert kept.posts.count().to_pyarrow().as_py() == len(FIRST) + len(MORE) + len(PARENTS)
        card = scorecard(sources)[0].as_dict()
    scratch_sources = replace(ws.sources(period=period), store=None, memo={})
    with scratch_sources:
        assert scorecard(scratch_sources)[0].as_dict() == card
    assert_stored_equals_scratch(ws)


def test_dropping_the_stage_and_forcing_a_rebuild(ws: Workspace) -> None:
    assert_stored_equals_scratch(ws)
    drop_stored(ws.store)
    assert stage._read_state(ws.store) is None
    assert refresh_stored(ws.store, ws.config, force=True).action == "full"
    assert_stored_equals_scratch(ws)


def test_an_open_transaction_builds_for_this_run_only(ws: Workspace) -> None:
    ws.store.con.execute("BEGIN TRANSACTION")
    try:
        with ws.sources() as sources:
            assert stage.stored_threads(sources) is None
            assert build_threads(sources).posts.count().to_pyarrow().as_py() == len(FIRST)
    finally:
        ws.store.con.execute("ROLLBACK")
    assert stage._read_state(ws.store) is None


def test_a_full_build_runs_with_the_build_memory_limit_and_restores_the_store_s(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groundswell.store.duckdb import _limit_bytes, build_memory_limit

    def limit() -> float:
        return _limit_bytes(str(ws.store.execute("SELECT current_setting('memory_limit')")[0][0]))

    before = limit()
    seen: list[float] = []

    def compute(*args: Any, **kwargs: Any) -> Any:
        seen.append(limit())
        return compute_threads(*args, **kwargs)

    monkeypatch.setattr(stage, "compute_threads", compute)
    assert refresh_stored(ws.store, ws.config, force=True).action == "full"
    # DuckDB shows the limit in MiB, rounded: compare within a percent
    assert seen and abs(seen[0] - _limit_bytes(build_memory_limit())) < 0.01 * seen[0]
    assert seen[0] >= _limit_bytes("3GB") > before
    assert limit() == before
    assert_stored_equals_scratch(ws)


def test_a_reply_cycle_s_trees_take_their_enrichments_again(ws: Workspace) -> None:
    """A cycle (corrupt input) leaves its posts the ancestors they reached as roots: still one tree each."""
    cycle = [
        ("x1", "c1", "ana", "2026-03-02T10:00:00Z", "@AcmeHelp one", "x3"),
        ("x2", "c1", "ana", "2026-03-02T10:01:00Z", "@AcmeHelp two", "x1"),
        ("x3", "b1", "AcmeHelp", "2026-03-02T10:02:00Z", "@ana three", "x2"),
    ]
    _import(ws, cycle, "cycle")
    assert_stored_equals_scratch(ws)
    assert not _state(ws).converged
    write_enrichments(ws.store, {"x1": {"sentiment": "negative", "intent": "complaint"}, "x2": {"gratitude": True}})
    ws.store.con.execute("UPDATE enrichments SET enriched_at = TIMESTAMP '2026-02-01'")
    assert refresh_stored(ws.store, ws.config).action == "rejoined"
    assert_stored_equals_scratch(ws)
