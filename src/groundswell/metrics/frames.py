"""Shared ibis building blocks of the metric families: who is a customer, what is inbound, ``--by`` keys.

Everything here builds ibis expressions over ``Sources`` and runs nothing, so
the same code runs on every engine ibis drives (the embedded DuckDB, Spark).
Only constructs both engines translate are used: joins on columns, ``CASE``,
regular expressions in the syntax RE2 (DuckDB) and Java (Spark) share (no
look-around), ``count(where=...)``, ``row_number``, ``argmax``.

Conventions:

- *customer posts* are the posts of non-brand accounts (``posts.is_brand`` false);
  a customer is one ``(platform, author_id)``.
- *mentions a brand account*: the text holds ``@handle`` of a configured brand
  account of the post's platform, case-insensitively, not followed by another
  handle character (``@acme`` does not match ``@acmestore``). A Mastodon handle
  ``user@server`` also matches a bare ``@user`` (local mentions drop the server).
- *inbound* (DESIGN): a post by a non-brand account that mentions a brand account
  or replies into a brand conversation. One definition for every family: the
  threads stage's (``groundswell.threads``: a non-brand post of a reply tree in
  which a brand account posts or is mentioned), so a figure counting inbound
  posts and the response rate's denominator count the same posts.
- the *addressed account* of a customer post: the brand account it replies to,
  else the first configured brand account it mentions, else ``"(none)"``.
- ``--by`` keys are never null: ``"(none)"`` for no account or location,
  ``"unknown"`` for no follower count; months are ``YYYY-MM``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import ibis

from groundswell.config import WorkspaceConfig, normalize_handle
from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.base import BY_CHOICES
from groundswell.query import Sources
from groundswell.query.numbers import has_parent_numbers, has_post_numbers
from groundswell.threads.stage import build_threads

if TYPE_CHECKING:
    import ibis.expr.types as ir

NONE_KEY = "(none)"
UNKNOWN_BAND = "unknown"
FOLLOWER_BANDS = ("under 100", "100-1k", "1k-10k", "over 10k")
GROUP = "_group"
POST_KEYS = ("platform", "post_id")


def check_by(by: str | None, allowed: Sequence[str], family: str) -> None:
    """Refuse a ``--by`` value outside ``BY_CHOICES`` or not meaningful for ``family``, naming the allowed ones."""
    if by is None:
        return
    if by not in BY_CHOICES:
        raise UsageError(f"unknown --by {by!r}; choose one of: {', '.join(BY_CHOICES)}")
    if by not in allowed:
        choices = ", ".join(allowed) if allowed else "none (the figure is brand-wide)"
        raise UsageError(f"--by {by} does not apply to {family}; it can be grouped by: {choices}")


def require_enrichments(src: Sources, family: str) -> ir.Table:
    if src.enrichments is None:
        raise MetricUnavailable(
            f"{family} needs the posts' enrichments (sentiment, intent, subject) and this workspace has none: "
            "run `groundswell enrich` first"
        )
    return src.enrichments


# -- posts -------------------------------------------------------------------------------


def customer_posts(posts: ir.Table) -> ir.Table:
    return posts.filter(~posts.is_brand)


def brand_posts(posts: ir.Table) -> ir.Table:
    return posts.filter(posts.is_brand)


def handle_expr(posts: ir.Table) -> ir.StringValue:
    """The author's handle as the config compares it: lower case, no leading ``@`` (``author_id`` if no handle)."""
    raw = posts.author_handle.fill_null(posts.author_id)
    return raw.strip().lower().re_replace(r"^@", "")


_HANDLE_END = r"(?:$|[^\w@.-]|[.](?:$|[^\w]))"  # end of text, a non-handle character, or a full stop


def mention_pattern(handle: str) -> str:
    """A case-insensitive regular expression for ``@handle`` as a whole handle (RE2 and Java syntax).

    Not inside a word before it (``bob@acme.com`` is no mention), no handle character after it.
    """
    handle = normalize_handle(handle)
    options = [re.escape(handle)]
    user, at, _server = handle.partition("@")
    if at and user:
        options.append(re.escape(user))
    return r"(?i)(?:^|[^\w])@(?:" + "|".join(options) + ")" + _HANDLE_END


def _accounts(config: WorkspaceConfig) -> list[tuple[str, str]]:
    """(platform, normalized handle) of every configured brand account, config order, no repeats."""
    seen: list[tuple[str, str]] = []
    for account in config.accounts:
        key = (account.platform, normalize_handle(account.handle))
        if key not in seen:
            seen.append(key)
    return seen


def mentioned_account(posts: ir.Table, config: WorkspaceConfig) -> ir.StringValue:
    """The first configured brand account (config order) of the post's platform that its text mentions, else null."""
    lower = posts.text.lower()
    cases = [
        # the substring test is a cheap filter (several times faster than the regular expression)
        (
            (posts.platform == platform)
            & lower.contains("@" + handle.partition("@")[0])
            & posts.text.re_search(mention_pattern(handle)),
            handle,
        )
        for platform, handle in _accounts(config)
    ]
    if not cases:
        return ibis.null().cast("string")
    return ibis.cases(*cases, else_=ibis.null().cast("string"))


def with_parent(table: ir.Table, posts: ir.Table) -> ir.Table:
    """``table`` plus its parent post's facts: ``parent_found``, ``parent_is_brand``, ``parent_account``.

    ``parent_is_brand`` and ``parent_account`` are null when the post is no reply or its parent is not in
    ``posts``; ``parent_account`` is the parent author's normalized handle.
    """
    numbers = has_parent_numbers(table) and has_post_numbers(posts)
    parents = posts.select(
        _parent_platform=posts.platform,
        _parent_post_id=posts.post_id,
        parent_is_brand=posts.is_brand,
        parent_account=handle_expr(posts),
        **({"_parent_k": posts._key} if numbers else {}),
    )
    if numbers:
        joined = table.left_join(parents, table._parent_key == parents._parent_k).drop("_parent_k")
    else:
        joined = table.left_join(
            parents,
            [table.platform == parents._parent_platform, table.in_reply_to_post_id == parents._parent_post_id],
        )
    found = joined.mutate(parent_found=joined._parent_post_id.notnull())
    return found.drop("_parent_platform", "_parent_post_id")


def with_inbound(table: ir.Table, src: Sources) -> ir.Table:
    """``table`` plus ``inbound``, as the threads stage decides it (built once per ``Sources``)."""

    posts = build_threads(src).posts
    flags = posts.select(_i_platform=posts.platform, _i_post_id=posts.post_id, _inbound=posts.inbound)
    joined = table.left_join(flags, [table.platform == flags._i_platform, table.post_id == flags._i_post_id])
    return joined.mutate(inbound=joined._inbound.fill_null(False)).drop("_i_platform", "_i_post_id", "_inbound")


def annotated_customer_posts(src: Sources, *, inbound: bool = True) -> ir.Table:
    """Customer posts with ``mentions_brand``, ``replies_to_brand``, the parent's facts, ``addressed_account``
    and (``inbound=True``) ``inbound``.

    ``inbound=False`` skips the threads stage, for figures DESIGN defines on mentions and replies only
    (friends) or that need only the addressed account.
    """
    return annotate(customer_posts(src.posts), src, inbound=inbound)


def annotate(table: ir.Table, src: Sources, *, inbound: bool = True) -> ir.Table:
    """``annotated_customer_posts`` for any table of customer posts (e.g. already narrowed by a join)."""
    table = with_parent(table, src.every_post)  # a reply in the period may answer a post from before it
    if inbound:
        table = with_inbound(table, src)
    mentioned = mentioned_account(table, src.config)
    table = table.mutate(mentioned_account=mentioned)
    replies_to_brand = table.parent_is_brand.fill_null(False)
    return table.mutate(
        mentions_brand=table.mentioned_account.notnull(),
        replies_to_brand=replies_to_brand,
        addressed_account=ibis.ifelse(
            replies_to_brand, table.parent_account, table.mentioned_account.fill_null(NONE_KEY)
        ),
    )


def with_enrichments(table: ir.Table, enrichments: ir.Table, columns: Iterable[str]) -> ir.Table:
    """Inner join on (platform, post_id) with the named enrichment columns: posts not yet enriched drop out.

    On the warehouse's numbers (``query.numbers``) where both carry them: the same rows, faster on Spark."""
    names = list(columns)
    if has_post_numbers(table, enrichments):
        e = enrichments.select(_e_k=enrichments._key, **{n: enrichments[n] for n in names})
        return table.join(e, table._key == e._e_k).drop("_e_k")
    e = enrichments.select(
        _e_platform=enrichments.platform, _e_post_id=enrichments.post_id, **{n: enrichments[n] for n in names}
    )
    joined = table.join(e, [table.platform == e._e_platform, table.post_id == e._e_post_id])
    return joined.drop("_e_platform", "_e_post_id")


# -- --by keys ------------------------------------------------------------------------------


def month_index(ts: ir.TimestampValue) -> ir.IntegerValue:
    """Months since year 0: year * 12 + month - 1 (consecutive months differ by 1)."""
    return ts.year() * 12 + ts.month() - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def follower_band(followers: ir.IntegerValue) -> ir.StringValue:
    """DESIGN's fairness bands: under 100, 100-1k, 1k-10k, over 10k (``unknown`` without a follower count)."""
    return ibis.cases(
        (followers.isnull(), UNKNOWN_BAND),
        (followers < 100, FOLLOWER_BANDS[0]),
        (followers < 1_000, FOLLOWER_BANDS[1]),
        (followers < 10_000, FOLLOWER_BANDS[2]),
        else_=FOLLOWER_BANDS[3],
    )


def location_key(posts: ir.Table, config: WorkspaceConfig) -> ir.StringValue:
    """The configured location a post is about, by name; else its raw ``location``; else ``"(none)"``.

    A post is at a configured location when its ``location`` field equals the location's name or one of its
    aliases (case-insensitive); failing that (no ``location`` field), when its text contains one of the
    aliases (case-insensitive; the first location in config order whose alias it contains). Names are not
    searched in the text: a town's name alone says little about a store.

    Cost: one regular expression (all aliases as alternatives) decides whether the text holds any alias;
    only the posts that do are tested alias by alias. (A ``CASE`` over the extracted alias would evaluate
    the extraction once per branch.)
    """
    raw = posts.location.strip().nullif("")
    fallback = raw.fill_null(NONE_KEY)
    field = raw.lower()
    cases: list[tuple[Any, Any]] = []
    for loc in config.locations:
        names = list(dict.fromkeys(n.strip().lower() for n in (loc.name, *loc.aliases) if n.strip()))
        cases.append((field.isin(names), loc.name))
    aliases = [(a.strip().lower(), loc.name) for loc in config.locations for a in loc.aliases if a.strip()]
    if aliases:
        text = posts.text.lower()
        pattern = "|".join(re.escape(a) for a in dict.fromkeys(a for a, _ in aliases))
        which = ibis.cases(*((text.contains(a), name) for a, name in aliases), else_=fallback)
        cases.append((raw.isnull() & text.re_search(pattern), which))
    if not cases:
        return fallback
    return ibis.cases(*cases, else_=fallback)


def customer_locations(sources: Sources) -> ir.Table:
    """``platform, post_id, location`` (``location_key``) of every customer post, whatever the period: made
    once per ``Sources`` and kept by its engine, so that the figures grouped by store (the response family's
    ``--by location``, the social figures per store) join it instead of each searching every text again."""
    found = sources.memo.get("customer_locations")
    if found is None:
        posts = customer_posts(sources.every_post)
        chosen = posts.select("platform", "post_id", location=location_key(posts, sources.config))
        found = sources.memo["customer_locations"] = sources.materializer().materialize(chosen)
    located: ir.Table = found
    return located


def with_customer_location(
    table: ir.Table, sources: Sources, post_id: ir.StringValue | None = None, *, located: ir.Table | None = None
) -> ir.Table:
    """``table`` (customer posts, or rows naming one by ``post_id``: default ``table.post_id``) plus
    ``_location``, its post's store from ``customer_locations`` (or ``located``, a table of the same columns
    for some posts; null for a post it does not hold)."""
    located = customer_locations(sources) if located is None else located
    where = located.select(_l_platform=located.platform, _l_post_id=located.post_id, _location=located.location)
    key = table.post_id if post_id is None else post_id
    joined = table.left_join(where, [table.platform == where._l_platform, key == where._l_post_id])
    return joined.drop("_l_platform", "_l_post_id")


def with_group(table: ir.Table, by: str | None, config: WorkspaceConfig, *, account: Any = None) -> ir.Table:
    """``table`` plus the ``_group`` column for ``by`` (a constant ``""`` when ``by`` is None).

    ``account``: the expression ``--by account`` uses (the addressed account for customer posts, the author for
    brand posts); it must be given when ``by`` is ``account``.
    """
    key: Any
    if by is None:
        key = ibis.literal("")
    elif by == "platform":
        key = table.platform
    elif by == "month":
        key = month_index(table.created_at)
    elif by == "follower_band":
        key = follower_band(table.author_followers)
    elif by == "location":
        key = location_key(table, config)
    elif by == "account":
        if account is None:
            raise UsageError("--by account needs the account expression")
        key = account
    else:
        raise UsageError(f"unknown --by {by!r}; choose one of: {', '.join(BY_CHOICES)}")
    return table.mutate(**{GROUP: key})


def group_label(by: str | None, value: Any) -> dict[str, str]:
    """The ``group`` dict of a result row: {} without ``by``, else ``{by: label}``."""
    if by is None:
        return {}
    if by == "month" and isinstance(value, int):
        return {by: month_label(value)}
    return {by: NONE_KEY if value is None else str(value)}


def group_sort_key(by: str | None, value: Any) -> tuple[int, Any]:
    """Groups in a stable order: months in time order, the rest alphabetically, placeholders last."""
    if value is None or value in (NONE_KEY, UNKNOWN_BAND):
        return (1, "")
    if by == "follower_band" and value in FOLLOWER_BANDS:
        return (0, FOLLOWER_BANDS.index(value))
    return (0, value)
