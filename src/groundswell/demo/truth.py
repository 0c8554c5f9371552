"""What each customer post of the demo world really is, known from the template that wrote it.

Every template bank in ``text`` has one label for its kind of post (a complaint
is a negative complaint about the experience); templates that differ from their
bank's kind say so here (a peer's "Same problem here!" is a complaint, a
question about a missing parcel reports a problem). The labels follow the
subject rubric in DESIGN.md; a complaint is a post that reports a problem or
a breach of what the customer expected. Brand posts carry no label: the
figures these labels check are shares of customer posts.
"""

from __future__ import annotations

from typing import NamedTuple

from groundswell.demo import text as tx
from groundswell.records import Sentiment, Subject

NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE
EXPERIENCE, MARKETING, OTHER = Subject.EXPERIENCE, Subject.MARKETING, Subject.OTHER


class Truth(NamedTuple):
    """The true labels of one customer post."""

    complaint: bool
    sentiment: Sentiment
    subject: Subject


COMPLAINT = Truth(True, NEG, EXPERIENCE)
PRAISE = Truth(False, POS, EXPERIENCE)
QUESTION = Truth(False, NEU, EXPERIENCE)
BUZZ = Truth(False, POS, MARKETING)
PASSING = Truth(False, NEU, OTHER)  # chit-chat too vague to be about anything

# Each bank's kind of post, and its templates that are something else.
_BANKS: tuple[tuple[tuple[str, ...], Truth, dict[str, Truth]], ...] = (
    (tuple(bad for bad, _ in tx.STORE_BAD), COMPLAINT, {}),
    (tuple(bad for bad, _ in tx.COMPLAINTS), COMPLAINT, {}),
    (tx.STORE_GOOD, PRAISE, {}),
    (tx.PRAISE, PRAISE, {}),
    (tx.THANKS, PRAISE, {}),
    (tx.UNHAPPY, COMPLAINT, {}),
    (tx.UNHAPPY_AGAIN, COMPLAINT, {}),
    (tx.CHASERS, COMPLAINT, {}),
    (tuple(hijack for hijack, _ in tx.BROADCAST_HIJACK), COMPLAINT, {}),
    (
        tuple(question for question, _ in tx.QUESTIONS),
        QUESTION,
        {"order {order} says delivered but there's nothing here. What do I do?": COMPLAINT},
    ),
    (
        tx.CHAT,
        QUESTION,
        {
            "is the {brand} sale on already? Wallet in danger.": Truth(False, NEU, MARKETING),
            "walked past the new {brand} in {town} today, looks huge.": PASSING,
            "the {brand} catalogue arrived and now I want everything.": BUZZ,
        },
    ),
    (
        tx.CONTEST_BUZZ,
        BUZZ,
        {
            "Who else is doing {ctag}? Need a team for {place}": Truth(False, NEU, MARKETING),
            "Day 3 of trying to get a clear summit shot for {ctag}. Cloud 3, me 0": Truth(False, NEU, MARKETING),
        },
    ),
    (tx.AD_BUZZ, BUZZ, {"what's the song in the {brand} {atag} ad??": Truth(False, NEU, MARKETING)}),
    ((tx.VIRAL_KINDNESS_ORIGIN, *tx.VIRAL_KINDNESS), PRAISE, {}),
    (
        (tx.VIRAL_FAILURE_ORIGIN, *tx.VIRAL_FAILURE),
        COMPLAINT,
        {
            "Is the {product} safe? Asking before our trip this weekend": QUESTION,
            "Took my {product} back to {town} today after seeing that thread": QUESTION,
            "Has {brand} responded to the {product} thread yet?": QUESTION,
        },
    ),
    (
        tx.PEER_REPLIES,
        PRAISE,
        {
            "Try the live chat on their website, much quicker than on here.": QUESTION,
            "Same problem here! Following.": COMPLAINT,
            "Mine took {days} days too, it turned up in the end 🤞": QUESTION,
        },
    ),
    (tx.CHAT_PEER, PRAISE, {"Wait for the sale 😉": Truth(False, NEU, MARKETING)}),
    (tx.BROADCAST_BUZZ, BUZZ, {"Is this in the {town} store too?": Truth(False, NEU, MARKETING)}),
    (tx.HEARTS, Truth(False, POS, OTHER), {}),
    (tx.AGREE, Truth(False, POS, OTHER), {"Right?!": PASSING, "ikr": PASSING}),
    ((tx.VIRAL_THANKS,), Truth(False, POS, OTHER), {}),
)


def _by_template() -> dict[str, Truth]:
    found: dict[str, Truth] = {}
    for bank, kind, different in _BANKS:
        unknown = set(different) - set(bank)
        if unknown:
            raise ValueError(f"truth for templates no bank has: {sorted(unknown)}")  # a typo above, caught on import
        for template in bank:
            found[template] = different.get(template, kind)
    return found


BY_TEMPLATE = _by_template()
# Posts in other languages: (complaint, question, praise, thanks, unhappy), as in ``text.FOREIGN``.
FOREIGN = (COMPLAINT, QUESTION, PRAISE, PRAISE, COMPLAINT)


def of(template: str) -> Truth:
    """The labels of a post written from ``template`` (a template of ``text``, before its fields are filled)."""
    return BY_TEMPLATE[template]
