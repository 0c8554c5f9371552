"""Participation: top-1% / top-10% shares, Gini, Lorenz curve and the 90-9-1 split."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.errors import UsageError
from groundswell.metrics.participation import brand_audience, concentration, participation
from groundswell.query import Sources

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "Acme"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
# ana: 1 original + 4 replies; bo: 3 replies; cy: 1 original; di: 1 reply; the brand's 3 posts do not count
POSTS = HEAD + (
    "twitter,1,u1,ana,10,2026-01-01T10:00:00Z,@AcmeHelp hello,\n"
    "twitter,2,h,AcmeHelp,8000,2026-01-01T10:05:00Z,@ana hi,1\n"
    "twitter,3,u1,ana,10,2026-01-01T10:06:00Z,@AcmeHelp question,2\n"
    "twitter,4,u1,ana,10,2026-01-01T10:07:00Z,@AcmeHelp another,2\n"
    "twitter,5,u1,ana,10,2026-01-02T10:00:00Z,@AcmeHelp more,2\n"
    "twitter,6,u1,ana,10,2026-02-02T10:00:00Z,@AcmeHelp again,2\n"
    "twitter,7,m,Acme,20000,2026-01-03T09:00:00Z,New season,\n"
    "twitter,8,u2,bo,300,2026-01-03T09:30:00Z,nice,7\n"
    "twitter,9,u2,bo,300,2026-01-03T09:40:00Z,very nice,7\n"
    "twitter,10,u2,bo,300,2026-02-03T09:50:00Z,still nice,7\n"
    "twitter,11,u3,cy,5,2026-02-04T09:00:00Z,@Acme where is my order,\n"
    "twitter,12,u4,di,5,2026-02-04T09:30:00Z,same here,11\n"
    "twitter,13,h,AcmeHelp,9000,2026-02-05T09:00:00Z,@cy checking,11\n"
)


def test_concentration_gini_and_lorenz(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    [figures] = participation(make_sources(ws.store, ws.config))
    assert (figures.authors, figures.posts) == (4, 10)
    # top 1% and top 10% of 4 authors are both ceil(...) = 1 author: ana, 5 posts of 10
    assert (figures.top1_share.value, figures.top1_share.numerator, figures.top1_share.denominator) == (0.5, 5, 10)
    assert figures.top10_share.value == 0.5
    # posts per author sorted 1 1 3 5: G = 2(1 + 2 + 9 + 20) / (4 * 10) - 5/4 = 0.35
    assert figures.gini.value == pytest.approx(0.35)
    assert figures.lorenz == ((0.0, 0.0), (0.5, 0.2), (0.75, 0.5), (1.0, 1.0))
    assert (figures.creators, figures.contributors) == (2, 2)
    assert figures.split is None and "audience" in (figures.split_note or "")
    assert figures.top1_share.model_version is None


def test_split_against_90_9_1(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    src = make_sources(ws.store, ws.config)
    [figures] = participation(src, audience=100)
    split = figures.split
    assert split is not None
    assert (split.lurkers, split.contributors, split.creators, split.total) == (96, 2, 2, 100)
    assert (split.lurker_share, split.contributor_share, split.creator_share) == (0.96, 0.02, 0.02)
    assert split.as_dict()["rule_90_9_1"] == {"lurkers": 0.9, "contributors": 0.09, "creators": 0.01}
    [small] = participation(src, audience=3)
    assert small.split is not None and small.split.lurkers == 0 and small.split.total == 4
    assert small.split.creator_share == 0.5 and "smaller" in (small.split_note or "")
    # the brand accounts' followers on their latest posts: 9000 + 20000
    assert brand_audience(src) == 29000


def test_top_shares_with_twenty_authors(in_memory: Callable[..., Sources]) -> None:
    posts = [
        {
            "platform": "twitter", "post_id": f"{k}-{i}", "author_id": f"u{k}", "author_handle": f"user{k}",
            "is_brand": False, "created_at": datetime(2026, 1, 1) + timedelta(minutes=i), "text": "hi",
        }
        for k in range(1, 21)
        for i in range(k)
    ]  # fmt: skip
    [figures] = participation(in_memory(posts, CONFIG))
    assert (figures.authors, figures.posts) == (20, 210)
    assert figures.top1_share.value == pytest.approx(20 / 210)  # ceil(0.2) = 1 author
    assert figures.top10_share.value == pytest.approx(39 / 210)  # ceil(2) = 2 authors: 20 + 19
    assert figures.gini.value == pytest.approx(2 * 2870 / (20 * 210) - 21 / 20)


def test_participation_by_month_and_account(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    src = make_sources(ws.store, ws.config)
    months = participation(src, by="month", audience=100)
    assert [(f.group["month"], f.authors, f.posts) for f in months] == [("2026-01", 2, 6), ("2026-02", 4, 4)]
    assert all(f.split is None and f.split_note for f in months)
    accounts = {f.group["account"]: (f.authors, f.posts) for f in participation(src, by="account")}
    # bo and di reply to customers' or the brand's broadcast posts: 8 9 10 reply to Acme's post 7
    assert accounts == {"acmehelp": (1, 5), "acme": (2, 4), "(none)": (1, 1)}


def test_participation_refuses_a_negative_audience(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    with pytest.raises(UsageError):
        participation(make_sources(ws.store, ws.config), audience=-1)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 50), st.integers(1, 30), max_size=12))
def test_concentration_invariants(counts: dict[int, int]) -> None:
    n, total, top1, top10, gini, lorenz = concentration(counts)
    if not counts:
        assert (n, total, gini, lorenz) == (0, 0, None, [])
        return
    assert 0 < top1 <= top10 <= total
    assert gini is not None and 0 <= gini < 1
    values = [x for x, c in counts.items() for _ in range(c)]
    pairwise = sum(abs(a - b) for a in values for b in values) / (2 * len(values) * sum(values))
    assert gini == pytest.approx(pairwise, abs=1e-9)
    assert lorenz[0] == (0.0, 0.0) and lorenz[-1] == pytest.approx((1.0, 1.0))
    for (a1, p1), (a2, p2) in itertools.pairwise(lorenz):
        assert a1 < a2 and p1 <= p2 <= a2 + 1e-9  # rising, under the diagonal


@settings(max_examples=30, deadline=None)
@given(
    authors=st.lists(st.tuples(st.integers(0, 8), st.booleans()), min_size=1, max_size=40),
    audience=st.integers(0, 60),
)
def test_participation_invariants(
    authors: list[tuple[int, bool]], audience: int, in_memory: Callable[..., Sources]
) -> None:
    posts = [
        {
            "platform": "twitter", "post_id": str(i), "author_id": f"u{a}", "author_handle": f"user{a}",
            "is_brand": False, "created_at": datetime(2026, 1, 1) + timedelta(days=i),
            "text": "hi", "in_reply_to_post_id": "0" if reply and i else None,
        }
        for i, (a, reply) in enumerate(authors)
    ]  # fmt: skip
    src = in_memory(posts, CONFIG)
    [figures] = participation(src, audience=audience)
    assert figures.posts == len(authors) and figures.authors == len({a for a, _ in authors})
    assert 0 <= figures.top1_share.value <= figures.top10_share.value <= 1  # type: ignore[operator]
    assert 0 <= figures.gini.value < 1  # type: ignore[operator]
    split = figures.split
    assert split is not None and split.creators + split.contributors == figures.authors
    shares = (split.lurker_share, split.contributor_share, split.creator_share)
    assert all(s is not None and 0 <= s <= 1 for s in shares)
    assert sum(shares) == pytest.approx(1.0)  # type: ignore[arg-type]
    assert sum(f.posts for f in participation(src, by="month")) == figures.posts


def test_customer_to_customer_replies_inside_brand_conversations(make_workspace: Any, make_sources: Any) -> None:
    # in brand conversations: 3 and 4 answer the brand, 8 answers ana (another customer), 12 answers cy (another
    # customer), 13 is cy answering herself; outside: 21 in a tree with no brand in it; 31's parent was never imported
    posts = HEAD + (
        "twitter,1,u1,ana,10,2026-01-01T10:00:00Z,@AcmeHelp hello,\n"
        "twitter,2,h,AcmeHelp,8000,2026-01-01T10:05:00Z,@ana hi,1\n"
        "twitter,3,u1,ana,10,2026-01-01T10:06:00Z,@AcmeHelp thanks,2\n"
        "twitter,4,u1,ana,10,2026-01-01T10:07:00Z,one more thing,2\n"
        "twitter,8,u2,bo,300,2026-01-01T11:00:00Z,same happened to me,3\n"
        "twitter,11,u3,cy,5,2026-02-04T09:00:00Z,@Acme where is my order,\n"
        "twitter,12,u4,di,5,2026-02-04T09:30:00Z,same here,11\n"
        "twitter,13,u3,cy,5,2026-02-04T09:40:00Z,talking to myself,11\n"
        "twitter,20,u5,ed,5,2026-02-05T09:00:00Z,nice weather,\n"
        "twitter,21,u6,fi,5,2026-02-05T09:10:00Z,indeed,20\n"
        "twitter,31,u6,fi,5,2026-02-05T09:20:00Z,@Acme replying to a deleted post,30\n"
    )
    ws = make_workspace(CONFIG, posts)
    [figures] = participation(make_sources(ws.store, ws.config))
    c2c = figures.customer_to_customer
    # replies in brand conversations with an imported parent: 3, 4, 8, 12, 13; to another customer: 8, 12
    assert (c2c.numerator, c2c.denominator, c2c.value) == (2, 5, 0.4)
    by_platform = participation(make_sources(ws.store, ws.config), by="platform")
    assert by_platform[0].customer_to_customer.numerator == 2
