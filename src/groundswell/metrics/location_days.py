"""Each store's customer posts and replies counted per day: what the social figures per store and period
(``social_panel``) add up to weeks or months.

One row per (``location``, ``day``) with posts: ``location`` is a configured location's name (``frames.
location_key``), or null for posts at none (they still count in the brand-wide marketing buzz); ``day`` is the
UTC day of ``created_at``. The counts:

- of the customer posts the enrichment classed (``posts``): ``experience_posts`` and ``experience_net``
  (positive minus negative), ``marketing_posts`` and ``marketing_net``, ``complaints``;
- of the inbound posts (``threads.posts``): ``needs_reply``, and ``replied`` (a brand reply within
  ``[response] window_hours``).

The DuckDB workspace keeps the counts of every post (``store.location_days``), counted again when the stored
threads stage or the config's locations or response window changed (after new or newly enriched posts, only the
days of their reply trees: ``_kept``): a period of whole days then reads a few thousand rows instead of finding
every post's store by its text and joining the enrichments and the threads (about 1 s per million posts). The
workspace counts them after an import, an enrichment or an outcomes import where per-store outcomes are
imported (``refresh_location_days``), so that the report's section on the business does not wait for them.
Elsewhere (PostgreSQL, Spark, a brand's or a platform's own figures, a period that starts or ends within a day)
they are counted from the posts of the period each time, by the same expressions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime
from datetime import time as day_start
from typing import Any

import ibis
import ibis.expr.types as ir

from groundswell.metrics.frames import (
    customer_posts,
    location_key,
    require_enrichments,
    with_customer_location,
    with_enrichments,
)
from groundswell.query import Sources, in_period, rows
from groundswell.store import location_days as kept
from groundswell.store import thread_stage
from groundswell.threads.stage import build_threads
from groundswell.threads.stored import stored_state

FORMAT = 2  # bump when the counts change: kept counts of another format are counted again
COUNTS = (
    "posts",
    "experience_posts",
    "experience_net",
    "marketing_posts",
    "marketing_net",
    "complaints",
    "needs_reply",
    "replied",
)

log = logging.getLogger(__name__)


def location_days(src: Sources) -> ir.Table:
    """The day counts of ``src``'s period: the kept ones where the workspace keeps them (brought up to date
    first), else counted from the posts. Raises ``MetricUnavailable`` when the workspace is not enriched."""
    require_enrichments(src, "the social figures per store")
    found = _kept(src) if _whole_days(src) else None
    if found is None:
        return _counted(src, src.posts, in_period(build_threads(src).posts, src.period))
    since, until = src.period.since, src.period.until
    if since is not None:
        found = found.filter(found.day >= since.date())
    if until is not None:
        found = found.filter(found.day < until.date())
    return found


def refresh_location_days(src: Sources) -> bool:
    """Bring the kept day counts up to date (count them where they are not kept yet); False where the
    workspace cannot keep them for ``src`` (see the module doc), another thread is writing, or the count
    failed (logged, never raised: the next figure counts them itself)."""
    try:
        return _kept(src) is not None
    except kept.ERRORS as exc:
        log.warning("location days not counted (%s): the next figure counts them", exc)
        return False


def _counted(src: Sources, posts: ir.Table, inbound: ir.Table, *, some_days: bool = False) -> ir.Table:
    """The counts of the customer posts among ``posts`` and of the inbound posts among ``inbound``; with
    ``some_days``, each post's store found for ``posts`` alone (not for every post of the sources)."""
    enrichments = require_enrichments(src, "the social figures per store")
    names = [loc.name for loc in src.config.locations]
    every = with_enrichments(customer_posts(posts), enrichments, ["subject", "sentiment", "intent"])
    located = _located(src, posts) if some_days else None
    every = with_customer_location(every, src, located=located)
    zero = ibis.literal(0, type="int64")
    said = every.group_by(location=_configured(every._location, names), day=every.created_at.date()).aggregate(
        posts=every.count(),
        **_subject_counts(every, "experience"),
        **_subject_counts(every, "marketing"),
        complaints=every.count(where=every.intent == "complaint"),
        needs_reply=zero,
        replied=zero,
    )
    inbound = with_customer_location(inbound.filter(inbound.inbound), src, located=located)
    window_s = src.config.response.window_hours * 3600
    in_window = inbound.reply_delay_s.notnull() & (inbound.reply_delay_s <= window_s)
    answered = inbound.group_by(
        location=_configured(inbound._location, names), day=inbound.created_at.date()
    ).aggregate(
        **{name: zero for name in COUNTS[:-2]},
        needs_reply=inbound.needs_reply.cast("int64").sum().fill_null(0),
        replied=(inbound.needs_reply & in_window).cast("int64").sum().fill_null(0),
    )
    both = said.union(answered)
    return both.group_by("location", "day").aggregate(**{name: both[name].sum().cast("int64") for name in COUNTS})


def _configured(location: ir.StringValue, names: list[str]) -> ir.StringValue:
    """The configured location's name; null for none or another (``location_key``'s raw fallback)."""
    if not names:
        return ibis.null("string")
    return location.isin(names).ifelse(location, ibis.null("string"))


def _subject_counts(table: ir.Table, label: str) -> dict[str, ir.IntegerScalar]:
    """The posts of subject ``label`` and their positive minus negative count, as aggregations of ``table``."""
    of = table.subject == label
    positive = table.count(where=of & (table.sentiment == "positive"))
    return {
        f"{label}_posts": table.count(where=of),
        f"{label}_net": positive - table.count(where=of & (table.sentiment == "negative")),
    }


def _whole_days(src: Sources) -> bool:
    return all(bound is None or bound.time() == day_start(0) for bound in (src.period.since, src.period.until))


def _kept(src: Sources) -> ir.Table | None:
    """The kept counts of every post, counted again first where they are stale; None where the workspace keeps
    none for ``src``: no store (another engine, a brand's or a platform's figures), a model version other
    than the newest, a transaction open on the connection, or another thread writing when they are stale.

    Stale because posts were imported or enriched since (the threads stage brought up to date tree by tree,
    not built again): only the days of the reply trees holding those posts are counted again (a new reply
    changes the replies counted on the day of the post it answers). Anything else (the config's locations or
    window, the model version, a full build of the threads stage): every day."""
    store = src.store
    if store is None:
        return None
    if thread_stage.in_transaction(store):
        return None  # the swap is a transaction of its own; one inside the caller's would abort it
    source = stored_state(src)  # None for a model version other than the newest, or a stage not up to date
    if source is None:
        build_threads(src)  # the stored stage brought up to date: the counts follow its state
        source = stored_state(src)
    if source is None:
        return None  # the threads were built for this run only (another thread writing, another version)
    now = {"key": _key(src), "threads": json.loads(source)}
    was = _state(kept.read_state(store))
    if was != now:
        with store.writer(wait=False) as writer:
            if not writer:
                return None
            started = time.perf_counter()
            state = json.dumps(now, sort_keys=True)
            kept.drop_building(store)
            try:
                if was is not None and was["key"] == now["key"] and _same_build(was["threads"], now["threads"]):
                    days = _count_changed_days(src, was["threads"]["watermarks"], state)
                    log.info("location days: %d days counted again in %.1f s", days, time.perf_counter() - started)
                else:
                    counts = _counted(src, src.every_post, build_threads(src).posts)
                    ibis.get_backend(src.every_post).create_table(kept.BUILDING, counts, schema=counts.schema())
                    kept.swap_in_built(store, state)
                    log.info("location days: every day counted in %.1f s", time.perf_counter() - started)
            finally:
                kept.drop_building(store)
    found: ir.Table = ibis.get_backend(src.every_post).table(kept.TABLE)
    return found


def _count_changed_days(src: Sources, since: dict[str, Any], state: str) -> int:
    """Count again the days of the reply trees that hold a post imported or enriched after the watermarks
    ``since`` (the threads stage's, when the counts were last counted); how many days."""
    threads = build_threads(src).posts
    posts = src.every_post
    changed = posts.select("platform", "post_id")
    if since["import_id"] is not None:
        changed = posts.filter(posts.import_id > since["import_id"]).select("platform", "post_id")
    enrichments = require_enrichments(src, "the social figures per store")
    if since["enriched_at"] is not None:
        enrichments = enrichments.filter(enrichments.enriched_at > datetime.fromisoformat(since["enriched_at"]))
    changed = changed.union(enrichments.select("platform", "post_id"))
    roots = threads.semi_join(changed, ["platform", "post_id"]).select("platform", "root_id").distinct()
    touched = threads.semi_join(roots, ["platform", "root_id"])
    days = sorted({row["day"] for row in rows(touched.select(day=touched.created_at.date()).distinct())})
    if days:
        counts = _counted(
            src,
            posts.filter(posts.created_at.date().isin(days)),
            threads.filter(threads.created_at.date().isin(days)),
            some_days=True,
        )
        ibis.get_backend(posts).create_table(kept.BUILDING, counts, schema=counts.schema())
    kept.replace_days(src.store, days, state)  # type: ignore[arg-type]  # _kept checked the store
    return len(days)


def _located(src: Sources, posts: ir.Table) -> ir.Table:
    """``platform, post_id, location`` of the customer posts among ``posts`` (``location_key``)."""
    customers = customer_posts(posts)
    return customers.select("platform", "post_id", location=location_key(customers, src.config))


def _same_build(was: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether the threads stage was brought up to date tree by tree since ``was`` (not built again)."""
    return all(was[k] == now[k] for k in ("format", "fingerprint", "model_version", "accounts", "built_at"))


def _state(text: str | None) -> dict[str, Any] | None:
    """The kept counts' state (``{"key": ..., "threads": ...}``); None where there is none or another format."""
    try:
        found = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return found if isinstance(found, dict) and set(found) == {"key", "threads"} else None


def _key(src: Sources) -> str:
    """What of the config and the enrichments the counts are counted from, hashed: the format, the model
    version, the locations and their aliases, the response window."""
    parts = {
        "format": FORMAT,
        "model_version": src.model_version,
        "locations": [[loc.name, list(loc.aliases)] for loc in src.config.locations],
        "window_hours": src.config.response.window_hours,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
