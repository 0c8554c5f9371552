"""Subject: what customers talk about, the experience or the marketing, and how they feel about each.

DESIGN, "Metric definitions": **Experience share**: share of customer posts
whose subject is the product or service experience; **marketing-buzz share**:
share about the marketing itself. Each with its net sentiment =
(positive − negative) / all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from groundswell.enrich.confusion import HeldOutConfusion, held_out_confusions
from groundswell.metrics.base import Interval, MetricValue, ratio
from groundswell.metrics.frames import (
    GROUP,
    annotated_customer_posts,
    check_by,
    customer_posts,
    group_label,
    group_sort_key,
    require_enrichments,
    with_enrichments,
    with_group,
)
from groundswell.metrics.intervals import Floats, interval, joint_shares, share_ratio
from groundswell.query import Period, Sources, rows
from groundswell.records import SENTIMENT_LABELS, SUBJECT_LABELS

if TYPE_CHECKING:
    import ibis.expr.types as ir

SUBJECT_BY = ("account", "platform", "location", "month", "follower_band")
SHARE_UNIT = "share of customer posts"
NET_SENTIMENT_UNIT = "net sentiment: (positive − negative) / all posts of the subject, not / (positive + negative)"
NET_SENTIMENT_NOTE = (
    "net sentiment is (positive − negative) / all posts of the subject, not / (positive + negative) as some "
    "vendors compute it"
)
# subject label in the enrichments -> the name its figures take
SUBJECTS = {"experience": "experience", "marketing": "marketing_buzz"}


@dataclass(frozen=True, slots=True)
class SubjectSlice:
    """One subject's posts among the customer posts, with their sentiment counts and the two figures."""

    subject: str
    posts: int
    positive: int
    negative: int
    share: MetricValue
    net_sentiment: MetricValue

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "posts": self.posts,
            "positive": self.positive,
            "negative": self.negative,
            "share": self.share.as_dict(),
            "net_sentiment": self.net_sentiment.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class SubjectFigures:
    """Experience and marketing-buzz shares of one group's customer posts (all of them without ``--by``)."""

    customer_posts: int
    experience: SubjectSlice
    marketing_buzz: SubjectSlice
    model_version: str | None
    period: Period = field(default_factory=Period)
    group: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> list[MetricValue]:
        return [
            self.experience.share,
            self.experience.net_sentiment,
            self.marketing_buzz.share,
            self.marketing_buzz.net_sentiment,
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"group": self.group} if self.group else {}),
            "customer_posts": self.customer_posts,
            "experience": self.experience.as_dict(),
            "marketing_buzz": self.marketing_buzz.as_dict(),
            "model_version": self.model_version,
            "period": self.period.as_dict(),
            "notes": [NET_SENTIMENT_NOTE],
        }


def subject_shares(src: Sources, *, by: str | None = None) -> list[SubjectFigures]:
    """Experience share and marketing-buzz share of customer posts, each with its net sentiment.

    DESIGN: "**Experience share**: share of customer posts whose subject is the
    product or service experience; **marketing-buzz share**: share about the
    marketing itself. Each with its net sentiment = (positive − negative) / all."

    - customer posts: posts by non-brand accounts that the enrichment model version ``src.model_version``
      has classified (posts not yet enriched are left out of numerator and denominator alike);
    - share = posts of the subject / customer posts;
    - net sentiment = (positive − negative) / *all* posts of that subject, **not** / (positive + negative);
      the figure's unit says so. None when the subject has no posts.

    ``by``: account (the brand account a post addresses: replies to, else first mentions; ``(none)`` when
    it addresses none), platform, location, month or follower_band. One ``SubjectFigures`` per group,
    groups in order; without ``by`` exactly one, also for no posts.
    Raises ``MetricUnavailable`` when the workspace has not been enriched.
    """
    check_by(by, SUBJECT_BY, "subject")
    enrichments = require_enrichments(src, "the subject metrics")
    if by == "account":
        table = annotated_customer_posts(src, inbound=False)
        table = with_group(table, by, src.config, account=table.addressed_account)
    else:
        table = with_group(customer_posts(src.posts), by, src.config)
    table = with_enrichments(table, enrichments, ["subject", "sentiment"])
    metrics: dict[str, Any] = {"posts": table.count()}
    for label in SUBJECT_LABELS:  # the joint table the intervals correct for both classifiers' errors
        for feeling in SENTIMENT_LABELS:
            metrics[_cell(label, feeling)] = table.count(where=(table.subject == label) & (table.sentiment == feeling))
    for label in SUBJECTS:
        of_subject = table.subject == label
        metrics[f"{label}_posts"] = table.count(where=of_subject)
        metrics[f"{label}_positive"] = table.count(where=of_subject & (table.sentiment == "positive"))
        metrics[f"{label}_negative"] = table.count(where=of_subject & (table.sentiment == "negative"))
    found = rows(table.group_by(GROUP).aggregate(**metrics))
    if by is None and not found:
        found = [{GROUP: "", "posts": 0, **{k: 0 for k in metrics if k != "posts"}}]
    found.sort(key=lambda r: group_sort_key(by, r[GROUP]))
    reviewed = _reviewed_pairs(table, src.review) if src.review is not None else {}
    return [_figures(src, by, r, reviewed.get(r[GROUP])) for r in found]


def _reviewed_pairs(table: ir.Table, review: ir.Table) -> dict[Any, list[tuple[str, str, str, str, int]]]:
    """Per group, the customer posts the team labelled (subject and sentiment both given): ``(true subject, true
    sentiment, predicted subject, predicted sentiment, posts)``."""
    labelled = review.filter(review.review_subject.notnull() & review.review_sentiment.notnull())
    joined = table.join(labelled, ["platform", "post_id"])
    keys = [GROUP, "review_subject", "review_sentiment", "subject", "sentiment"]
    out: dict[Any, list[tuple[str, str, str, str, int]]] = {}
    for r in rows(joined.group_by(keys).aggregate(n=joined.count())):
        out.setdefault(r[GROUP], []).append(
            (r["review_subject"], r["review_sentiment"], r["subject"], r["sentiment"], int(r["n"]))
        )
    return out


def _figures(
    src: Sources, by: str | None, row: dict[str, Any], reviewed: list[tuple[str, str, str, str, int]] | None
) -> SubjectFigures:
    group = group_label(by, row[GROUP])
    total = int(row["posts"])
    intervals = _intervals(src.model_version, row, reviewed)
    slices = {}
    for label, name in SUBJECTS.items():
        posts, positive, negative = (int(row[f"{label}_{k}"]) for k in ("posts", "positive", "negative"))
        common: dict[str, Any] = {"model_version": src.model_version, "period": src.period, "group": group}
        slices[name] = SubjectSlice(
            subject=label,
            posts=posts,
            positive=positive,
            negative=negative,
            share=MetricValue(
                f"{name}_share",
                ratio(posts, total),
                posts,
                total,
                SHARE_UNIT,
                **common,
                interval=intervals.get(f"{label}_share"),
            ),
            net_sentiment=MetricValue(
                f"{name}_net_sentiment",
                ratio(positive - negative, posts),
                positive - negative,
                posts,
                NET_SENTIMENT_UNIT,
                **common,
                interval=intervals.get(f"{label}_net_sentiment"),
            ),
        )
    return SubjectFigures(
        customer_posts=total,
        experience=slices["experience"],
        marketing_buzz=slices["marketing_buzz"],
        model_version=src.model_version,
        period=src.period,
        group=group,
    )


def _cell(subject: str, sentiment: str) -> str:
    return f"cell_{subject}_{sentiment}"


def _intervals(
    model_version: str | None, row: dict[str, Any], reviewed: list[tuple[str, str, str, str, int]] | None
) -> dict[str, Interval | None]:
    """The intervals of one group's figures, from its joint counts and the errors measured on the team's labelled
    posts of the group (enough of them), else the model version's held-out confusions."""
    confusions = held_out_confusions(model_version)
    subject, sentiment = confusions.get("subject"), confusions.get("sentiment")
    subjects = subject.labels if subject else SUBJECT_LABELS
    feelings = sentiment.labels if sentiment else SENTIMENT_LABELS
    counts = [[int(row.get(_cell(s, f)) or 0) for f in feelings] for s in subjects]
    pairs = None
    if reviewed:
        cell = {(s, f): i * len(feelings) + j for i, s in enumerate(subjects) for j, f in enumerate(feelings)}
        matrix = [[0] * len(cell) for _ in cell]
        for true_s, true_f, said_s, said_f, n in reviewed:
            if (true_s, true_f) in cell and (said_s, said_f) in cell:
                matrix[cell[true_s, true_f]][cell[said_s, said_f]] += n
        pairs = matrix
    return subject_intervals(counts, subject, sentiment, reviewed=pairs)


def subject_intervals(
    counts: list[list[int]],
    subject: HeldOutConfusion | None,
    sentiment: HeldOutConfusion | None,
    *,
    reviewed: list[list[int]] | None = None,
) -> dict[str, Interval | None]:
    """95% intervals of each subject's true share and net sentiment (``metrics.intervals``).

    ``counts[i][j]``: posts predicted subject ``i`` and sentiment ``j``, in the label order of the two held-out
    confusions (the records' label order for one that is None). ``reviewed``: the team's labelled posts among
    them, ``reviewed[g][p]`` of true cell ``g`` predicted ``p`` (cell ``i * len(sentiments) + j``); with at least
    ``MIN_REVIEWED`` the errors are measured on them. Keys: ``experience_share``,
    ``experience_net_sentiment``, ``marketing_share``, ``marketing_net_sentiment``."""
    if not sum(map(sum, counts)):
        return {}
    subjects = subject.labels if subject else SUBJECT_LABELS
    feelings = sentiment.labels if sentiment else SENTIMENT_LABELS
    replicates, method = joint_shares(counts, [subject, sentiment], reviewed)
    positive, negative = feelings.index("positive"), feelings.index("negative")
    out: dict[str, Interval | None] = {}
    for label in SUBJECTS:
        i = subjects.index(label)

        def share(r: Floats, i: int = i) -> Floats:
            total: Floats = r[:, i, :].sum(axis=1)
            return total

        def net(r: Floats, i: int = i) -> Floats:
            return share_ratio(r[:, i, positive] - r[:, i, negative], r[:, i, :].sum(axis=1))

        out[f"{label}_share"] = interval(replicates, share, method)
        out[f"{label}_net_sentiment"] = interval(replicates, net, method)
    return out
