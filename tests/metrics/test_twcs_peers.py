"""One brand among many on real data: TWCS with Apple configured, each figure against pandas (tests/twcs_brand.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import twcs_brand
from groundswell.metrics import brand_scorecards, compare_with_peers, reply_times, response, share_of_voice
from groundswell.query import parse_period
from groundswell.query.brands import brand_name_from_handle
from groundswell.workspace import Workspace


@pytest.fixture(scope="module")
def apple(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, twcs_brand.Reference]]:
    sample = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twcs" / "sample_head_1000.csv"
    if not sample.exists():
        pytest.skip("the TWCS excerpt (../shared/data/twcs) is not here")
    path = tmp_path_factory.mktemp("apple") / "ws"
    Workspace.init(path).close()
    (path / "groundswell.toml").write_text(twcs_brand.CONFIG, encoding="utf-8")
    with Workspace.open(path) as ws:
        ws.import_files([sample])
        ws.enrich("fast")
        with ws.sources() as src:
            assert src.enrichments is not None
            labels = src.enrichments.select("post_id", "needs_reply", "subject").to_pandas()
        yield ws, twcs_brand.reference(sample, labels)


def test_brand_names_come_from_the_handles() -> None:
    assert [
        brand_name_from_handle(h) for h in ("AppleSupport", "AskPayPal", "hulu_support", "Delta", "sprintcare")
    ] == [
        "Apple",
        "PayPal",
        "hulu",
        "Delta",
        "sprint",
    ]


def test_the_configured_accounts_are_the_brand_and_the_others_its_peers(
    apple: tuple[Workspace, twcs_brand.Reference],
) -> None:
    ws, ref = apple
    with ws.sources() as src:
        brands = src.brand_map()
        assert brands.own.name == "Apple" and brands.own.accounts == (("twitter", "applesupport"),)
        assert len(brands.brands) == ref.brands
        posts = src.posts.to_pandas()
    assert int(posts.is_brand.sum()) == ref.brand_posts
    assert set(posts.loc[posts.is_brand, "author_handle"].str.lower()) == {"applesupport"}
    assert int((~posts.is_brand).sum()) == ref.customer_posts


def test_response_figures_are_apples_only(apple: tuple[Workspace, twcs_brand.Reference]) -> None:
    ws, ref = apple
    with ws.sources() as src:
        figures = response(src)[0]
    assert figures.inbound == ref.customer_posts
    assert figures.threads == ref.threads
    assert figures.timed_threads == ref.timed_threads
    assert figures.first_response_median_s == pytest.approx(ref.first_response_median_s)
    assert (figures.needs_reply, figures.replied) == (ref.needs_reply, ref.replied)


def test_per_reply_times_every_brand_reply(apple: tuple[Workspace, twcs_brand.Reference]) -> None:
    ws, ref = apple
    with ws.sources() as src:
        found = reply_times(src)[0]
    assert found.timed_replies == len(ref.reply_times) > ref.timed_threads
    assert found.median_s == pytest.approx(float(np.percentile(ref.reply_times, 50)))
    assert found.p90_s == pytest.approx(float(np.percentile(ref.reply_times, 90)))
    assert found.mean_s == pytest.approx(float(ref.reply_times.mean()))


def test_share_of_voice_by_subject(apple: tuple[Workspace, twcs_brand.Reference]) -> None:
    ws, ref = apple
    with ws.sources(period=parse_period("2000-01-01", None)) as src:  # the reference reads every post
        found = {v.group["subject"]: (v.numerator, v.denominator) for v in share_of_voice(src)}
    assert found == {s: (float(n), float(d)) for s, (n, d) in ref.share_by_subject.items()}
    assert ref.share_by_subject["all"][1] == ref.customers_about_any_brand


@pytest.mark.slow  # 43 brands, each scored from its own conversations
def test_every_brand_is_scored_and_apple_is_compared_with_its_peers(
    apple: tuple[Workspace, twcs_brand.Reference],
) -> None:
    ws, ref = apple
    with ws.sources() as src:
        cards = brand_scorecards(src)
        own = ws.scorecard()
    assert len(cards) == ref.brands
    by_name = {c.brand.name: c for c in cards}
    assert by_name["Apple"].card.social.value == pytest.approx(own.social.value)
    assert all(c.card.social.value is not None for c in cards)
    ranks = {r.name: r for r in compare_with_peers(cards, "Apple")}
    socials = pd.Series({name: c.card.social.value for name, c in by_name.items()})
    assert ranks["social_media_index"].rank == 1 + int((socials > socials["Apple"]).sum())
    peers = socials.drop("Apple")
    assert ranks["social_media_index"].distance == pytest.approx(socials["Apple"] - peers.median())
