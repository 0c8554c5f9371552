from __future__ import annotations

from datetime import date, datetime

import pytest

from groundswell.config import Campaign
from groundswell.enrich.campaigns import CampaignMatcher

SUMMIT = Campaign(
    name="Summit contest",
    hashtags=("#NorthwindSummit",),
    keywords=("summit contest",),
    links=("https://www.northwind.example/summit",),
    start=date(2026, 6, 1),
    end=date(2026, 6, 30),
)
AD = Campaign(name="Into the wild", hashtags=("IntoTheWild",))
IN_JUNE = datetime(2026, 6, 15, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Entered #NorthwindSummit today!", "Summit contest"),
        ("entered #northwindsummit today", "Summit contest"),
        ("the Summit  Contest is rigged", "Summit contest"),
        ("see northwind.example/summit/rules", "Summit contest"),
        ("rules: https://www.Northwind.example/summit", "Summit contest"),
        ("rules: http://northwind.example/summit", "Summit contest"),
        ("evil.northwind.example/summit is not ours", None),
        ("#NorthwindSummit2026 is another tag", None),
        ("summit contests plural is another word", None),
        ("loved the #IntoTheWild ad", "Into the wild"),
        ("my tent leaks", None),
    ],
)
def test_matching(text: str, expected: str | None) -> None:
    assert CampaignMatcher([SUMMIT, AD]).match(text, IN_JUNE) == expected


def test_dates_are_inclusive_and_bound_the_campaign() -> None:
    matcher = CampaignMatcher([SUMMIT])
    assert matcher.match("#NorthwindSummit", datetime(2026, 6, 1, 0, 0)) == "Summit contest"
    assert matcher.match("#NorthwindSummit", datetime(2026, 6, 30, 23, 59)) == "Summit contest"
    assert matcher.match("#NorthwindSummit", datetime(2026, 5, 31, 23, 59)) is None
    assert matcher.match("#NorthwindSummit", datetime(2026, 7, 1)) is None


def test_first_campaign_in_config_order_wins() -> None:
    both = "#NorthwindSummit and #IntoTheWild"
    assert CampaignMatcher([AD, SUMMIT]).match(both, IN_JUNE) == "Into the wild"
    assert CampaignMatcher([SUMMIT, AD]).match(both, IN_JUNE) == "Summit contest"
