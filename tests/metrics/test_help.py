"""The help family: help rate with its coverage, sentiment lift beside unreplied threads (figures worked out below)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import pytest
from generated import random_thread_sources, thread_post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.errors import UsageError
from groundswell.metrics import METRIC_FAMILIES
from groundswell.metrics.help import ENRICH_NOTE, help_figures
from groundswell.threads import build_threads

CONFIG = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "AcmeHelp"\n'
POSTS = (
    "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
    # helped: the customer's last post after the reply is positive; sentiment -0.8 -> +0.8, lift 1.6
    "twitter,a1,c1,ann,50,2026-03-02T10:00:00Z,@AcmeHelp my order is late,\n"
    "twitter,a2,b,AcmeHelp,9000,2026-03-02T10:10:00Z,@ann sorry - on its way,a1\n"
    "twitter,a3,c1,ann,50,2026-03-02T11:00:00Z,@AcmeHelp it arrived - thanks!,a2\n"
    # not helped: the last post is negative; -0.8 -> -0.8, lift 0
    "twitter,b1,c2,bea,500,2026-03-02T10:00:00Z,@AcmeHelp broken again,\n"
    "twitter,b2,b,AcmeHelp,9000,2026-03-02T10:30:00Z,@bea please try a reset,b1\n"
    "twitter,b3,c2,bea,500,2026-03-02T12:00:00Z,@AcmeHelp still broken,b2\n"
    # unknown: the customer went silent; neutral start and end, lift 0
    "twitter,c1,c3,cal,5000,2026-03-02T10:00:00Z,@AcmeHelp where is my refund,\n"
    "twitter,c2,b,AcmeHelp,9000,2026-03-02T10:05:00Z,@cal it is on its way,c1\n"
    # unreplied, one post: lift 0
    "twitter,d1,c4,dee,50,2026-03-02T10:00:00Z,@AcmeHelp terrible service,\n"
    # unreplied, the customer chases: neutral -> negative, lift -0.8
    "twitter,e1,c5,eve,50,2026-03-02T10:00:00Z,@AcmeHelp hello,\n"
    "twitter,e2,c5,eve,50,2026-03-02T12:00:00Z,@AcmeHelp anyone there??,e1\n"
)
LABELS = {
    "a1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "a3": {"sentiment": "positive", "gratitude": True},
    "b1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "b3": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "c1": {"intent": "question", "needs_reply": True},
    "d1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "e1": {"intent": "other"},
    "e2": {"sentiment": "negative", "needs_reply": True},
}


def test_help_rate_coverage_and_lift(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    (h,) = help_figures(make_sources(ws.store, ws.config))
    assert (h.threads, h.replied, h.helped, h.not_helped, h.unknown) == (5, 3, 1, 1, 1)
    assert h.help_rate == pytest.approx(1 / 2)  # helped / (helped + not helped)
    assert h.coverage == pytest.approx(2 / 3)  # (helped + not helped) / replied
    assert h.lift_replied == pytest.approx((1.6 + 0 + 0) / 3)
    assert h.lift_unreplied == pytest.approx((0 - 0.8) / 2)
    assert h.lift_difference == pytest.approx(1.6 / 3 + 0.4)
    assert (h.lift_replied_threads, h.lift_unreplied_threads) == (3, 2)
    assert h.model_version == "hand-labelled@1" and h.notes == ()
    rate = h.metrics()[0]
    assert (rate.numerator, rate.denominator) == (1, 2)


def test_an_agents_mark_counts_and_a_mark_without_a_reply_stands_apart(ws_help: Any) -> None:
    marks = ibis.memtable(
        {
            "platform": ["twitter", "twitter"],
            "post_id": ["c2", "d1"],
            "outcome": ["helped", "helped"],
            "marked_at": [datetime(2026, 3, 3), datetime(2026, 3, 3)],
        }
    )
    with ws_help.sources(marks=marks) as sources:
        (h,) = help_figures(sources)
    assert (h.helped, h.not_helped, h.unknown, h.marked, h.marked_unreplied) == (2, 1, 0, 1, 1)
    assert h.help_rate == pytest.approx(2 / 3) and h.coverage == 1.0


def test_by_account_lists_every_account_and_by_month_splits(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG + '[[accounts]]\nplatform = "twitter"\nhandle = "AcmeShop"\n', POSTS, LABELS)
    src = make_sources(ws.store, ws.config)
    rows = {r.group["account"]: r for r in help_figures(src, by="account")}
    assert rows["AcmeHelp"].threads == 5 and rows["AcmeShop"].threads == 0
    assert rows["AcmeShop"].help_rate is None and rows["AcmeShop"].coverage is None
    assert [r.group for r in help_figures(src, by="month")] == [{"month": "2026-03"}]
    with pytest.raises(UsageError):
        help_figures(src, by="weekday")


def test_without_enrichments_only_marks_tell(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    (h,) = help_figures(make_sources(ws.store, ws.config))
    assert (h.replied, h.helped, h.not_helped, h.unknown) == (3, 0, 0, 3)
    assert h.help_rate is None and h.coverage == 0.0
    assert h.lift_replied is None and ENRICH_NOTE in h.notes


def test_registered_as_a_metrics_family() -> None:
    assert METRIC_FAMILIES["help"] is help_figures


@pytest.fixture
def ws_help(make_workspace: Any) -> Any:
    return make_workspace(CONFIG, POSTS, LABELS)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(thread_post, min_size=1, max_size=12))
def test_invariants(posts: list[dict[str, Any]]) -> None:
    with random_thread_sources(posts) as sources:
        (h,) = help_figures(sources)
        threads = build_threads(sources).threads.to_pyarrow().to_pylist()
        by_band = help_figures(sources, by="follower_band")
    assert 0 <= h.helped + h.not_helped <= h.replied <= h.threads == len(threads)
    assert h.unknown == h.replied - h.helped - h.not_helped
    for rate in (h.help_rate, h.coverage):
        assert rate is None or 0.0 <= rate <= 1.0
    for lift in (h.lift_replied, h.lift_unreplied):
        assert lift is None or -2.0 <= lift <= 2.0  # a difference of two scores in [-1, 1]
    assert h.lift_replied_threads <= h.replied and h.lift_unreplied_threads <= h.threads - h.replied
    assert sum(b.threads for b in by_band) == h.threads and sum(b.helped for b in by_band) == h.helped
