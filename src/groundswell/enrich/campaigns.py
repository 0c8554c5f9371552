"""Which configured campaign a post belongs to, from its hashtags, keywords and links.

A campaign matches when the post was made within its dates (inclusive, UTC
days; an open end matches everything on that side) and the text holds one of
its hashtags (a whole tag, case-insensitive: ``#Summit`` does not match
``#Summit2026``), one of its keywords (whole words, case-insensitive) or one of
its links (case-insensitive, with or without scheme and ``www.``). The first
matching campaign in config order wins, so list specific campaigns first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from groundswell.config import Campaign


def _link_key(link: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", link.strip().lower()).rstrip("/")


@dataclass(frozen=True)
class _CompiledCampaign:
    name: str
    start: date | None
    end: date | None
    pattern: re.Pattern[str]


class CampaignMatcher:
    def __init__(self, campaigns: Sequence[Campaign]):
        self._campaigns = [self._compile(c) for c in campaigns]

    @staticmethod
    def _compile(campaign: Campaign) -> _CompiledCampaign:
        parts = [re.escape(tag) + r"(?![\w])" for tag in campaign.hashtags]
        parts += [r"(?<![\w])" + r"\s+".join(map(re.escape, k.split())) + r"(?![\w])" for k in campaign.keywords]
        parts += [r"(?<![\w.-])(?:https?://)?(?:www\.)?" + re.escape(_link_key(link)) for link in campaign.links]
        return _CompiledCampaign(
            campaign.name, campaign.start, campaign.end, re.compile("|".join(parts), re.IGNORECASE)
        )

    def match(self, text: str, created_at: datetime) -> str | None:
        """The name of the first campaign this post belongs to, or ``None``."""
        day = created_at.date()
        for campaign in self._campaigns:
            if campaign.start and day < campaign.start:
                continue
            if campaign.end and day > campaign.end:
                continue
            if campaign.pattern.search(text):
                return campaign.name
        return None
