"""Per-denominator figures: brand-wide and per location, hand-computed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.denominators import (
    auto_scale,
    figure_name,
    parse_figure_name,
    per_denominator,
    resolve_figure,
)
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
denominators = { orders = 50000, employees = 10 }
[[locations]]
name = "York"
aliases = ["york store"]
[[locations]]
name = "Bath"
denominators = { orders = 1000 }
[denominators]
stores = 4
orders = 200000
employees = 50
"""
POSTS = (
    "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id,location\n"
    "twitter,1,u1,ana,10,2026-01-05T10:00:00Z,@AcmeHelp the Leeds store lost my order,,\n"
    "twitter,2,h,AcmeHelp,9000,2026-01-05T10:10:00Z,@ana so sorry,1,\n"
    "twitter,3,u2,bo,10,2026-01-06T10:00:00Z,@Acme love it,,York\n"
    "twitter,4,u3,cy,10,2026-01-07T10:00:00Z,queue at the leeds store,,\n"
    "twitter,5,u1,ana,10,2026-01-08T10:00:00Z,@AcmeHelp still waiting,,LEEDS\n"
    "twitter,6,u4,di,10,2026-01-09T10:00:00Z,nice day,,Paris\n"
    "twitter,7,m,Acme,20000,2026-01-10T10:00:00Z,New season,,\n"
    "twitter,8,u5,ed,10,2026-01-10T11:00:00Z,great,7,\n"
)
LABELS = {pid: {"intent": "complaint"} for pid in ("1", "4", "5")} | {"3": {"intent": "praise"}}


def _figures(metrics: Any) -> dict[str, float | None]:
    return {m.metric: m.value for m in metrics}


def test_brand_wide_figures(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    result = per_denominator(make_sources(ws.store, ws.config))
    assert result.counts == {"posts": 6, "inbound": 4, "customers": 5, "complaints": 3, "fans": 29000}
    figures = _figures(result.figures)
    assert figures["fans_per_store"] == 7250
    assert figures["posts_per_store"] == 1.5 and figures["complaints_per_store"] == 0.75
    # 3 complaints in 200,000 orders: 0.015 per 1,000 is under 0.1, so per 1,000,000: 15
    assert figures["complaints_per_1000000_orders"] == pytest.approx(15)
    assert figures["fans_per_order"] == pytest.approx(0.145)
    assert figures["complaints_per_1000_employees"] == pytest.approx(60)
    complaints = next(m for m in result.figures if m.metric == "complaints_per_store")
    assert (complaints.numerator, complaints.denominator, complaints.model_version) == (3, 4, "hand-labelled@1")
    assert next(m for m in result.figures if m.metric == "fans_per_store").model_version is None
    per_million = next(m for m in result.figures if m.metric == "complaints_per_1000000_orders")
    assert (per_million.numerator, per_million.denominator, per_million.unit) == (
        3,
        0.2,
        "complaints per 1,000,000 orders",
    )
    assert len(result.figures) == 3 * 5 and not result.notes


def test_per_location_figures(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    result = per_denominator(make_sources(ws.store, ws.config), by="location")
    leeds, york, bath = result.locations
    # Leeds: 1 (alias in the text), 4 (alias), 5 (field, any case); York: 3 (field); Paris is not configured
    assert leeds.counts == {"posts": 3, "inbound": 2, "customers": 2, "complaints": 3}
    assert york.counts == {"posts": 1, "inbound": 1, "customers": 1, "complaints": 0} and york.figures == ()
    assert _figures(leeds.figures)["complaints_per_employee"] == pytest.approx(0.3)
    assert _figures(leeds.figures)["complaints_per_1000000_orders"] == pytest.approx(60)
    assert all(m.group == {"location": "Leeds"} for m in leeds.figures)
    assert _figures(bath.figures) == {"posts_per_order": 0.0, "inbound_per_order": 0.0, "customers_per_order": 0.0,
                                      "complaints_per_order": 0.0}  # fmt: skip


def test_figures_by_name(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    src = make_sources(ws.store, ws.config)
    figure = resolve_figure(src, "complaints_per_1000_orders")
    assert figure is not None and figure.value == pytest.approx(0.015) and figure.metric == "complaints_per_1000_orders"
    assert resolve_figure(src, "posts_per_stores").value == 1.5  # type: ignore[union-attr]
    assert resolve_figure(src, "likes_per_store") is None
    assert resolve_figure(src, "complaints_per_1000_widgets") is None
    assert parse_figure_name("fans_per_1_000_employees", {"employees": 3.0}) == ("fans", 1000, "employees")


def test_without_enrichments_complaints_are_left_out(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    src = make_sources(ws.store, ws.config)
    result = per_denominator(src)
    assert result.counts["complaints"] is None and any("groundswell enrich" in n for n in result.notes)
    assert not any(m.metric.startswith("complaints") for m in result.metrics())
    with pytest.raises(MetricUnavailable):
        resolve_figure(src, "complaints_per_1000_orders")
    with pytest.raises(UsageError, match="location"):
        per_denominator(src, by="month")


@settings(max_examples=200, deadline=None)
@given(value=st.floats(0, 1e6, allow_nan=False), count=st.sampled_from(["posts", "fans"]))
def test_auto_scale_gives_a_readable_figure(value: float, count: str) -> None:
    scale = auto_scale(value)
    assert scale in (1, 1000, 1_000_000)
    assert value == 0 or value * scale >= 0.1 or scale == 1_000_000
    assert scale == 1 or value * scale / 1000 < 0.1  # the smallest scale that does it
    assert parse_figure_name(figure_name(count, "stores", scale), {"stores": 1.0}) == (count, scale, "stores")


@settings(max_examples=25, deadline=None)
@given(posts=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["Leeds", "York", "Bath", None])), max_size=30))
def test_location_counts_partition_the_posts(
    posts: list[tuple[int, str | None]], in_memory: Callable[..., Sources]
) -> None:
    rows = [
        {
            "platform": "twitter", "post_id": str(i), "author_id": f"u{a}", "author_handle": f"user{a}",
            "is_brand": False, "created_at": datetime(2026, 1, 1) + timedelta(hours=i), "text": "hi", "location": loc,
        }
        for i, (a, loc) in enumerate(posts)
    ]  # fmt: skip
    result = per_denominator(in_memory(rows, CONFIG))
    assert result.counts["posts"] == len(posts)
    located = sum(loc.counts["posts"] or 0 for loc in result.locations)
    assert located == sum(1 for _, loc in posts if loc is not None)
    assert all(m.value is None or m.value >= 0 for m in result.metrics())


def test_replies_per_store_search_the_texts_for_stores_once(
    make_workspace: Any, make_sources: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import groundswell.metrics.frames as frames
    from groundswell.metrics.response import response

    searched: list[int] = []
    real = frames.location_key

    def counted(posts: Any, config: Any) -> Any:
        searched.append(1)
        return real(posts, config)

    monkeypatch.setattr(frames, "location_key", counted)
    ws = make_workspace(CONFIG, POSTS, LABELS)
    sources = make_sources(ws.store, ws.config)
    found = [{(f.group.get("location"), f.inbound, f.inbound_replied) for f in response(sources, by="location")}
             for _ in range(2)]  # fmt: skip
    # inbound: 1 (Leeds, alias in its text; answered by 2), 5 (LEEDS in its field), 3 (York), 8 (a reply to the
    # brand's post 7, at no store); 4 and 6 mention no brand account and reply to none
    assert found[0] == found[1] == {("Leeds", 2, 1), ("York", 1, 0), ("(none)", 1, 0)}
    assert len(searched) == 1
