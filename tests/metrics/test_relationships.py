"""Relationships: returning customers, friends and monthly cohort retention, hand-computed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.errors import UsageError
from groundswell.metrics.relationships import relationships
from groundswell.query import Period, Sources

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
    "twitter,1,u1,ana,2026-01-05T10:00:00Z,@AcmeHelp love the new boots,\n"
    "twitter,2,h,AcmeHelp,2026-01-05T10:30:00Z,@ana glad you like them,1\n"
    "twitter,3,u1,ana,2026-01-05T11:00:00Z,thanks!,2\n"
    "twitter,4,u1,ana,2026-02-10T11:00:00Z,back again,\n"
    "twitter,5,u1,ana,2026-04-01T11:00:00Z,@AcmeHelp spring order,\n"
    "twitter,6,u2,bo,2026-01-20T11:00:00Z,@Acme great ad,\n"
    "twitter,7,u2,bo,2026-01-21T11:00:00Z,what a day,\n"
    "twitter,8,u3,cy,2026-02-15T09:00:00Z,@AcmeHelp thanks for the help,\n"
    "twitter,9,u3,cy,2026-03-15T09:00:00Z,@AcmeHelp ok,\n"
    "twitter,10,u4,di,2026-03-20T09:00:00Z,@Acme hello,\n"
)
LABELS = {
    "1": {"sentiment": "positive"},
    "2": {"sentiment": "positive"},  # the brand's: never counted
    "3": {"sentiment": "positive"},  # a reply to a brand post: directed at the brand
    "4": {"sentiment": "positive"},  # not directed at the brand
    "6": {"sentiment": "positive"},
    "7": {"sentiment": "positive"},  # not directed at the brand
    "8": {"sentiment": "positive"},
    "9": {"sentiment": "neutral"},
    "10": {"sentiment": "negative"},
}


def test_returning_friends_and_cohorts(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    [figures] = relationships(make_sources(ws.store, ws.config))
    assert figures.customers == 4
    # ana (Jan, Feb, Apr) and cy (Feb, Mar) come back; bo and di do not
    assert (figures.returning.value, figures.returning.numerator, figures.returning.denominator) == (0.5, 2, 4)
    # ana: posts 1 and 3 are positive and directed at the brand; bo and cy have one each
    assert (figures.friends.value, figures.friends.numerator) == (0.25, 1)
    assert figures.friends.model_version == "hand-labelled@1" and figures.returning.model_version is None
    cohorts = {c.month: c for c in figures.cohorts}
    assert [(c.month, c.size) for c in figures.cohorts] == [("2026-01", 2), ("2026-02", 1), ("2026-03", 1)]
    assert [(r.month, r.active, r.share) for r in cohorts["2026-01"].retention] == [
        ("2026-01", 2, 1.0), ("2026-02", 1, 0.5), ("2026-03", 0, 0.0), ("2026-04", 1, 0.5),
    ]  # fmt: skip
    assert [r.share for r in cohorts["2026-02"].retention] == [1.0, 1.0, 0.0]
    assert [r.offset for r in cohorts["2026-03"].retention] == [0, 1]
    assert figures.as_dict()["cohorts"][0]["retention"][1] == {
        "offset": 1,
        "month": "2026-02",
        "active": 1,
        "share": 0.5,
    }


def test_without_enrichments_friends_are_unknown(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    [figures] = relationships(make_sources(ws.store, ws.config))
    assert figures.returning.value == 0.5
    assert figures.friends.value is None and figures.friends.numerator is None
    assert any("groundswell enrich" in note for note in figures.notes)


def test_a_period_limits_the_months(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    src = make_sources(ws.store, ws.config, period=Period(since=datetime(2026, 2, 1)))
    [figures] = relationships(src)
    # from February: ana (Feb, Apr) and cy (Feb, Mar) return; di posts once; bo is gone
    assert (figures.customers, figures.returning.numerator) == (3, 2)
    assert [(c.month, c.size) for c in figures.cohorts] == [("2026-02", 2), ("2026-03", 1)]
    assert figures.friends.numerator == 0  # ana's two positive interactions were in January


def test_relationships_by_account(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    groups = relationships(make_sources(ws.store, ws.config), by="account")
    found = {g.group["account"]: (g.customers, g.returning.numerator, g.friends.numerator) for g in groups}
    # acmehelp: ana (1 3 5: Jan, Apr) and cy (8 9: Feb, Mar); acme: bo (6), di (10); (none): ana's 4, bo's 7
    assert found == {"acmehelp": (2, 2, 1), "acme": (2, 0, 0), "(none)": (2, 0, 0)}


def test_by_month_is_refused(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    with pytest.raises(UsageError, match="account, platform, location"):
        relationships(make_sources(ws.store, ws.config), by="month")


@settings(max_examples=30, deadline=None)
@given(posts=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 150), st.booleans()), min_size=1, max_size=40))
def test_relationship_invariants(posts: list[tuple[int, int, bool]], in_memory: Callable[..., Sources]) -> None:
    rows = [
        {
            "platform": "twitter", "post_id": str(i), "author_id": f"u{a}", "author_handle": f"user{a}",
            "is_brand": False, "created_at": datetime(2026, 1, 1) + timedelta(days=day),
            "text": "@AcmeHelp hi" if directed else "hi",
        }
        for i, (a, day, directed) in enumerate(posts)
    ]  # fmt: skip
    labels = {("twitter", str(i)): {"sentiment": "positive"} for i in range(len(posts))}
    [figures] = relationships(in_memory(rows, CONFIG, labels))
    assert figures.customers == len({a for a, _, _ in posts})
    for value in (figures.returning.value, figures.friends.value):
        assert value is not None and 0 <= value <= 1
    assert sum(c.size for c in figures.cohorts) == figures.customers
    for cohort in figures.cohorts:
        assert cohort.retention[0].share == 1.0
        assert all(r.share is not None and 0 <= r.share <= 1 for r in cohort.retention)
    months = {(a, (datetime(2026, 1, 1) + timedelta(days=d)).month) for a, d, _ in posts}
    returning = {a for a, _ in months if sum(1 for b, _ in months if b == a) >= 2}
    assert figures.returning.numerator == len(returning)
