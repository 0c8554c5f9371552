"""The brand beside its peers: every brand's scorecard, the brand's rank on each component, share of voice.

The brands are those of ``query.brands`` (the config's accounts, ``[[peers]]``, and the data's other support
accounts grouped by name); each brand's figures are computed from its own conversations exactly as the
workspace's brand's are (``Sources.for_brand``).

- **Brand scorecards** (``groundswell scorecard --by brand``): each brand's social media index and social
  media marketing index, and where they place it on the one quadrant.
- **Peer comparison**: per scorecard component, the brand's score, its rank among the brands with a value
  (1 = best), the peers' median score and the distance to it (brand minus median, in score points), and the
  leader.
- **Share of voice**: the brand's customer posts / the customer posts about every brand in the data (a post
  is about the brand of the support account it addresses, ``query.brands``), overall and split by subject:
  the brand's share of the experience talk beside its share of the marketing talk.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from groundswell.errors import MetricUnavailable
from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import check_by, require_enrichments
from groundswell.metrics.scorecard import Scorecard, scorecard
from groundswell.query import Sources, rows
from groundswell.query.brands import Brand, about_brand, handle_key
from groundswell.records import Subject

SHARE_SUBJECTS = ("all", Subject.EXPERIENCE.value, Subject.MARKETING.value)


@dataclass(frozen=True, slots=True)
class BrandCard:
    """One brand's scorecard."""

    brand: Brand
    card: Scorecard

    def as_dict(self) -> dict[str, Any]:
        return {
            "brand": self.brand.name,
            "own": self.brand.own,
            "accounts": [key for _, key in self.brand.accounts],
            "social_media_index": self.card.social.value,
            "social_media_marketing_index": self.card.marketing.value,
            "quadrant": self.card.quadrant,
            "scorecard": self.card.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class ComponentRank:
    """The brand on one scorecard component beside its peers (scores 0-100; None where it has no value)."""

    name: str
    label: str
    score: float | None
    raw: float | None
    rank: int | None
    ranked: int
    peer_median: float | None
    distance: float | None
    leader: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.name,
            "label": self.label,
            "score": self.score,
            "raw": self.raw,
            "rank": self.rank,
            "of": self.ranked,
            "peer_median": self.peer_median,
            "distance": self.distance,
            "leader": self.leader,
        }


def brand_scorecards(sources: Sources) -> list[BrandCard]:
    """The scorecard of every brand in the data (``BrandMap.brands``), each from its own conversations."""
    cards = []
    for brand in sources.brand_map().brands:
        with sources.for_brand(brand) as scoped:
            cards.append(BrandCard(brand, scorecard(scoped)[0]))
    return cards


def compare_with_peers(cards: list[BrandCard], brand: str) -> list[ComponentRank]:
    """``brand``'s rank and distance to its peers' median on each component of both indices, with the two
    indices themselves first (as ``social_media_index`` and ``social_media_marketing_index``)."""
    own = next((c for c in cards if c.brand.name == brand), None)
    if own is None:
        raise MetricUnavailable(f"no scorecard for the brand {brand!r} among the brands compared")

    def parts(card: Scorecard) -> dict[str, tuple[str, float | None, float | None]]:
        found = {
            "social_media_index": ("social media index", card.social.value, card.social.value),
            "social_media_marketing_index": ("social media marketing index", card.marketing.value, card.marketing.value),
        }  # fmt: skip
        for index in (card.social, card.marketing):
            for c in index.components:
                found[c.name] = (c.label, c.score, c.raw)
        return found

    everyone = {c.brand.name: parts(c.card) for c in cards}
    out = []
    for name, (label, score, raw) in parts(own.card).items():
        scored = {b: p[name][1] for b, p in everyone.items() if p.get(name, ("", None, None))[1] is not None}
        peers = [v for b, v in scored.items() if b != brand and v is not None]
        median = statistics.median(peers) if peers else None
        rank = None if score is None else 1 + sum(1 for v in scored.values() if v is not None and v > score)
        leader = max(scored, key=lambda b: (scored[b] or 0.0, b == brand)) if scored else None
        out.append(
            ComponentRank(
                name, label, score, raw, rank, len(scored), median,
                None if score is None or median is None else score - median, leader,
            )
        )  # fmt: skip
    return out


def share_of_voice(sources: Sources, *, by: str | None = None) -> list[MetricValue]:
    """The brand's share of the customer posts about every brand in the data, overall and by subject.

    A customer post is one not written by a support account; it is about the brand of the support account
    it addresses (``query.brands.about_account``); posts about no brand are left out of both sides.
    Needs enrichments (the subject). Without peers in the data the brand is the only brand: a share of 1.
    """
    check_by(by, (), "share of voice")
    brands = sources.brand_map()
    enrichments = require_enrichments(sources, "share of voice")
    # no peers: the brand is every brand there is (a share of 1 of its own posts, said so in the unit)
    scope = sources.scope if sources.scope is not None else brands.own
    listed = [*(b for b in brands.brands if b != scope), scope] if sources.scope is not None else [scope]
    table = about_brand(sources.market_posts, listed)
    customers = table.filter(table.about_brand.notnull() & (handle_key(table) != table.about_account))
    subjects = enrichments.select(_e_platform=enrichments.platform, _e_post_id=enrichments.post_id, subject="subject")
    joined = customers.left_join(
        subjects, [customers.platform == subjects._e_platform, customers.post_id == subjects._e_post_id]
    )
    mine = joined.about_brand == scope.name
    counts = rows(
        joined.group_by(subject=joined.subject.fill_null("unknown")).aggregate(
            everyone=joined.count(), brand=mine.cast("int64").sum()
        )
    )
    by_subject = {str(r["subject"]): (int(r["brand"] or 0), int(r["everyone"])) for r in counts}
    out = []
    for subject in SHARE_SUBJECTS:
        if subject == "all":
            brand_n = sum(b for b, _ in by_subject.values())
            every_n = sum(e for _, e in by_subject.values())
        else:
            brand_n, every_n = by_subject.get(subject, (0, 0))
        out.append(
            MetricValue(
                "share_of_voice",
                ratio(brand_n, every_n),
                float(brand_n),
                float(every_n),
                unit=f"{scope.name}'s share of customer posts about the {len(listed)} brand{'s' if len(listed) > 1 else ''}"
                + ("" if subject == "all" else f", {subject} talk"),
                model_version=sources.model_version,
                period=sources.period,
                group={"subject": subject},
            )
        )
    return out


__all__ = ["BrandCard", "ComponentRank", "brand_scorecards", "compare_with_peers", "share_of_voice"]
