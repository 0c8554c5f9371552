"""The threads stage on small hand-written conversations, one per edge case of issue 4 point 1.

Each conversation is a few posts in one CSV imported into a real workspace; times are UTC on
Monday 2 March 2026 unless said otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from groundswell.threads import MAX_ROUNDS, build_threads
from groundswell.threads import build as thread_build
from groundswell.workspace import Workspace

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "AcmeShop"
"""
HEADER = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
POSTS = [
    # a1: the plain case, replied after 30 min, thanked
    ("a1", "c1", "ana", 50, "10:00", "@AcmeHelp my order is late", ""),
    ("a2", "b1", "AcmeHelp", 9000, "10:30", "@ana sorry! DM us the order number", "a1"),
    ("a3", "c1", "ana", 50, "10:40", "@AcmeHelp thanks, sorted!", "a2"),
    # b2: a reply whose parent b1 was never imported
    ("b2", "c2", "bo", 150, "09:00", "@AcmeHelp still waiting on this", "b1"),
    ("b3", "b1", "AcmeHelp", 9000, "09:10", "@bo looking now", "b2"),
    # c1: the brand starts the thread
    ("cc1", "b2", "AcmeShop", 20000, "08:00", "The spring range is out!", ""),
    ("cc2", "c3", "cy", 2000, "08:30", "@AcmeShop does it come in blue?", "cc1"),
    ("cc3", "b2", "AcmeShop", 20000, "09:00", "@cy it does!", "cc2"),
    # d1: answered, quiet for two days, then the customer starts again (a new thread for response time)
    ("d1", "c4", "di", 20, "10:00", "@AcmeHelp the app crashes", ""),
    ("d2", "b1", "AcmeHelp", 9000, "10:05", "@di try updating it", "d1"),
    ("d3", "c4", "di", 20, "2026-03-04 12:00", "@AcmeHelp it crashes again", "d2"),
    ("d4", "b1", "AcmeHelp", 9000, "2026-03-04 12:20", "@di sending this to the team", "d3"),
    # e1: a late reply (26 h) is a late reply, not a new thread
    ("e1", "c5", "ed", 20, "10:00", "@AcmeHelp where is my refund", ""),
    ("e2", "b1", "AcmeHelp", 9000, "2026-03-03 12:00", "@ed sorry for the wait", "e1"),
    # f1: two brand replies in a row count once
    ("f1", "c6", "fay", 20, "10:00", "@AcmeHelp wrong size delivered", ""),
    ("f2", "b1", "AcmeHelp", 9000, "10:10", "@fay so sorry", "f1"),
    ("f3", "b1", "AcmeHelp", 9000, "10:11", "@fay a new one is on its way", "f2"),
    ("f4", "c6", "fay", 20, "10:20", "@AcmeHelp that does not help me today", "f3"),
    # g1: an automated reply first, a person an hour later
    ("g1", "c7", "gus", 20, "10:00", "@AcmeHelp card declined twice", ""),
    ("g2", "b1", "AcmeHelp", 9000, "10:00:30", "This is an automated message: we will reply soon", "g1"),
    ("g3", "b1", "AcmeHelp", 9000, "11:00", "@gus let us check your card", "g1"),
    # h1: another customer answers first (customer-to-customer)
    ("h1", "c8", "hal", 20, "10:00", "@AcmeHelp is the Leeds store open today?", ""),
    ("h2", "c9", "ivy", 20, "10:05", "@hal yes it is, I was just there", "h1"),
    ("h3", "b1", "AcmeHelp", 9000, "11:00", "@hal it is, until 8pm", "h1"),
    # i1: the reply is timestamped two minutes before the post it answers
    ("i1", "c10", "ida", 20, "10:00", "@AcmeHelp parcel missing", ""),
    ("i2", "b1", "AcmeHelp", 9000, "09:58", "@ida checking", "i1"),
    # j1: customers talking, no brand in sight: no thread
    ("j1", "c11", "jo", 20, "10:00", "what a lovely day", ""),
    ("j2", "c12", "jim", 20, "10:01", "@jo it is", "j1"),
    # k1: unanswered, and a look-alike handle is no mention
    ("k1", "c13", "kit", 20, "10:00", "@AcmeHelp anyone there?", ""),
    ("k2", "c14", "kai", 20, "10:00", "@AcmeHelpers are great", ""),
    # m1: the customer mentions the shop account, the help account answers
    ("m1", "c15", "max", 20, "10:00", "@AcmeShop my voucher code fails.", ""),
    ("m2", "b1", "AcmeHelp", 9000, "10:20", "@max try again now", "m1"),
    ("m3", "b2", "AcmeShop", 20000, "10:25", "@max sorry about that", "m2"),
]
LABELS = {  # post_id -> enrichment labels (the rest: neutral, other, no reply needed)
    "a1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "a3": {"sentiment": "positive", "intent": "praise", "gratitude": True},
    "f1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "f4": {"sentiment": "negative", "intent": "complaint"},
    "g1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "h1": {"intent": "question", "needs_reply": True},
    "h2": {"sentiment": "positive"},
}


def _csv() -> str:
    out = io.StringIO()
    out.write(HEADER)
    writer = csv.writer(out, lineterminator="\n")
    for post_id, author, handle, followers, at, text, parent in POSTS:
        day, clock = at.split(" ") if " " in at else ("2026-03-02", at)
        clock = clock if clock.count(":") == 2 else f"{clock}:00"
        writer.writerow(["twitter", post_id, author, handle, followers, f"{day}T{clock}Z", text, parent])
    return out.getvalue()


def _write_labels(ws: Workspace, labels: Mapping[str, Mapping[str, Any]]) -> None:
    ids = list(labels)
    values = [labels[i] for i in ids]
    sentiment = [v.get("sentiment", "neutral") for v in values]
    ws.store.write_enrichments(
        pa.table(
            {
                "platform": ["twitter"] * len(ids),
                "post_id": ids,
                "model": ["hand"] * len(ids),
                "model_version": ["hand@1"] * len(ids),
                "sentiment": sentiment,
                "sentiment_score": [{"positive": 0.8, "negative": -0.8}.get(s, 0.0) for s in sentiment],
                "complaint_score": [0.5] * len(ids),
                "intent": [v.get("intent", "other") for v in values],
                "subject": ["experience"] * len(ids),
                "needs_reply": [bool(v.get("needs_reply")) for v in values],
                "gratitude": [bool(v.get("gratitude")) for v in values],
                "campaign": pa.array([None] * len(ids), pa.string()),
                "enriched_at": pa.array([datetime(2026, 3, 5)] * len(ids), pa.timestamp("us")),
            }
        )
    )


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("threads")
    workspace = Workspace.init(root / "ws", config_text=CONFIG)
    path = root / "posts.csv"
    path.write_text(_csv(), encoding="utf-8")
    report = workspace.import_files([path])
    assert report.rejected == 0 and report.imported == len(POSTS)
    all_ids = [p[0] for p in POSTS]
    _write_labels(workspace, {i: LABELS.get(i, {}) for i in all_ids})
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def built(ws: Workspace) -> Iterator[tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]]:
    """(threads by thread_id, posts by post_id)."""
    with ws.sources() as sources:
        result = build_threads(sources)
        threads = {r["thread_id"]: r for r in result.threads.to_pyarrow().to_pylist()}
        posts = {r["post_id"]: r for r in result.posts.to_pyarrow().to_pylist()}
        assert result.converged and 1 <= result.rounds <= 3
    yield threads, posts


Built = tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]


def test_a_plain_conversation(built: Built) -> None:
    threads, posts = built
    a = threads["a1"]
    assert a["customer_handle"] == "ana" and a["customer_followers"] == 50
    assert a["account"] == "AcmeHelp" and a["brand_accounts"] == ["acmehelp"]
    assert (a["response_s"], a["turns"], a["brand_replies"], a["posts"], a["inbound"]) == (1800, 3, 1, 3, 2)
    assert a["first_inbound_at"] == datetime(2026, 3, 2, 10) and a["first_reply_at"] == datetime(2026, 3, 2, 10, 30)
    assert not a["started_by_brand"] and a["replied"] and not a["parent_missing"]
    assert (a["start_sentiment_label"], a["end_sentiment_label"]) == ("negative", "positive")
    assert a["start_sentiment"] == pytest.approx(-0.8) and a["end_sentiment"] == pytest.approx(0.8)
    assert a["outcome"] == "helped" and not a["marked"]
    assert [posts[i]["role"] for i in ("a1", "a2", "a3")] == ["customer", "brand", "customer"]
    assert {posts[i]["thread_id"] for i in ("a1", "a2", "a3")} == {"a1"}
    assert posts["a1"]["reply_delay_s"] == 1800 and posts["a3"]["reply_delay_s"] is None


def test_a_reply_whose_parent_was_never_imported_roots_its_own_thread(built: Built) -> None:
    threads, posts = built
    assert posts["b2"]["parent_missing"] and posts["b2"]["root_id"] == "b2"
    assert not posts["b3"]["parent_missing"] and posts["b3"]["root_id"] == "b2"
    b = threads["b2"]
    assert b["parent_missing"] and b["response_s"] == 600 and b["customer_handle"] == "bo"


def test_a_thread_the_brand_starts_has_no_response_time(built: Built) -> None:
    threads, posts = built
    c = threads["cc1"]
    assert c["started_by_brand"] and c["replied"] and c["response_s"] is None
    assert c["customer_handle"] == "cy" and c["account"] == "AcmeShop" and c["inbound"] == 1
    assert c["first_reply_at"] == datetime(2026, 3, 2, 9)
    assert posts["cc2"]["reply_delay_s"] == 1800  # the customer's question still got its answer


def test_a_thread_quiet_for_24_hours_starts_again_as_a_new_thread(built: Built) -> None:
    threads, posts = built
    first, again = threads["d1"], threads["d3"]
    assert (first["root_id"], first["segment"], again["root_id"], again["segment"]) == ("d1", 1, "d1", 2)
    assert (first["response_s"], again["response_s"]) == (300, 1200)
    assert not again["started_by_brand"] and again["customer_handle"] == "di"
    assert first["outcome"] == "unknown"  # nothing from the customer after the reply, in that thread
    assert posts["d4"]["thread_id"] == "d3"


def test_a_late_brand_reply_is_measured_not_split_off(built: Built) -> None:
    threads, _ = built
    e = threads["e1"]
    assert e["response_s"] == 26 * 3600 and e["replied"]
    assert "e2" not in threads


def test_consecutive_brand_replies_count_once(built: Built) -> None:
    threads, _ = built
    f = threads["f1"]
    assert (f["turns"], f["brand_replies"], f["response_s"]) == (3, 1, 600)
    assert f["outcome"] == "not_helped"  # the customer's last word is negative


def test_an_automated_reply_is_no_reply(built: Built) -> None:
    threads, posts = built
    g = threads["g1"]
    assert posts["g2"]["automated"] and not posts["g3"]["automated"]
    assert g["response_s"] == 3600 and g["automated_replies"] == 1
    assert g["turns"] == 2 and g["brand_replies"] == 1
    assert posts["g1"]["reply_delay_s"] == 3600


def test_customer_to_customer_replies_are_other_customers(built: Built) -> None:
    threads, posts = built
    assert [posts[i]["role"] for i in ("h1", "h2", "h3")] == ["customer", "other_customer", "brand"]
    h = threads["h1"]
    assert h["other_customer_posts"] == 1 and h["inbound"] == 2 and h["response_s"] == 3600
    assert posts["h2"]["inbound"]  # a reply into a brand conversation
    assert h["end_sentiment_label"] == "neutral"  # the other customer's positive post is not the customer's


def test_a_reply_timestamped_before_its_parent_waits_for_it(built: Built) -> None:
    threads, posts = built
    assert posts["i2"]["created_at"] == datetime(2026, 3, 2, 9, 58)
    assert posts["i2"]["effective_at"] == datetime(2026, 3, 2, 10)
    i = threads["i1"]
    assert not i["started_by_brand"] and i["response_s"] == 0
    assert all(t["response_s"] is None or t["response_s"] >= 0 for t in threads.values())


def test_no_brand_no_thread_and_look_alike_handles_are_no_mention(built: Built) -> None:
    threads, posts = built
    assert "j1" not in threads and not posts["j1"]["inbound"] and not posts["j2"]["inbound"]
    assert "k2" not in threads and posts["k2"]["mentioned_account"] is None
    k = threads["k1"]
    assert not k["replied"] and k["response_s"] is None and k["outcome"] is None and k["account"] == "AcmeHelp"


def test_the_answering_account_owns_the_thread(built: Built) -> None:
    threads, posts = built
    assert posts["m1"]["mentioned_account"] == "acmeshop"  # the full stop after the handle ends it
    m = threads["m1"]
    assert m["account"] == "AcmeHelp" and m["brand_accounts"] == ["acmehelp", "acmeshop"]
    assert m["turns"] == 2 and m["brand_replies"] == 1


def test_an_agents_mark_comes_first(ws: Workspace) -> None:
    marks = ibis.memtable(
        {
            "platform": ["twitter", "twitter", "twitter"],
            "post_id": ["f4", "f1", "k1"],
            "outcome": ["not_helped", "helped", "helped"],
            "marked_at": [datetime(2026, 3, 3), datetime(2026, 3, 4), datetime(2026, 3, 4)],
        }
    )
    with ws.sources(marks=marks) as sources:
        threads = {r["thread_id"]: r for r in build_threads(sources).threads.to_pyarrow().to_pylist()}
    assert threads["f1"]["outcome"] == "helped" and threads["f1"]["marked"]  # the latest mark wins
    assert threads["k1"]["outcome"] == "helped"  # a mark stands even where no reply was seen
    assert threads["a1"]["outcome"] == "helped" and not threads["a1"]["marked"]


def test_without_enrichments_there_is_no_inferred_outcome(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws", config_text=CONFIG) as ws:
        path = tmp_path / "posts.csv"
        path.write_text(_csv(), encoding="utf-8")
        ws.import_files([path])
        with ws.sources() as sources:
            assert sources.enrichments is None
            threads = {r["thread_id"]: r for r in build_threads(sources).threads.to_pyarrow().to_pylist()}
    assert threads["a1"]["outcome"] is None and threads["a1"]["response_s"] == 1800
    assert threads["d1"]["outcome"] == "unknown"  # silence needs no classifier
    assert threads["a1"]["start_sentiment"] is None and threads["a1"]["needs_reply"] is None


def test_reply_cycles_stop_after_the_round_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(thread_build, "MAX_ROUNDS", 3)
    cycle = (
        HEADER
        + "twitter,x1,c1,ana,,2026-03-02T10:00:00Z,@AcmeHelp one,x3\n"
        + "twitter,x2,c1,ana,,2026-03-02T10:01:00Z,@AcmeHelp two,x1\n"
        + "twitter,x3,b1,AcmeHelp,,2026-03-02T10:02:00Z,@ana three,x2\n"
    )
    with Workspace.init(tmp_path / "ws", config_text=CONFIG) as ws:
        path = tmp_path / "posts.csv"
        path.write_text(cycle, encoding="utf-8")
        ws.import_files([path])
        with ws.sources() as sources:
            result = build_threads(sources)
            rows = result.posts.to_pyarrow().to_pylist()
    assert not result.converged and result.rounds == 3 and result.notes
    assert {r["post_id"] for r in rows} == {"x1", "x2", "x3"}
    assert MAX_ROUNDS == 40


def test_threads_are_built_once_per_sources(ws: Workspace) -> None:
    with ws.sources() as sources:
        assert build_threads(sources) is build_threads(sources)


def test_closing_the_sources_drops_what_the_engine_materialised(ws: Workspace) -> None:
    def temporary() -> int:
        return int(ws.store.con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()[0][0])

    before = temporary()
    with ws.sources() as sources:
        thread_build.compute_threads(sources)  # built from the posts, not read from the stored stage
        assert temporary() == before + 2  # the posts and the threads: the rounds are gone once the posts are built
    assert temporary() == before
