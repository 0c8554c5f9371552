"""Threads: brand<->customer conversations rebuilt from reply links, as ibis expressions.

DESIGN, "The data": **Thread**: a brand<->customer conversation rebuilt from
reply links: the customer, the brand accounts involved, first customer post,
first brand reply, turns, customer sentiment at start and at end, outcome.

How, on any engine (no recursive SQL, which Spark lacks):

0. **Numbers.** Each post gets a number of its own for the build (``_k``), and every join and window
   after the first lookup of parents is on numbers (a post's, its root's ``_root_k``), not on
   ``(platform, post_id)`` strings, which cost two to three times as much at 10M posts. The stage's
   tables name posts and threads by their ids; each thread's row is grouped by its root's number
   (``_root_k``), which the per-post table keeps where the posts carry the warehouse's numbers (Spark).
1. **Reply trees.** Each post's root is found by pointer jumping: every post
   points at its parent (a root at itself), and each round replaces the pointer
   by the pointer's pointer, so a chain of depth *d* resolves in about log2(*d*)
   rounds of one self-join each. Rounds stop when no pointer moved, or after
   ``MAX_ROUNDS`` (2^40 deep: only a reply cycle, which corrupt input alone can
   hold, gets there; its posts keep the ancestor they reached). Each round is
   materialised by the engine (``Sources.materializer()``), so no engine
   recomputes the earlier rounds, and carries only the posts whose pointer
   moved in the round before (the others point at their root already).
2. **Effective time.** The same rounds carry the latest ``created_at`` on the
   path from the root: a post's *effective time* is that maximum. A reply
   timestamped before its parent (clock skew, edited exports) is taken as
   posted at its parent's time, so a reply never precedes what it answers and
   no response time is negative. Posts are ordered by effective time, then
   ``post_id``.
3. **Threads.** A *brand conversation* is a reply tree in which a brand account
   posts or is mentioned. Its posts by non-brand accounts are *inbound*
   (DESIGN: "a post by a non-brand account that mentions a brand account or
   replies into a brand conversation"; a root post the brand answered is in the
   conversation too). The tree is split into *threads* wherever a non-brand
   post follows ``THREAD_SILENCE_S`` (24 h) of silence in the tree: DESIGN's
   "a thread that goes quiet for 24 h and starts again counts as a new thread
   for response time". A brand post never starts a new thread: a brand reply
   after a day of silence is a late reply, and is measured as one. A thread is
   kept when it holds an inbound post, and is named by its first post
   (``thread_id``).

Per post (``Threads.posts``): ``root_id``, ``parent_missing`` (a reply whose
parent was never imported, perhaps deleted: it roots its own tree, and says
so), ``effective_at`` and ``t`` (its epoch seconds), ``thread_id``, ``seq``
(0-based order in the thread), ``role`` (``brand``; ``customer``, the author of
the thread's first non-brand post; ``other_customer``, any other non-brand
author, i.e. customer-to-customer replies), ``automated`` (a brand post
matching the config's ``[response] automation_patterns``: DESIGN's "replies
sent by automation do not count as a brand reply"), ``inbound``,
``reply_delay_s`` (a non-brand post's wait for the next non-automated brand
post in its thread, None when none came), the enrichment's ``sentiment``,
``sentiment_score``, ``intent``, ``needs_reply`` and ``gratitude`` (None when
not enriched), and the flags the thread's figures come from.

Per thread (``Threads.threads``): ``account`` (the brand account answering it:
the first non-automated brand replier; else a brand account posting in it;
else the one the first inbound post mentions; else one mentioned or posting in
its tree; alphabetically first where several), ``brand_accounts``, the
customer (``customer_id``, ``customer_handle``, ``customer_followers`` as on
their first post), ``first_inbound_at``, ``first_reply_at`` (the first
non-automated brand post after the first inbound post: "a customer's several
posts before the first reply count as one wait, measured from the first"),
``response_s`` (seconds between them; None when the brand started the thread,
"a thread the brand starts has no response time", or never replied),
``turns`` (runs of posts by the same side, brand or not, automated posts left
out: consecutive brand replies count once), ``brand_replies`` (such brand
runs after the first inbound post), customer sentiment at start and end (the
customer's first and last posts), and ``outcome``.

Outcome (DESIGN, "Did we help?"): "A replied thread is *helped* when an agent
marked it so, or the customer's last post after the brand's reply is positive
or thanks the brand; *not helped* when that last post is negative or repeats
the complaint; *unknown* when the customer went silent." An agent's mark
(``Sources.marks``, the latest per thread) comes first. Otherwise, on the
customer's last post after the first brand reply: sentiment positive ->
helped, negative -> not_helped, else gratitude -> helped, else intent
complaint -> not_helped, else (a neutral post that neither thanks nor
complains) unknown. No customer post after the reply: unknown. Unreplied
threads have no outcome (None), nor do replied ones whose last customer post
has no enrichment (the workspace is not enriched).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dt

from groundswell.config import normalize_handle
from groundswell.query import Sources
from groundswell.query.automation import automated
from groundswell.query.brands import handle_key, mentioned_account, mentioned_handle
from groundswell.query.numbers import has_parent_numbers, has_post_numbers
from groundswell.records import Intent, Outcome, Sentiment

if TYPE_CHECKING:
    import ibis.expr.types as ir

THREAD_SILENCE_S = 24 * 3600
ROOT_NUMBER = "_root_k"  # the root's number, as the build names it (``_resolve_roots``) and the per-post table
MAX_ROUNDS = 40
ROLES = ("brand", "customer", "other_customer")
THREAD_KEYS = ("platform", "root_id", "segment")
ENRICHMENT_COLUMNS = {
    "sentiment": "string",
    "sentiment_score": "float64",
    "intent": "string",
    "needs_reply": "boolean",
    "gratitude": "boolean",
}


@dataclass(frozen=True, slots=True)
class BrandAccountRef:
    """A brand account: ``key`` is the handle as compared (lower case, no ``@``), ``handle`` as shown."""

    platform: str
    key: str
    handle: str


@dataclass(frozen=True)
class Threads:
    """The threads stage's output on one engine: ``posts`` (every post) and ``threads`` (one row each)."""

    posts: ir.Table
    threads: ir.Table
    accounts: tuple[BrandAccountRef, ...]
    rounds: int
    converged: bool

    @property
    def notes(self) -> list[str]:
        if self.converged:
            return []
        return [
            (
                f"reply links did not resolve in {MAX_ROUNDS} rounds (a reply cycle in the data?): some posts"
                " keep the ancestor they reached as their thread root"
            )
        ]


Keep = Callable[[str, "ir.Table"], "ir.Table"]


def compute_threads(
    sources: Sources,
    *,
    silence_s: int = THREAD_SILENCE_S,
    accounts: tuple[BrandAccountRef, ...] | None = None,
    keep: Keep | None = None,
) -> Threads:
    """Rebuild the threads of ``sources.every_post`` from the posts, whatever ``Sources.store`` holds.

    ``accounts``: the brand accounts to use (default: ``brand_accounts(sources)``); a build over some of
    the reply trees passes those of every post. ``keep(name, table)``: computes and keeps the two results
    (``posts``, ``threads``) where the caller wants them (default: the engine's temp tables). The kept
    ``posts`` holds the root's number (``ROOT_NUMBER``), by which the per-thread rows are grouped; where it
    is this build's own (not the warehouse's), the returned ``posts`` leaves it out, and a caller keeping the
    table drops it (another build's rows would share its numbers).
    """
    if accounts is None:
        accounts = brand_accounts(sources)
    numbered = _numbered(sources, accounts)
    roots, rounds, converged = _resolve_roots(numbered, sources)
    per_post = _post_columns(sources, numbered, roots, accounts, silence_s, keep, converged=converged)
    for table in (roots, numbered):
        _release(sources, table)
    rows = _thread_rows(sources, per_post, accounts)
    threads = keep("threads", rows) if keep is not None else _materialize(sources, rows)
    if not has_parent_numbers(sources.every_post):
        per_post = per_post.drop(ROOT_NUMBER)  # this build's own numbers: no other build's rows share them
    return Threads(per_post, threads, accounts, rounds, converged)


def rejoin_enrichments(
    sources: Sources, posts: ir.Table, accounts: tuple[BrandAccountRef, ...], keep: Keep
) -> tuple[ir.Table, ir.Table]:
    """The stage's two results, kept, from ``posts``, a per-post table built before from the very same posts,
    config and brand ``accounts`` (``Threads.posts``), where only the enrichments have changed since (another
    model version, posts enriched again): the trees and threads are as they were, so every per-post column but
    the enrichment's is taken as it is, the enrichment's are joined again from ``sources``, and each thread's
    row is computed again from them. The same rows as ``compute_threads`` gives, without pointer jumping or
    window functions."""
    per_post = keep("posts", _with_enrichments(posts.drop(*ENRICHMENT_COLUMNS), sources.enrichments))
    # a thread is its tree's segment; the tree named here by its root's id (a build's own numbers are gone)
    threads = keep("threads", _thread_rows(sources, per_post, accounts, tree_keys=("platform", "root_id")))
    return per_post, threads


# -- brand accounts ------------------------------------------------------------------------


def brand_accounts(sources: Sources) -> tuple[BrandAccountRef, ...]:
    """The config's brand accounts, then the authors of brand posts not in it (e.g. TWCS's outbound authors);
    for a brand among peers (``Sources.scope``), its own accounts."""
    seen: dict[tuple[str, str], BrandAccountRef] = {}
    configured = () if sources.scope is not None else sources.config.accounts
    for account in configured:
        ref = BrandAccountRef(account.platform, normalize_handle(account.handle), account.handle.strip().lstrip("@"))
        seen.setdefault((ref.platform, ref.key), ref)
    posts = sources.every_post
    brand = posts.filter(posts.is_brand)
    shown = brand.author_handle.fill_null(brand.author_id)
    authors = (
        brand.select(platform=brand.platform, key=_handle_key(brand), shown=shown)
        .group_by(["platform", "key"])
        .aggregate(handle=ibis._.shown.min())
        .order_by(["platform", "key"])
    )
    for row in authors.to_pyarrow().to_pylist():
        ref = BrandAccountRef(str(row["platform"]), str(row["key"]), str(row["handle"]).strip().lstrip("@"))
        seen.setdefault((ref.platform, ref.key), ref)
    for platform, key in sources.scope.accounts if sources.scope is not None else ():
        seen.setdefault((platform, key), BrandAccountRef(platform, key, key))
    return tuple(seen.values())


_handle_key = handle_key


def _display(key: ir.StringValue, platform: ir.StringValue, accounts: tuple[BrandAccountRef, ...]) -> Any:
    """A brand account's handle as shown, from its key."""
    cases = [((platform == a.platform) & (key == a.key), a.handle) for a in accounts if a.handle != a.key]
    if not cases:
        return key
    return ibis.cases(*cases, else_=key)


# -- each post once: a number of its own and what its text says ---------------------------------------


def _materialize(sources: Sources, table: ir.Table) -> ir.Table:
    return sources.materializer().materialize(table)


def _release(sources: Sources, table: ir.Table) -> None:
    sources.materializer().release(table)


def _numbered(sources: Sources, accounts: tuple[BrandAccountRef, ...]) -> ir.Table:
    """Every post's columns the stage reads, with ``_k``, a number of its own in this build, materialised.

    Every later join and window of the build is on these numbers (``_k``, the root's ``_root_k``): on
    (platform, post_id) strings they cost two to three times as much. The text is read here once, for what
    the stage takes from it: automation (brand posts only) and the brand account it mentions.
    """
    p = sources.every_post
    is_automated = automated(p.text, sources.config.response.automation_patterns)
    # the warehouse numbers each post and its parent (``store.warehouse``): then no string join finds parents
    numbers = {"_k": p._key, "_parent_k": p._parent_key} if has_parent_numbers(p) else {"_k": _post_number(sources)}
    return _materialize(
        sources,
        p.select(
            "platform",
            "post_id",
            "in_reply_to_post_id",
            "author_id",
            "author_handle",
            "author_followers",
            "is_brand",
            "created_at",
            **numbers,
            automated=ibis.ifelse(p.is_brand, is_automated, False),
            brand_account=ibis.ifelse(p.is_brand, _handle_key(p), ibis.null().cast("string")),
            _mentioned=mentioned_handle(p, [(a.platform, a.key) for a in accounts]),
        ),
    )


@ibis.udf.scalar.builtin(signature=((), dt.int64))  # type: ignore[untyped-decorator]
def monotonically_increasing_id() -> int:  # type: ignore[empty-body]
    """Spark's own unique number per row, counted within each partition (no shuffle)."""


def _post_number(sources: Sources) -> ir.IntegerValue:
    """A number unique to each post: its row number, or on Spark, where a row number over every row would
    move them all into one partition, Spark's per-partition count."""
    if sources.materializer().name == "spark":
        found: ir.IntegerValue = monotonically_increasing_id()
        return found
    return ibis.row_number()


# -- reply trees: roots and effective times by pointer jumping ------------------------------------


def _resolve_roots(numbered: ir.Table, sources: Sources) -> tuple[ir.Table, int, bool]:
    """(_k, _root_k, effective_at, parent_missing) per post, materialised; the rounds run; converged.

    A post whose pointer did not move in a round points at a root (its pointer's pointer is itself): it is
    settled, and later rounds carry only the posts still moving. Each round looks their pointers up among
    every post (settled and moving, as the round before left them), so a chain still halves each round; only
    the moving posts are joined and kept again, a shrinking share of the posts after the first round."""
    numbers = ["_k", *(["_parent_k"] if "_parent_k" in numbered.columns else [])]
    base = numbered.select(*numbers, "platform", "post_id", parent=numbered.in_reply_to_post_id, at=numbered.created_at)
    parents = base.select(_p_platform=base.platform, _p_id=base.post_id, _p_k=base._k, _p_at=base.at)
    if "_parent_k" in base.columns:  # the parent's number is known: a join on numbers
        joined = base.left_join(parents, base._parent_k == parents._p_k)
    else:
        joined = base.left_join(parents, [base.platform == parents._p_platform, base.parent == parents._p_id])
    linked = joined._p_id.notnull() & (joined.parent != joined.post_id)
    node = _materialize(
        sources,
        joined.select(
            "_k",
            parent_missing=joined.parent.notnull() & joined._p_id.isnull(),
            ptr=ibis.ifelse(linked, joined._p_k, joined._k),
            eff=ibis.ifelse(linked & (joined._p_at > joined.at), joined._p_at, joined.at),
            moved=linked,
        ),
    )
    kept = [node]  # every post is in exactly one kept table's rows with moved = False, or in ``moving``
    moving = node.filter(node.moved)
    rounds, converged = 0, not _any(node.moved)
    while not converged and rounds < MAX_ROUNDS:
        everyone = _latest_pointers(kept, moving)
        up = everyone.select(_u_k=everyone._k, _u_ptr=everyone.ptr, _u_eff=everyone.eff)
        step = moving.join(up, moving.ptr == up._u_k)
        nxt = _materialize(
            sources,
            step.select(
                "_k",
                "parent_missing",
                ptr=step._u_ptr,
                eff=ibis.ifelse(step._u_eff > step.eff, step._u_eff, step.eff),
                moved=step._u_ptr != step.ptr,
            ),
        )
        kept.append(nxt)
        moving = nxt.filter(nxt.moved)
        rounds += 1
        converged = not _any(nxt.moved)
    final = _latest_pointers(kept, moving)
    # read twice (the windows, then the posts' columns): materialised once, rather than the union of the rounds
    roots = _materialize(sources, final.select("_k", "parent_missing", _root_k=final.ptr, effective_at=final.eff))
    for table in kept:
        _release(sources, table)
    return roots, rounds, converged


def _latest_pointers(kept: list[ir.Table], moving: ir.Table) -> ir.Table:
    """Every post's pointer as the last round left it: the settled rows of each round, and those still moving."""
    return ibis.union(*(t.filter(~t.moved) for t in kept), moving, distinct=False)


def _any(flag: ir.BooleanColumn) -> bool:
    return bool(flag.cast("int64").sum().fill_null(0).to_pyarrow().as_py())


# -- per post ---------------------------------------------------------------------------------


def _post_columns(
    sources: Sources,
    numbered: ir.Table,
    roots: ir.Table,
    accounts: tuple[BrandAccountRef, ...],
    silence_s: int,
    keep: Keep | None = None,
    *,
    converged: bool = True,
) -> ir.Table:
    """Every post with its thread columns (see the module docstring), materialised.

    Cost: the window functions (segments, order in the thread, the next reply) run on a narrow table of
    the few columns they need, partitioned by the root's number, materialised once, and the post's other
    columns are joined back after, in one join on the post's number: a window sorts every column it
    carries, so carrying text, handles and enrichments through each of them costs several times more, and
    on Spark each join moves the wide rows between machines once more.
    """
    located = numbered.join(roots, "_k")
    n = located.select(
        "_k",
        "_root_k",
        "post_id",
        "is_brand",
        "author_id",
        "parent_missing",
        "effective_at",
        t=located.effective_at.truncate("s").epoch_seconds().cast("int64"),
        replyable=located.is_brand & ~located.automated,
        _marks_brand=located.is_brand | located._mentioned.notnull(),
    )

    # Five window layers, each one sort: a layer takes what the one before computed. Within a layer every
    # window has the same partition and order (whole-partition ones too, with an unbounded frame), so the
    # engine computes them over one sort.
    def tree(table: ir.Table, **frame: Any) -> Any:
        """A window over the post's reply tree, in time order."""
        return ibis.window(group_by=[table._root_k], order_by=[table.t, table.post_id], **frame)

    whole_tree = tree(n, preceding=None, following=None)
    n = n.mutate(
        brand_conversation=n._marks_brand.cast("int64").max().over(whole_tree) > 0,
        _prev_t=n.t.lag().over(tree(n)),
        # the root is in its own tree, unless the links did not resolve (a cycle): then it is looked up
        root_id=ibis.cases((n._k == n._root_k, n.post_id)).max().over(whole_tree)
        if converged
        else ibis.null().cast("string"),
    )
    n = n.mutate(_starts=(n._prev_t.isnull() | (~n.is_brand & (n.t - n._prev_t >= silence_s))).cast("int64"))
    n = n.mutate(segment=n._starts.sum().over(tree(n, preceding=None, following=0)))
    n = n.drop("_prev_t", "_starts", "_marks_brand")

    def thread(table: ir.Table, **frame: Any) -> Any:
        """A window over the post's thread (its tree's segment), in thread order."""
        return ibis.window(group_by=[table._root_k, table.segment], order_by=[table.t, table.post_id], **frame)

    n = n.mutate(
        seq=ibis.row_number().over(thread(n)),
        _inbound_so_far=(~n.is_brand).cast("int64").sum().over(thread(n, preceding=None, following=0)),
        _next_reply_t=ibis.cases((n.replyable, n.t)).min().over(thread(n, preceding=0, following=None)),
    )
    whole = thread(n, preceding=None, following=None)
    first_inbound = ~n.is_brand & (n._inbound_so_far == 1)
    inbound = ~n.is_brand & n.brand_conversation
    n = n.mutate(
        first_inbound=first_inbound,
        after_inbound=n._inbound_so_far > 0,
        inbound=inbound,
        reply_delay_s=ibis.ifelse(~n.is_brand, n._next_reply_t - n.t, ibis.null().cast("int64")),
        _replies_so_far=(n.replyable & (n._inbound_so_far > 0))
        .cast("int64")
        .sum()
        .over(thread(n, preceding=None, following=0)),
        _customer_id=ibis.cases((first_inbound, n.author_id)).max().over(whole),
        thread_id=ibis.cases((n.seq == 0, n.post_id)).max().over(whole),
        in_thread=inbound.cast("int64").max().over(whole) > 0,
    ).drop("_inbound_so_far", "_next_reply_t")
    role = ibis.cases((n.is_brand, "brand"), (n.author_id == n._customer_id, "customer"), else_="other_customer")
    n = n.mutate(
        first_reply=n.replyable & n.after_inbound & (n._replies_so_far == 1),
        after_reply=n._replies_so_far > 0,
        role=role,
        _customer_rest=(role == "customer").cast("int64").sum().over(thread(n, preceding=0, following=None)),
    )
    n = n.mutate(last_customer=(n.role == "customer") & (n._customer_rest == 1))
    n = n.select(
        "_k",
        "_root_k",
        "root_id",
        "parent_missing",
        "effective_at",
        "brand_conversation",
        "segment",
        "seq",
        "first_inbound",
        "after_inbound",
        "first_reply",
        "after_reply",
        "inbound",
        "reply_delay_s",
        "thread_id",
        "in_thread",
        "role",
        "last_customer",
        "t",
    )
    if not converged:
        root_ids = numbered.select(_r_k=numbered._k, _r_id=numbered.post_id)
        n = n.left_join(root_ids, n._root_k == root_ids._r_k)
        n = n.mutate(root_id=n._r_id).drop("_r_k", "_r_id")
    narrow = _materialize(sources, n)
    joined = numbered.join(narrow, "_k")
    joined = joined.select(
        "platform",
        "post_id",
        "author_id",
        "author_handle",
        "author_followers",
        "is_brand",
        "created_at",
        "root_id",
        "parent_missing",
        "effective_at",
        "t",
        "automated",
        "brand_account",
        mentioned_account=mentioned_account(
            joined._mentioned, joined.platform, [(a.platform, a.key) for a in accounts]
        ),
        **{name: joined[name] for name in narrow.columns if name not in _FIRST_COLUMNS},
        # the warehouse's number for the enrichments' join; the root's, by which the per-thread rows are grouped
        **({"_k": joined._k} if has_parent_numbers(sources.every_post) else {}),
        **{ROOT_NUMBER: joined._root_k},
    )
    enriched = _with_enrichments(joined, sources.enrichments)
    per_post = keep("posts", enriched) if keep is not None else _materialize(sources, enriched)
    _release(sources, narrow)
    return per_post


# the narrow table's columns that the per-post table takes before its thread columns, or leaves out
_FIRST_COLUMNS = ("_k", "_root_k", "root_id", "parent_missing", "effective_at", "t")


def _with_enrichments(p: ir.Table, enrichments: ir.Table | None) -> ir.Table:
    """``p`` plus its enrichment columns (null where not enriched), less ``_k``: joined by the warehouse's
    numbers when ``p`` carries them as ``_k`` and the enrichments theirs (``query.numbers``), else by ids."""
    numbers = "_k" in p.columns and enrichments is not None and has_post_numbers(enrichments)
    if "_k" in p.columns and not numbers:
        p = p.drop("_k")
    if enrichments is None:
        return p.mutate(**{name: ibis.null().cast(dtype) for name, dtype in ENRICHMENT_COLUMNS.items()})
    columns = {name: enrichments[name] for name in ENRICHMENT_COLUMNS}
    if numbers:
        e = enrichments.select(_e_k=enrichments._key, **columns)
        return p.left_join(e, p._k == e._e_k).drop("_k", "_e_k")
    e = enrichments.select(_e_platform=enrichments.platform, _e_post_id=enrichments.post_id, **columns)
    return p.left_join(e, [p.platform == e._e_platform, p.post_id == e._e_post_id]).drop("_e_platform", "_e_post_id")


# -- per thread -------------------------------------------------------------------------------


def _thread_rows(
    sources: Sources,
    p: ir.Table,
    accounts: tuple[BrandAccountRef, ...],
    *,
    tree_keys: tuple[str, ...] = (ROOT_NUMBER,),
) -> ir.Table:
    t = p.filter(p.in_thread)
    # A thread is its tree's segment: grouped and joined by the root's number (``_root_k``), not by the
    # (platform, root_id, segment) strings. At 10M posts every group and join below is cheaper on the
    # number: on Spark several times, on DuckDB by a quarter.
    keys = [*tree_keys, "segment"]
    named = {name: t[name].max() for name in ("platform", "root_id") if name not in tree_keys}

    def join(left: ir.Table, right: ir.Table, on: list[str]) -> ir.Table:
        return left.left_join(right, on).drop(*(f"{k}_right" for k in on))

    # Figures of the thread as a whole aggregate; those of one post (the first inbound post, the first reply,
    # the customer's last post) are that post's columns, joined: an aggregate keeping a filtered maximum of
    # each would hold all of them for every thread at once.
    g = t.group_by(keys).aggregate(
        **named,
        thread_id=t.thread_id.max(),
        started_at=t.effective_at.min(),
        started_by_brand=(t.is_brand & (t.seq == 0)).cast("int64").max() > 0,
        parent_missing=(t.parent_missing & (t.seq == 0)).cast("int64").max() > 0,
        _any_mention=t.mentioned_account.min(),
        posts=t.count(),
        inbound=t.inbound.cast("int64").sum(),
        needs_reply=(t.needs_reply & t.inbound).cast("int64").sum()
        if sources.enrichments is not None
        else ibis.null().cast("int64"),
        other_customer_posts=(t.role == "other_customer").cast("int64").sum(),
        automated_replies=t.automated.cast("int64").sum(),
    )
    first = t.filter(t.first_inbound)
    first = first.select(
        *keys,
        first_inbound_post_id=first.post_id,
        customer_id=first.author_id,
        customer_handle=first.author_handle,
        customer_followers=first.author_followers,
        first_inbound_at=first.effective_at,
        first_inbound_created_at=first.created_at,
        _first_inbound_t=first.t,
        _first_mention=first.mentioned_account,
        start_sentiment=first.sentiment_score,
        start_sentiment_label=first.sentiment,
    )
    reply = t.filter(t.first_reply)
    reply = reply.select(
        *keys,
        first_reply_at=reply.effective_at,
        _first_reply_t=reply.t,
        _reply_account=reply.brand_account,
    )
    last = t.filter(t.last_customer)
    after = last.after_reply
    last = last.select(
        *keys,
        end_sentiment=last.sentiment_score,
        end_sentiment_label=last.sentiment,
        _after_posts=after.cast("int64"),
        _after_label=ibis.ifelse(after, last.sentiment, ibis.null().cast("string")),
        _after_gratitude=ibis.ifelse(after, last.gratitude.cast("int64"), ibis.null().cast("int64")),
        _after_intent=ibis.ifelse(after, last.intent, ibis.null().cast("string")),
    )
    for one in (first, reply, last):
        g = join(g, one, keys)

    spoken = t.filter(~t.automated)
    order = ibis.window(group_by=[spoken[k] for k in keys], order_by=[spoken.t, spoken.post_id])
    spoken = spoken.mutate(_prev_brand=spoken.is_brand.lag().over(order))
    run = (spoken._prev_brand.isnull() | (spoken._prev_brand != spoken.is_brand)).cast("int64")
    spoken = spoken.mutate(_run=run)
    turns = spoken.group_by(keys).aggregate(
        turns=spoken._run.sum(),
        brand_replies=(spoken._run * (spoken.is_brand & spoken.after_inbound).cast("int64")).sum(),
    )
    g = join(g, turns, keys)
    # the brand accounts posting in each thread, from its brand posts only: a list per group is costly state
    # for an aggregate over every post
    brand = t.filter(t.brand_account.notnull()).select(*keys, "brand_account").distinct()
    lists = brand.group_by(keys).aggregate(
        brand_accounts=brand.brand_account.collect().sort(), _any_brand=brand.brand_account.min()
    )
    g = join(g, lists, keys)
    # the account of a thread no brand account posts in or is mentioned in: one of its tree's
    trees = p.group_by(list(tree_keys)).aggregate(
        _tree_account=p.brand_account.min(), _tree_mention=p.mentioned_account.min()
    )
    g = join(g, trees, list(tree_keys))

    marked = ibis.null().cast("string")
    if sources.marks is not None:
        marks = sources.marks
        m = marks.join(p.select(*dict.fromkeys([*keys, "platform", "post_id"])), ["platform", "post_id"])
        latest = m.group_by(keys).aggregate(_mark=m.outcome.argmax(m.marked_at))
        g = join(g, latest, keys)
        marked = g._mark
    replied = g._first_reply_t.notnull()
    account = ibis.coalesce(
        g._reply_account, g._any_brand, g._first_mention, g._any_mention, g._tree_account, g._tree_mention
    )
    inferred = ibis.cases(
        # plain strings (.value) inside ibis expressions: literals of the column's own type
        (g._after_posts == 0, Outcome.UNKNOWN.value),  # the customer went silent
        (g._after_label == Sentiment.POSITIVE.value, Outcome.HELPED.value),
        (g._after_label == Sentiment.NEGATIVE.value, Outcome.NOT_HELPED.value),
        (g._after_gratitude == 1, Outcome.HELPED.value),
        (g._after_intent == Intent.COMPLAINT.value, Outcome.NOT_HELPED.value),
        (g._after_label.notnull(), Outcome.UNKNOWN.value),
        else_=ibis.null().cast("string"),  # not enriched: cannot tell
    )
    g = g.mutate(
        account=_display(account, g.platform, accounts),
        replied=replied,
        response_s=ibis.ifelse(
            replied & ~g.started_by_brand, g._first_reply_t - g._first_inbound_t, ibis.null().cast("int64")
        ),
        outcome=ibis.cases(
            (marked.notnull(), marked),
            (~replied, ibis.null().cast("string")),
            else_=inferred,
        ),
        marked=marked.notnull(),
        # no brand post: an empty list on every engine (DuckDB's list() of nothing is NULL, Spark's [])
        brand_accounts=g.brand_accounts.fill_null(ibis.literal([], type="array<string>")),
    )
    return g.select(*THREAD_KEYS, *(c for c in g.columns if c not in THREAD_KEYS and not c.startswith("_")))
