"""The threads that need attention (``threads.attention``): who is unanswered, in what order, and who was not
helped; the order never follows the follower count."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from groundswell.query import Period
from groundswell.threads.attention import threads_needing_attention

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id,url\n"
POSTS = HEAD + (
    "twitter,t1,u1,ana,10,2026-03-02T10:00:00Z,@AcmeHelp my parcel is lost,,https://x.example/t1\n"
    "twitter,t2,u2,bo,10,2026-03-02T08:00:00Z,@AcmeHelp do you ship to Spain?,,\n"
    "twitter,t3,u3,cy,10,2026-03-02T09:00:00Z,@AcmeHelp the zip broke,,javascript:alert(1)\n"
    "twitter,t4,u4,star,1000000,2026-03-02T11:00:00Z,@AcmeHelp worst service ever,,\n"
    "twitter,t5,u5,di,10,2026-03-02T07:00:00Z,@AcmeHelp lovely shop,,\n"
    "twitter,t6,u6,ed,10,2026-03-02T07:00:00Z,@AcmeHelp refund still missing,,\n"
    "twitter,r6,h,AcmeHelp,9000,2026-03-02T07:30:00Z,@ed sorry - checking,t6,\n"
    "twitter,s6,u6,ed,10,2026-03-02T08:30:00Z,@AcmeHelp this is useless,r6,\n"
    "twitter,t7,u7,fi,10,2026-03-02T07:00:00Z,@AcmeHelp order late,,\n"
    "twitter,r7,h,AcmeHelp,9000,2026-03-02T07:10:00Z,@fi on its way today,t7,\n"
    "twitter,s7,u7,fi,10,2026-03-02T09:10:00Z,@AcmeHelp got it thanks!,r7,\n"
    "twitter,b8,h,AcmeHelp,9000,2026-03-02T06:00:00Z,New range out now,,\n"
    "twitter,c8,u8,gus,10,2026-03-02T06:30:00Z,@AcmeHelp is it in stock in Leeds?,b8,\n"
    "twitter,z9,u9,hal,10,2026-03-02T12:00:00Z,@AcmeHelp hello,,\n"
)
LABELS = {
    "t1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "t2": {"sentiment": "neutral", "intent": "question", "needs_reply": True},
    "t3": {"sentiment": "neutral", "intent": "complaint", "needs_reply": True},
    "t4": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "t5": {"sentiment": "positive", "intent": "praise", "needs_reply": False},
    "t6": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "s6": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "t7": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "s7": {"sentiment": "positive", "intent": "praise", "needs_reply": False},
    "c8": {"sentiment": "neutral", "intent": "question", "needs_reply": True},
    "z9": {"sentiment": "neutral", "intent": "other", "needs_reply": False},
}


def test_unanswered_most_urgent_first_and_never_by_followers(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    attention = threads_needing_attention(make_sources(ws.store, ws.config))
    # complaints and questions: negative first (the 1M-follower complaint waits its turn by time), then neutral
    # by time (c8's 06:30 question under the brand's own post, the 08:00 question, the 09:00 complaint): a
    # question under a brand's post waits for an answer like any other (threads.counts); praise and chit-chat
    # need no reply
    assert [t.first_inbound_post_id for t in attention.unanswered] == ["t1", "t4", "c8", "t2", "t3"]
    assert attention.unanswered_total == 5
    first = attention.unanswered[0]
    assert first.reason == "unanswered complaint" and first.customer_handle == "ana"
    assert first.text == "@AcmeHelp my parcel is lost" and first.url == "https://x.example/t1"
    assert first.waiting_s == 2 * 3600  # to the last post of the period, z9 at 12:00
    assert attention.unanswered[2].reason == "unanswered question"
    assert attention.unanswered[3].reason == "unanswered question"
    assert attention.model_version is not None


def test_not_helped_threads(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    attention = threads_needing_attention(make_sources(ws.store, ws.config))
    assert [t.first_inbound_post_id for t in attention.not_helped] == ["t6"]
    assert attention.not_helped_total == 1
    assert attention.not_helped[0].outcome == "not_helped" and attention.not_helped[0].waiting_s is None


def test_limit_and_period(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    top = threads_needing_attention(make_sources(ws.store, ws.config), limit=2)
    assert [t.first_inbound_post_id for t in top.unanswered] == ["t1", "t4"] and top.unanswered_total == 5
    morning = Period(datetime(2026, 3, 2, 0, 0), datetime(2026, 3, 2, 9, 30))
    early = threads_needing_attention(make_sources(ws.store, ws.config, period=morning))
    assert [t.first_inbound_post_id for t in early.unanswered] == ["c8", "t2", "t3"]


def test_without_enrichments_nothing_is_known_to_need_a_reply(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    attention = threads_needing_attention(make_sources(ws.store, ws.config))
    assert attention.unanswered == () and attention.not_helped == () and attention.model_version is None
