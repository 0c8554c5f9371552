"""What each demo post truly is: its subject, sentiment and whether it needs a reply, known by construction.

A customer post is written from a bank of templates that each say one kind of thing (a complaint about a
store, praise, buzz about the ad), so its labels are the bank's, or the template's where a bank mixes kinds;
labelled by DESIGN's subject rubric and the labelling guide of tests/data/enrich, never by a model. Brand
posts carry no truth (None): the customer figures leave them out.

``generate_labelled_world`` (``demo.world``) yields each post with its truth, so a test can set a figure's
interval beside the true figure of the same posts.
"""

from __future__ import annotations

from typing import NamedTuple

from groundswell.demo import text as tx


class PostTruth(NamedTuple):
    subject: str  # marketing, experience or other
    sentiment: str  # negative, neutral or positive
    needs_reply: bool  # asks for or warrants an answer from the brand (counted only where the brand is addressed)

    @property
    def complaint(self) -> bool:
        """A complaint reports a problem that is still the writer's: negative and wanting an answer (a sad
        comment on someone else's bad luck is not one)."""
        return self.sentiment == "negative" and self.needs_reply


EXP_GOOD = PostTruth("experience", "positive", False)
EXP_BAD = PostTruth("experience", "negative", True)
EXP_ASK = PostTruth("experience", "neutral", True)
EXP_SAID = PostTruth("experience", "neutral", False)
EXP_SAD = PostTruth("experience", "negative", False)
BUZZ = PostTruth("marketing", "positive", False)
BUZZ_SAID = PostTruth("marketing", "neutral", False)
BUZZ_ASK = PostTruth("marketing", "neutral", True)
BUZZ_SAD = PostTruth("marketing", "negative", False)
OTHER_GOOD = PostTruth("other", "positive", False)
OTHER_SAID = PostTruth("other", "neutral", False)

# a customer post's first kind (``conversations._BASE_KINDS``, store split in two) -> its truth
KIND_TRUTH = {
    "store_good": EXP_GOOD, "praise": EXP_GOOD, "store_bad": EXP_BAD, "complaint": EXP_BAD, "question": EXP_ASK,
}  # fmt: skip
# the five phrases of ``text.FOREIGN`` (complaint, question, praise, thanks, unhappy)
FOREIGN_TRUTH = (EXP_BAD, EXP_ASK, EXP_GOOD, EXP_GOOD, EXP_BAD)
HIJACK = EXP_BAD  # "Maybe sort out my refund before posting ads?": the ad is the occasion, the refund the subject
VIRAL_ORIGIN = {"kindness": EXP_GOOD, "failure": EXP_BAD}
VIRAL_THANKS = EXP_GOOD

AGREE = (  # conversations._AGREE: fans agreeing under a brand's campaign post
    BUZZ_SAID, BUZZ_SAID, BUZZ, BUZZ_SAID, BUZZ_SAID, BUZZ,
)  # fmt: skip

# bank -> one truth for every template, or one per template
_BANKS: tuple[tuple[tuple[str, ...], PostTruth | tuple[PostTruth, ...]], ...] = (
    (tx.CHAT, (EXP_SAID, BUZZ_SAID, EXP_SAID, OTHER_SAID, EXP_SAID, BUZZ)),
    (tx.CONTEST_BUZZ, (BUZZ, BUZZ, BUZZ, BUZZ, BUZZ_SAID, BUZZ, BUZZ_SAD, BUZZ)),
    (tx.AD_BUZZ, (BUZZ, BUZZ, BUZZ, BUZZ, BUZZ_ASK, BUZZ, BUZZ, BUZZ)),
    (tx.VIRAL_KINDNESS, EXP_GOOD),
    (tx.VIRAL_FAILURE, (EXP_SAD, EXP_ASK, EXP_BAD, EXP_BAD, EXP_SAD, EXP_ASK)),
    (tx.THANKS, EXP_GOOD),
    (tx.UNHAPPY, EXP_BAD),
    (tx.OUTAGE, EXP_BAD),
    (tx.UNHAPPY_AGAIN, EXP_BAD),
    (tx.CHASERS, EXP_BAD),
    (tx.PEER_REPLIES, (EXP_GOOD, EXP_GOOD, EXP_SAID, EXP_SAD, EXP_GOOD, EXP_GOOD, EXP_SAID, EXP_SAID)),
    (tx.CHAT_PEER, (EXP_GOOD, EXP_GOOD, BUZZ_SAID)),
    (tx.HEARTS, OTHER_GOOD),
    (tx.BROADCAST_BUZZ, (BUZZ, BUZZ, BUZZ, BUZZ_SAID, BUZZ, EXP_ASK, BUZZ, BUZZ, BUZZ, BUZZ, BUZZ_SAID)),
)


def bank_truth(bank: tuple[str, ...], index: int) -> PostTruth | None:
    """The truth of template ``index`` of a customer bank of ``text``; None for any other bank (the brand's)."""
    for known, truth in _BANKS:
        if known is bank:
            return truth if isinstance(truth, PostTruth) else truth[index]
    return None


def check_banks() -> None:
    """Every per-template list matches its bank's length (a bank that grew needs its new templates labelled)."""
    for bank, truth in _BANKS:
        if not isinstance(truth, PostTruth) and len(truth) != len(bank):
            raise ValueError(f"{len(bank)} templates but {len(truth)} truths for the bank starting {bank[0]!r}")
