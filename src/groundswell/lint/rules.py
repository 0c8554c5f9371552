"""The five rules of engagement (DESIGN.md), one function each: a draft (and the post it replies to) -> a finding.

Levels: ``fail`` is kept for what a reviewer would stop before it is sent (a
sales pitch to a complaint, a complaint met with neither thanks, apology nor
help, paid content without a disclosure, a question answered with only a
push); ``warn`` for what they would change (no apology, a deflection, shouting,
too many links); ``pass`` otherwise, sometimes with a tip.
"""

from __future__ import annotations

from groundswell.enrich.rules import gratitude, is_question
from groundswell.lint import words
from groundswell.lint.draft import Draft
from groundswell.lint.records import Finding, ReplyContext

# Intents that ask the brand for an answer, and those that give it feedback. A "request" is a
# complaint-classified post that asks for help without voicing dissatisfaction ("I lost my code, please help").
ANSWERABLE = frozenset({"question", "complaint", "request"})
FEEDBACK = frozenset({"complaint", "praise", "feedback"})

# Above these counts a post reads as intrusive.
MAX_LINKS = 2
MAX_HASHTAGS = 3
MAX_REPLY_HASHTAGS = 2
MAX_CALLS_TO_ACTION = 2
MAX_REPLY_CALLS_TO_ACTION = 1
# Brand replies to one person in a week, beyond which another unasked-for one is too many.
MAX_RECENT_REPLIES = 2


def _quote(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q for group in groups for q in group))


def intent_of(ctx: ReplyContext | None) -> str | None:
    """The replied-to post's intent, with complaints that only ask for help told apart as ``request``.

    Negative "praise" is taken as a complaint: the rules call a post praise when it thanks, and a
    complaint often ends with thanks ("... So please, no excuses! Thanks") or thanks sarcastically.
    """
    if ctx is None:
        return None
    if ctx.intent == "praise" and ctx.sentiment == "negative":
        return "complaint"  # sarcastic thanks, or a complaint signed off with "thanks"
    if ctx.intent != "complaint":
        return ctx.intent
    asks = is_question(ctx.text) or words.REQUEST_WORDS.search(ctx.text) is not None
    dissatisfied = words.DISSATISFIED.search(ctx.text) or words.DISSATISFIED_MARKS.search(ctx.text)
    return "request" if asks and not dissatisfied else "complaint"


def adds_value(draft: Draft, ctx: ReplyContext | None) -> Finding:
    """1. Answers the question or gives something useful, rather than only pushing a message."""
    selling, intent = draft.selling, intent_of(ctx)
    # Asked about an offer, the offer may be the answer; otherwise the pitch itself helps nobody.
    value = draft.value if intent == "question" else draft.help
    if ctx is not None and intent in ANSWERABLE:
        if ctx.sentiment == "positive" and intent == "question" and not value:
            value = _quote(draft.thanks, draft.warm)  # a cheerful, often rhetorical, question: warmth answers it
        if value:
            return Finding(1, "pass", f"Gives the {intent} an answer or a next step.", value)
        if selling:
            return Finding(
                1, "fail", f"Answers a {intent} with only a promotion.", selling,
                "Answer the person, or say what happens next; leave the promotion out.",
            )  # fmt: skip
        return Finding(
            1, "warn", f"Neither answers the {intent} nor says what happens next.", (),
            "Give the answer, a step to try, or ask for the details you need (order number, device).",
        )  # fmt: skip
    if selling and not (value or draft.thanks or draft.warm):
        if ctx is not None:
            return Finding(
                1, "warn", "Only pushes a message at the person.", selling,
                "Reply to what they said before promoting anything.",
            )  # fmt: skip
        if not (draft.digits or draft.questions or draft.substance):
            return Finding(
                1, "warn", "Only pushes: no information, no question, nothing to use.", selling,
                "Say what is on offer, when and where, or ask your audience something.",
            )  # fmt: skip
    return Finding(1, "pass", "Adds something to the conversation.", value or draft.thanks or draft.warm)


def grateful(draft: Draft, ctx: ReplyContext | None) -> Finding:
    """2. Grateful for feedback, good or bad, when replying to it."""
    intent = intent_of(ctx)
    mismatch = _mismatched_tone(draft, ctx, intent)
    if mismatch is not None:
        return mismatch
    if ctx is None or intent not in FEEDBACK:
        about = "no known post" if ctx is None else "a request for help" if intent == "request" else "a post"
        return Finding(2, "pass", f"Replies to {about}, not to feedback.", draft.thanks)
    thanked = _quote(draft.thanks, draft.apology)
    if intent == "complaint":
        if thanked:
            return Finding(2, "pass", "Thanks or apologises for the complaint.", thanked)
        if draft.help:
            return Finding(
                2, "warn", "Answers a complaint without thanks or an apology.", (),
                "Start with an apology or a thank-you for telling you (\"Sorry about this, ...\").",
            )  # fmt: skip
        return Finding(
            2, "fail", "Meets a complaint with neither thanks nor an apology, and no help.", (),
            "Apologise, thank them for raising it, and say what you will do.",
        )  # fmt: skip
    if intent == "praise" and (thanked or draft.warm):
        return Finding(2, "pass", "Thanks or warmly acknowledges the praise.", _quote(thanked, draft.warm))
    if intent == "feedback" and thanked:
        return Finding(2, "pass", "Thanks the person for their feedback.", thanked)
    return Finding(
        2, "warn", f"Replies to {intent} without thanking for it.", draft.warm,
        "Thank them for it (\"Thanks for the suggestion!\").",
    )  # fmt: skip


def _mismatched_tone(draft: Draft, ctx: ReplyContext | None, intent: str | None) -> Finding | None:
    """A fail when the draft thanks for praise ("kind words", "the love") that an unhappy post never gave.

    Such thanks tell the person nobody read what they wrote. The post's tone is its sentiment, and its intent
    where that says more (a complaint); a post that also praises ("the crew are amazing but ...") may be thanked.
    """
    if ctx is None or not draft.praise_only:
        return None
    unhappy = intent == "complaint" or ctx.sentiment == "negative"
    if not unhappy or words.PRAISING.search(ctx.text) or gratitude(ctx.text):
        return None
    return Finding(
        2, "fail", "Thanks the person for praise, but the post is a complaint.", draft.praise_only,
        "Answer what they said: apologise for the problem and say what you will do.",
    )  # fmt: skip


def transparent(draft: Draft, ctx: ReplyContext | None) -> Finding:
    """3. Transparent: owns a reported problem; discloses paid or sponsored content."""
    if draft.sponsor and not draft.disclosure:
        return Finding(
            3, "fail", "Reads as paid, gifted or earning a commission, with no disclosure.", draft.sponsor,
            "Disclose it plainly at the start: #ad, #sponsored or \"paid partnership with ...\".",
        )  # fmt: skip
    complaint = intent_of(ctx) == "complaint"
    owned = _quote(draft.apology, draft.ownership, draft.asks, draft.questions)
    if draft.blame:
        blame_only = complaint and not (draft.apology or draft.ownership)
        return Finding(
            3, "fail" if blame_only else "warn",
            "Shifts the complaint onto someone else and owns none of it." if blame_only
            else "Shifts the problem onto a policy or someone else.",
            draft.blame,
            "Own what you can (\"We're sorry, here is what we can do...\") rather than pointing elsewhere.",
        )  # fmt: skip
    if complaint:
        if owned:
            return Finding(3, "pass", "Owns the problem or asks for what is needed to fix it.", owned)
        return Finding(
            3, "warn", "Neither owns the problem nor asks for what is needed to fix it.", (),
            "Say sorry and what you will do (\"we'll look into it\"), or ask for the details.",
        )  # fmt: skip
    if draft.sponsor:
        return Finding(3, "pass", "Discloses that it is paid for or sponsored.", draft.disclosure)
    return Finding(3, "pass", "Nothing to disclose or own.", draft.disclosure)


def not_intrusive(draft: Draft, ctx: ReplyContext | None) -> Finding:
    """4. Not intrusive: no hard sell to a complaint; few calls to action, links, hashtags, capitals, exclamations."""
    sell = draft.hard_sell
    if ctx is not None and ctx.intent == "complaint" and sell:
        if draft.goodwill and draft.apology:
            return Finding(
                4,
                "pass",
                "Offers something as an apology for the problem, not as a sale.",
                _quote(draft.goodwill, sell),
            )
        return Finding(
            4, "fail", "Sells to someone who is complaining.", sell,
            "Fix the problem first; take the offer out of this reply.",
        )  # fmt: skip
    replying = ctx is not None or draft.reply_shaped
    problems: list[str] = []
    evidence: list[str] = []
    if sell and replying and (ctx is None or ctx.intent != "question"):
        problems.append("sells in a reply nobody asked a price in")
        evidence.extend(sell)
    if len(draft.links) > MAX_LINKS:
        problems.append(f"{len(draft.links)} links")
        evidence.extend(draft.links)
    hashtags = MAX_REPLY_HASHTAGS if replying else MAX_HASHTAGS
    if len(draft.hashtags) > hashtags:
        problems.append(f"{len(draft.hashtags)} hashtags")
        evidence.extend(draft.hashtags)
    calls = MAX_REPLY_CALLS_TO_ACTION if replying else MAX_CALLS_TO_ACTION
    if len(draft.calls_to_action) > calls:
        problems.append(f"{len(draft.calls_to_action)} calls to action")
        evidence.extend(draft.calls_to_action)
    if draft.shouting:
        problems.append("capitals")
        evidence.extend(draft.shouting)
    if draft.exclamations:
        problems.append("exclamation marks")
        evidence.extend(draft.exclamations)
    if ctx is not None and not ctx.needs_reply and ctx.recent_brand_replies > MAX_RECENT_REPLIES:
        problems.append(f"the brand already replied to this person {ctx.recent_brand_replies} times this week")
        evidence.append(f"{ctx.recent_brand_replies} brand replies in 7 days")
    if problems:
        return Finding(
            4, "warn", "Intrusive: " + "; ".join(problems) + ".", _quote(tuple(evidence)),
            "One call to action at most, few links and hashtags, no capitals or runs of exclamation marks;"
            " don't write again to someone who has not asked.",
        )  # fmt: skip
    return Finding(4, "pass", "Not intrusive.", ())


def dedicated_team(draft: Draft, ctx: ReplyContext | None) -> Finding:
    """5. A dedicated team: every inbound post that needs a reply has an owner."""
    signed = () if draft.signature is None else (draft.signature,)
    if ctx is not None and ctx.brand_replies > 0:
        return Finding(
            5, "warn", f"The post already has {ctx.brand_replies} brand repl{'y' if ctx.brand_replies == 1 else 'ies'}.",
            (), "Check with whoever answered before sending a second reply; one owner per conversation.",
        )  # fmt: skip
    asked_for_contact = ctx is not None and words.ASKS_FOR_CONTACT.search(ctx.text) is not None
    if draft.deflection and not draft.ownership and not asked_for_contact:
        return Finding(
            5, "warn", "Sends the person elsewhere without anyone taking it on.", draft.deflection,
            "Take it on here (\"DM us and I'll sort it\"), or hand over and say who will follow up.",
        )  # fmt: skip
    if ctx is None and not draft.reply_shaped:
        return Finding(5, "pass", "A post to everyone: no one is waiting on it.", ())
    if signed:
        return Finding(5, "pass", "Signed: the person knows who owns their conversation.", signed)
    owner = "gives the post an owner" if ctx is None or ctx.needs_reply else "replies"
    return Finding(
        5, "pass", f"This reply {owner}.", draft.ownership,
        "Sign it with your initials (\"^JD\") so the person knows who is looking after them.",
    )  # fmt: skip


RULES = (adds_value, grateful, transparent, not_intrusive, dedicated_team)
