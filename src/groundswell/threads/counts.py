"""The counts of threads every view shows, defined here once, and the moment waits run to.

A *thread* is what ``groundswell.threads.build`` rebuilds: a brand<->customer conversation, split where a
customer post follows 24 h of silence (DESIGN, "Fine print"). Over a period:

- **threads**: threads whose first inbound post is in the period.
- **replied**: those threads with a brand reply (a non-automated brand post after the first inbound post).
- **unanswered**: those threads needing a reply (an inbound post the enrichment says needs one) that got
  no brand reply at all.
- **waiting**: those threads needing a reply whose latest such post has no brand reply after it: every
  unanswered thread, and the replied ones where the customer asked again and is still waiting. These are
  the inbox's conversations, each named by its first post still waiting (``waiting_posts``).

So unanswered <= waiting <= threads and unanswered <= threads - replied. ``status``, the response and help
families, the report, the inbox and the API take these numbers from here, under these names.

**As of** (``as_of``): the moment a wait runs to. A workspace that syncs connected accounts holds posts up
to now, so its waits run to now; an import ends with its last post, and measuring from today would only
tell how old the file is, so its waits run to the last post of the period. The report and the inbox share it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from groundswell.clock import naive_utc, utcnow
from groundswell.query import Period, Sources, in_period, rows, scalar
from groundswell.records import ThreadCounts
from groundswell.threads.build import THREAD_KEYS, Threads
from groundswell.threads.stage import build_threads

if TYPE_CHECKING:
    import ibis.expr.types as ir


def waiting_posts(threads: Threads) -> ir.Table:
    """Inbound posts that need a reply and have no non-automated brand post after them in their thread."""
    p = threads.posts
    return p.filter(p.inbound & p.needs_reply.fill_null(False) & p.reply_delay_s.isnull() & p.in_thread)


def counted_threads(threads: Threads, period: Period) -> ir.Table:
    """The threads counted over ``period`` (first inbound post in it), each with its ``waiting`` and
    ``unanswered`` flags (see the module)."""
    table = in_period(threads.threads, period, "first_inbound_created_at")
    pending = waiting_posts(threads)
    per_thread = pending.group_by(list(THREAD_KEYS)).aggregate(_waiting_posts=pending.count())
    table = table.left_join(per_thread, list(THREAD_KEYS)).drop(*(f"{k}_right" for k in THREAD_KEYS))
    waiting = table._waiting_posts.fill_null(0) > 0
    return table.mutate(waiting=waiting, unanswered=waiting & ~table.replied).drop("_waiting_posts")


def count_columns(table: ir.Table) -> dict[str, Any]:
    """The four counts as aggregates over ``counted_threads`` (or a group of it): the one way every figure
    that shows them counts them."""
    return {
        "threads": table.count(),
        "replied": table.replied.cast("int64").sum(),
        "unanswered": table.unanswered.cast("int64").sum(),
        "waiting": table.waiting.cast("int64").sum(),
    }


def data_end(sources: Sources) -> datetime | None:
    """The last post of the period (None: no post in it)."""
    found: datetime | None = scalar(sources.posts.created_at.max())
    return found


def as_of(sources: Sources, *, now: datetime | None = None) -> datetime | None:
    """The moment waits run to (see the module): now (``now``, default the clock) for a live workspace, no
    later than the period's end; otherwise the last post of the period."""
    if not sources.live:
        return data_end(sources)
    moment = naive_utc(now) if now is not None else utcnow()
    until = sources.period.until
    return min(moment, until) if until is not None else moment


def thread_counts(sources: Sources, *, now: datetime | None = None) -> ThreadCounts:
    """The four counts of ``sources`` (its period and model version) and the moment they are as of."""
    table = counted_threads(build_threads(sources), sources.period)
    found = rows(table.aggregate(**count_columns(table)))[0]
    enriched = sources.enrichments is not None
    return ThreadCounts(
        threads=int(found["threads"] or 0),
        replied=int(found["replied"] or 0),
        unanswered=int(found["unanswered"] or 0) if enriched else None,
        waiting=int(found["waiting"] or 0) if enriched else None,
        as_of=as_of(sources, now=now),
        live=sources.live,
    )


__all__ = ["as_of", "count_columns", "counted_threads", "data_end", "thread_counts", "waiting_posts"]
