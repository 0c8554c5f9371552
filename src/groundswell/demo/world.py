"""The seeded synthetic brand world: customers, stores, campaigns, brand accounts.

``generate_world`` streams posts one conversation at a time (bounded memory,
whatever the size). Every figure a later stage measures (response rate, help
rate, buzz share, spikes) *emerges* from behaviour knobs in ``BrandProfile``:
who gets answered, how fast, whether the answer helps, how much the brand
broadcasts. Nothing is a pre-computed metric.
"""

from __future__ import annotations

import math
import random
import zlib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from groundswell.demo import conversations
from groundswell.demo.conversations import (
    AUTHOR,
    BOOST,
    LANG,
    LOC,
    NREPLIES,
    PARENT,
    PID,
    TEXT,
    TRUTH,
    T,
)
from groundswell.demo.profiles import DEFAULT_PROFILE, BrandProfile
from groundswell.demo.text import DEFAULT_BRAND, Identity, identity
from groundswell.demo.truth import Truth
from groundswell.errors import UsageError

DEFAULT_START = datetime(2025, 9, 1)
DEFAULT_DAYS = 182


class DemoPost(NamedTuple):
    """One generated post, with the canonical post fields (``created_at`` naive UTC)."""

    platform: str
    post_id: str
    author_id: str
    author_handle: str | None
    author_followers: int | None
    is_brand: bool
    created_at: datetime
    text: str
    lang: str | None
    in_reply_to_post_id: str | None
    conversation_id: str | None
    url: str | None
    like_count: int | None
    share_count: int | None
    reply_count: int | None
    view_count: int | None
    location: str | None


class LabelledPost(NamedTuple):
    """A generated post and what it truly is (``truth`` is None for the brand's own posts)."""

    post: DemoPost
    truth: Truth | None


@dataclass(frozen=True, slots=True)
class Calendar:
    """Day offsets (from ``start``) of the campaigns and the organic spike."""

    start: datetime
    days: int
    ad_start: int
    ad_end: int
    contest_start: int
    contest_end: int
    viral_day: int

    def date(self, day: int) -> date:
        return (self.start + timedelta(days=day)).date()


def make_calendar(start: datetime | date = DEFAULT_START, days: int = DEFAULT_DAYS) -> Calendar:
    """Campaigns sit at fixed fractions of the period, so any length keeps both spikes apart."""
    if days < 1:
        raise UsageError(f"days must be at least 1, not {days}")
    if isinstance(start, datetime):
        if start.tzinfo is not None:
            start = start.astimezone(UTC).replace(tzinfo=None)
        first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        first = datetime(start.year, start.month, start.day)
    last = days - 1
    ad_start = min(last, round(days * 0.20))
    contest_start = min(last, round(days * 0.36))
    viral = min(last, round(days * 0.72))
    if viral == contest_start and days > 1:
        viral = last if contest_start != last else 0
    return Calendar(
        start=first,
        days=days,
        ad_start=ad_start,
        ad_end=min(last, ad_start + max(0, round(days * 0.25) - 1)),
        contest_start=contest_start,
        contest_end=min(last, contest_start + max(0, round(days * 0.15) - 1)),
        viral_day=viral,
    )


def brand_id_prefix(profile: BrandProfile) -> int:
    """The default brand's ids start at 10**12; any other brand gets its own block."""
    if profile.id_prefix is not None:
        return profile.id_prefix
    if profile.brand == DEFAULT_BRAND:
        return 1
    return 2 + zlib.crc32(profile.brand.encode("utf-8")) % 8997


def generate_world(
    *,
    posts: int,
    seed: int,
    profile: BrandProfile = DEFAULT_PROFILE,
    start: datetime | date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
) -> Iterator[DemoPost]:
    """Yield exactly ``posts`` posts of one brand's world, conversation by conversation.

    A reply always follows its parent in the stream; within a conversation
    posts are in time order, across conversations roughly so (by first post).
    The same arguments give the same posts.
    """
    if posts < 0:
        raise UsageError(f"posts must be >= 0, not {posts}")
    world = _World(posts, seed, profile, make_calendar(start, days))
    return world.run()


def generate_labelled_world(
    *,
    posts: int,
    seed: int,
    profile: BrandProfile = DEFAULT_PROFILE,
    start: datetime | date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
) -> Iterator[LabelledPost]:
    """The posts of ``generate_world`` (the same arguments give the same posts), each with its true labels.

    Every customer post is written from a template whose kind is known (complaint or praise, experience or
    marketing, its sentiment: ``demo.truth``), so the labels are true by construction, not a model's guess.
    """
    if posts < 0:
        raise UsageError(f"posts must be >= 0, not {posts}")
    world = _World(posts, seed, profile, make_calendar(start, days))
    return world.run(labelled=True)


_HOUR_WEIGHTS = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 1.7, 1.8, 1.9,
                 2.2, 2.0, 1.8, 1.7, 1.7, 1.9, 2.2, 2.5, 2.6, 2.2, 1.5, 0.8)  # fmt: skip
_WEEKDAY_FACTOR = (1.0, 0.95, 0.95, 0.95, 1.05, 1.25, 1.15)  # Mon..Sun: weekends are busier in retail
OPEN_HOUR, CLOSE_HOUR = 8, 20  # the support team's shift, local time, every day
SHIFT_TIMEZONE = "Europe/London"  # the demo config's business_hours say the same
_CUSTOMER_CACHE = 8192  # customers kept built; small enough that memory stays flat


class _World:
    """The state of one world: tables built once, then one conversation at a time."""

    def __init__(self, posts: int, seed: int, profile: BrandProfile, cal: Calendar):
        self.total = posts
        self.profile = profile
        self.cal = cal
        self.ident: Identity = identity(profile.brand, profile.stores)
        self.rng = random.Random(seed)  # noqa: S311 - a seeded synthetic world, not a secret
        self.r = self.rng.random
        self.gauss = self.rng.gauss
        self.salt = zlib.crc32(f"{seed}".encode()) & 0xFFFFFFFF
        self.id_base = brand_id_prefix(profile) * 10**12
        self.counter = 0
        self.end_s = cal.days * 86400
        self.start_weekday = cal.start.weekday()
        self.customers = max(100, posts // 5)
        self.hour_cum = _cumulative(_HOUR_WEIGHTS)
        self.median_s = profile.median_response_minutes * 60.0
        zone = ZoneInfo(SHIFT_TIMEZONE)  # per-day UTC offset (summer time), so the shift follows the clock
        self.offset_s = [
            int((zone.utcoffset(cal.start + timedelta(days=d, hours=12)) or timedelta()).total_seconds())
            for d in range(cal.days + 8)
        ]
        self._customer_cache: dict[int, tuple[Any, ...]] = {}
        self._brand_cache: dict[tuple[str, str, int], tuple[Any, ...]] = {}
        self._intensities()
        self.story = conversations.Stories(self)

    # -- the calendar of attention ---------------------------------------------------

    def _intensities(self) -> None:
        """Expected posts per day by source: everyday life, the two campaigns, the viral story."""
        cal, p = self.cal, self.profile
        days = cal.days
        ci = p.campaign_intensity
        base, contest, ad, viral = [0.0] * days, [0.0] * days, [0.0] * days, [0.0] * days
        for d in range(days):
            base[d] = _WEEKDAY_FACTOR[(self.start_weekday + d) % 7] * (1.0 + 0.15 * d / days)
            if cal.contest_start <= d <= cal.contest_end:
                k = d - cal.contest_start
                left = cal.contest_end - d
                contest[d] = ci * (3.0 if k == 0 else 1.0 if k == 1 else 0.6 if left < 3 else 0.3)
            if d >= cal.ad_start:
                k = d - cal.ad_start
                # a film-style ad: release-day buzz, a long word-of-mouth tail after the run
                level = (
                    1.2 * math.exp(-k / 6.0) + 0.25 if d <= cal.ad_end else 0.25 * math.exp(-(d - cal.ad_end) / 20.0)
                )
                ad[d] = ci * level
        for k, share in enumerate((1.0, 0.4, 0.1)):
            if cal.viral_day + k < days:
                viral[cal.viral_day + k] = p.viral_spike * share
        self.base, self.contest, self.ad, self.viral = base, contest, ad, viral
        self.day_total = [base[d] + contest[d] + ad[d] + viral[d] for d in range(days)]
        self.day_cum = _cumulative(self.day_total)

    # -- people ------------------------------------------------------------------------

    def customer(self, idx: int) -> tuple[Any, ...]:
        """(platform, author_id, handle, followers, False, url_prefix, first_name, lang), from idx alone."""
        found = self._customer_cache.get(idx)
        if found is None:
            if len(self._customer_cache) >= _CUSTOMER_CACHE:  # bounded: a cache, never the population
                self._customer_cache.clear()
            found = conversations.make_customer(idx, self.salt)
            self._customer_cache[idx] = found
        return found

    def pick_customer(self, *, loyal: bool = True) -> tuple[Any, ...]:
        """Loyal picks come in tiers (a few regulars post a lot, most people rarely); others are anyone."""
        u, n = self.r(), self.customers
        if loyal and u < 0.4:
            # 12% of posts from the top 0.5% of people, 28% from the top 5%
            return self.customer(int(n * (0.005 if u < 0.12 else 0.05) * self.r()))
        return self.customer(int(n * self.r()))

    def peer(self, platform: str, not_id: str) -> tuple[Any, ...]:
        """Another customer on the same platform (platform is fixed by idx mod 20)."""
        lo, width = conversations.PLATFORM_SLOTS[platform]
        idx = int(self.customers * self.r()) // 20 * 20 + lo + int(self.r() * width)
        while idx >= self.customers:
            idx -= 20
        found = self.customer(idx)
        return found if found[1] != not_id else self.customer(idx + 20 if idx >= 20 else idx + 40)

    def brand_account(self, platform: str, role: str, day: int) -> tuple[Any, ...]:
        """(platform, author_id, handle, followers, True, url_prefix) with the day's audience."""
        key = (platform, role, day)
        found = self._brand_cache.get(key)
        if found is None:
            p, cal = self.profile, self.cal
            growth = 1.0 + p.follower_growth * day / cal.days
            if day >= cal.contest_start:
                growth *= 1.0 + 0.03 * p.campaign_intensity  # the contest brings a step of new followers
            handle, share = conversations.brand_handle(self.ident, platform, role)
            followers = int(p.brand_followers * share * growth)
            found = (platform, handle, handle, followers, True, conversations.url_prefix(platform, handle))
            self._brand_cache[key] = found
        return found

    # -- time ----------------------------------------------------------------------------

    def root_time(self, day: int) -> int:
        hour = bisect_right(self.hour_cum, self.r() * self.hour_cum[-1])
        return day * 86400 + min(hour, 23) * 3600 + int(self.r() * 3600)

    def soon(self, t: int, median_s: float) -> int:
        """A customer's next move: log-normal, minutes to hours."""
        return t + 30 + int(median_s * math.exp(0.9 * self.gauss(0.0, 1.0)))

    def reply_time(self, t: int, vip: float) -> int:
        """When a human agent answers a post made at ``t``: log-normal, and only on shift."""
        delay = self.median_s * math.exp(self.profile.response_spread * self.gauss(0.0, 1.0))
        at = t + 60 + int(delay * (1.0 - 0.5 * vip))
        offset = self.offset_s[min(at // 86400, len(self.offset_s) - 1)]
        local = at + offset
        hour = (local // 3600) % 24
        if not OPEN_HOUR <= hour < CLOSE_HOUR:
            # nobody is on shift: it waits for the morning queue
            midnight = local - local % 86400 + (86400 if hour >= CLOSE_HOUR else 0)
            local = midnight + OPEN_HOUR * 3600 + int(self.median_s * 0.5 * self.r()) + int(self.r() * 1800)
            at = local - offset
        return at

    # -- the stream ------------------------------------------------------------------------

    def run(self, *, labelled: bool = False) -> Iterator[Any]:
        """The posts (``DemoPost``), or with ``labelled`` each post and its truth (``LabelledPost``)."""
        emitted, total = 0, self.total
        cum, last_day = self.day_cum, self.cal.days - 1
        story = self.story
        while emitted < total:
            day = min(bisect_right(cum, emitted / total * cum[-1]), last_day)
            drafts = story.conversation(day)
            batch = self._finish(drafts, total - emitted)
            emitted += len(batch)
            if labelled:
                # _finish keeps a prefix of the time-ordered drafts: the first len(batch) are this batch's
                yield from (LabelledPost(post, d[TRUTH]) for post, d in zip(batch, drafts, strict=False))
            else:
                yield from batch

    def _finish(self, drafts: list[list[Any]], room: int) -> list[DemoPost]:
        """Time-order (in place), cut at the period end and at ``room``, number, and freeze a conversation."""
        if len(drafts) > 1:
            drafts.sort(key=_by_time)
            if drafts[-1][T] >= self.end_s or len(drafts) > room:
                drafts = self._cut(drafts, room)
        start, r = self.cal.start, self.r
        new = tuple.__new__  # DemoPost's own __new__ is Python; this is the same tuple, faster
        post, delta = DemoPost, timedelta
        next_id = self.id_base + self.counter
        root_id = str(next_id + 1)
        out = []
        for d in drafts:  # parents come first, so a parent's id is always set before its replies
            next_id += 1
            pid = d[PID] = str(next_id)
            a = d[AUTHOR]
            followers = a[3]
            boost = d[BOOST]
            u = r()  # one draw per post; shares and views take other digits of it
            if boost >= 1000.0:  # a literal like count (the viral original)
                likes = int(boost * (0.8 + 0.4 * u))
            else:
                likes = int(u * u * u * (2.0 + followers * 0.02) * boost)
            shares = int(likes * ((u * 7919.0) % 1.0) * 0.25)
            views = (
                int((followers * 0.3 + likes * 25 + 5) * (0.5 + (u * 104729.0) % 1.0)) if a[0] == "twitter" else None
            )
            parent = d[PARENT]
            out.append(
                new(post, (
                    a[0], pid, a[1], a[2], followers, a[4], start + delta(seconds=d[T]), d[TEXT], d[LANG],
                    None if parent is None else parent[PID], root_id, a[5] + pid,
                    likes, shares, d[NREPLIES], views, d[LOC],
                ))
            )  # fmt: skip
        self.counter = next_id - self.id_base
        return out

    def _cut(self, drafts: list[list[Any]], room: int) -> list[list[Any]]:
        """Drop what falls after the period or past ``room``; recount the replies that are left."""
        end = self.end_s
        kept: list[list[Any]] = []
        for d in drafts:
            if d[T] >= end or len(kept) == room:
                break  # children are always later than parents, so no orphan survives the cut
            d[NREPLIES] = 0
            kept.append(d)
        for d in kept:
            if d[PARENT] is not None:
                d[PARENT][NREPLIES] += 1
        return kept


_by_time = itemgetter(T)


def _cumulative(weights: tuple[float, ...] | list[float]) -> list[float]:
    out, running = [], 0.0
    for w in weights:
        running += w
        out.append(running)
    return out
