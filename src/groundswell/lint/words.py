"""The words the draft checker looks for, as compiled patterns.

Words that mean the same in a customer's post and in a draft come from
``groundswell.enrich.rules`` (gratitude, promotion), so there is one
definition of each. The rest are about what a *brand's* reply does: apologise,
own a problem, give a next step, deflect, sell, disclose, sign.
"""

from __future__ import annotations

import re

from groundswell.enrich.rules import GRATITUDE, PROMOTION, REQUEST


def _words(*alternatives: str) -> re.Pattern[str]:
    """Any of the alternatives as whole words (edges may be punctuation: ``#ad``, ``^JD``)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


THANKS = GRATITUDE
PUSH = PROMOTION
# A customer asking for something ("please", "can you", "help").
REQUEST_WORDS = REQUEST

# Dissatisfaction with the brand: what makes a problem report a complaint that calls for an apology,
# rather than a request for help with a problem.
DISSATISFIED = _words(
    r"rude", r"unhelpful", r"useless", r"worst", r"terrible", r"horrible", r"awful", r"ridiculous",
    r"unacceptable", r"disappoint\w*", r"frustrat\w*", r"annoy\w*", r"disgust\w*", r"ashamed", r"shame",
    r"sucks?", r"lame", r"wtf", r"ugh+", r"pathetic", r"hate", r"bs", r"bullshit", r"crap", r"fed up",
    r"(?:tired|sick) of", r"not cool", r"a joke", r"seriously", r"again", r"still", r"never", r"every ?time",
    r"(?:for|over|after) (?:an? |\d+ )?(?:hours?|days?|weeks?|months?)", r"wasted?", r"steal\w*", r"lying", r"liars?",
    r"scam\w*", r"angry", r"pissed", r"upset", r"unhappy", r"dissatisfied", r"do better", r"fix it",
    r"(?:customer )?service is", r"no one", r"nobody", r"no help", r"no answer", r"no response",
    r"(?:so |too )?many times", r"(?:multiple|several) times", r"denied",
)  # fmt: skip
DISSATISFIED_MARKS = re.compile(r"\?!|!\?|[😡🤬😤😠😒😑🙄😭]")

APOLOGY = _words(
    r"sorry",
    r"apolog\w*",
    r"(?<!not )(?<!n't )our (?:mistake|fault|bad|error)",
    r"(?<!not )(?<!n't )my (?:mistake|bad|fault)",
    r"we (?:messed|screwed) up",
    r"regret\w*",
)
# Warm words that acknowledge praise or thanks: as good as a thank-you there.
WARM = _words(
    r"glad",
    r"happy (?:to hear|it|you|that)",
    r"(?:great|good|nice|lovely) to (?:hear|see)",
    r"(?:my|our) pleasure",
    r"pleasure",
    r"(?:you'?re|you are|you're very) welcome",
    r"thrilled",
    r"(?:love|loved) (?:that|this|to hear|it|hearing|seeing)",
    r"awesome",
    r"enjoy\w*",
    r"have (?:fun|a (?:great|wonderful|good|lovely) \w+)",
    r"best part",
    r"least we could do",
    r"welcome you",
    r"we'?re (?:here|happy) (?:to|for)",
)
# Gratitude or warmth that only fits praise: thanks for "kind words" met by an angry complaint reads as not listening.
PRAISE_ONLY = _words(
    r"(?:kind|nice|sweet|lovely|generous|warm) (?:words|feedback|message|comments?|review|note)",
    r"(?:thanks|thank you|thx) (?:so much |very much )?for (?:the|your|all the) (?:love|support|compliments?|praise"
    r"|shout[- ]?out|positive (?:feedback|review|words))",
    r"(?:glad|happy|pleased|thrilled|delighted) (?:to hear )?(?:that )?you (?:enjoyed|liked|loved|like|love|had a"
    r" (?:great|good|lovely|wonderful))\w*",
    r"(?:love|great|lovely) to hear (?:that|it|this)",
)
# Praise in the post replied to: a post that praises and complains at once may be thanked for the praise.
PRAISING = _words(
    r"lov(?:e|ed|ing)", r"amazing", r"awesome", r"best", r"great", r"excellent", r"brilliant", r"fantastic",
    r"superb", r"wonderful", r"kudos", r"(?:good|great|nice) job",
)  # fmt: skip
# Owning a reported problem: saying what we will do, have done, or are doing about it.
OWNERSHIP = _words(
    r"we(?:'ll| will| can| are going to|'re going to) (?:certainly |definitely |absolutely |gladly )?(?:look|check|fix|sort|investigate|escalate|follow|get|make"
    r"|call|refund|send|pass|share|review|help|assist|continue|take|credit|replace|reach|be in touch|forward"
    r"|let|raise|report|flag|update|keep)\w*",
    r"i(?:'ll| will| can|'d like to| would like to|'d be glad to| would be glad to| am going to) \w+",
    r"(?:we|i)(?:'re| are|'m| am) (?:looking|working|on it|investigating|aware|checking|escalating|sending|fixing)\w*",
    r"(?:we|i)(?:'ve| have) (?:fixed|found|refunded|sent|removed|escalated|checked|passed|credited|shared|added"
    r"|prohibited|responded|turned|reported|flagged|looped|forwarded|noted)\w*",
    r"(?:let us|let me|allow us to) (?:look|check|help|take|fix|sort|review|get)\w*",
    r"(?:we|i)(?:'d| would) (?:like|love|be happy|be glad|be more than happy) to (?:help|look|assist|review|check)\w*",
    r"(?:happy|glad|here) to help",
    r"so (?:that )?(?:we|i|someone on our team) (?:can|may|could) (?:help|assist|look|check|review|resolve|reach)\w*",
    r"our team (?:will|is|can)",
    r"(?:looking|look) into (?:it|this|that)",
    r"escalat\w+",
    r"it'?ll be (?:back|fixed|refunded|sorted)",
    r"working (?:on|to) (?:it|a fix|get|fix|restore)\w*",
    r"on it",
    r"to (?:better )?(?:assist|help) you",
    r"(?:just |already )(?:responded|replied|answered|sent)",
)
# Asking the person for what is needed to help them.
ASKS_DETAILS = _words(
    r"(?:please |kindly )?(?:dm|direct message|private message|message) (?:us|me)",
    r"send (?:us |me )?an? (?:dm|direct message|private message|message|email)",
    r"(?:send|share|provide|give|tell) (?:us|me)",
    r"(?:share|send|provide) (?:your|the) (?:details|info\w*|order|booking|account|tracking|email|name|number)\w*",
    r"tell us more",
    r"let (?:us|me) know",
    r"what (?:device|version|browser|error|store|information|is|are|was|happened)",
    r"(?:can|could|would) you (?:please )?(?:send|share|tell|confirm|provide|let|check|try|dm|describe)\w*",
    r"(?:have|did) you (?:tried|try|checked|check|received|filed|seen|been)",
    r"are you (?:using|getting|experiencing|still)",
    r"(?:do|did) you (?:have|get|see|need)",
    r"when did you",
    r"just to confirm",
    r"to make sure",
    r"check your (?:dms?|inbox|email)",
    r"we have sent you",
)
# A way forward: instructions, information, a link to a how-to.
HELPS = _words(
    r"(?:you can|you'?ll need to|you need to|you should|you may|you might|you could|you will) \w+",
    r"here'?s how",
    r"(?:try|trying) (?:the|these|this|using|to|restarting|reinstalling|clearing|resetting|updating|again)",
    r"(?:please |just )?(?:go|head) to",
    r"steps?",
    r"guide",
    r"articles?",
    r"tips?",
    r"help (?:pages?|centre|center|article)",
    r"troubleshoot\w*",
    r"(?:update|restart|reinstall|reset|clear|remove|cancel|check|enable|disable|turn|select|tap|click|open|use|fill)"
    r" (?:the|your|it|on|off|this|that|our|any|out|them)\b",
    r"make sure",
    r"(?:it|this|that|there) (?:is|was|will be|are|has been|isn'?t|wasn'?t|won'?t) \w+",
    r"(?:is|are) (?:available|not possible|possible|correct|included|open|closed|operational|served|allowed)",
    r"because",
    r"due to",
    r"(?:yes|no)\b[,.!]?",
    r"not (?:at this stage|yet|at the moment|right now)",
    r"will (?:be|reopen|resume|return|arrive|depart|open|close|start|run|take|need)\w*",
    r"(?:we|it|they|you)(?:'re| are|'s| is) (?:good|open|closed|available|able|allowed|eligible|covered|all set|fine)",
    r"(?:i|we) (?:think|believe|recommend|suggest)\w*",
    r"unfortunately",
    r"we (?:still |do |don'?t |can'?t |cannot )?(?:offer|accept|have|ship|serve|deliver|provide)\w*",
    r"(?:refund|replacement|credit|rebook\w*|exchange)",
    r"(?:depart|arriv|deliver|ship)\w*",
    r"more info\w*",
    r"details?",
    r"feedback (?:report|form)",
    r"submit (?:a|your)",
    r"(?:create|open|file) a (?:ticket|claim|case|request)",
    r"(?:follow|click) (?:this|the|our) link",
    r"how can (?:i|we) help",
    r"need (?:any|some)? ?(?:help|assistance)",
)
# Sending the person to another channel or team rather than taking it on here.
DEFLECTION = _words(
    r"contact (?:our |the |your )?(?:customer (?:service|care|support)|support|answer desk|chat team|team|us|them"
    r"|the seller|the carrier|your bank|store)\w*",
    r"(?:call|phone|ring) (?:us|our|the|customer)\w*",
    r"call \d[\d ()+-]{5,}",
    r"reach out to (?:our|the) (?:chat|support|customer|flight|store|seller|carrier|team)\w*(?: \w+)?",
    r"(?:visit|go to|pop into) (?:a|your|the nearest|your (?:local|nearest)) (?:store|branch|shop)",
    r"take it up with",
    r"(?:speak|talk) (?:to|with) (?:the|a|your) (?:store|branch|manager|seller|carrier|courier|crew|airport|bank)",
    r"(?:unable|not able) to (?:assist|help|view|access)\w*(?: \w+)? (?:here|through|via|on|over) \w+",
    r"cannot (?:assist|help) (?:further )?(?:here|through|via)",
    r"(?:contact|reach out to|get in touch with) (?:them|the \w+ team|one of our agents)",
    r"chat team",
)
# The person asked how to reach someone: pointing them there answers the question.
ASKS_FOR_CONTACT = _words(
    r"(?:contact|reach|speak to|talk to|get in touch with|get hold of) (?:a|an|someone|somebody|anyone|you|your|the)"
    r"(?: \w+)?",
    r"live (?:person|agent|chat)",
    r"technician",
)
BLAME = _words(
    r"not (?:our|my) (?:fault|problem|responsibility|issue)",
    r"take it up with",
    r"nothing (?:we|i) can do",
    r"you should(?:n'?t)? have",
    r"out of our (?:hands|control)",
    r"(?:that'?s|that is|it'?s|it is) (?:the|our) (?:\w+ )?policy",
)
# Selling: a discount, a code, a price push, a call to buy. In a reply to a complaint this is a hard sell.
HARD_SELL = _words(
    r"\d+ ?% off",
    r"(?:promo|discount|coupon|voucher) ?codes?",
    r"(?:use|with) (?:my |our |the )?code \w+",
    r"codes? (?-i:[A-Z][A-Z0-9]{2,})",  # "code BF30"; upper case even though the rest ignores case
    r"(?:shop|buy|order|book|upgrade|subscribe|sign up|grab|get) (?:now|today|yours|ahead|the collection|your next)",
    r"upgrade to \w+",
    r"sign up",
    r"(?:new arrivals|deals?|sales?|offers?|bargains?) (?:are|is|start|end|on|this|today)\w*",
    r"black friday",
    r"treat yourself",
    r"complete the look",
    r"(?:check out|have you seen|don'?t miss) our (?:new|latest|deals|offers|sale|collection|range)\w*",
    r"shop (?:the|our)",
    r"double (?:miles|points)",
    r"limited time",
    r"save (?:big|\d+|up to)",
)
# A sale offered to make up for a problem, with an apology: a goodwill gesture, not a pitch.
GOODWILL = _words(
    r"as a (?:thank[- ]?you|gesture|goodwill|token|apology)",
    r"on us",
    r"for (?:the|your) (?:trouble|inconvenience|patience|wait)",
    r"to make (?:it|this|up)",
    r"goodwill",
)
CALL_TO_ACTION = _words(
    r"(?:shop|buy|order|book) (?:now|today|online|ahead|here)",
    r"sign up",
    r"subscribe",
    r"follow us",
    r"(?:rt|retweet|share) (?:this|with|to)",
    r"\brt and",
    r"tag (?:a|your) friends?",
    r"click (?:the|this|here)",
    r"(?:link|details) in bio",
    r"(?:enter|register|join|download|install) (?:now|today|here|to win)",
    r"don'?t miss(?: out)?",
    r"hurry",
    r"act now",
    r"(?:grab|get) yours",
    r"while (?:stocks|supplies) last",
    r"limited time",
    r"(?:use|with) (?:my |our |the )?(?:promo |discount )?code",
    r"check (?:it|us|them) out",
    r"like this (?:status|post)",
)
# Signs that a post is paid for, given, or earns its writer something.
SPONSOR_CUE = _words(
    r"(?:proud|excited|thrilled|happy) to (?:partner|team up|collaborate|work) with",
    r"partnered with",
    r"in partnership with",
    r"brand ambassadors?",
    r"ambassadors? for",
    r"(?:they|who) sent me",
    r"gifted",
    r"#gifted",
    r"#partner\w*",
    r"#collab\w*",
    r"#spon",
    r"#sp",
    r"(?:use|with) my (?:\w+ )?code",
    r"my (?:promo |discount |affiliate )?code",
    r"paid (?:me|us) to",
)
DISCLOSURE = _words(
    r"#ad",
    r"#ads",
    r"#advert\w*",
    r"ad:",
    r"\[ad\]",
    r"#sponsored",
    r"sponsored(?: by)?",
    r"#paid\w*",
    r"paid (?:partnership|post|promotion|collaboration|ad)",
    r"affiliate links?",
    r"(?:i|we) (?:earn|get|receive) (?:a )?(?:small )?commission",
    r"#affiliate",
)

# Something a reader can use in a broadcast: when, where, what, how.
SUBSTANCE = _words(
    r"today", r"tonight", r"tomorrow", r"this (?:week|weekend|month|morning|evening)",
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day", r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*",
    r"rules", r"details", r"winners?", r"recipe", r"menu", r"available", r"in (?:all )?(?:our )?stores?", r"online",
    r"here'?s", r"how to", r"new", r"tips?", r"until", r"through", r"from", r"at",
)  # fmt: skip
WARM_EMOJI = re.compile(r"[😊🙂😄😀😃😁😉❤💙💛💚🧡💜👍🙌🎉😍🥰🤗☺✨🎃👻]")
# A link, also written without its scheme ("apple.com/deals", "ups.com/track").
URL = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*", re.IGNORECASE)
HASHTAG = re.compile(r"(?<![\w&])#\w+")
HANDLE = re.compile(r"(?<![\w@])@\w+")
EXCLAIM_RUN = re.compile(r"!{3,}")
LETTER_WORD = re.compile(r"(?<![\w#@/])[A-Za-z][A-Za-z']*[A-Za-z](?![\w])")
# Short upper-case words that are names of things, not shouting.
ACRONYMS = frozenset(
    [
        "ASAP",
        "HTTP",
        "HTTPS",
        "HTML",
        "NASA",
        "NCAA",
        "USPS",
        "FIFA",
        "NASCAR",
        "UEFA",
        "COVID",
        "ATVI",
        "IKEA",
        "JPEG",
        "MSRP",
        "RSVP",
        "SIM",
        "VPN",
        "WIFI",
    ]
)
# A signature: a name or initials at the end: ``^JD``, ``*TMT``, ``/CB``, ``~Heather B.``, ``-Anna``, ``- Matt``,
# ``Thanks-Sha``. A ``/`` right after a word is a link's path ("apple.com/deals"), never a signature.
SIGNATURE = re.compile(
    r"(?:(?:[\^*~]|(?<!\w)/)\s?[A-Za-z][A-Za-z.]{0,15}(?:\s[A-Z][a-z]*\.?)?"
    r"|(?:^|[\s\w.!])-\s?[A-Z][A-Za-z]{1,15}\.?)\s*$"
)
# What may follow a signature: links, a part counter ("2/2"), emoji and spaces.
SIGNATURE_TAIL = re.compile(r"(?:\s*(?:https?://\S+|\(?\d/\d\)?|[^\w\s.!?,;:'\"()^*~/-]))+\s*$")
REPLY_SHAPED = re.compile(r"^\s*\.?@\w")
