"""Response: does the brand answer the people who need an answer, and how fast?

DESIGN, "Metric definitions":

- **Inbound**: a post by a non-brand account that mentions a brand account or
  replies into a brand conversation.
- **Response rate**: share of inbound posts that need a reply (needs_reply:
  questions, complaints, requests; not chit-chat) which got a brand reply
  within the window (default 24 h).
- **First response time**: from a thread's first inbound post to the first
  brand reply in that thread. Report median and 90th percentile; never the
  mean alone.

And "Fine print": times are UTC; response times in calendar hours, and in
business hours when the workspace config gives a schedule; automated replies
are no reply; a thread quiet for 24 h that starts again is a new thread; a
thread the brand starts has no response time; a customer's several posts
before the first reply are one wait; **fairness of response**: response rate
and first response time by the customer's follower band (under 100, 100-1k,
1k-10k, over 10k).

Everything rests on ``groundswell.threads`` (what a thread, a reply and an
automated reply are). Counts and calendar-time percentiles are computed by the
engine (ibis); business-hours percentiles in Python over the replied threads'
two times, since walking a weekly schedule across time zones and daylight
saving is no expression both engines share. Percentiles interpolate linearly
between the nearest ranks (DuckDB's ``quantile_cont``, Spark's ``percentile``,
numpy's default).

Without enrichments, ``needs_reply``, ``replied`` and ``response_rate`` are
None and the figures carry a note saying ``groundswell enrich`` must run first;
everything else (inbound, threads, response times) needs no classifier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from groundswell.config import BusinessHours
from groundswell.enrich.confusion import NEEDS_REPLY_LABELS, HeldOutConfusion, held_out_confusions
from groundswell.errors import UsageError
from groundswell.metrics.base import BY_CHOICES, Interval, MetricValue, ratio
from groundswell.metrics.frames import (
    FOLLOWER_BANDS,
    NONE_KEY,
    follower_band,
    group_label,
    group_sort_key,
    month_index,
    with_customer_location,
)
from groundswell.metrics.intervals import Floats, interval, joint_shares, share_ratio
from groundswell.query import Period, Sources, in_period, rows
from groundswell.threads.build import Threads
from groundswell.threads.counts import count_columns, counted_threads
from groundswell.threads.stage import build_threads

if TYPE_CHECKING:
    import ibis.expr.types as ir

RESPONSE_BY = BY_CHOICES
ENRICH_NOTE = (
    "needs_reply, replied and response_rate come from the posts' enrichments (needs_reply): "
    "run `groundswell enrich` first"
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class ResponseFigures:
    """One group's response figures (``group`` empty for the whole brand).

    ``inbound``: inbound posts in the period; ``inbound_replied``: those with a non-automated brand reply
    in their thread within the window; ``needs_reply``: inbound posts the enrichment says need a reply;
    ``replied``: those replied within the window; ``response_rate`` = replied / needs_reply.
    ``response_rate_interval``: the 95% interval of the true response rate, allowing for sampling and the
    needs-reply classifier's measured errors (``metrics.intervals``).
    ``threads``: threads whose first inbound post is in the period; ``replied_threads``: with a brand
    reply; ``unanswered_threads`` and ``waiting_threads``: needing a reply and never answered, and still
    waiting for one (``groundswell.threads.counts`` defines all four; None when not enriched);
    ``brand_started_threads``: started by a brand post (no response time); ``timed_threads``: with
    a first response time; medians and 90th percentiles in seconds, calendar and (with a schedule)
    business time.
    """

    group: dict[str, str]
    inbound: int
    inbound_replied: int
    needs_reply: int | None
    replied: int | None
    response_rate: float | None
    threads: int
    replied_threads: int
    brand_started_threads: int
    timed_threads: int
    first_response_median_s: float | None
    first_response_p90_s: float | None
    unanswered_threads: int | None = None
    waiting_threads: int | None = None
    first_response_business_median_s: float | None = None
    first_response_business_p90_s: float | None = None
    window_hours: float = 24.0
    model_version: str | None = None
    period: Period = field(default_factory=Period)
    notes: tuple[str, ...] = ()
    response_rate_interval: Interval | None = None

    def metrics(self) -> list[MetricValue]:
        """The figures as ``MetricValue`` rows (rates with numerator and denominator)."""
        common: dict[str, Any] = {"period": self.period, "group": dict(self.group)}
        return [
            MetricValue("inbound", float(self.inbound), unit="posts", **common),
            MetricValue(
                "response_rate",
                self.response_rate,
                None if self.replied is None else float(self.replied),
                None if self.needs_reply is None else float(self.needs_reply),
                unit=f"share of inbound posts needing a reply, replied within {self.window_hours:g} h",
                model_version=self.model_version,
                **common,
                interval=self.response_rate_interval,
            ),
            MetricValue("first_response_median", self.first_response_median_s, unit="seconds", **common),
            MetricValue("first_response_p90", self.first_response_p90_s, unit="seconds", **common),
            MetricValue(
                "first_response_business_median",
                self.first_response_business_median_s,
                unit="business seconds",
                **common,
            ),
            MetricValue(
                "first_response_business_p90", self.first_response_business_p90_s, unit="business seconds", **common
            ),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "inbound": self.inbound,
            "inbound_replied": self.inbound_replied,
            "needs_reply": self.needs_reply,
            "replied": self.replied,
            "response_rate": self.response_rate,
            "response_rate_ci_low": None if self.response_rate_interval is None else self.response_rate_interval.low,
            "response_rate_ci_high": None if self.response_rate_interval is None else self.response_rate_interval.high,
            "threads": self.threads,
            "replied_threads": self.replied_threads,
            "unanswered_threads": self.unanswered_threads,
            "waiting_threads": self.waiting_threads,
            "brand_started_threads": self.brand_started_threads,
            "timed_threads": self.timed_threads,
            "first_response_median_s": self.first_response_median_s,
            "first_response_p90_s": self.first_response_p90_s,
            "first_response_business_median_s": self.first_response_business_median_s,
            "first_response_business_p90_s": self.first_response_business_p90_s,
            "window_hours": self.window_hours,
            "model_version": self.model_version,
            "period": self.period.as_dict(),
            "notes": list(self.notes),
        }


def response(
    sources: Sources, *, by: str | Sequence[str] | None = None, business_hours: bool = True
) -> list[ResponseFigures]:
    """Inbound, response rate and first response time, for the brand or per ``by`` group.

    DESIGN: "**Response rate**: share of inbound posts that need a reply (needs_reply: questions,
    complaints, requests; not chit-chat) which got a brand reply within the window (default 24 h)."
    "**First response time**: from a thread's first inbound post to the first brand reply in that
    thread. Report median and 90th percentile; never the mean alone."

    An inbound post *got a brand reply within the window* when a non-automated brand post follows it
    in its thread (``groundswell.threads``) within ``[response] window_hours``. Inbound posts count
    when posted in the period; threads when their first inbound post is.

    ``by``: account (the brand account answering the thread: for an inbound post, its thread's),
    platform, location, month (of the post; of a thread's first inbound post), follower_band (of the
    post's author; of a thread's customer), or a sequence of them. ``account`` lists every brand
    account, those with nothing to answer included.

    ``business_hours=False`` leaves the business-hours percentiles out (None) even with a schedule: they
    are computed in Python, one replied thread at a time, which a caller needing only calendar time (the
    scorecard) need not pay for.
    """
    bys = parse_bys(by)
    threads = build_threads(sources)
    window_s = sources.config.response.window_hours * 3600
    enriched = sources.enrichments is not None

    posts = in_period(threads.posts, sources.period)
    posts = posts.filter(posts.inbound)
    posts = _with_thread_account(posts, threads) if "account" in bys else posts
    posts = grouped(posts, bys, sources, thread_level=False)
    in_window = posts.reply_delay_s.notnull() & (posts.reply_delay_s <= window_s)
    gkeys = [f"_g{i}" for i in range(len(bys))]
    post_rows = rows(
        aggregate(
            posts,
            gkeys,
            inbound=posts.count(),
            inbound_replied=in_window.cast("int64").sum(),
            needs_reply=posts.needs_reply.cast("int64").sum(),
            replied=(posts.needs_reply & in_window).cast("int64").sum(),
        )
    )
    if enriched and sources.review is not None:
        post_rows += _reviewed_counts(posts, sources.review, gkeys, window_s)

    table = counted_threads(threads, sources.period)
    table = grouped(table, bys, sources, thread_level=True)
    counts = count_columns(table)
    thread_rows = rows(
        aggregate(
            table,
            gkeys,
            threads=counts["threads"],
            replied_threads=counts["replied"],
            unanswered_threads=counts["unanswered"],
            waiting_threads=counts["waiting"],
            brand_started_threads=table.started_by_brand.cast("int64").sum(),
            timed_threads=table.response_s.count(),
            median=table.response_s.quantile(0.5),
            p90=table.response_s.quantile(0.9),
        )
    )
    business: dict[tuple[Any, ...], list[float]] = {}
    hours = sources.config.business_hours
    if hours is not None and business_hours:
        timed = table.filter(table.response_s.notnull())
        for row in rows(timed.select(*gkeys, "first_inbound_at", "first_reply_at")):
            key = tuple(row[k] for k in gkeys)
            business.setdefault(key, []).append(business_seconds(row["first_inbound_at"], row["first_reply_at"], hours))

    notes = (*threads.notes, *(() if enriched else (ENRICH_NOTE,)))
    out = []
    for key, group, found in merge_groups(bys, [*post_rows, *thread_rows], threads):
        needs = int(found.get("needs_reply") or 0) if enriched else None
        replied = int(found.get("replied") or 0) if enriched else None
        times = sorted(business.get(key, []))
        out.append(
            ResponseFigures(
                group=group,
                inbound=int(found.get("inbound") or 0),
                inbound_replied=int(found.get("inbound_replied") or 0),
                needs_reply=needs,
                replied=replied,
                response_rate=ratio(replied, needs),
                response_rate_interval=response_rate_interval(
                    sources.model_version,
                    int(found.get("inbound") or 0),
                    int(found.get("inbound_replied") or 0),
                    needs,
                    replied,
                    reviewed=_reviewed_pairs(found),
                ),  # fmt: skip
                threads=int(found.get("threads") or 0),
                replied_threads=int(found.get("replied_threads") or 0),
                unanswered_threads=int(found.get("unanswered_threads") or 0) if enriched else None,
                waiting_threads=int(found.get("waiting_threads") or 0) if enriched else None,
                brand_started_threads=int(found.get("brand_started_threads") or 0),
                timed_threads=int(found.get("timed_threads") or 0),
                first_response_median_s=_float(found.get("median")),
                first_response_p90_s=_float(found.get("p90")),
                first_response_business_median_s=quantile(times, 0.5),
                first_response_business_p90_s=quantile(times, 0.9),
                window_hours=sources.config.response.window_hours,
                model_version=sources.model_version,
                period=sources.period,
                notes=notes,
            )
        )
    return out


def _pair_key(true: bool, said: bool, replied: bool) -> str:
    return f"_reviewed_{int(true)}{int(said)}{int(replied)}"


def _reviewed_counts(posts: ir.Table, review: ir.Table, gkeys: list[str], window_s: float) -> list[dict[str, Any]]:
    """Per group, the inbound posts the team labelled for needs-reply, counted by the true label, the predicted
    one and whether a brand reply came within the window."""
    labelled = review.filter(review.review_needs_reply.notnull())
    joined = posts.join(labelled, ["platform", "post_id"])
    in_window = joined.reply_delay_s.notnull() & (joined.reply_delay_s <= window_s)
    counts = {
        _pair_key(true, said, replied): joined.count(
            where=(joined.review_needs_reply == true) & (joined.needs_reply == said) & (in_window == replied)
        )
        for true in (False, True)
        for said in (False, True)
        for replied in (False, True)
    }
    return rows(aggregate(joined, gkeys, **counts))


def _reviewed_pairs(found: dict[str, Any]) -> dict[tuple[bool, bool, bool], int]:
    return {
        (true, said, replied): int(found.get(_pair_key(true, said, replied)) or 0)
        for true in (False, True)
        for said in (False, True)
        for replied in (False, True)
    }


def response_rate_interval(
    model_version: str | None,
    inbound: int,
    inbound_replied: int,
    needs_reply: int | None,
    replied: int | None,
    *,
    reviewed: dict[tuple[bool, bool, bool], int] | None = None,
) -> Interval | None:
    """95% interval of the true response rate (``metrics.intervals``).

    The inbound posts form a table of the predicted needs-reply label by whether a brand reply came within the
    window (observed, no errors); the true needs-reply posts of each column follow from the needs-reply
    classifier's errors, and the rate is the replied ones among them. The errors are measured on the posts the
    team labelled (``reviewed``: posts by true label, predicted label and reply) when at least ``MIN_REVIEWED``
    are, else they are the classifier's held-out confusion.
    """
    if needs_reply is None or replied is None or not needs_reply:
        return None
    confusion = held_out_confusions(model_version).get("needs_reply")
    return rate_interval(inbound, inbound_replied, needs_reply, replied, confusion, reviewed=reviewed)


def rate_interval(
    inbound: int,
    inbound_replied: int,
    needs_reply: int,
    replied: int,
    confusion: HeldOutConfusion | None,
    *,
    reviewed: dict[tuple[bool, bool, bool], int] | None = None,
) -> Interval | None:
    """``response_rate_interval`` with the needs-reply classifier's held-out confusion given."""
    if not needs_reply:
        return None
    labels = confusion.labels if confusion else NEEDS_REPLY_LABELS
    yes = labels.index("true")
    counts = [[0, 0], [0, 0]]  # [needs_reply label][replied: no, yes]
    counts[yes] = [needs_reply - replied, replied]
    counts[1 - yes] = [max(0, inbound - inbound_replied - (needs_reply - replied)), max(0, inbound_replied - replied)]
    pairs = None
    if reviewed:
        row = {False: labels.index("false"), True: yes}
        pairs = [[0] * 4 for _ in range(4)]  # cells numbered label * 2 + replied, as the table flattened
        for (true, said, got), n in reviewed.items():
            pairs[row[true] * 2 + got][row[said] * 2 + got] += n
    replicates, method = joint_shares(counts, [confusion, None], pairs)

    def rate(r: Floats) -> Floats:
        return share_ratio(r[:, yes, 1], r[:, yes, :].sum(axis=1))

    return interval(replicates, rate, method)


def fairness(sources: Sources, *, by: str | None = None) -> list[ResponseFigures]:
    """Response by the customer's follower band: are well-followed people answered more and faster?

    DESIGN: "**Fairness of response**: response rate and first response time by the customer's follower
    band (under 100, 100-1k, 1k-10k, over 10k), because brands are known to answer well-followed
    complainers more and faster."

    ``by``: another grouping crossed with the band (e.g. ``account``: each account's bands).
    Authors without a follower count fall in the band ``unknown``.
    """
    if by is None or by == "follower_band":
        return response(sources, by="follower_band")
    return response(sources, by=(by, "follower_band"))


# -- grouping ------------------------------------------------------------------------------


def parse_bys(by: str | Sequence[str] | None) -> tuple[str, ...]:
    found = () if by is None else (by,) if isinstance(by, str) else tuple(by)
    for name in found:
        if name not in RESPONSE_BY:
            raise UsageError(f"unknown --by {name!r}; choose one of: {', '.join(RESPONSE_BY)}")
    if len(set(found)) != len(found):
        raise UsageError(f"--by {', '.join(found)} names a grouping twice")
    return found


def _with_thread_account(posts: ir.Table, threads: Threads) -> ir.Table:
    owners = threads.threads.select(
        _t_platform=threads.threads.platform,
        _t_root=threads.threads.root_id,
        _t_segment=threads.threads.segment,
        thread_account=threads.threads.account,
    )
    joined = posts.left_join(
        owners,
        [posts.platform == owners._t_platform, posts.root_id == owners._t_root, posts.segment == owners._t_segment],
    )
    return joined.drop("_t_platform", "_t_root", "_t_segment")


def grouped(table: ir.Table, bys: tuple[str, ...], sources: Sources, *, thread_level: bool) -> ir.Table:
    """``table`` plus ``_g0``, ``_g1``, ... for the ``by`` keys (never null). Its rows are inbound posts
    (``thread_level=False``) or threads, located by their first inbound post: customer posts, whose location
    ``customer_locations`` holds."""
    if "location" in bys:
        table = with_customer_location(table, sources, table.first_inbound_post_id if thread_level else None)
    keys: dict[str, Any] = {}
    for i, by in enumerate(bys):
        if by == "account":
            key = table.account if thread_level else table.thread_account
            keys[f"_g{i}"] = key.fill_null(NONE_KEY)
        elif by == "platform":
            keys[f"_g{i}"] = table.platform
        elif by == "month":
            keys[f"_g{i}"] = month_index(table.first_inbound_created_at if thread_level else table.created_at)
        elif by == "follower_band":
            keys[f"_g{i}"] = follower_band(table.customer_followers if thread_level else table.author_followers)
        elif by == "location":
            keys[f"_g{i}"] = table._location.fill_null(NONE_KEY)
    return table.mutate(**keys) if keys else table


def merge_groups(
    bys: tuple[str, ...], found: Iterable[dict[str, Any]], threads: Threads
) -> list[tuple[tuple[Any, ...], dict[str, str], dict[str, Any]]]:
    """Rows keyed by ``_g0``, ``_g1``, ... merged per group, in display order: (key, group label, fields).

    Without ``by`` there is always one group (also for no rows); ``by`` account lists every brand account.
    """
    keys = [f"_g{i}" for i in range(len(bys))]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in found:
        merged.setdefault(tuple(row[k] for k in keys), {}).update(row)
    if not bys and not merged:
        merged[()] = {}
    if bys == ("account",):
        for account in threads.accounts:
            merged.setdefault((account.handle,), {})
    out = []
    for key in sorted(merged, key=lambda k: tuple(group_sort_key(b, v) for b, v in zip(bys, k, strict=True))):
        group: dict[str, str] = {}
        for b, value in zip(bys, key, strict=True):
            group.update(group_label(b, value))
        out.append((key, group, merged[key]))
    return out


def aggregate(table: ir.Table, keys: list[str], **metrics: Any) -> ir.Table:
    return table.group_by(keys).aggregate(**metrics) if keys else table.aggregate(**metrics)


# -- numbers -------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of sorted ``values``, interpolating linearly between nearest ranks (numpy's default)."""
    if not values:
        return None
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def business_seconds(start: datetime, end: datetime, hours: BusinessHours) -> float:
    """Seconds of ``hours`` (a weekly schedule in its time zone) between two naive-UTC moments.

    Each day of the schedule opens at ``start`` and closes at ``end`` local time, daylight saving
    included; the time between ``start`` and ``end`` counts only while open.
    """
    if end <= start:
        return 0.0
    zone = ZoneInfo(hours.timezone)
    begin = start.replace(tzinfo=UTC)
    finish = end.replace(tzinfo=UTC)
    day = begin.astimezone(zone).date()
    last = finish.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if _DAYS[day.weekday()] in hours.days:
            opens = datetime.combine(day, hours.start, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, hours.end, tzinfo=zone).astimezone(UTC)
            overlap = (min(closes, finish) - max(opens, begin)).total_seconds()
            total += max(0.0, overlap)
        day += timedelta(days=1)
    return total


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


__all__ = ["FOLLOWER_BANDS", "ResponseFigures", "business_seconds", "fairness", "quantile", "response"]
