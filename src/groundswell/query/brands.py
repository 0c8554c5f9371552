"""Who is the brand, and who are its peers: the brands in the data, and which posts are about which.

A *support account* is an account whose posts are brand posts: the config's ``[[accounts]]`` and
``[[peers]]``, and every author the source marks as a brand (``posts.is_brand``, e.g. TWCS's outbound
authors). Support accounts are grouped into *brands*:

- the config's ``[[accounts]]`` are the workspace's brand, named by ``brand``, with any other support
  account whose handle starts with that name (``NorthwindUK`` for "Northwind");
- a ``[[peers]]`` entry groups its handles under its ``name``;
- any other support account is grouped by its name (``brand_name_from_handle``): the handle without a
  leading ``Ask`` and a trailing ``Support``, ``Help``, ``Cares``... (``AppleSupport`` and ``AskApple`` are
  both "Apple", ``sprintcare`` is "sprint"); handles with the same name, ignoring case, are one brand.

When the config names no accounts, every support account is the workspace's brand (a brand's own export)
and the groups above are only listed (``groundswell scorecard --by brand``).

Each post is *about* one support account (``about_account``), by the first clue that holds: its author is
one; else the first support account its text mentions (``@handle``); else its parent's author or first
mention; else a support account that replied to it. A post with none of these is about no brand. A brand's
*conversations* are the posts about its accounts: what its figures are computed from once it has peers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis

from groundswell.config import WorkspaceConfig, normalize_handle
from groundswell.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir

# After a handle: end of text, a character no handle holds, or a full stop ending the sentence.
_HANDLE_END = r"(?:$|[^\w@.-]|[.](?:$|[^\w]))"
_PREFIX = re.compile(r"^ask_?(?=\w{2})", re.IGNORECASE)
_SUFFIX = re.compile(r"(?<=\w{2})_?(support|helps|help|cares|care|assist|service|tweets|team)$", re.IGNORECASE)


def brand_name_from_handle(handle: str) -> str:
    """The brand a support handle speaks for, by its name: ``AppleSupport`` -> ``Apple``, ``AskPayPal`` ->
    ``PayPal``, ``hulu_support`` -> ``hulu``, ``Delta`` -> ``Delta``."""
    name = handle.strip().lstrip("@").partition("@")[0]
    name = _SUFFIX.sub("", name)
    return _PREFIX.sub("", name) or name


@dataclass(frozen=True, slots=True)
class Brand:
    """One brand: its ``name`` and its support accounts as ``(platform, key)`` (key: ``normalize_handle``).
    ``own``: the workspace's brand (the config's ``brand`` and ``[[accounts]]``)."""

    name: str
    accounts: tuple[tuple[str, str], ...]
    own: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "own": self.own, "accounts": [f"{p}:{k}" for p, k in self.accounts]}


@dataclass(frozen=True)
class BrandMap:
    """The brands of a workspace: ``own`` (the workspace's brand) and ``peers`` (the other brands found).

    ``everyone``: the config names no accounts, so ``own`` holds every support account, and ``peers`` are
    the groups by name, only listed and compared (never left out of the workspace's figures)."""

    own: Brand
    peers: tuple[Brand, ...]
    everyone: bool = False

    @property
    def brands(self) -> tuple[Brand, ...]:
        """The brands to score side by side (``--by brand``)."""
        return self.peers if self.everyone else (self.own, *self.peers)

    @property
    def has_peers(self) -> bool:
        """Whether the workspace's own figures leave other brands' conversations out."""
        return bool(self.peers) and not self.everyone

    @property
    def support(self) -> tuple[tuple[str, str], ...]:
        """Every support account, ``(platform, key)``."""
        return tuple(sorted({a for b in (self.own, *self.peers) for a in b.accounts}))

    def find(self, name: str) -> Brand:
        """The brand called ``name`` (ignoring case); ``UsageError`` naming the brands there are."""
        for brand in (self.own, *self.peers):
            if brand.name.lower() == name.strip().lower():
                return brand
        raise UsageError(f"no brand {name!r} in this workspace; brands: {', '.join(b.name for b in self.brands)}")

    def account(self, handle: str) -> Brand:
        """One support account as a brand of its own (``--account``), named by its handle."""
        key = normalize_handle(handle)
        for brand in (self.own, *self.peers):
            for platform, found in brand.accounts:
                if found == key:
                    return Brand(handle.strip().lstrip("@"), ((platform, key),), own=brand.own)
        shown = ", ".join(k for _, k in self.support)
        raise UsageError(f"no support account {handle!r} in this workspace; accounts: {shown}")


def find_brands(posts: ir.Table, config: WorkspaceConfig) -> BrandMap:
    """The workspace's brand and its peers, from the config and the support accounts in ``posts``."""
    own: list[tuple[str, str]] = sorted({(a.platform, normalize_handle(a.handle)) for a in config.accounts})
    groups: dict[str, list[tuple[str, str]]] = {}
    for peer in config.peers:
        groups.setdefault(peer.name, []).extend((peer.platform, normalize_handle(h)) for h in peer.handles)
    taken = set(own) | {account for accounts in groups.values() for account in accounts}
    found = _support_accounts(posts)
    by_name: dict[str, list[tuple[str, str]]] = {}
    shown: dict[str, str] = {}
    stem = re.sub(r"[^a-z0-9]", "", config.brand.lower())
    for platform, key, handle in found:
        if own and len(stem) >= 3 and key.startswith(stem) and (platform, key) not in taken:
            own.append((platform, key))  # the brand's other accounts (NorthwindUK for Northwind)
            taken.add((platform, key))
        if (platform, key) not in taken:
            name = brand_name_from_handle(handle)
            shown.setdefault(name.lower(), name)
            by_name.setdefault(name.lower(), []).append((platform, key))
    groups.update({shown[lower]: accounts for lower, accounts in by_name.items()})
    peers = tuple(sorted((Brand(n, tuple(sorted(set(a)))) for n, a in groups.items()), key=_by_name))
    if not own:  # a brand's own export: every support account is the brand
        every = tuple(sorted({(p, k) for p, k, _ in found} | taken))
        return BrandMap(Brand(config.brand, every, own=True), peers, everyone=True)
    return BrandMap(Brand(config.brand, tuple(sorted(set(own))), own=True), peers)


def _by_name(brand: Brand) -> str:
    return brand.name.lower()


def _support_accounts(posts: ir.Table) -> list[tuple[str, str, str]]:
    """``(platform, key, handle as shown)`` of every author of brand posts in ``posts``."""
    brand = posts.filter(posts.is_brand)
    authors = (
        brand.select(
            platform=brand.platform, key=handle_key(brand), shown=brand.author_handle.fill_null(brand.author_id)
        )
        .group_by(["platform", "key"])
        .aggregate(handle=ibis._.shown.min())
        .order_by(["platform", "key"])
    )
    return [
        (str(r["platform"]), str(r["key"]), str(r["handle"]).strip().lstrip("@"))
        for r in authors.to_pyarrow().to_pylist()
    ]


def handle_key(posts: ir.Table) -> ir.StringValue:
    """The author's handle as compared: lower case, no leading ``@`` (``author_id`` without a handle)."""
    return posts.author_handle.fill_null(posts.author_id).strip().lower().re_replace(r"^@+", "")


def mention_regex(keys: Iterable[str]) -> str:
    """One regular expression (RE2 and Java syntax) capturing the first ``@handle`` of ``keys`` in a text.

    Not inside a word before the ``@`` (``bob@acme.com`` is no mention), no handle character after it
    (``@acme`` is not ``@acmestore``), case-insensitive. A Mastodon ``user@server`` also matches a bare
    ``@user`` (local mentions drop the server).
    """
    options: set[str] = set()
    for key in keys:
        options.add(key)
        user, at, _server = key.partition("@")
        if at and user:
            options.add(user)
    alternatives = "|".join(re.escape(o) for o in sorted(options, key=lambda o: (-len(o), o)))
    return r"(?i)(?:^|[^\w])@(" + alternatives + ")" + _HANDLE_END


def mentioned_key(posts: ir.Table, accounts: Iterable[tuple[str, str]]) -> ir.StringValue:
    """The account (key) of ``accounts`` (``(platform, key)``) a post's text mentions first, else null."""
    return mentioned_account(mentioned_handle(posts, accounts), posts.platform, accounts)


def mentioned_handle(posts: ir.Table, accounts: Iterable[tuple[str, str]]) -> ir.StringValue:
    """The handle of ``accounts`` a post's text mentions first, lower case, as written (a Mastodon account's
    bare ``user`` too), else null: one regular expression per post (``mentioned_account`` names its account).
    """
    cases = []
    pairs = sorted(set(accounts))
    for platform in sorted({p for p, _ in pairs}):
        keys = [k for p, k in pairs if p == platform]
        cases.append((posts.platform == platform, posts.text.re_extract(mention_regex(keys), 1).lower().nullif("")))
    if not cases:
        return ibis.null().cast("string")
    return ibis.cases(*cases, else_=ibis.null().cast("string"))


def mentioned_account(
    handle: ir.StringValue, platform: ir.StringValue, accounts: Iterable[tuple[str, str]]
) -> ir.StringValue:
    """The account (key) a ``mentioned_handle`` stands for: a bare Mastodon ``@user`` stands for the account's
    ``user@server``; any other handle is its key."""
    pairs = sorted(set(accounts))
    cases: list[tuple[ir.BooleanValue, str]] = []
    for name in sorted({p for p, _ in pairs}):
        keys = [k for p, k in pairs if p == name]
        local = {k.partition("@")[0]: k for k in keys if "@" in k and k.partition("@")[0] not in keys}
        cases.extend(((platform == name) & (handle == user), key) for user, key in local.items())
    if not cases:
        return handle
    return ibis.cases(*cases, else_=handle)


def about_account(posts: ir.Table, accounts: Iterable[tuple[str, str]]) -> ir.Table:
    """``posts`` with ``about_account``: the support account (key) each post is about (see the module doc)."""
    pairs = sorted(set(accounts))
    key = handle_key(posts)
    own_cases = [
        (posts.platform == platform, ibis.ifelse(key.isin([k for p, k in pairs if p == platform]), key, None))
        for platform in sorted({p for p, _ in pairs})
    ]
    own: Any = ibis.cases(*own_cases, else_=ibis.null().cast("string")) if own_cases else ibis.null().cast("string")
    clued = posts.mutate(_own=own, _mentioned=mentioned_key(posts, pairs))
    parents = clued.select(
        _pp=clued.platform, _pid=clued.post_id, _parent_own=clued._own, _parent_mentioned=clued._mentioned
    )
    answers = clued.filter(clued._own.notnull())
    answered = answers.group_by(_cp=answers.platform, _cid=answers.in_reply_to_post_id).aggregate(
        _answer_own=answers._own.min()
    )
    joined = clued.left_join(parents, [clued.platform == parents._pp, clued.in_reply_to_post_id == parents._pid])
    joined = joined.left_join(answered, [joined.platform == answered._cp, joined.post_id == answered._cid])
    about = ibis.coalesce(
        joined._own, joined._mentioned, joined._parent_own, joined._parent_mentioned, joined._answer_own
    )
    return joined.mutate(about_account=about).drop(
        "_own", "_mentioned", "_pp", "_pid", "_parent_own", "_parent_mentioned", "_cp", "_cid", "_answer_own"
    )


def about_brand(posts: ir.Table, brands: BrandMap | Iterable[Brand]) -> ir.Table:
    """``posts`` with ``about_account`` and ``about_brand`` (the name of that account's brand, else null)."""
    listed = brands.brands if isinstance(brands, BrandMap) else tuple(brands)
    lookup: Mapping[tuple[str, str], str] = {a: b.name for b in listed for a in b.accounts}
    table = about_account(posts, lookup)
    cases = [((table.platform == p) & (table.about_account == k), name) for (p, k), name in lookup.items()]
    name = ibis.cases(*cases, else_=ibis.null().cast("string")) if cases else ibis.null().cast("string")
    return table.mutate(about_brand=name)


def brand_conversations(posts: ir.Table, brand: Brand, support: Iterable[tuple[str, str]]) -> ir.Table:
    """The posts about ``brand``'s accounts (``support``: every support account, whose posts and mentions
    decide), with ``is_brand`` true for exactly the brand's own accounts' posts; the columns of ``posts``."""
    return conversations_of(about_account(posts, set(support) | set(brand.accounts)), brand, posts.columns)


def conversations_of(about: ir.Table, brand: Brand, columns: Iterable[str]) -> ir.Table:
    """``brand_conversations`` from posts that carry ``about_account`` already (``about_account(...)``)."""
    keys = set(brand.accounts)
    mine: Any = ibis.literal(False)
    for platform in sorted({p for p, _ in keys}):
        mine = mine | ((about.platform == platform) & about.about_account.isin([k for p, k in keys if p == platform]))
    scoped = about.filter(mine)
    author = handle_key(scoped)
    is_own: Any = ibis.literal(False)
    for platform in sorted({p for p, _ in keys}):
        is_own = is_own | ((scoped.platform == platform) & author.isin([k for p, k in keys if p == platform]))
    return scoped.mutate(is_brand=is_own).select(*columns)
