"""How each kind of conversation in the demo world unfolds.

``Stories.conversation(day)`` builds one whole conversation as a list of
drafts (small mutable lists, slots named below); the world then time-orders,
numbers and freezes it. Whether the brand answers, how fast, and whether the
answer helps are decided here, post by post, from the ``BrandProfile`` knobs.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, Protocol

from groundswell.demo import text as tx
from groundswell.demo import truth
from groundswell.demo.profiles import BrandProfile
from groundswell.demo.text import Identity

# Draft slots: [time (s from start), parent draft, author, text, lang, location, like boost, post id, replies,
# the true labels of a customer's post (None for the brand's)]
T, PARENT, AUTHOR, TEXT, LANG, LOC, BOOST, PID, NREPLIES, TRUTH = range(10)
Draft = list[Any]
# (platform, author_id, handle, followers, is_brand, url_prefix[, first_name, lang])
Person = tuple[Any, ...]

# A customer's platform follows from their number: 15 in 20 on Twitter, 3 on Mastodon, 2 on Bluesky.
PLATFORM_BY_SLOT = ("twitter",) * 15 + ("mastodon",) * 3 + ("bluesky",) * 2
PLATFORM_SLOTS = {"twitter": (0, 15), "mastodon": (15, 3), "bluesky": (18, 2)}
_BASE_KINDS = ("store", "question", "complaint", "praise", "chat")
_BASE_WEIGHTS = (0.30, 0.18, 0.13, 0.10, 0.07)
_NAMES, _WORDS = len(tx.FIRST_NAMES), len(tx.HANDLE_WORDS)
_CAP_NAMES = tuple(n.capitalize() for n in tx.FIRST_NAMES)
_CAP_WORDS = tuple(w.capitalize() for w in tx.HANDLE_WORDS)


def make_customer(idx: int, salt: int) -> Person:
    """(platform, author_id, handle, followers, False, url_prefix, first_name, lang), from the number alone.

    Derived, not stored, so memory stays flat however many customers there are;
    handles are unique by construction (mixed-radix over two word lists).
    """
    h = ((idx + 1) * 2654435761 ^ salt) & 0xFFFFFFFF
    h2 = ((idx + 7) * 0x85EBCA6B ^ (salt >> 3)) & 0xFFFFFFFF
    followers = int(15.0 / ((h + 0.5) / 4294967296.0) ** 0.95)  # Pareto: most < 100, a few > 10k
    a, b = idx % _NAMES, (idx // _NAMES) % _WORDS
    generation = idx // (_NAMES * _WORDS)
    suffix = str(generation) if generation else ""
    style = (idx // 7) % 3
    if style == 0:
        base = f"{tx.FIRST_NAMES[a]}_{tx.HANDLE_WORDS[b]}{suffix}"
    elif style == 1:
        base = f"{_CAP_NAMES[a]}{_CAP_WORDS[b]}{suffix}"
    else:
        base = f"{tx.HANDLE_WORDS[b]}_{tx.FIRST_NAMES[a]}{suffix}"
    platform = PLATFORM_BY_SLOT[idx % 20]
    if platform == "twitter":
        handle, prefix = base, f"https://twitter.com/{base}/status/"
    else:
        if platform == "mastodon":
            handle = f"{base.lower()}@{tx.INSTANCES[h2 % len(tx.INSTANCES)]}"
        else:
            handle = f"{base.lower().replace('_', '-')}.bsky.social"
        prefix = url_prefix(platform, handle)
    lang = tx.FOREIGN_LANGS[(h2 >> 8) % len(tx.FOREIGN_LANGS)] if (h2 >> 16) % 100 < 4 else "en"
    return (
        platform,
        str(100000 + idx),
        handle,
        followers,
        False,
        prefix,
        _CAP_NAMES[a],
        lang,
    )


def url_prefix(platform: str, handle: str) -> str:
    if platform == "twitter":
        return f"https://twitter.com/{handle}/status/"
    if platform == "mastodon":
        user, _, instance = handle.partition("@")
        return f"https://{instance}/@{user}/"
    return f"https://bsky.app/profile/{handle}/post/"


def brand_handle(ident: tx.Identity, platform: str, role: str) -> tuple[str, float]:
    """The account that plays ``role`` on ``platform``, and its share of the main audience."""
    if platform == "twitter":
        return (ident.support, 0.12) if role == "support" else (ident.marketing, 1.0)
    if platform == "mastodon":
        return ident.mastodon, 0.04
    return ident.bluesky, 0.06


def _vip(followers: int) -> float:
    """How much a brand that favours the well-followed favours this one (0 to 1)."""
    return 0.0 if followers < 100 else 0.3 if followers < 1000 else 0.7 if followers < 10000 else 1.0


class Facts(dict[str, str]):
    """A conversation's facts, drawn lazily the first time a template asks, then kept."""

    __slots__ = ("store", "stories")  # no per-conversation __dict__
    stories: Stories
    store: int

    def __missing__(self, key: str) -> str:
        value = self.stories.fact(self, key)
        self[key] = value
        return value


class World(Protocol):
    """What the conversation builders ask of a world (``world._World`` is the one)."""

    profile: BrandProfile
    ident: Identity
    r: Callable[[], float]
    customers: int
    day_total: list[float]  # expected posts per day, and its parts: the base, the contest, the ad, the viral story
    contest: list[float]
    ad: list[float]
    viral: list[float]

    def customer(self, idx: int) -> tuple[Any, ...]: ...
    def pick_customer(self, *, loyal: bool = True) -> tuple[Any, ...]: ...
    def peer(self, platform: str, not_id: str) -> tuple[Any, ...]: ...
    def brand_account(self, platform: str, role: str, day: int) -> tuple[Any, ...]: ...
    def root_time(self, day: int) -> int: ...
    def soon(self, t: int, median_s: float) -> int: ...
    def reply_time(self, t: int, vip: float) -> int: ...


class Stories:
    """The conversation builders of one world."""

    def __init__(self, world: World):
        self.w = world
        self.p = p = world.profile
        self.ident = ident = world.ident
        self.r = r = world.r
        self.base_ctx = {
            "brand": ident.slug, "ctag": ident.contest_tag, "atag": ident.ad_tag, "clink": ident.contest_link,
            "alink": ident.ad_link, "site": ident.site, "stores": str(len(ident.stores)), "support": ident.support,
        }  # fmt: skip
        n = len(ident.stores)
        staff = tx.STAFF_NAMES
        self.staff = [tuple(staff[(i * 5 + k * 7) % len(staff)] for k in range(4)) for i in range(n)]
        # each store has its own standard: a few excellent, a few poor (the per-location story)
        self.quality = [
            min(0.97, max(0.05, p.experience_quality + ((zlib.crc32(s.encode()) % 41) - 20) / 100.0))
            for s in ident.stores
        ]
        self.viral_store = int(r() * min(n, 8))
        self.mentions = {
            ("twitter", "support"): f"@{ident.support}", ("twitter", "marketing"): f"@{ident.marketing}",
            ("mastodon", "support"): f"@{ident.mastodon}", ("mastodon", "marketing"): f"@{ident.mastodon}",
            ("bluesky", "support"): f"@{ident.bluesky}", ("bluesky", "marketing"): f"@{ident.bluesky}",
        }  # fmt: skip
        total = sum(_BASE_WEIGHTS)
        self.kind_cum = [sum(_BASE_WEIGHTS[: i + 1]) / total for i in range(len(_BASE_WEIGHTS))]
        self.launch_t: int | None = None
        self.viral_t: int | None = None

    # -- helpers ---------------------------------------------------------------------

    def ctx(self, cust: Person, store: int) -> Facts:
        """One conversation's facts: the same store, product and agent all through the thread."""
        c = Facts(self.base_ctx)
        c.stories = self
        c.store = store
        c["name"] = cust[6]
        return c

    def fact(self, c: Facts, key: str) -> str:
        """Draw the fact a template asked for (most templates use two or three of them)."""
        r = self.r
        if key == "town":
            return self.ident.stores[c.store]
        if key == "staff":
            return self.staff[c.store][int(r() * 4)]
        if key in _PRODUCT_KEYS:
            name = c.get("product")
            if name is None:
                name, price, kind = tx.PRODUCTS[int(r() * len(tx.PRODUCTS))]
                c["product"] = name
            else:
                price, kind = _PRODUCT_INFO.get(name, (99, "kit"))
            failures = tx.FAILURES[kind]
            c.setdefault("price", str(price))
            c.setdefault("is", "are" if name in tx.PLURAL_PRODUCTS else "is")
            c.setdefault("failure", failures[int(r() * len(failures))])
            return dict.__getitem__(c, key)
        if key == "sig_name":
            return _SIG_NAMES[c["sig"]]
        if key == "order":
            return f"{self.ident.slug[:2].upper()}-{1000000 + int(r() * 8999999)}"
        if key == "n":
            return str(10 + int(r() * 50))
        if key == "days":
            return str(3 + int(r() * 12))
        if key == "weeks":
            return str(2 + int(r() * 10))
        bank = _FACT_BANKS.get(key)
        if bank is None:
            raise KeyError(key)  # a template names a fact nobody defined: a bug in text.py
        return bank[int(r() * len(bank))]

    def store(self) -> int:
        return int(len(self.staff) * self.r() ** 1.4)  # big-city stores see more visitors

    def pick(self, bank: tuple[str, ...], c: Facts) -> str:
        return bank[int(self.r() * len(bank))].format_map(c)

    def said(self, bank: tuple[str, ...], c: Facts) -> tuple[str, truth.Truth]:
        """A customer's post from ``bank``, and what it truly is."""
        template = bank[int(self.r() * len(bank))]
        return template.format_map(c), truth.of(template)

    def draft(self, drafts: list[Draft], t: int, parent: Draft | None, author: Person, text: str,
              lang: str = "en", loc: str | None = None, boost: float = 1.0,
              labels: truth.Truth | None = None) -> Draft:  # fmt: skip
        d = [t, parent, author, text, lang, loc, boost, None, 0, labels]
        if parent is not None:
            parent[NREPLIES] += 1
        drafts.append(d)
        return d

    def reply(self, drafts: list[Draft], t: int, parent: Draft, author: Person, to: Person, body: str,
              lang: str = "en", boost: float = 1.0, labels: truth.Truth | None = None) -> Draft:  # fmt: skip
        """A reply opens with the @handle of the person it answers, as on every platform here."""
        return self.draft(drafts, t, parent, author, f"@{to[2]} {body}", lang, None, boost, labels)

    def customer_says(self, cust: Person, which: int, bank: tuple[str, ...], c: Facts) -> tuple[str, str, truth.Truth]:
        """A follow-up in the customer's own language (thanks: 3, unhappy: 4), and what it truly is."""
        lang = cust[7]
        if lang != "en":
            return tx.FOREIGN[lang][which], lang, truth.FOREIGN[which]
        text, labels = self.said(bank, c)
        return text, "en", labels

    # -- the dispatcher -----------------------------------------------------------------

    def conversation(self, day: int) -> list[Draft]:
        w, r = self.w, self.r
        u = r() * w.day_total[day]
        if u < w.viral[day]:
            return self.viral(day)
        u -= w.viral[day]
        if u < w.contest[day]:
            return self.campaign(day, contest=True)
        u -= w.contest[day]
        if u < w.ad[day]:
            return self.campaign(day, contest=False)
        if r() < self.p.broadcast_share:
            return self.broadcast(day, tx.BROADCASTS, 0.5, 1.0)
        kind = _BASE_KINDS[min(bisect_right(self.kind_cum, r()), len(_BASE_KINDS) - 1)]
        return self.customer_post(day, kind)

    # -- customers' own posts ----------------------------------------------------------

    def customer_post(self, day: int, kind: str) -> list[Draft]:
        r, w = self.r, self.w
        cust = w.pick_customer()
        platform, lang = cust[0], cust[7]
        store = self.store()
        c = self.ctx(cust, store)
        if kind == "store":
            kind = "store_good" if r() < self.quality[store] else "store_bad"
        needs = kind in ("store_bad", "question", "complaint")
        role = "support" if needs and r() < 0.6 else "marketing"
        mention = self.mentions[(platform, role)]
        help_tpl = ""
        if lang != "en" and kind != "chat":
            which = 0 if kind in ("store_bad", "complaint") else 1 if kind == "question" else 2
            tpl = tx.FOREIGN[lang][which]
            body = f"{mention} {tpl.format_map(c)}"
            labels = truth.FOREIGN[which]
            help_tpl = tx.FOREIGN_ANSWERS[min(which, 1)]
        else:
            if needs:
                paired = _PAIRED_BANKS[kind]
                tpl, help_tpl = paired[int(r() * len(paired))]
            else:
                plain = _PLAIN_BANKS[kind]
                tpl = plain[int(r() * len(plain))]
            body = self.compose(tpl.format_map(c), kind, mention, tpl)
            lang = "en"
            labels = truth.of(tpl)
        drafts: list[Draft] = []
        loc = c["town"] if "{town}" in tpl else None
        first = self.draft(drafts, w.root_time(day), None, cust, body, lang, loc, labels=labels)
        if needs:
            self.support_flow(drafts, first, cust, c, help_tpl, role, day)
        elif kind == "chat":
            self.thank_flow(drafts, first, cust, c, self.p.praise_reply_rate * 0.3, tx.CHAT_REPLIES, 0.35, day)
        else:
            bank = tx.STORE_THANKS if kind == "store_good" else tx.PRAISE_REPLIES
            self.thank_flow(drafts, first, cust, c, self.p.praise_reply_rate, bank, 0.04, day)
        return drafts

    def compose(self, core: str, kind: str, mention: str, tpl: str) -> str:
        """Opener + core + tail + emoji, the mention first or last (or absent when the brand is named)."""
        r = self.r
        if kind in ("store_bad", "complaint"):
            opener = tx.COMPLAINT_OPENERS[int(r() * len(tx.COMPLAINT_OPENERS))]
            tail = (
                tx.COMPLAINT_TAILS[int(r() * len(tx.COMPLAINT_TAILS))]
                + tx.NEGATIVE_EMOJI[int(r() * len(tx.NEGATIVE_EMOJI))]
            )
        elif kind == "question":
            opener = tx.QUESTION_OPENERS[int(r() * len(tx.QUESTION_OPENERS))]
            tail = tx.QUESTION_TAILS[int(r() * len(tx.QUESTION_TAILS))]
        else:
            opener = ""
            tail = tx.PRAISE_TAILS[int(r() * len(tx.PRAISE_TAILS))] if kind != "chat" else ""
            tail += tx.POSITIVE_EMOJI[int(r() * len(tx.POSITIVE_EMOJI))]
        u = r()
        if u < 0.1:
            core = core.lower()  # people type fast
        elif opener.endswith((", ", ": ")) and tpl[0] != "{":
            core = core[0].lower() + core[1:]  # "Hi, my tent..." (never lowercases a name)
        elif opener and not opener.endswith((", ", ": ")):
            core = core[0].upper() + core[1:]
        if "{brand}" in tpl and u > (0.5 if kind == "chat" else 0.9):
            mention = ""  # talks about the brand without tagging it: not inbound
        if u < 0.55 and mention:
            return f"{mention} {opener}{core}{tail}"
        text = opener + core
        text = text[0].upper() + text[1:] + tail
        return f"{text} {mention}" if mention else text

    # -- the brand's side ---------------------------------------------------------------

    def support_flow(self, drafts: list[Draft], first: Draft, cust: Person, c: Facts,
                     help_tpl: str, role: str, day: int) -> None:  # fmt: skip
        """A post that needs an answer: peers, auto-reply, the human reply (or none), the aftermath."""
        r, w, p, say = self.r, self.w, self.p, self.reply
        platform = cust[0]
        t0 = first[T]
        vip = _vip(cust[3])
        support = w.brand_account(platform, "support", day)
        if r() < p.peer_reply_rate:
            at, peer = w.soon(t0, 2400), w.peer(platform, cust[1])  # drawn before the text, as always
            text, labels = self.said(tx.PEER_REPLIES, c)
            say(drafts, at, first, peer, cust, text, labels=labels)
        if r() < p.auto_reply_rate:
            say(drafts, t0 + 5 + int(r() * 90), first, support, cust, self.pick(tx.AUTO_REPLIES, c), boost=0.0)
        last = first
        c["m"] = self.mentions[(platform, role)]
        if r() >= min(0.99, p.reply_rate + p.vip_bias * vip):
            if r() < p.chase_rate:  # ignored: the customer chases, into their own thread
                text, lang, labels = self.customer_says(cust, 4, tx.CHASERS, c)
                self.draft(drafts, t0 + 3600 * (2 + int(r() * 40)), first, cust, text, lang, labels=labels)
            return
        t1 = w.reply_time(t0, vip * p.vip_bias)
        if t1 - t0 > 3 * 3600 and r() < p.chase_rate:
            text, lang, labels = self.customer_says(cust, 4, tx.CHASERS, c)
            at = t0 + int((t1 - t0) * (0.3 + 0.4 * r()))
            last = self.draft(drafts, at, first, cust, text, lang, labels=labels)
        if platform == "twitter" and role == "marketing" and r() < 0.35:
            # the main account saw it first and hands over: two brand replies in a row
            marketing = w.brand_account(platform, "marketing", day)
            th = last[T] + 60 + int((t1 - last[T]) * 0.3 * r())
            last = say(drafts, th, last, marketing, cust, self.pick(tx.HANDOFFS, c), boost=0.05)
            t1 = max(t1, th + 120)
        helped = r() < p.help_rate
        answer = help_tpl.format_map(c) if helped else self.pick(tx.GENERIC_REPLIES, c)
        last = say(drafts, t1, last, support, cust, answer, boost=0.05)
        if r() < p.double_reply_rate:
            more = self.pick(tx.FOLLOWUP_HELP if helped else tx.FOLLOWUP_GENERIC, c)
            last = say(drafts, last[T] + 60 + int(r() * 900), last, support, cust, more, boost=0.05)
        if helped:
            if r() < 0.65:
                text, lang, labels = self.customer_says(cust, 3, tx.THANKS, c)
                say(drafts, w.soon(last[T], 2400), last, cust, support, text, lang, labels=labels)
            return
        if r() < 0.6:
            text, lang, labels = self.customer_says(cust, 4, tx.UNHAPPY, c)
            upset = say(drafts, w.soon(last[T], 1800), last, cust, support, text, lang, labels=labels)
            if r() < p.reply_rate * 0.7:
                esc = say(drafts, w.reply_time(upset[T], 0.0), upset, support, cust, self.pick(tx.ESCALATIONS, c))
                if r() < p.help_rate:
                    text, lang, labels = self.customer_says(cust, 3, tx.THANKS, c)
                    say(drafts, w.soon(esc[T], 3600), esc, cust, support, text, lang, labels=labels)
                elif r() < 0.5:
                    text, lang, labels = self.customer_says(cust, 4, tx.UNHAPPY_AGAIN, c)
                    say(drafts, w.soon(esc[T], 3600), esc, cust, support, text, lang, labels=labels)

    def thank_flow(self, drafts: list[Draft], first: Draft, cust: Person, c: Facts, rate: float,
                   bank: tuple[str, ...], peer_rate: float, day: int) -> None:  # fmt: skip
        """A post that needs no answer: maybe a thank-you from the brand, maybe a peer chimes in."""
        r, w, say = self.r, self.w, self.reply
        platform = cust[0]
        if r() < rate:
            account = w.brand_account(platform, "marketing", day)
            thanks = say(drafts, w.reply_time(first[T], 0.0), first, account, cust, self.pick(bank, c), boost=0.1)
            if r() < 0.25:
                at = w.soon(thanks[T], 1200)
                text, labels = self.said(tx.HEARTS, c)
                say(drafts, at, thanks, cust, account, text, labels=labels)
        if r() < peer_rate:
            at, peer = w.soon(first[T], 3600), w.peer(platform, cust[1])
            text, labels = self.said(tx.CHAT_PEER, c)
            say(drafts, at, first, peer, cust, text, labels=labels)

    def broadcast(self, day: int, bank: tuple[str, ...], boost: float, pull: float, at: int | None = None,
                  tag: str = "") -> list[Draft]:  # fmt: skip
        """A brand post to everyone; replies are buzz, the odd hijacking complaint, and fans agreeing."""
        r, w, say = self.r, self.w, self.reply
        u = r()
        platform = "twitter" if u < 0.7 or at is not None else "mastodon" if u < 0.88 else "bluesky"
        account = w.brand_account(platform, "marketing", day)
        t = at if at is not None else day * 86400 + (9 + int(r() * 9)) * 3600 + int(r() * 3600)
        c = self.ctx(w.customer(0), self.store())
        drafts: list[Draft] = []
        root = self.draft(drafts, t, None, account, self.pick(bank, c), boost=boost)
        for _ in range(int(r() * r() * (2.0 + 5.0 * pull))):
            fan = w.peer(platform, "")
            fc = self.ctx(fan, self.store())
            at_t = w.soon(t, 3600)
            if r() < 0.15:
                hijack, fix = tx.BROADCAST_HIJACK[int(r() * len(tx.BROADCAST_HIJACK))]
                post = say(drafts, at_t, root, fan, account, hijack.format_map(fc), labels=truth.of(hijack))
                self.support_flow(drafts, post, fan, fc, fix, "marketing", day)
            else:
                cheer, labels = self.said(tx.BROADCAST_BUZZ, fc)
                if tag and r() < 0.4:
                    cheer = f"{cheer} {tag}"  # fans repeat the campaign hashtag
                post = say(drafts, at_t, root, fan, account, cheer, boost=0.5, labels=labels)
                if r() < 0.12:  # the groundswell: fans talking to each other under the brand's post
                    at, peer = w.soon(at_t, 1200), w.peer(platform, fan[1])
                    agree, labels = self.said(tx.AGREE, fc)
                    say(drafts, at, post, peer, fan, agree, labels=labels)
        return drafts

    # -- campaigns and the viral story -------------------------------------------------

    def campaign(self, day: int, *, contest: bool) -> list[Draft]:
        r, w, p = self.r, self.w, self.p
        pull = p.campaign_intensity
        if contest and self.launch_t is None:
            self.launch_t = day * 86400 + 9 * 3600  # launch post first thing, then the flood
            return self.broadcast(day, tx.CONTEST_BROADCASTS[:1], 1.0 + pull, 2.0 * pull + 1.0, at=self.launch_t,
                                  tag=self.ident.contest_tag)  # fmt: skip
        if r() < min(0.25, p.broadcast_share * 1.2):
            bank = tx.CONTEST_BROADCASTS[1:] if contest else tx.AD_BROADCASTS
            tag = self.ident.contest_tag if contest else self.ident.ad_tag
            return self.broadcast(day, bank, 0.6 + 0.4 * pull, pull, tag=tag)
        cust = w.pick_customer(loyal=r() < 0.3)  # campaigns reach new people
        c = self.ctx(cust, self.store())
        t = w.root_time(day)
        if contest and self.launch_t is not None and day == self.launch_t // 86400:
            t = self.launch_t + 300 + int(r() * (86400 - self.launch_t % 86400 - 301))
        buzz = tx.CONTEST_BUZZ if contest else tx.AD_BUZZ
        body, labels = self.said(buzz, c)
        body += tx.POSITIVE_EMOJI[int(r() * len(tx.POSITIVE_EMOJI))]
        if r() < 0.6:
            body = f"{body} {self.mentions[(cust[0], 'marketing')]}"
        drafts: list[Draft] = []
        first = self.draft(drafts, t, None, cust, body, boost=1.5, labels=labels)
        self.thank_flow(drafts, first, cust, c, p.buzz_reply_rate, tx.BUZZ_REPLIES, 0.05, day)
        return drafts

    def viral_facts(self, cust: Person) -> Facts:
        c = self.ctx(cust, self.viral_store)
        c["staff"] = self.staff[self.viral_store][0]
        c["product"], c["failure"], c["is"] = tx.PRODUCTS[0][0], "snapped a pole", "is"
        return c

    def viral(self, day: int) -> list[Draft]:
        """One of the many posts of the organic spike: people passing the story on."""
        r, w, p = self.r, self.w, self.p
        kindness = p.viral_story == "kindness"
        if self.viral_t is None:
            return self.viral_origin(day, kindness)
        cust = w.pick_customer(loyal=False)
        c = self.viral_facts(cust)
        t = w.root_time(day)
        if day == self.viral_t // 86400:
            t = self.viral_t + 600 + int(r() * (86400 - self.viral_t % 86400 - 601))
        body, labels = self.said(tx.VIRAL_KINDNESS if kindness else tx.VIRAL_FAILURE, c)
        if r() < 0.6:
            body = f"{body} {self.mentions[(cust[0], 'marketing')]}"
        drafts: list[Draft] = []
        loc = c["town"] if kindness else None
        first = self.draft(drafts, t, None, cust, body, loc=loc, boost=3.0, labels=labels)
        if not kindness and r() < 0.3:
            self.support_flow(drafts, first, cust, c, tx.VIRAL_BRAND_REPLIES["failure"], "marketing", day)
        elif r() < 0.1:
            at, peer = w.soon(t, 1800), w.peer(cust[0], cust[1])
            agree, labels = self.said(tx.AGREE, c)
            self.reply(drafts, at, first, peer, cust, agree, labels=labels)
        return drafts

    def viral_origin(self, day: int, kindness: bool) -> list[Draft]:
        """The post that starts the organic spike: one well-followed customer's story."""
        r, w, p, say = self.r, self.w, self.p, self.reply
        span = w.customers // 20 * 20
        idx = int(r() * w.customers) // 20 * 20  # slot 0 of 20: a Twitter user
        for k in range(0, 4000, 20):  # the nearest well-followed one
            if w.customer((idx + k) % span)[3] > 3000:
                idx = (idx + k) % span
                break
        cust = w.customer(idx)
        c = self.viral_facts(cust)
        self.viral_t = t = day * 86400 + 7 * 3600 + int(r() * 5400)
        origin = tx.VIRAL_KINDNESS_ORIGIN if kindness else tx.VIRAL_FAILURE_ORIGIN
        body = origin.format_map(c)
        loc = c["town"] if kindness else None
        drafts: list[Draft] = []
        first = self.draft(drafts, t, None, cust, f"{body} @{self.ident.marketing}", loc=loc, boost=25000.0,
                           labels=truth.of(origin))  # fmt: skip
        for _ in range(6 + int(r() * 8)):
            echo, labels = self.said(tx.VIRAL_KINDNESS if kindness else tx.VIRAL_FAILURE, c)
            say(drafts, w.soon(t, 5400), first, w.peer("twitter", cust[1]), cust, echo, boost=2.0, labels=labels)
        if not kindness:
            self.support_flow(drafts, first, cust, c, tx.VIRAL_BRAND_REPLIES["failure"], "marketing", day)
        elif r() < 0.3 + 0.6 * p.reply_rate:
            account = w.brand_account("twitter", "marketing", day)
            pride = tx.VIRAL_BRAND_REPLIES["kindness"].format_map(c)
            answer = say(drafts, w.reply_time(t, 1.0), first, account, cust, pride, boost=20.0)
            thanks = tx.VIRAL_THANKS
            say(drafts, w.soon(answer[T], 1800), answer, cust, account, thanks, labels=truth.of(thanks))
        return drafts


_PLAIN_BANKS: dict[str, tuple[str, ...]] = {"store_good": tx.STORE_GOOD, "praise": tx.PRAISE, "chat": tx.CHAT}
_PAIRED_BANKS: dict[str, tuple[tuple[str, str], ...]] = {
    "store_bad": tx.STORE_BAD, "question": tx.QUESTIONS, "complaint": tx.COMPLAINTS,
}  # fmt: skip
_FACT_BANKS: dict[str, tuple[str, ...]] = {
    "size": tx.SIZES, "place": tx.PLACES, "defect": tx.DEFECTS, "sig": tx.SIGNATURES,
}  # fmt: skip
_PRODUCT_KEYS = frozenset({"product", "price", "is", "failure"})
_PRODUCT_INFO = {name: (price, kind) for name, price, kind in tx.PRODUCTS}
_SIG_NAMES = {"^KC": "Kiran", "^AA": "Alex", "^MO": "Mel", "^SL": "Sam", "-AA": "Alex", "-MO": "Mel"}
