"""The benchmark's pandas baseline (benchmarks/pandas_scorecard.py) computes the library's scorecard figures.

Every raw component value of ``pandas_scorecard`` must equal the library's (``metrics.scorecard``, on the
workspace's DuckDB): on an enriched demo world, on a hand-made world of the definitions' corner cases, and
on random small conversations.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from generated import random_thread_sources, thread_post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.demo import build_demo
from groundswell.metrics.scorecard import COMPONENT_NAMES, MARKETING, SOCIAL, scorecard
from groundswell.query import Sources
from groundswell.workspace import Workspace

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "pandas_scorecard.py"


def _load_baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pandas_scorecard", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


baseline = _load_baseline()


def _library_raw(src: Sources) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """The library's raw component values and its two indices."""
    card = scorecard(src)[0]
    raw = {c.name: c.raw for index in (card.social, card.marketing) for c in index.components}
    return raw, {SOCIAL: card.social.value, MARKETING: card.marketing.value}


def _frames(con: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posts and the newest model version's enrichments, read into pandas from a DuckDB connection."""
    posts = con.sql("SELECT * FROM posts").df()
    enrichments = con.sql(
        "SELECT * FROM enrichments WHERE model_version = "
        "(SELECT model_version FROM enrichments GROUP BY 1 ORDER BY max(enriched_at) DESC, 1 DESC LIMIT 1)"
    ).df()
    return posts, enrichments


def _same(expected: float | None, found: float | None) -> bool:
    if expected is None or found is None:
        return expected is None and found is None
    return found == pytest.approx(expected, rel=1e-9)


# -- the demo world --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("pandas-baseline") / "ws"
    build_demo(path, posts=3000, seed=3)
    with Workspace.open(path) as ws:
        ws.enrich("fast")
        with ws.sources() as src:
            raw, indices = _library_raw(src)
        posts, enrichments = _frames(ws.store.con)
        yield {
            "library": raw,
            "indices": indices,
            "pandas": baseline.pandas_scorecard(posts, enrichments, ws.config),
            "config": ws.config,
        }


def test_demo_returns_every_component(demo: dict[str, Any]) -> None:
    assert list(demo["pandas"]) == list(COMPONENT_NAMES)
    assert all(value is not None for value in demo["library"].values())  # the demo measures every component


@pytest.mark.parametrize("name", COMPONENT_NAMES)
def test_demo_component_equals_library(demo: dict[str, Any], name: str) -> None:
    expected, found = demo["library"][name], demo["pandas"][name]
    assert _same(expected, found), f"{name}: library {expected!r}, pandas {found!r}"


def test_demo_indices_equal_library(demo: dict[str, Any]) -> None:
    indices = baseline.pandas_indices(demo["pandas"], demo["config"])
    for name, expected in demo["indices"].items():
        assert _same(expected, indices[name]), name


# -- corner cases of the definitions, by hand ----------------------------------------------------------

CONFIG = """brand = "Northwind"
[[accounts]]
platform = "twitter"
handle = "NorthwindHelp"
[[accounts]]
platform = "twitter"
handle = "Northwind"
[[accounts]]
platform = "mastodon"
handle = "northwind@mastodon.social"
"""
T0 = datetime(2025, 3, 3, 9, 0)


def _post(
    post_id: str,
    author: str,
    minutes: float,
    text: str,
    parent: str | None = None,
    *,
    brand: bool = False,
    platform: str = "twitter",
    followers: int | None = None,
    likes: int | None = None,
    shares: int | None = None,
) -> dict[str, Any]:
    return {
        "platform": platform,
        "post_id": post_id,
        "author_id": author,
        "author_handle": author,
        "author_followers": followers,
        "is_brand": brand,
        "created_at": T0 + timedelta(minutes=minutes),
        "text": text,
        "in_reply_to_post_id": parent,
        "like_count": likes,
        "share_count": shares,
    }


DAY = 24 * 60
CORNER_POSTS = [
    # a complaint, an auto-reply, a real reply; the thanks is timestamped before the reply it answers
    _post("a1", "cara", 0, "@NorthwindHelp my order is late"),
    _post("a2", "NorthwindHelp", 5, "This is an automated message: we will reply soon", "a1", brand=True),
    _post("a3", "NorthwindHelp", 60, "Sorry! A new one is on its way.", "a2", brand=True, followers=500),
    _post("a4", "cara", 30, "ok", "a3"),
    _post("a5", "dev", 90, "same here @northwind", "a1"),  # another customer in cara's thread
    # two days of silence: a new thread, answered after the window, then a brand follow-up
    _post("a6", "cara", 2 * DAY, "@NorthwindHelp still nothing", "a4"),
    _post("a7", "NorthwindHelp", 2 * DAY + 30 * 60, "Looking into it", "a6", brand=True),
    _post("a8", "Northwind", 2 * DAY + 31 * 60, "Following up on this", "a7", brand=True),
    _post("a9", "cara", 2 * DAY + 32 * 60, "thanks, it came", "a8"),
    # a brand broadcast, threaded by the brand, answered by a customer: a thread the brand started
    _post("b1", "Northwind", 10, "New jackets!", brand=True, followers=1000, likes=10, shares=2),
    _post("b2", "Northwind", 11, "In four colours", "b1", brand=True),
    _post("b3", "eve", 40, "love them", "b2"),
    _post("b4", "Northwind", 50, "Glad you do", "b3", brand=True),
    _post("b5", "Northwind", 200, "Sale today", brand=True, likes=3),
    _post("b6", "Northwind", 9 * DAY, "Sale ends", brand=True, followers=1200),
    # brand replies to brand replies to a customer: 8 brand posts up is still a person, 9 is not
    _post("r0", "fay", 300, "@Northwind where is the Kendal store?"),
    *(
        _post(f"r{i}", "NorthwindHelp", 300 + i, f"step {i}", f"r{i - 1}", brand=True, followers=510 + i)
        for i in range(1, 10)
    ),
    # a brand chain longer than MAX_BRAND_CHAIN from a broadcast
    _post("x0", "Northwind", 400, "Thread 1/10", brand=True),
    *(_post(f"x{i}", "Northwind", 400 + i, f"Thread {i + 1}/10", f"x{i - 1}", brand=True) for i in range(1, 10)),
    # parents never imported
    _post("m1", "gus", 500, "@Northwind what about this?", "gone1"),
    _post("m2", "NorthwindHelp", 510, "We can help", "gone2", brand=True),
    # mentions: a bare Mastodon @user, ASCII word boundaries, handle ends, a brand account not configured
    _post("t1", "hal", 600, "@northwind hello from the fediverse", platform="mastodon"),
    _post("t2", "ivy", 610, "café@Northwind, how late are you open?"),
    _post("t3", "jon", 620, "mail bob@northwind.com"),
    _post("t4", "kim", 630, "Thanks @NorthwindHelp."),
    _post("t5", "lee", 640, "see @northwind.bsky for that"),
    _post("t6", "mo", 650, "@NorthwindUK is this you?"),
    _post("t7", "NorthwindUK", 660, "Yes, we are", "t6", brand=True),
    _post("t8", "mo", 670, "great, @NorthwindUK rocks", "t7"),
    # outcomes of replied threads: positive, negative, complaint, neutral, silent
    _post("o1", "ned", 700, "@Northwind broken zip"),
    _post("o2", "Northwind", 710, "Send it in", "o1", brand=True),
    _post("o3", "ned", 720, "ok", "o2"),
    _post("o4", "ned", 730, "fixed, brilliant", "o3"),
    _post("p1", "ola", 800, "@Northwind wrong size"),
    _post("p2", "Northwind", 805, "Swap it in store", "p1", brand=True),
    _post("p3", "ola", 810, "that is useless", "p2"),
    _post("q1", "pat", 900, "@Northwind late again"),
    _post("q2", "Northwind", 930, "Sorry", "q1", brand=True),
    _post("q3", "pat", 940, "still late", "q2"),
    _post("s1", "quin", 1000, "@Northwind question"),
    _post("s2", "Northwind", 1100, "Answer", "s1", brand=True),
    _post("s3", "quin", 1110, "hm", "s2"),
    _post("u1", "ray", 1200, "@Northwind hi"),
    _post("u2", "Northwind", 1300, "Hello", "u1", brand=True),
    # friends and returning customers: two positive posts directed at the brand, in two months
    _post("f1", "sam", 1400, "@Northwind you are great"),
    _post("f2", "sam", 40 * DAY, "love it", "b5"),
    _post("f3", "tia", 1500, "@NorthwindHelp wonderful"),
    _post("f4", "tia", 1510, "me too"),  # positive, but at nobody
    # a reply cycle, which only corrupt input holds
    _post("z1", "uma", 1600, "@Northwind loop", "z2"),
    _post("z2", "uma", 1610, "loop back", "z1"),
    _post("t9", "nia", 680, "@NorthwindUK hello?"),  # a brand account not configured, in a tree of its own
    # a customer back exactly 24 h later: a new thread
    _post("g1", "xan", 3000, "@Northwind anyone?"),
    _post("g2", "xan", 3000 + DAY, "hello?", "g1"),
    _post("g3", "Northwind", 3010 + DAY, "Here", "g2", brand=True),
    # replies timestamped before what they answer, two deep: effective times carry down the chain
    _post("k1", "yul", 3100, "@Northwind help"),
    _post("k2", "Northwind", 3200, "Sure", "k1", brand=True),
    _post("k3", "yul", 3150, "no good", "k2"),
    _post("k4", "yul", 3160, "now fine, great", "k3"),
    # no brand at all
    _post("n1", "vic", 1700, "nice weather"),
    _post("n2", "wes", 1710, "indeed", "n1"),
]
P, N, NEU = "positive", "negative", "neutral"
CORNER_LABELS: dict[str, dict[str, Any]] = {
    "a1": {"sentiment": N, "intent": "complaint", "needs_reply": True, "subject": "experience"},
    "a4": {"sentiment": NEU, "gratitude": True, "subject": "experience"},
    "a5": {"sentiment": N, "needs_reply": True, "subject": "experience"},
    "a6": {"sentiment": N, "intent": "complaint", "needs_reply": True, "subject": "experience"},
    "a9": {"sentiment": P, "gratitude": True},
    "b3": {"sentiment": P, "subject": "marketing"},
    "r0": {"sentiment": NEU, "intent": "question", "needs_reply": True, "subject": "experience"},
    "m1": {"sentiment": NEU, "needs_reply": True},
    "t1": {"sentiment": NEU, "needs_reply": True},
    "t9": {"sentiment": NEU, "needs_reply": True},
    "g1": {"sentiment": NEU, "needs_reply": True},
    "g2": {"sentiment": NEU, "needs_reply": True},
    "k1": {"sentiment": NEU, "needs_reply": True},
    "k3": {"sentiment": N},
    "k4": {"sentiment": P},
    "t2": {"sentiment": NEU, "intent": "question", "needs_reply": True},
    "t4": {"sentiment": P, "subject": "experience"},
    "t6": {"sentiment": P, "needs_reply": True},
    "t8": {"sentiment": P, "subject": "marketing"},
    "o1": {"sentiment": N, "intent": "complaint", "needs_reply": True, "subject": "experience"},
    "o3": {"sentiment": NEU},
    "o4": {"sentiment": P, "subject": "experience"},
    "p1": {"sentiment": N, "intent": "complaint", "needs_reply": True},
    "p3": {"sentiment": N},
    "q1": {"sentiment": N, "intent": "complaint", "needs_reply": True},
    "q3": {"sentiment": NEU, "intent": "complaint"},
    "s1": {"sentiment": NEU, "intent": "question", "needs_reply": True},
    "s3": {"sentiment": NEU},
    "u1": {"sentiment": NEU, "needs_reply": True},
    "f1": {"sentiment": P, "subject": "marketing"},
    "f2": {"sentiment": P, "subject": "marketing"},
    "f3": {"sentiment": P},
    "f4": {"sentiment": P},
    "n1": {"sentiment": P, "subject": "experience"},
    # posts of a brand account and some customer posts stay unenriched (a2, a3, t1, t3, t5, ...)
}


def _compare(src: Sources) -> list[str]:
    """The components on which the pandas baseline and the library differ, with both values."""
    library, _ = _library_raw(src)
    assert src.engine is not None
    posts, enrichments = _frames(src.engine.backend.con)  # type: ignore[attr-defined]
    found = baseline.pandas_scorecard(posts, enrichments, src.config)
    return [
        f"{n}: library {library[n]!r}, pandas {found[n]!r}" for n in COMPONENT_NAMES if not _same(library[n], found[n])
    ]


def test_corner_cases_equal_library(in_memory: Callable[..., Sources]) -> None:
    labels = {
        (p["platform"], p["post_id"]): CORNER_LABELS[p["post_id"]]
        for p in CORNER_POSTS
        if p["post_id"] in CORNER_LABELS
    }
    with in_memory(CORNER_POSTS, CONFIG, labels) as src:
        library, _ = _library_raw(src)
        assert all(value is not None for value in library.values())
        assert _compare(src) == []


def test_not_enriched_equals_library(in_memory: Callable[..., Sources]) -> None:
    with in_memory(CORNER_POSTS, CONFIG) as src:
        assert _compare(src) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(thread_post, min_size=1, max_size=12))
def test_random_threads_equal_library(posts: list[dict[str, Any]]) -> None:
    with random_thread_sources(posts) as src:
        assert _compare(src) == []
