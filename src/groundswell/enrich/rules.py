"""Labels no public data set here covers, from rules plus the models' outputs.

Intent, subject, needs_reply and gratitude combine what the text says (a
question mark, thanks, a suggestion, contest or sale words), who posted it
(brand or customer, reply or not, whether it mentions an account) and what the
sentiment and complaint models found. The rules are deliberately few and
readable; they were tuned on the dev half of a labelled set of real posts
(tests/data/enrich/labelled_posts.csv) and measured once on its test half
(figures and guidelines: docs/rules.md).

``RULES_VERSION`` names this rule set; it is part of every enrichment's model
version, so change it whenever a rule changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from groundswell.enrich.base import Classifier, Prediction
from groundswell.enrich.preprocess import preprocess
from groundswell.records import INTENT_LABELS, SUBJECT_LABELS, Intent, Sentiment, Subject

RULES_VERSION = "rules-3"
RULE_TASKS: dict[str, tuple[str, ...]] = {"intent": INTENT_LABELS, "subject": SUBJECT_LABELS}

COMPLAINT_THRESHOLD = 0.5
"""Complaint-model probability from which a post addressed to someone counts as a complaint."""


def _words(*alternatives: str) -> re.Pattern[str]:
    """Any of the alternatives as whole words (edges may be punctuation: ``#ad``, ``idea:``)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


# An account is mentioned: a handle (``@user`` after preprocessing) or TwACS's redacted brand handle.
_MENTION = re.compile(r"@user\b|__company__")
_GRATITUDE = re.compile(
    r"\b(?:thanks?|thank\s*(?:you|u)|thx|tnx|ty|tyvm|tysm|cheers|appreciate[sd]?|grateful|kudos|merci|danke|"
    r"gracias|diolch)\b|🙏",
    re.IGNORECASE,
)
# Thanks that mean the opposite: "thanks for nothing", thanks for a "quoted" favour.
_SARCASTIC_THANKS = re.compile(
    r"\bthanks?\s+(?:(?:a lot|so much)\s+)?for\s+(?:nothing|(?:\w+\s+)?[\"“'‘]\w+)|\bthank(?:s| you)\s+for\s+ruining",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:(?:@user|__company__)[\s,:]*)*(?:hi|hello|hey)?[\s,!]*(?:how|what|when|where|why|who|which|can|could|would|will|is|"
    r"are|do|does|did|any|anyone|should)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"\b(?:please|pls|plz|dm me|contact me|call me|let me know|advise|can you|could you|can someone|can i|need help|"
    r"want my)\b|\bhe+lp+\b",
    re.IGNORECASE,
)
# Something went wrong: a failure, a wait, a loss, bad treatment, a demand to put it right.
_PROBLEM = re.compile(
    r"\b(?:(?:does|do|did|is|are|was|were|has|have|ca|wo|could)n'?t (?:work|load|open|connect|let|get|arrive|"
    r"come|show|receive|play|download|sign|log|access|find)\w*|not (?:working|received|arrived|delivered|"
    r"fixed|refunded|responding|loading|showing)|stopped working|unable to|cannot|can'?t (?:log|sign|get|"
    r"access|use|play|download|connect|change|find|reach)|broken?|crash\w*|errors?|bugs?|glitch\w*|issues?|"
    r"problems?|fail\w*|stuck|fro(?:ze|zen)|delay\w*|cancel+(?:ed|ation)|lost|missing|damaged|"
    r"still (?:no|not|waiting|nothing|hasn'?t|haven'?t)|never (?:came|arrived|received|got|showed)|"
    r"on hold|waited|rude|unhelpful|useless|worst|terrible|horrible|awful|ridiculous|unacceptable|"
    r"disappoint\w*|frustrat\w*|annoy\w*|disgust\w*|ashamed|shame|sucks?|lame|wtf|ugh+|refund\w*|"
    r"compensat\w*|locked out|hacked|compromised|suspended|overcharged|charged twice)\b",
    re.IGNORECASE,
)
# Suggestions and requests for a change; the first, explicit, ones win over a complaint.
_SUGGESTION_EXPLICIT = _words(
    r"suggestions?(?! ?\?)",
    r"idea:",
    r"feature request",
    r"please (?:add|bring back|allow|consider|support)",
    r"bring back",
    r"you (?:should|need to|could) (?:add|offer|make|bring|consider|let|allow|support|put)",
    r"needs? to offer",
    r"any plans to",
)
_SUGGESTION = _words(
    r"would be (?:nice|great|cool|better|awesome) (?:if|to)",
    r"(?:only|just|i) wish",
    r"wish (?:you|there|it|they|the|your)",
    r"why not",
    r"should (?:really )?(?:add|offer|make|consider|allow|support)",
    r"add (?:more|an? option|an? feature|support for)",
    r"make it easier",
    r"might want to",
)
# A contest or competition is the brand's only with a second cue (sports and pageants have them too).
_CONTEST = _words(r"contests?", r"competitions?")
_CONTEST_CUE = _words(
    r"enter\w*",
    r"win",
    r"winners?",
    r"prizes?",
    r"participate",
    r"deadline",
    r"rules",
    r"rt",
    r"retweet",
    r"follow",
    r"like this",
    r"tickets",
    r"giveaways?",
)
# Pushing something: giveaways, sales and deals, sponsorship, launches, calls to buy or attend.
_PROMOTION = _words(
    r"giveaways?",
    r"sweepstakes?",
    r"enter(?:ed)? to win",
    r"win (?:tickets|free|a copy|a pair|prizes?)",
    r"\d+ ?% off",
    r"sale",
    r"deals? alert",
    r"hot deals?",
    r"(?:getaway|great|best|black friday) deals",
    r"promo ?codes?",
    r"coupons?",
    r"sponsored",
    r"#ad",
    r"shop now",
    r"buy now",
    r"order now",
    r"limited time",
    r"link in bio",
    r"check (?:it|us|them) out",
    r"don'?t forget",
    r"join (?:us|our)",
    r"(?:tix|tickets) (?:on sale|available)",
    r"on sale",
    r"save big",
    r"free upgrades?",
    r"announce",
    r"premier(?:e|es|ing)",
    r"official rules",
)
_MARKETING = _words(
    r"ads?",
    r"advert\w*",
    r"advertising",
    r"commercials?",
    r"marketing",
    r"marketers?",
    r"giveaways?",
    r"sweepstakes?",
    r"promos?",
    r"promotions?",
    r"promo ?codes?",
    r"trailers?",
    r"sponsor(?:ed|ship)?",
    r"influencers?",
    r"jingle",
    r"slogan",
    r"enter to win",
    r"deals",
    r"offers",
    r"discounts?",
    r"coupons?",
    r"sale",
    r"\d+ ?% off",
)
# A campaign is marketing unless it is an election's.
_CAMPAIGN = _words(r"campaigns?")
_POLITICS = _words(
    r"president\w*",
    r"elect\w*",
    r"vot\w+",
    r"senat\w*",
    r"congress\w*",
    r"parliament\w*",
    r"party",
    r"candidates?",
    r"gop",
    r"democrat\w*",
    r"republican\w*",
    r"politic\w*",
    r"polls?",
)
_EXPERIENCE = _words(
    r"store",
    r"shop",
    r"staff",
    r"service",
    r"order(?:ed|s)?",
    r"delivery",
    r"delivered",
    r"refund",
    r"return(?:ed)?",
    r"product",
    r"quality",
    r"queue",
    r"waited",
    r"waiting",
    r"customer service",
    r"support",
    r"bought",
    r"purchase[sd]?",
    r"flights?",
    r"delay(?:ed)?",
    r"account",
    r"app",
    r"broken",
    r"stock",
    r"crew",
    r"seats?",
    r"bags?",
    r"luggage",
    r"plane",
    r"airport",
    r"upgrade[sd]?",
    r"update[sd]?",
    r"phone",
)
# Words of praise: a positive post that says one of them praises something even when it mentions nobody.
_PRAISE = _words(
    r"lov(?:e|ed|ing)", r"amazing", r"awesome", r"best", r"great", r"excellent", r"brilliant", r"fantastic"
)
# A negator close before a word turns it around: "never had an issue", "not a single problem", "no queue".
_NEGATOR = r"(?:no|not|never|without|zero|nothing|none|nobody|hardly|\w+n't|cannot|can'?t)"
_NEGATED_BEFORE = re.compile(r"\b" + _NEGATOR + r"(?:[ \t]+[\w'-]+){0,3}[ \t]+$", re.IGNORECASE)
# Trouble is spared only when the negator governs it, across no more than a few little words ("no queue", "never
# had an issue", "not a single problem", "without any hassle"); "nobody answers my complaint" spares nothing.
_SPARED_BEFORE = re.compile(
    r"\b" + _NEGATOR + r"(?:[ \t]+(?:a|an|any|single|one|the|real|big|major|more|further|much|long|of|had|have|has|"
    r"been|was|were|is|there|ever|even|slightest|little|serious|i|we|got|get|experienced|found|seen|at|all))"
    r"{0,3}[ \t]+$",
    re.IGNORECASE,
)
# Problems whose words carry their own negation ("not working", "never arrived") or that stay problems when
# denied ("no refund"): a negator before them changes nothing.
_PROBLEM_AS_SAID = re.compile(
    r"^(?:not|never|still|cannot|can'?t|unable|\w+n'?t)\b|^(?:refund|compensat|charged|overcharged|on hold|locked out)",
    re.IGNORECASE,
)
# Trouble people are glad to be spared: negated, it is relief ("no queue", "no fuss", "can't fault them").
_TROUBLE = _words(
    r"problems?", r"issues?", r"queues?", r"waits?", r"waiting", r"delays?", r"fuss", r"hassle", r"drama",
    r"trouble", r"complaints?", r"complain", r"worries", r"stress", r"errors?", r"glitch\w*", r"bugs?", r"fault",
    r"wrong", r"let (?:me |us )?down", r"breakdowns?", r"dropped", r"hidden (?:fees|charges|costs)", r"blame",
)  # fmt: skip
# Praise said with a roll of the eyes: "great, the app is down again", "what a surprise 🙄".
_SARCASM = re.compile(
    r"(?<!\w)(?:as usual|what a surprise|yeah,? right|said no one|#fail|#not)(?!\w)|[🙄😒😤😡🤦]",
    re.IGNORECASE,
)
# A problem put right: what is left is relief ("they sorted it in minutes"); "not fixed" is no such thing.
_RESOLVED = _words(r"sorted", r"fixed", r"resolved", r"rectified", r"worked out", r"all good", r"back up", r"back on")
# Where a post turns ("but", "although"): what comes after the last turn is what its author leaves you with.
_TURN = re.compile(r"(?<!\w)(?:but|although|though|however|despite|anyway|still,)(?!\w)", re.IGNORECASE)
# Praise that a sentiment model may miss on a short post; negated ("not great") it is no praise. Thanks are not
# here: people thank before and after a complaint ("thanks, but it's still broken"); ``gratitude`` reads them.
_PRAISE_CUE = re.compile(
    r"(?<!\w)(?:"
    + "|".join((
        r"kudos", r"lov(?:e|ed|ing)", r"amazing", r"awesome", r"best", r"great", r"excellent", r"brilliant", r"fantastic", r"perfect", r"superb",
        r"wonderful", r"lovely", r"impressed", r"happy", r"pleased", r"delighted", r"legends?", r"terrific",
        r"outstanding", r"spot on", r"well done", r"top (?:service|notch)", r"you rock", r"rocks", r"the best",
        r"a winner", r"helpful", r"friendly", r"fabulous", r"😍", r"🙌", r"❤️", r"💚", r"👏", r"👍",
    ))
    + r")(?!\w)",
    re.IGNORECASE,
)  # fmt: skip
# A brand's own post that is a service notice rather than a promotion.
_SERVICE_NOTICE = _words(r"due to", r"delays?", r"disruption", r"outage", r"closed", r"we'?re aware", r"service update")
_AT_START = re.compile(r"^\s*\.?@\w")
GRATITUDE, PROMOTION, REQUEST = (
    _GRATITUDE,
    _PROMOTION,
    _REQUEST,
)  # public: the draft checker (groundswell.lint) uses them


# The rules ask the same questions of each post again and again, pass after pass over a batch of the enrich
# stage (at most 4,096 posts): the intent rule, the subject cues and the stage itself all normalise it, look for
# problems, sarcasm, promotion... Each answer is cached for a whole batch (pure functions of the text), so each
# is worked out once per post.
_per_batch = lru_cache(maxsize=8192)


@_per_batch
def _normalise(text: str) -> str:
    """The text as the models see it (entities and escapes decoded, links ``http``, handles ``@user``)."""
    return preprocess(text).replace("’", "'").replace("‘", "'")


@_per_batch
def gratitude(text: str) -> bool:
    """The post thanks someone (not sarcastically: "thanks for nothing" is no thanks)."""
    text = _normalise(text)
    return _GRATITUDE.search(text) is not None and _SARCASTIC_THANKS.search(text) is None


@_per_batch
def _promotional(text: str) -> bool:
    return _PROMOTION.search(text) is not None or (
        _CONTEST.search(text) is not None and _CONTEST_CUE.search(text) is not None
    )


@_per_batch
def _about_marketing(text: str) -> bool:
    if _MARKETING.search(text) or _promotional(text):
        return True
    return _CAMPAIGN.search(text) is not None and _POLITICS.search(text) is None


@_per_batch
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


def _addressed(post: RuleInput, text: str) -> bool:
    """Said to someone: a reply, or a post that mentions an account."""
    return post.is_reply or _MENTION.search(text) is not None


def _negated(text: str, start: int) -> bool:
    """A negator within the three words before ``start``, in the same clause."""
    return _NEGATED_BEFORE.search(text, 0, start) is not None


def _spared(text: str, start: int) -> bool:
    """Trouble at ``start`` denied by a negator that governs it (``_SPARED_BEFORE``): relief, not a problem."""
    return _SPARED_BEFORE.search(text, 0, start) is not None


@_per_batch
def has_problem(text: str) -> bool:
    """Something went wrong, said plainly: a problem word that no negator before it denies."""
    return bool(_problems_at(text))


@_per_batch
def _sarcastic(text: str) -> bool:
    return _SARCASM.search(text) is not None


@_per_batch
def _sounds_glad(text: str) -> bool:
    """Praise or relief that no negator denies ("brilliant", "no queue", "never had an issue"), and no eye-roll."""
    if _sarcastic(text):
        return False
    if any(not _negated(text, m.start()) for m in _PRAISE_CUE.finditer(text)):
        return True
    return any(_spared(text, m.start()) for m in _TROUBLE.finditer(text))


@_per_batch
def _glad_at(text: str) -> tuple[int, ...]:
    """Where praise, relief or a put-right problem is said, undenied."""
    found = [m.start() for m in _PRAISE_CUE.finditer(text) if not _negated(text, m.start())]
    found += [m.start() for m in _RESOLVED.finditer(text) if not _negated(text, m.start())]
    found += [m.start() for m in _TROUBLE.finditer(text) if _spared(text, m.start())]
    return tuple(found)


@_per_batch
def _problem_words(text: str) -> tuple[tuple[int, str], ...]:
    """Where each problem word is, and the word, denied or not."""
    return tuple((m.start(), m.group()) for m in _PROBLEM.finditer(text))


def _problems_at(text: str) -> tuple[int, ...]:
    return tuple(
        start
        for start, word in _problem_words(text)
        if _PROBLEM_AS_SAID.match(word) is not None or not _negated(text, start)
    )


def _ends_glad(text: str) -> bool:
    """The post ends on praise or relief, after whatever went wrong: "had a problem but they sorted it, top service".

    The other way round ("great, another delay") is sarcasm, and a complaint."""
    glad = _glad_at(text)
    return bool(glad) and max(glad) > max(_problems_at(text), default=-1)


def _ends_unhappy(text: str) -> bool:
    """The post turns and what follows is not glad: "thanks, but the bill is still wrong"."""
    turns = list(_TURN.finditer(text))
    return bool(turns) and not _sounds_glad(text[turns[-1].end() :])


def _is_complaint(post: RuleInput, text: str, addressed: bool) -> bool:
    problem = has_problem(text)
    glad = not problem and (post.sentiment == Sentiment.POSITIVE or _sounds_glad(text))
    if (glad or _ends_glad(text)) and not _sarcastic(text):
        return False  # a glad post with nothing wrong left in it is no complaint, whatever the models lean to
    negative = post.sentiment == Sentiment.NEGATIVE
    likely = post.complaint_probability >= COMPLAINT_THRESHOLD
    if not addressed:  # a remark to nobody in particular: only a clear complaint about something
        return likely and negative and problem
    if likely:
        return negative or problem or not is_question(text)
    return problem and (negative or post.complaint_probability >= 0.25)


def intent(post: RuleInput) -> Intent:
    """complaint, question, praise, feedback, promotion, support_reply or other."""
    text = _normalise(post.text)
    if post.is_brand:
        if post.is_reply or _AT_START.search(post.text):
            return Intent.SUPPORT_REPLY
        if _SERVICE_NOTICE.search(text) and not _promotional(text):
            return Intent.OTHER
        return Intent.PROMOTION
    addressed = _addressed(post, text)
    if _SUGGESTION_EXPLICIT.search(text) and post.sentiment != Sentiment.NEGATIVE:
        return Intent.FEEDBACK
    sincere = not has_problem(text) and not _ends_unhappy(text) and not _sarcastic(text)
    if gratitude(post.text) and sincere and not is_question(text):
        return Intent.PRAISE
    if _is_complaint(post, text, addressed):
        return Intent.COMPLAINT
    if _SUGGESTION.search(text) or _SUGGESTION_EXPLICIT.search(text):
        return Intent.FEEDBACK
    if _promotional(text) and not (addressed and is_question(text)):
        return Intent.PROMOTION
    if addressed and (is_question(text) or _REQUEST.search(text)):
        return Intent.QUESTION
    if gratitude(post.text) or (post.sentiment == Sentiment.POSITIVE and (addressed or _PRAISE.search(text))):
        return Intent.PRAISE
    return Intent.OTHER


_ASKING = (Intent.COMPLAINT, Intent.QUESTION, Intent.FEEDBACK)
"""Intents that ask the brand for something (an answer, a fix, a change)."""
_ABOUT_EXPERIENCE = (*_ASKING, Intent.SUPPORT_REPLY)
"""Intents whose post is about the product or service."""


def subject(post: RuleInput, post_intent: str) -> Subject:
    """marketing (about the brand's campaigns and ads), experience (of the product or service) or other."""
    text = _normalise(post.text)
    if post.campaign is not None or post_intent == Intent.PROMOTION or _about_marketing(text):
        return Subject.MARKETING
    if post.is_brand:
        return Subject.EXPERIENCE
    if post_intent in _ABOUT_EXPERIENCE or _EXPERIENCE.search(text):
        return Subject.EXPERIENCE
    if post_intent == Intent.PRAISE and _addressed(post, text):
        return Subject.EXPERIENCE
    return Subject.OTHER


def needs_reply(post: RuleInput, post_intent: str) -> bool:
    """A customer post asking for something: a question, a complaint, a request or suggestion; not chit-chat."""
    if post.is_brand:
        return False
    text = _normalise(post.text)
    if not _addressed(post, text):
        return False
    if post_intent in _ASKING:
        return True
    return post_intent == Intent.OTHER and _REQUEST.search(text) is not None


class RuleClassifier:
    """Intent or subject as a ``Classifier``: the rules above over a sentiment and a complaint model.

    ``predict`` treats every text as a customer's original post (not a reply);
    ``predict_posts`` takes who posted each text and whether it replies to
    another. Rules give one label, not a distribution: the chosen label has
    probability 1.
    """

    def __init__(self, task: str, sentiment: Classifier, complaint: Classifier) -> None:
        if task not in RULE_TASKS:
            raise ValueError(f"rules predict {', '.join(RULE_TASKS)}, not {task!r}")
        self.task = task
        self.labels = RULE_TASKS[task]
        self.sentiment = sentiment
        self.complaint = complaint
        self.name = f"rules-{task}+{sentiment.name}+{complaint.name}"
        self.version = f"{RULES_VERSION}+{sentiment.version}+{complaint.version}"

    def rule_inputs(
        self,
        texts: Sequence[str],
        is_brand: Sequence[bool],
        is_reply: Sequence[bool],
        campaigns: Sequence[str | None] | None = None,
        *,
        batch_size: int = 1024,
    ) -> list[RuleInput]:
        """What the rules read for each post: the text, its context and the two models' outputs."""
        if not len(texts) == len(is_brand) == len(is_reply) or (campaigns is not None and len(campaigns) != len(texts)):
            raise ValueError("texts, is_brand, is_reply (and campaigns) must have the same length")
        feelings = self.sentiment.predict(texts, batch_size=batch_size)
        complaints = self.complaint.predict(texts, batch_size=batch_size)
        return [
            RuleInput(
                text=text,
                is_brand=bool(is_brand[i]),
                is_reply=bool(is_reply[i]),
                sentiment=feelings[i].label,
                complaint_probability=complaints[i].probabilities.get("complaint", 0.0),
                campaign=None if campaigns is None else campaigns[i],
            )
            for i, text in enumerate(texts)
        ]

    def predict_posts(
        self,
        texts: Sequence[str],
        is_brand: Sequence[bool],
        is_reply: Sequence[bool],
        campaigns: Sequence[str | None] | None = None,
        *,
        batch_size: int = 1024,
    ) -> list[Prediction]:
        """One prediction per post, in order, knowing who posted it and whether it is a reply."""
        predictions = []
        for post in self.rule_inputs(texts, is_brand, is_reply, campaigns, batch_size=batch_size):
            found = intent(post)
            label: Intent | Subject = subject(post, found) if self.task == "subject" else found
            predictions.append(
                Prediction(label=label, score=1.0, probabilities={c: float(c == label) for c in self.labels})
            )
        return predictions

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        """One prediction per text, each taken as a customer's original post."""
        none = [False] * len(texts)
        return self.predict_posts(texts, none, none, batch_size=batch_size)


SUBJECT_CUES = (
    "marketing_words",
    "promotional_words",
    "experience_words",
    "problem_words",
    "gratitude",
    "politics_words",
    "question",
    "mentions_account",
    "starts_with_handle",
    "link",
    "hashtag",
)
"""The names of ``subject_cues``' values, in order."""


def subject_cues(text: str) -> tuple[bool, ...]:
    """What the rules notice in a post, as features a learned subject model weighs (named by ``SUBJECT_CUES``)."""
    clean = _normalise(text)
    return (
        _about_marketing(clean),
        _promotional(clean),
        _EXPERIENCE.search(clean) is not None,
        bool(_problem_words(clean)),
        gratitude(text),
        _POLITICS.search(clean) is not None,
        is_question(clean),
        _MENTION.search(clean) is not None,
        _AT_START.search(text) is not None,
        "http" in clean,
        "#" in clean,
    )
