"""The demo world's opt-in outage: off by default, and when on, an afternoon of complaints to the support account."""

from __future__ import annotations

from collections import Counter

from groundswell.demo import text as tx
from groundswell.demo.conversations import OUTAGE_START_HOUR
from groundswell.demo.profiles import DEFAULT_PROFILE, BrandProfile
from groundswell.demo.truth import EXP_BAD
from groundswell.demo.world import generate_labelled_world, make_calendar


def _is_outage(text: str) -> bool:
    starts = {t.split("{")[0][:25] for t in tx.OUTAGE}
    return any(s in text for s in starts)


def test_the_outage_is_off_by_default() -> None:
    assert DEFAULT_PROFILE.outage == 0.0
    posts = [p for p, _ in generate_labelled_world(posts=6000, seed=5)]
    assert not any(_is_outage(p.text) for p in posts)


def test_the_outage_is_an_afternoon_of_complaints_to_support() -> None:
    cal = make_calendar()
    day = cal.date(cal.outage_day)
    world = list(generate_labelled_world(posts=6000, seed=5, profile=BrandProfile(outage=3.0)))
    outage = [(p, truth) for p, truth in world if _is_outage(p.text) and not p.is_brand]
    assert len(outage) > 25  # 3 ordinary days of posts, about a third of them the complaints that open a thread
    assert {p.created_at.date() for p, _ in outage} == {day}
    assert all(p.created_at.hour >= OUTAGE_START_HOUR for p, _ in outage)
    assert all(truth == EXP_BAD for _, truth in outage)  # negative experience posts that need a reply
    hours = Counter(p.created_at.hour for p, _ in outage)
    assert hours[OUTAGE_START_HOUR] + hours[OUTAGE_START_HOUR + 1] > len(outage) / 2  # most in its first two hours
