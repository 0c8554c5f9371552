"""Labels no public data set here covers, from rules plus the models' outputs.

Intent, subject, needs_reply and gratitude combine what the text says (a
question mark, thanks, campaign words), who posted it (brand or customer,
reply or not) and what the sentiment and complaint models found. The rules
are deliberately few and readable; their accuracy is measured on a labelled
set of real posts (see the enrichment model card) before the figures rest on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GRATITUDE = re.compile(
    r"\b(thanks?|thank\s*(?:you|u)|thx|tnx|ty|cheers|appreciate[sd]?|grateful|kudos|merci|danke|gracias|diolch)\b|🙏",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:@\w+\s+)*(?:how|what|when|where|why|who|which|can|could|would|will|is|are|do|does|did|any|anyone|should)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"\b(please|pls|plz|help|dm me|contact me|call me|refund|cancel|fix|replace|need|want my)\b", re.IGNORECASE
)
_SUGGESTION = re.compile(r"\b(should|would be (?:nice|great|better)|suggest|wish|why not|please add|feature)\b", re.IGNORECASE)
_MARKETING = re.compile(
    r"\b(ad|ads|advert|advertisement|commercial|campaign|contest|competition|giveaway|sweepstakes?|promo|promotion|"
    r"trailer|sponsor(?:ed)?|influencer|jingle|slogan|billboard|enter to win)\b",
    re.IGNORECASE,
)
_EXPERIENCE = re.compile(
    r"\b(store|shop|staff|service|order(?:ed)?|delivery|delivered|refund|return(?:ed)?|product|quality|queue|"
    r"waited|waiting|customer service|support|bought|purchase[sd]?|flight|delay(?:ed)?|account|app|broken|stock)\b",
    re.IGNORECASE,
)
_PROMOTION = re.compile(r"\b(shop now|buy now|sale|discount|% off|offer|limited time|new arrivals?|link in bio|enter)\b", re.IGNORECASE)


def gratitude(text: str) -> bool:
    """The post thanks someone."""
    return _GRATITUDE.search(text) is not None


def is_question(text: str) -> bool:
    return "?" in text or _QUESTION_START.search(text) is not None


@dataclass(frozen=True, slots=True)
class RuleInput:
    text: str
    is_brand: bool
    is_reply: bool
    sentiment: str
    complaint_probability: float
    campaign: str | None


COMPLAINT_THRESHOLD = 0.5


def intent(post: RuleInput) -> str:
    """complaint, question, praise, feedback, promotion, support_reply or other."""
    if post.is_brand:
        if post.is_reply:
            return "support_reply"
        return "promotion"
    if post.complaint_probability >= COMPLAINT_THRESHOLD and post.sentiment != "positive":
        return "complaint"
    if is_question(post.text):
        return "question"
    if post.sentiment == "positive" or gratitude(post.text):
        return "praise"
    if _SUGGESTION.search(post.text):
        return "feedback"
    if _PROMOTION.search(post.text):
        return "promotion"
    return "other"


def subject(post: RuleInput, post_intent: str) -> str:
    """marketing (about the brand's campaigns and ads), experience (of the product or service) or other."""
    if post.campaign is not None or _MARKETING.search(post.text):
        return "marketing"
    if post_intent in ("complaint", "question", "support_reply") or _EXPERIENCE.search(post.text):
        return "experience"
    return "other"


def needs_reply(post: RuleInput, post_intent: str) -> bool:
    """A customer post asking for something: a question, a complaint or a request; not chit-chat."""
    if post.is_brand:
        return False
    if post_intent in ("complaint", "question"):
        return True
    return post.sentiment == "negative" and _REQUEST.search(post.text) is not None
