"""Voice: the conversation ratio, on hand-built threads with hand-computed figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.errors import UsageError
from groundswell.metrics.voice import conversation_ratio
from groundswell.query import Sources

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "Acme"
"""
HEAD = "platform,post_id,author_id,author_handle,created_at,text,in_reply_to_post_id\n"
POSTS = HEAD + (
    "twitter,1,u1,ana,2026-01-05T10:00:00Z,@AcmeHelp my boots leak,\n"
    "twitter,2,h,AcmeHelp,2026-01-05T10:10:00Z,@ana sorry! which pair?,1\n"
    "twitter,3,h,AcmeHelp,2026-01-05T10:11:00Z,@ana and where did you buy them?,2\n"  # follow-up: to a person
    "twitter,4,m,Acme,2026-01-06T09:00:00Z,New season is here,\n"  # broadcast
    "twitter,5,m,Acme,2026-01-06T09:01:00Z,2/ with free delivery,4\n"  # continuation of its own post
    "twitter,6,h,AcmeHelp,2026-01-06T09:05:00Z,and our help team is on hand,5\n"  # continuation (chain to 4)
    "twitter,7,h,AcmeHelp,2026-02-01T12:00:00Z,@bo we have DMed you,99\n"  # parent never imported: a person
    "twitter,8,h,AcmeHelp,2026-01-05T10:01:00Z,This is an automated message: we reply within a day,1\n"
    "twitter,9,u2,bo,2026-01-06T10:00:00Z,love it,4\n"
    "twitter,10,m,Acme,2026-02-06T11:00:00Z,@bo thank you!,9\n"
)


def test_conversation_ratio_counts_replies_to_people(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    [figures] = conversation_ratio(make_sources(ws.store, ws.config))
    assert figures.brand_posts == 8
    assert (figures.replies_to_people, figures.automated_replies) == (4, 1)
    assert (figures.continuations, figures.broadcasts) == (2, 1)
    ratio = figures.conversation_ratio
    assert (ratio.value, ratio.numerator, ratio.denominator) == (0.5, 4, 8)
    assert ratio.model_version is None and ratio.metric == "conversation_ratio"
    assert figures.as_dict()["conversation_ratio"]["value"] == 0.5


def test_conversation_ratio_by_account_and_month(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    src = make_sources(ws.store, ws.config)
    by_account = {f.group["account"]: f for f in conversation_ratio(src, by="account")}
    assert set(by_account) == {"acme", "acmehelp"}
    assert (by_account["acmehelp"].brand_posts, by_account["acmehelp"].replies_to_people) == (5, 3)
    assert by_account["acme"].conversation_ratio.value == pytest.approx(1 / 3)
    by_month = conversation_ratio(src, by="month")
    assert [f.group["month"] for f in by_month] == ["2026-01", "2026-02"]
    assert [(f.brand_posts, f.replies_to_people) for f in by_month] == [(6, 2), (2, 2)]


def test_no_brand_posts_gives_no_ratio(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, HEAD + "twitter,1,u1,ana,2026-01-05T10:00:00Z,@AcmeHelp hi,\n")
    [figures] = conversation_ratio(make_sources(ws.store, ws.config))
    assert figures.brand_posts == 0 and figures.conversation_ratio.value is None


@pytest.mark.parametrize("by", ["location", "follower_band", "weekday"])
def test_voice_refuses_groupings_that_do_not_apply(by: str, make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    with pytest.raises(UsageError, match="account, platform, month|choose one of"):
        conversation_ratio(make_sources(ws.store, ws.config), by=by)


@st.composite
def _threads(draw: st.DrawFn) -> list[dict[str, Any]]:
    from datetime import datetime, timedelta

    n = draw(st.integers(1, 25))
    posts: list[dict[str, Any]] = []
    for i in range(n):
        brand = draw(st.booleans())
        parent = draw(st.one_of(st.none(), st.integers(0, n + 2)))
        posts.append(
            {
                "platform": "twitter",
                "post_id": str(i),
                "author_id": "h" if brand else f"u{i % 3}",
                "author_handle": "AcmeHelp" if brand else f"user{i % 3}",
                "is_brand": brand,
                "created_at": datetime(2026, 1, 1) + timedelta(hours=i),
                "text": draw(st.sampled_from(["hi", "auto-reply: away", "thanks"])),
                "in_reply_to_post_id": None if parent is None or parent == i else str(parent),
            }
        )
    return posts


@settings(max_examples=40, deadline=None)
@given(posts=_threads())
def test_voice_invariants(posts: list[dict[str, Any]], in_memory: Callable[..., Sources]) -> None:
    src = in_memory(posts, CONFIG)
    [figures] = conversation_ratio(src)
    parts = (figures.replies_to_people, figures.automated_replies, figures.continuations, figures.broadcasts)
    assert sum(parts) == figures.brand_posts == sum(p["is_brand"] for p in posts)
    assert figures.broadcasts == sum(p["is_brand"] and p["in_reply_to_post_id"] is None for p in posts)
    value = figures.conversation_ratio.value
    assert value is None if figures.brand_posts == 0 else 0 <= value <= 1
    by_platform = conversation_ratio(src, by="platform")
    assert sum(f.brand_posts for f in by_platform) == figures.brand_posts
