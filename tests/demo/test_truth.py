"""The demo world's true labels: every customer post has them, they come with the very posts generate_world makes."""

from __future__ import annotations

import collections

import pytest

from groundswell.demo import (
    BUZZING_PROFILE,
    HELPFUL_PROFILE,
    BrandProfile,
    generate_labelled_world,
    generate_world,
    truth,
)
from groundswell.demo import text as tx
from groundswell.records import Sentiment, Subject


@pytest.mark.parametrize("profile", [HELPFUL_PROFILE, BUZZING_PROFILE], ids=["helpful", "buzzing"])
def test_labelled_world_is_the_same_world_with_its_truth(profile: BrandProfile) -> None:
    plain = list(generate_world(posts=4000, seed=3, profile=profile))
    labelled = list(generate_labelled_world(posts=4000, seed=3, profile=profile))
    assert [item.post for item in labelled] == plain
    assert all((item.truth is None) == item.post.is_brand for item in labelled)


def test_truth_follows_the_template() -> None:
    labelled = list(generate_labelled_world(posts=6000, seed=5))
    seen: collections.Counter[tuple[bool, str, str]] = collections.Counter()
    for item in labelled:
        if item.truth is None:
            continue
        seen[item.truth] += 1
        if item.post.lang == "en" and any(t in item.post.text for t in ("Not a single blister", "Bone dry")):
            assert item.truth == truth.PRAISE
        if "on hold for" in item.post.text:
            assert item.truth == truth.COMPLAINT
    # every kind of post is there, and none is a positive complaint
    assert {t.subject for t in seen} == set(Subject)
    assert {t.sentiment for t in seen} == set(Sentiment)
    assert sum(n for t, n in seen.items() if t.complaint) > 100
    assert not any(t.complaint and t.sentiment != Sentiment.NEGATIVE for t in seen)


def test_every_customer_template_has_a_truth() -> None:
    customer_banks = (tx.STORE_GOOD, tx.PRAISE, tx.CHAT, tx.CONTEST_BUZZ, tx.AD_BUZZ, tx.THANKS, tx.UNHAPPY,
                      tx.UNHAPPY_AGAIN, tx.CHASERS, tx.PEER_REPLIES, tx.CHAT_PEER, tx.HEARTS, tx.AGREE,
                      tx.BROADCAST_BUZZ, tx.VIRAL_KINDNESS, tx.VIRAL_FAILURE)  # fmt: skip
    paired = (tx.STORE_BAD, tx.COMPLAINTS, tx.QUESTIONS, tx.BROADCAST_HIJACK)
    templates = [t for bank in customer_banks for t in bank] + [t for bank in paired for t, _ in bank]
    assert all(truth.of(t) for t in templates)
    with pytest.raises(KeyError):
        truth.of(tx.BROADCASTS[0])  # the brand's own posts have none
