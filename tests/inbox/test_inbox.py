"""The inbox: what waits for an answer and in what order, and agents' changes with their version checks."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.errors import UsageError
from groundswell.inbox import (
    InboxConflict,
    assign,
    correct_label,
    corrections,
    export_corrections,
    inbox,
    item_state,
    mark_outcome,
    mark_sent,
)
from groundswell.metrics import help_figures
from groundswell.metrics.response import response

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
POSTS = HEAD + (
    "twitter,q1,u1,ana,10,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?,\n"
    "twitter,c1,u2,bo,10,2026-03-02T11:00:00Z,@AcmeHelp my parcel is lost,\n"
    "twitter,c1b,u2,bo,10,2026-03-02T11:05:00Z,@AcmeHelp hello?? still lost,c1\n"
    "twitter,c2,u3,star,2000000,2026-03-02T12:00:00Z,@AcmeHelp worst service ever,\n"
    "twitter,c3,u4,cy,10,2026-03-02T09:00:00Z,@AcmeHelp zip broke,\n"
    "twitter,p1,u5,di,10,2026-03-02T08:00:00Z,@AcmeHelp love the new store,\n"
    "twitter,o1,u6,ed,10,2026-03-02T07:00:00Z,@AcmeHelp can I change my address,\n"
    "twitter,a1,u7,fi,10,2026-03-02T07:00:00Z,@AcmeHelp refund missing,\n"
    "twitter,r1,h,AcmeHelp,9000,2026-03-02T07:30:00Z,@fi sorry - checking,a1\n"
    "twitter,a2,u7,fi,10,2026-03-02T08:30:00Z,@AcmeHelp still nothing!,r1\n"
    "twitter,d1,u8,gus,10,2026-03-02T06:00:00Z,@AcmeHelp late order,\n"
    "twitter,s1,h,AcmeHelp,9000,2026-03-02T06:10:00Z,@gus on its way,d1\n"
    "twitter,t1,u8,gus,10,2026-03-02T06:40:00Z,@AcmeHelp got it thanks,s1\n"
)
LABELS = {
    "q1": {"sentiment": "neutral", "intent": "question", "needs_reply": True},
    "c1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "c1b": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "c2": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "c3": {"sentiment": "neutral", "intent": "complaint", "needs_reply": True},
    "p1": {"sentiment": "positive", "intent": "praise", "needs_reply": False},
    "o1": {"sentiment": "neutral", "intent": "other", "needs_reply": True},
    "a1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "a2": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "d1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "t1": {"sentiment": "positive", "intent": "praise", "needs_reply": False},
}
NOW = datetime(2026, 3, 2, 13, 0)


def _page(ws: Any, **options: Any) -> Any:
    with ws.sources() as sources:  # on PostgreSQL too (the workspace's own engine)
        return inbox(sources, sources.engine.backend.table("inbox_items"), now=NOW, **options)


def test_waiting_conversations_most_urgent_first_never_by_followers(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    page = _page(ws)
    # complaints and questions first: negative (c1 at 11:00 before the 2M-follower c2 at 12:00, a2 at 08:30
    # first of all: the brand answered a1, then fi wrote again), then neutral (c3, q1); then other (o1);
    # p1 needs no reply; d1's thread was answered
    assert [i.post_id for i in page.items] == ["a2", "c1", "c2", "c3", "q1", "o1"]
    assert page.total == 6
    first = page.items[1]
    assert (first.status, first.version, first.assignee) == ("open", 0, None)
    assert first.waiting_s == 2 * 3600 and first.text == "@AcmeHelp my parcel is lost" and first.account == "AcmeHelp"
    assert _page(ws, limit=2, offset=1).items[0].post_id == "c1"
    assert [i.post_id for i in _page(ws, platform="mastodon").items] == []


def test_two_agents_on_one_item_one_wins_the_other_is_told(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    seen = _page(ws).items[1]
    won = assign(ws.store, seen.platform, seen.post_id, "kim", version=seen.version, actor="kim")
    assert (won.status, won.assignee, won.version) == ("assigned", "kim", 1)
    with pytest.raises(InboxConflict, match="changed by kim") as lost:
        assign(ws.store, seen.platform, seen.post_id, "lee", version=seen.version, actor="lee")
    assert lost.value.current is not None and lost.value.current.assignee == "kim"
    assert item_state(ws.store, "twitter", "c1") == won  # lee's change wrote nothing
    mine = _page(ws, assignee="kim").items
    assert [i.post_id for i in mine] == ["c1"] and mine[0].version == 1


def test_sent_then_helped_leaves_the_inbox_and_moves_the_help_rate(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    with ws.sources() as sources:
        before = help_figures(sources)[0]
    # a2's thread (a1 -> r1 -> a2) was replied to and ended negative: not helped, until an agent says otherwise
    state = assign(ws.store, "twitter", "a2", "kim", version=0, actor="kim")
    state = mark_sent(ws.store, "twitter", "a2", version=state.version, actor="kim")
    assert state.status == "sent"
    closed = mark_outcome(ws.store, "twitter", "a2", "helped", version=state.version, actor="kim")
    assert closed.status == "closed" and closed.version == 3
    assert [i.post_id for i in _page(ws).items] == ["c1", "c2", "c3", "q1", "o1"]
    assert [i.post_id for i in _page(ws, statuses=("closed",)).items] == ["a2"]
    with ws.sources() as sources:
        after = help_figures(sources)[0]
    assert (before.helped, before.not_helped) == (1, 1)
    assert (after.helped, after.not_helped, after.marked) == (2, 0, 1)
    entries = ws.store.execute("SELECT action, actor, target FROM audit_log ORDER BY audit_id")
    assert entries == [
        ("inbox.assign", "kim", "twitter:a2"),
        ("inbox.sent", "kim", "twitter:a2"),
        ("inbox.outcome", "kim", "twitter:a2"),
    ]


def test_bad_outcome_and_unknown_post_are_refused(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    with pytest.raises(UsageError, match="outcome must be one of"):
        mark_outcome(ws.store, "twitter", "c1", "maybe", version=0, actor="kim")
    with pytest.raises(UsageError, match="no post"):
        assign(ws.store, "twitter", "nope", "kim", version=0, actor="kim")
    with pytest.raises(InboxConflict):  # no item at that version (items exist only for stored posts)
        assign(ws.store, "twitter", "nope", "kim", version=3, actor="kim")
    assert ws.store.execute("SELECT count(*) FROM outcome_marks")[0][0] == 0
    assert ws.store.execute("SELECT count(*) FROM inbox_items")[0][0] == 0


def test_label_corrections_are_kept_beside_the_model_and_export_as_training_data(
    make_workspace: Any, tmp_path: Path
) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    correct_label(ws.store, "twitter", "o1", "intent", "question", actor="kim")
    correct_label(ws.store, "twitter", "c3", "sentiment", "negative", actor="kim")
    correct_label(ws.store, "twitter", "o1", "intent", "complaint", actor="lee")  # a later mind wins in the export
    [first, *_] = corrections(ws.store)
    assert (first["field"], first["model_value"], first["value"], first["corrected_by"]) == (
        "intent", "other", "question", "kim",
    )  # fmt: skip
    assert first["model_version"] == "hand-labelled@1"
    out = tmp_path / "intent.csv"
    assert export_corrections(ws.store, out, field="intent") == 1
    with out.open(encoding="utf-8") as file:
        assert list(csv.reader(file)) == [["text", "label"], ["@AcmeHelp can I change my address", "complaint"]]
    with pytest.raises(UsageError):
        correct_label(ws.store, "twitter", "o1", "intent", "angry", actor="kim")


def test_marked_sent_with_its_text_the_reply_is_kept_as_the_brands_and_counted(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    with ws.sources() as sources:
        before = response(sources)[0]
    state = ws.mark_sent("twitter", "c3", version=0, actor="kim", text="  Sorry, Cy! A new zip is on its way. ^KM ")
    assert (state.status, state.version) == ("sent", 1)
    ((author, brand, parent, text, source, at),) = ws.store.execute(
        "SELECT author_handle, is_brand, in_reply_to_post_id, text, source, created_at FROM posts"
        " WHERE post_id = 'inbox-c3-1'"
    )
    assert (author, brand, parent, text) == ("AcmeHelp", True, "c3", "Sorry, Cy! A new zip is on its way. ^KM")
    assert at == state.updated_at and Path(source) == ws.path / "inbox" / "twitter" / "inbox-c3-1.csv"
    assert ws.import_files([source]).duplicates == 1  # its file imports once
    with ws.sources() as sources:
        after = response(sources)[0]
    assert after.replied_threads == before.replied_threads + 1
    entries = ws.store.execute("SELECT action, detail FROM audit_log ORDER BY audit_id")
    assert entries[-1][0] == "inbox.sent" and "inbox-c3-1" in str(entries[-1][1])
    # without text, nothing is added: the reply is only marked
    before_posts = ws.store.post_count()
    ws.mark_sent("twitter", "q1", version=0, actor="kim")
    assert ws.store.post_count() == before_posts
