"""What the draft checker takes and gives: the post replied to, one finding per rule, the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["pass", "warn", "fail"]
LEVELS: tuple[Level, ...] = ("pass", "warn", "fail")
"""From best to worst; a draft's verdict is its worst finding's level."""

RULE_NAMES: dict[int, str] = {
    1: "adds value",
    2: "grateful for feedback",
    3: "transparent",
    4: "not intrusive",
    5: "a dedicated team",
}
"""The five rules of engagement (DESIGN.md), by number."""


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """The post a draft replies to, and what is known of it.

    ``intent`` is one of the enrichment intents (complaint, question, praise,
    feedback, promotion, support_reply, other); ``source`` says where intent
    and sentiment came from (an enrichment's model version, or the rules run
    on the text now). ``brand_replies``: brand posts already replying to this
    post; ``recent_brand_replies``: brand replies to this author's other posts
    in the week before it.
    """

    text: str
    intent: str
    sentiment: str = "neutral"
    needs_reply: bool = False
    author: str | None = None
    is_brand: bool = False
    platform: str | None = None
    post_id: str | None = None
    brand_replies: int = 0
    recent_brand_replies: int = 0
    source: str = "given"

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "post_id": self.post_id,
            "author": self.author,
            "is_brand": self.is_brand,
            "intent": self.intent,
            "sentiment": self.sentiment,
            "needs_reply": self.needs_reply,
            "brand_replies": self.brand_replies,
            "recent_brand_replies": self.recent_brand_replies,
            "source": self.source,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's judgement of a draft: its level, the words that led to it, and what to change."""

    rule: int
    level: Level
    message: str
    evidence: tuple[str, ...] = ()
    suggestion: str = ""

    @property
    def name(self) -> str:
        return RULE_NAMES[self.rule]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "level": self.level,
            "message": self.message,
            "evidence": list(self.evidence),
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class DraftCheck:
    """A draft checked against the five rules: one finding per rule, in rule order."""

    text: str
    findings: tuple[Finding, ...]
    reply_to: ReplyContext | None = None

    @property
    def verdict(self) -> Level:
        """The worst level among the findings."""
        return max((f.level for f in self.findings), key=LEVELS.index, default="pass")

    def finding(self, rule: int) -> Finding:
        return next(f for f in self.findings if f.rule == rule)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "worst_level": self.verdict,
            "findings": [f.as_dict() for f in self.findings],
            "reply_to": None if self.reply_to is None else self.reply_to.as_dict(),
            "text": self.text,
        }
