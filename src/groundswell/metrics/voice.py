"""Voice: does the brand talk with people, or only broadcast at them?

DESIGN, "Metric definitions": **Conversation ratio**: brand replies to people /
all brand posts (the rest is broadcast).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis

from groundswell.config import WorkspaceConfig
from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import (
    GROUP,
    brand_posts,
    check_by,
    group_label,
    group_sort_key,
    handle_expr,
    with_group,
)
from groundswell.query import Period, Sources, rows
from groundswell.query.automation import automated as automated_text
from groundswell.query.numbers import has_parent_numbers, has_post_numbers

if TYPE_CHECKING:
    import ibis.expr.types as ir

VOICE_BY = ("account", "platform", "month")
MAX_BRAND_CHAIN = 8
"""How many brand posts up a brand reply's chain is followed to find the person it answers."""
RATIO_UNIT = "share of brand posts that are replies to people"
STATES = ("reply", "automated", "continuation", "broadcast")


@dataclass(frozen=True, slots=True)
class VoiceFigures:
    """One group's brand posts by kind, and the conversation ratio."""

    brand_posts: int
    replies_to_people: int
    automated_replies: int
    continuations: int
    broadcasts: int
    conversation_ratio: MetricValue
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> list[MetricValue]:
        return [self.conversation_ratio]

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "brand_posts": self.brand_posts,
            "replies_to_people": self.replies_to_people,
            "automated_replies": self.automated_replies,
            "thread_continuations": self.continuations,
            "broadcasts": self.broadcasts,
            "conversation_ratio": self.conversation_ratio.as_dict(),
            "period": self.period.as_dict(),
        }


def automated(text: ir.StringValue, config: WorkspaceConfig) -> ir.BooleanValue:
    """The text matches one of ``[response] automation_patterns`` (auto-replies, away messages)."""
    return automated_text(text, config.response.automation_patterns)


def conversation_ratio(src: Sources, *, by: str | None = None) -> list[VoiceFigures]:
    """The conversation ratio: brand replies to people / all brand posts.

    DESIGN: "**Conversation ratio**: brand replies to people / all brand posts
    (the rest is broadcast)."

    Every brand post (``posts.is_brand``) is one of:

    - a *reply to a person*: a reply whose parent is a non-brand post, or was never imported (the brand's
      own posts are in its export, so a missing parent is taken to be someone else's). Parents are looked
      up in every post (``Sources.every_post``), also those before the period. A brand reply to a brand post continues what that post was: its chain
      of brand posts is followed up (at most ``MAX_BRAND_CHAIN`` posts) and the reply is to a person when
      the chain leads to one, so a follow-up or a hand-over between brand accounts inside a customer's
      conversation counts;
    - an *automated reply*: a reply to a person whose text matches ``[response] automation_patterns``.
      DESIGN's fine print: replies sent by automation do not count as a brand reply, so these stay in the
      denominator only;
    - a *thread continuation*: a reply whose chain of brand posts ends at a brand post that replies to
      nobody (the brand threading its own broadcast), or is longer than ``MAX_BRAND_CHAIN``;
    - a *broadcast*: a post that replies to nobody.

    conversation ratio = replies to people / brand posts; the rest (broadcasts, thread continuations and
    automated replies) is broadcast. No classifier is involved, so ``model_version`` is None.

    ``by``: account (the brand account that posted), platform or month.
    """
    check_by(by, VOICE_BY, "voice")
    brand = brand_posts(src.posts)
    table = with_group(brand, by, src.config, account=handle_expr(brand))
    every = brand_posts(src.every_post)  # a chain may lead to brand posts from before the period
    # the parent is looked up by the warehouse's numbers where the posts carry them (Spark), else by its id
    numbers = has_parent_numbers(table) and has_post_numbers(every)
    table = table.select(
        GROUP,
        "platform",
        _auto=automated(table.text, src.config),
        _cursor=table._parent_key if numbers else table.in_reply_to_post_id,
        _state=ibis.ifelse(table.in_reply_to_post_id.isnull(), "broadcast", ibis.null().cast("string")),
    )
    nodes = every.select(
        _n_platform=every.platform,
        _n_id=every._key if numbers else every.post_id,
        _n_parent=every._parent_key if numbers else every.in_reply_to_post_id,
        _n_replies=every.in_reply_to_post_id.notnull(),
    )
    # One step up for every brand post settles nearly all of them (kept as a table by the engine, when there is
    # one); only brand replies to brand replies walk on, so the later steps join a small table.
    first_step = _step(table, nodes, numbers=numbers)
    table = src.engine.materialize(first_step) if src.engine is not None else first_step
    try:
        settled = table.filter(table._state.notnull())
        pending = table.filter(table._state.isnull())
        for _ in range(MAX_BRAND_CHAIN - 1):
            pending = _step(pending, nodes, numbers=numbers)
        counts = settled.union(pending, distinct=False)
        state = counts._state.fill_null("continuation")
        counts = counts.mutate(_kind=ibis.ifelse((state == "reply") & counts._auto, "automated", state))
        found = rows(
            counts.group_by(GROUP).aggregate(
                brand_posts=counts.count(), **{s: counts.count(where=counts._kind == s) for s in STATES}
            )
        )
    finally:
        if src.engine is not None:
            src.engine.release(table)
    if by is None and not found:
        found = [{GROUP: "", "brand_posts": 0, **dict.fromkeys(STATES, 0)}]
    found.sort(key=lambda r: group_sort_key(by, r[GROUP]))
    out = []
    for r in found:
        group = group_label(by, r[GROUP])
        total, replies = int(r["brand_posts"]), int(r["reply"])
        out.append(
            VoiceFigures(
                brand_posts=total,
                replies_to_people=replies,
                automated_replies=int(r["automated"]),
                continuations=int(r["continuation"]),
                broadcasts=int(r["broadcast"]),
                conversation_ratio=MetricValue(
                    "conversation_ratio",
                    ratio(replies, total),
                    replies,
                    total,
                    RATIO_UNIT,
                    period=src.period,
                    group=group,
                ),
                period=src.period,
                group=group,
            )
        )
    return out


def _step(table: ir.Table, nodes: ir.Table, *, numbers: bool = False) -> ir.Table:
    """One step up the chain of brand posts: settle what the post at ``_cursor`` says, else move to its parent.

    ``numbers``: ``_cursor`` and the nodes' ``_n_id``, ``_n_parent`` are the warehouse's post numbers (a parent
    that was never imported has none: its child's cursor is null, found nowhere, as its id would be)."""
    node = nodes.view()
    if numbers:
        joined = table.left_join(node, table._cursor == node._n_id)
    else:
        joined = table.left_join(node, [table.platform == node._n_platform, table._cursor == node._n_id])
    pending = joined._state.isnull()
    return joined.select(
        GROUP,
        "platform",
        "_auto",
        _cursor=ibis.ifelse(pending, joined._n_parent, ibis.null().cast(joined._n_parent.type())),
        _state=ibis.cases(
            (~pending, joined._state),
            (joined._n_id.isnull(), "reply"),  # not a brand post: a person, or not imported
            (~joined._n_replies, "continuation"),  # a brand post that replies to nobody
            else_=ibis.null().cast("string"),  # a brand reply: one more step up
        ),
    ).view()  # a fresh relation: ibis refuses the next self-join on a projection of this one
