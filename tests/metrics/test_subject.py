"""Subject: experience and marketing-buzz shares with their net sentiment, on hand-labelled posts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.subject import subject_shares
from groundswell.query import Sources

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "Acme"
[[locations]]
name = "Leeds"
aliases = ["leeds store"]
"""
POSTS = (
    "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id,location\n"
    "twitter,1,u1,ana,50,2026-01-05T10:00:00Z,@AcmeHelp my tent broke,,\n"
    "twitter,2,h,AcmeHelp,9000,2026-01-05T10:10:00Z,@ana so sorry,1,\n"
    "twitter,3,u2,bo,500,2026-01-06T09:00:00Z,Loved the #AcmeSummer ad @Acme,,\n"
    "twitter,4,u3,cy,5000,2026-01-07T09:00:00Z,@Acme the leeds store was great,,\n"
    "twitter,5,u1,ana,50,2026-01-05T11:00:00Z,thanks it works now,2,\n"
    "twitter,6,u4,di,20000,2026-02-01T09:00:00Z,that ad is cringe,,\n"
    "twitter,7,u5,ed,,2026-02-02T09:00:00Z,random thought,,\n"
    "twitter,8,u6,flo,40,2026-02-03T09:00:00Z,@AcmeHelp queue too long,,Leeds\n"
    "twitter,9,u7,gus,40,2026-02-04T09:00:00Z,not classified yet,,\n"
)
LABELS = {
    "1": {"subject": "experience", "sentiment": "negative"},
    "2": {"subject": "experience", "sentiment": "neutral"},  # a brand post: never counted
    "3": {"subject": "marketing", "sentiment": "positive"},
    "4": {"subject": "experience", "sentiment": "positive"},
    "5": {"subject": "experience", "sentiment": "positive"},
    "6": {"subject": "marketing", "sentiment": "negative"},
    "7": {"subject": "other", "sentiment": "neutral"},
    "8": {"subject": "experience", "sentiment": "neutral"},
}


def test_shares_and_net_sentiment(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    [figures] = subject_shares(make_sources(ws.store, ws.config))
    # customer posts with an enrichment: 1 3 4 5 6 7 8 (9 is not enriched, 2 is the brand's)
    assert figures.customer_posts == 7
    exp, mkt = figures.experience, figures.marketing_buzz
    assert (exp.posts, exp.positive, exp.negative) == (4, 2, 1)
    assert (exp.share.value, exp.share.numerator, exp.share.denominator) == (pytest.approx(4 / 7), 4, 7)
    # (positive - negative) / all experience posts = (2 - 1) / 4, not / (2 + 1)
    assert (exp.net_sentiment.value, exp.net_sentiment.numerator, exp.net_sentiment.denominator) == (0.25, 1, 4)
    assert mkt.share.value == pytest.approx(2 / 7) and mkt.net_sentiment.value == 0.0
    assert "not / (positive + negative)" in exp.net_sentiment.unit
    assert all(m.model_version == "hand-labelled@1" for m in figures.metrics())
    assert [m.metric for m in figures.metrics()] == [
        "experience_share", "experience_net_sentiment", "marketing_buzz_share", "marketing_buzz_net_sentiment",
    ]  # fmt: skip
    assert "not / (positive + negative)" in " ".join(figures.as_dict()["notes"])


def test_shares_by_account(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    groups = subject_shares(make_sources(ws.store, ws.config), by="account")
    assert [g.group["account"] for g in groups] == ["acme", "acmehelp", "(none)"]
    acme, helpdesk, none = groups
    # acmehelp: 1 (mention), 5 (reply to its post 2), 8 (mention): all experience, one up one down
    assert (helpdesk.customer_posts, helpdesk.experience.share.value, helpdesk.experience.net_sentiment.value) == (
        3, 1.0, 0.0,
    )  # fmt: skip
    assert (acme.experience.share.value, acme.marketing_buzz.share.value) == (0.5, 0.5)
    assert none.experience.net_sentiment.value is None  # no experience posts: no figure, not 0
    assert none.marketing_buzz.net_sentiment.value == -1.0


def test_shares_by_month_location_and_band(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    src = make_sources(ws.store, ws.config)
    months = subject_shares(src, by="month")
    assert [(g.group["month"], g.customer_posts, g.experience.posts) for g in months] == [
        ("2026-01", 4, 3), ("2026-02", 3, 1),
    ]  # fmt: skip
    locations = {g.group["location"]: g.customer_posts for g in subject_shares(src, by="location")}
    assert locations == {"Leeds": 2, "(none)": 5}  # 8 by its field, 4 by the alias in its text
    bands = [(g.group["follower_band"], g.customer_posts) for g in subject_shares(src, by="follower_band")]
    assert bands == [("under 100", 3), ("100-1k", 1), ("1k-10k", 1), ("over 10k", 1), ("unknown", 1)]


def test_subject_needs_enrichments(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    with pytest.raises(MetricUnavailable, match="groundswell enrich"):
        subject_shares(make_sources(ws.store, ws.config))


def test_unknown_by_names_the_choices(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    with pytest.raises(UsageError, match="account, platform, location, month, follower_band"):
        subject_shares(make_sources(ws.store, ws.config), by="weekday")


_LABEL = st.fixed_dictionaries(
    {
        "subject": st.sampled_from(["experience", "marketing", "other"]),
        "sentiment": st.sampled_from(["negative", "neutral", "positive"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    posts=st.lists(st.tuples(st.booleans(), st.integers(0, 3), st.integers(0, 60), _LABEL), min_size=1, max_size=30),
)
def test_subject_invariants(
    posts: list[tuple[bool, int, int, dict[str, str]]], in_memory: Callable[..., Sources]
) -> None:
    rows = [
        {
            "platform": "twitter",
            "post_id": str(i),
            "author_id": "h" if brand else f"u{author}",
            "author_handle": "AcmeHelp" if brand else f"user{author}",
            "is_brand": brand,
            "created_at": datetime(2026, 1, 1) + timedelta(days=day),
            "text": "hi",
        }
        for i, (brand, author, day, _) in enumerate(posts)
    ]
    labels = {("twitter", str(i)): label for i, (*_, label) in enumerate(posts)}
    src = in_memory(rows, CONFIG, labels)
    [total] = subject_shares(src)
    assert total.customer_posts == sum(not brand for brand, *_ in posts)
    for part in (total.experience, total.marketing_buzz):
        assert part.share.value is None or 0 <= part.share.value <= 1
        assert part.net_sentiment.value is None or -1 <= part.net_sentiment.value <= 1
        assert part.positive + part.negative <= part.posts
    if total.customer_posts:
        assert total.experience.share.value + total.marketing_buzz.share.value <= 1 + 1e-9  # type: ignore[operator]
    by_month = subject_shares(src, by="month")
    assert sum(g.customer_posts for g in by_month) == total.customer_posts
    assert sum(g.experience.posts for g in by_month) == total.experience.posts


def test_buzzing_brand_talks_marketing_and_broadcasts_more_than_a_helpful_one(
    tmp_path: Path, make_sources: Callable[..., Sources]
) -> None:
    """The demo world's two profiles differ the way they were built to: buzz and broadcast versus help."""
    from groundswell.demo import BUZZING_PROFILE, HELPFUL_PROFILE, build_demo
    from groundswell.metrics.voice import conversation_ratio
    from groundswell.workspace import Workspace

    figures = {}
    for profile in (BUZZING_PROFILE.with_brand("Buzzline Gear"), HELPFUL_PROFILE):
        path = tmp_path / profile.name
        build_demo(path, posts=2500, seed=11, profile=profile)
        with Workspace.open(path) as ws:
            ws.enrich("fast", workers=1)
            src = make_sources(ws.store, ws.config)
            [subject] = subject_shares(src)
            [voice] = conversation_ratio(src)
            figures[profile.name] = (subject, voice)
    buzz_subject, buzz_voice = figures["buzzing"]
    help_subject, help_voice = figures["helpful"]
    assert buzz_subject.marketing_buzz.share.value > help_subject.marketing_buzz.share.value  # type: ignore[operator]
    assert buzz_voice.conversation_ratio.value < help_voice.conversation_ratio.value  # type: ignore[operator]
    assert help_subject.experience.share.value > buzz_subject.experience.share.value  # type: ignore[operator]
