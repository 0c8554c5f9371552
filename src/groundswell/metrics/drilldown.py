"""Drill-down: the posts or threads a figure counts, in its numerator or its denominator.

DESIGN, "Fine print": "Every rate is shown with its numerator and denominator". This module lists what those
two numbers count, so a reader can open the conversations behind a figure. Each figure's rows are selected by
the same expressions its family counts with (``response``, ``help``, ``subject``), over the same ``Sources``
(period, platform, model version), so ``total`` equals the family's numerator or denominator:

- ``response_rate`` (posts): denominator, inbound posts in the period that need a reply; numerator, those a
  non-automated brand post followed in their thread within ``[response] window_hours``.
- ``first_response`` (threads): threads whose first inbound post is in the period and that have a first
  response time (the denominator of the median and 90th percentile; no numerator).
- ``help_rate`` (threads): denominator, replied threads whose outcome is helped or not helped; numerator,
  helped. ``help_coverage``: denominator, replied threads; numerator, helped or not helped.
- ``experience_share`` / ``marketing_buzz_share`` (posts): denominator, customer posts the model version
  classified; numerator, those whose subject is the experience / the marketing.

``account``: the figure of one brand account, as ``--by account`` groups it: for response and help, the
account answering the thread; for the subject shares, the account a post addresses (replies to, else first
mentions). Handles compare case-insensitively and without ``@``; ``(none)`` is the group of no account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis

from groundswell.config import normalize_handle
from groundswell.errors import UsageError
from groundswell.metrics.frames import (
    NONE_KEY,
    annotated_customer_posts,
    customer_posts,
    require_enrichments,
    with_enrichments,
)
from groundswell.query import Sources, in_period, rows
from groundswell.threads.stage import build_threads

if TYPE_CHECKING:
    import ibis.expr.types as ir

PARTS = ("numerator", "denominator")


@dataclass(frozen=True, slots=True)
class DrillFigure:
    """A figure that can be drilled into: what it is, what it counts, and what each part of it is."""

    name: str
    label: str
    unit: str  # "posts" or "threads"
    numerator: str | None  # None: the figure has no numerator to list (a median)
    denominator: str


DRILL_FIGURES: dict[str, DrillFigure] = {
    f.name: f
    for f in (
        DrillFigure(
            "response_rate",
            "response rate",
            "posts",
            "replied within the window",
            "inbound posts that need a reply",
        ),
        DrillFigure("first_response", "first response time", "threads", None, "threads with a first response time"),
        DrillFigure("help_rate", "help rate", "threads", "helped", "replied threads, helped or not helped"),
        DrillFigure("help_coverage", "help coverage", "threads", "helped or not helped", "replied threads"),
        DrillFigure(
            "experience_share", "experience share", "posts", "about the experience", "classified customer posts"
        ),
        DrillFigure(
            "marketing_buzz_share", "marketing-buzz share", "posts", "about the marketing", "classified customer posts"
        ),
    )
}
"""Every figure with a drill-down, by name."""

COMPONENT_FIGURES = {
    "response_rate": "response_rate",
    "first_response_median_hours": "first_response",
    "help_rate": "help_rate",
    "experience_share": "experience_share",
}
"""The scorecard components whose figure has a drill-down, and that drill-down's name."""


@dataclass(frozen=True, slots=True)
class DrillPage:
    """One page of a figure's posts or threads (``total`` of them in all), oldest first.

    Each row has ``platform``, ``post_id`` (the post to open the conversation at: the post itself, or a
    thread's first inbound post), ``thread_id`` (None for a post in no brand conversation),
    ``created_at``, ``author_handle``, ``text``, ``account`` and, for threads, ``replied``,
    ``response_s`` and ``outcome``.
    """

    figure: DrillFigure
    part: str
    account: str | None
    total: int
    limit: int
    offset: int
    rows: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure.name,
            "part": self.part,
            "what": self.figure.numerator if self.part == "numerator" else self.figure.denominator,
            "unit": self.figure.unit,
            "account": self.account,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "rows": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in self.rows],
        }


def drill_down(
    sources: Sources,
    figure: str,
    part: str,
    *,
    account: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DrillPage:
    """The posts or threads counted by ``figure``'s ``part`` (numerator or denominator); see the module docstring.

    ``UsageError`` for an unknown figure or part; ``MetricUnavailable`` where the figure needs enrichments
    the workspace lacks.
    """
    spec = DRILL_FIGURES.get(figure)
    if spec is None:
        raise UsageError(f"no drill-down for {figure!r}; figures: {', '.join(DRILL_FIGURES)}")
    if part not in PARTS or (part == "numerator" and spec.numerator is None):
        allowed = [p for p in PARTS if p == "denominator" or spec.numerator is not None]
        raise UsageError(f"{figure} has no part {part!r}; parts: {', '.join(allowed)}")
    if limit < 1 or offset < 0:
        raise UsageError("limit must be 1 or more and offset 0 or more")
    numerator = part == "numerator"
    if spec.unit == "threads":
        table = _threads(sources, figure, numerator, account)
    elif figure == "response_rate":
        table = _response_posts(sources, numerator, account)
    else:
        table = _subject_posts(sources, figure, numerator, account)
    total = int(table.count().to_pyarrow().as_py())
    page = rows(table.order_by(["created_at", "platform", "post_id"]).limit(limit, offset=offset))
    return DrillPage(spec, part, account, total, limit, offset, tuple(page))


def _same_account(column: ir.StringValue, account: str) -> ir.BooleanValue:
    """``column`` (a ``--by account`` key, null for none) names ``account``, as handles compare."""
    wanted = NONE_KEY if account == NONE_KEY else normalize_handle(account)
    key = column.fill_null(NONE_KEY)
    normalized = ibis.ifelse(key == NONE_KEY, key, key.strip().lower().re_replace(r"^@+", ""))
    return normalized == wanted


def _with_text(table: ir.Table, sources: Sources) -> ir.Table:
    posts = sources.every_post
    text = posts.select(_x_platform=posts.platform, _x_post_id=posts.post_id, text=posts.text)
    joined = table.left_join(text, [table.platform == text._x_platform, table.post_id == text._x_post_id])
    return joined.drop("_x_platform", "_x_post_id")


def _response_posts(sources: Sources, numerator: bool, account: str | None) -> ir.Table:
    """As ``metrics.response``: inbound posts of the period, by their thread's account."""
    require_enrichments(sources, "the response rate")
    threads = build_threads(sources)
    posts = in_period(threads.posts, sources.period)
    posts = posts.filter(posts.inbound & posts.needs_reply)
    owners = threads.threads.select(
        _t_platform=threads.threads.platform,
        _t_root=threads.threads.root_id,
        _t_segment=threads.threads.segment,
        account=threads.threads.account,
    )
    posts = posts.left_join(
        owners,
        [posts.platform == owners._t_platform, posts.root_id == owners._t_root, posts.segment == owners._t_segment],
    )
    if numerator:
        window_s = sources.config.response.window_hours * 3600
        posts = posts.filter(posts.reply_delay_s.notnull() & (posts.reply_delay_s <= window_s))
    if account is not None:
        posts = posts.filter(_same_account(posts.account, account))
    posts = posts.select(
        "platform", "post_id", "thread_id", "created_at", "author_handle", "account", "reply_delay_s", "sentiment",
        "intent",
    )  # fmt: skip
    return _with_text(posts, sources)


def _threads(sources: Sources, figure: str, numerator: bool, account: str | None) -> ir.Table:
    """As ``metrics.response`` and ``metrics.help``: threads whose first inbound post is in the period."""
    if figure != "first_response":
        require_enrichments(sources, "the help figures")
    t = in_period(build_threads(sources).threads, sources.period, "first_inbound_created_at")
    told = t.replied & t.outcome.isin(["helped", "not_helped"])
    if figure == "first_response":
        t = t.filter(t.response_s.notnull())
    elif figure == "help_rate":
        t = t.filter((t.replied & (t.outcome == "helped")) if numerator else told)
    else:  # help_coverage
        t = t.filter(told if numerator else t.replied)
    if account is not None:
        t = t.filter(_same_account(t.account, account))
    t = t.select(
        "platform", "thread_id", "account", "replied", "response_s", "outcome",
        post_id=t.first_inbound_post_id, created_at=t.first_inbound_created_at, author_handle=t.customer_handle,
    )  # fmt: skip
    return _with_text(t, sources)


def _subject_posts(sources: Sources, figure: str, numerator: bool, account: str | None) -> ir.Table:
    """As ``metrics.subject``: customer posts of the period the model version classified."""
    enrichments = require_enrichments(sources, "the subject metrics")
    if account is not None:
        table = annotated_customer_posts(sources, inbound=False)
        table = table.filter(_same_account(table.addressed_account, account))
        table = table.mutate(account=table.addressed_account)
    else:
        table = customer_posts(sources.posts).mutate(account=ibis.null().cast("string"))
    table = with_enrichments(table, enrichments, ["subject", "sentiment"])
    if numerator:
        table = table.filter(table.subject == ("experience" if figure == "experience_share" else "marketing"))
    threads = build_threads(sources).posts
    where = threads.select(
        _w_platform=threads.platform,
        _w_post_id=threads.post_id,
        thread_id=ibis.ifelse(threads.in_thread, threads.thread_id, ibis.null().cast("string")),
    )
    table = table.left_join(where, [table.platform == where._w_platform, table.post_id == where._w_post_id])
    return table.select(
        "platform", "post_id", "thread_id", "created_at", "author_handle", "text", "account", "subject", "sentiment"
    )


__all__ = ["COMPONENT_FIGURES", "DRILL_FIGURES", "PARTS", "DrillFigure", "DrillPage", "drill_down"]
