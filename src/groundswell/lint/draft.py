"""What a draft says, found once: each kind of words it uses, quoted as written."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from groundswell.enrich.rules import gratitude
from groundswell.lint import words

# How many quotes of one kind are kept as evidence.
_MAX_QUOTES = 4
# A question the draft asks, back to the start of its sentence.
_QUESTION = re.compile(r"[^.!?]{3,}\?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SPACES = re.compile(r"\s+")


def _found(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    """The distinct matches of ``pattern`` in ``text`` (case aside), in order, as written."""
    seen: dict[str, str] = {}
    for match in pattern.finditer(text):
        quote = match.group(0).strip()
        if quote and quote.lower() not in seen:
            seen[quote.lower()] = quote
            if len(seen) == _MAX_QUOTES:
                break
    return tuple(seen.values())


def _shouting(prose: str) -> tuple[str, ...]:
    """Upper-case words, when they read as shouting: three in a row, four long ones, or a third of the words.

    Two in a row ("DEAL ALERT") or a product name ("URSA") is not shouting.
    """
    tokens = words.LETTER_WORD.findall(prose)
    shouted = [t.isupper() and t.replace("'", "") not in words.ACRONYMS for t in tokens]
    caps = [t for t, s in zip(tokens, shouted, strict=True) if s]
    run = longest = 0
    for s in shouted:
        run = run + 1 if s else 0
        longest = max(longest, run)
    long_caps = sum(len(t) >= 4 for t in caps)
    if len(caps) >= 3 and (longest >= 3 or long_caps >= 4 or len(caps) >= 0.3 * len(tokens)):
        return tuple(dict.fromkeys(caps))[:6]
    return ()


def _signature(text: str) -> str | None:
    body = words.SIGNATURE_TAIL.sub("", text).rstrip()
    match = words.SIGNATURE.search(body)
    return match.group(0).strip(" .-").strip() if match else None


@dataclass(frozen=True, slots=True)
class Draft:
    """The words of each kind a draft uses (empty when none)."""

    text: str
    reply_shaped: bool
    thanks: tuple[str, ...]
    apology: tuple[str, ...]
    warm: tuple[str, ...]
    praise_only: tuple[str, ...]
    ownership: tuple[str, ...]
    asks: tuple[str, ...]
    helps: tuple[str, ...]
    deflection: tuple[str, ...]
    blame: tuple[str, ...]
    hard_sell: tuple[str, ...]
    goodwill: tuple[str, ...]
    push: tuple[str, ...]
    calls_to_action: tuple[str, ...]
    sponsor: tuple[str, ...]
    disclosure: tuple[str, ...]
    links: tuple[str, ...]
    hashtags: tuple[str, ...]
    shouting: tuple[str, ...]
    exclamations: tuple[str, ...]
    signature: str | None
    questions: tuple[str, ...]
    substance: tuple[str, ...]
    digits: bool
    unsold_value: tuple[str, ...]

    @property
    def selling(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.hard_sell, *self.push, *self.calls_to_action)))

    @property
    def value(self) -> tuple[str, ...]:
        """Words that help: an answer, information, a next step, a question for details, a help link."""
        found = (*self.helps, *self.asks, *self.ownership, *self.deflection, *self.questions)
        if self.links and not self.selling:
            found = (*found, *self.links[:1])
        return tuple(dict.fromkeys(found))

    @property
    def help(self) -> tuple[str, ...]:
        """``value`` found outside the sentences that sell ("Have you seen our deals?" asks nothing)."""
        return self.value if not self.selling else self.unsold_value


def _value_words(prose: str) -> tuple[str, ...]:
    kinds = (words.HELPS, words.ASKS_DETAILS, words.OWNERSHIP, words.DEFLECTION, _QUESTION)
    return tuple(dict.fromkeys(q for pattern in kinds for q in _found(pattern, prose)))


def _selling(sentence: str) -> bool:
    return any(p.search(sentence) for p in (words.HARD_SELL, words.CALL_TO_ACTION)) or any(
        not words.DISCLOSURE.fullmatch(m.group(0)) for m in words.PUSH.finditer(sentence)
    )


def read_draft(text: str) -> Draft:
    """Find each kind of words in a draft, once."""
    # one space for any run: quotes read as written, and no pattern backtracks over a long run
    text = _SPACES.sub(" ", html.unescape(text).replace("’", "'").replace("‘", "'")).strip()
    links = _found(words.URL, text)
    # Words inside links and handles say nothing about the draft ("support.google.com/answer/...").
    prose = words.HANDLE.sub(" ", words.URL.sub(" ", text))
    exclamations = _found(words.EXCLAIM_RUN, prose)
    if not exclamations and prose.count("!") >= 4:
        exclamations = ("!" * prose.count("!"),)
    signature = _signature(text)
    hard_sell, calls_to_action = _found(words.HARD_SELL, prose), _found(words.CALL_TO_ACTION, prose)
    # "#sponsored" is a disclosure, not a push.
    push = tuple(q for q in _found(words.PUSH, prose) if not words.DISCLOSURE.fullmatch(q))
    unsold: tuple[str, ...] = ()
    if hard_sell or calls_to_action or push:
        unsold = _value_words(" ".join(s for s in _SENTENCE.split(prose) if not _selling(s)))
    return Draft(
        text=text,
        reply_shaped=words.REPLY_SHAPED.search(text) is not None,
        thanks=_found(words.THANKS, prose) if gratitude(prose) else (),
        apology=_found(words.APOLOGY, prose),
        warm=_found(words.WARM, prose) + _found(words.WARM_EMOJI, prose),
        praise_only=_found(words.PRAISE_ONLY, prose),
        ownership=_found(words.OWNERSHIP, prose),
        asks=_found(words.ASKS_DETAILS, prose),
        helps=_found(words.HELPS, prose),
        deflection=_found(words.DEFLECTION, prose),
        blame=_found(words.BLAME, prose),
        hard_sell=hard_sell,
        goodwill=_found(words.GOODWILL, prose),
        push=push,
        calls_to_action=calls_to_action,
        sponsor=_found(words.SPONSOR_CUE, prose),
        disclosure=_found(words.DISCLOSURE, prose),
        links=links,
        hashtags=tuple(words.HASHTAG.findall(prose)),
        # a signature's initials ("^JD") are no shouting
        shouting=_shouting(prose.rsplit(signature, 1)[0] if signature else prose),
        exclamations=exclamations,
        signature=signature,
        questions=_found(_QUESTION, prose),
        substance=_found(words.SUBSTANCE, prose),
        digits=any(c.isdigit() for c in prose),
        unsold_value=unsold,
    )
