"""Help: when the brand answers, does it help, and does the customer feel better for it?

DESIGN, "Metric definitions":

- **Did we help?** A replied thread is *helped* when an agent marked it so, or
  the customer's last post after the brand's reply is positive or thanks the
  brand; *not helped* when that last post is negative or repeats the
  complaint; *unknown* when the customer went silent. Help rate = helped /
  (helped + not helped); always shown with its coverage = (helped + not
  helped) / replied.
- **Sentiment lift**: mean customer sentiment at the end of replied threads
  minus at their start, beside the same for unreplied threads.

Each thread's outcome and its customer's sentiment at start and end come from
``groundswell.threads`` (the agent's mark first, then the inferred outcome).
Threads count when their first inbound post is in the period, as for the
response figures; ``--by`` groups them the same way (account answering the
thread, platform, location and month of the first inbound post, the customer's
follower band).

Sentiment is the enrichment's ``sentiment_score`` (-1 negative to +1
positive). A thread counts in a lift when its customer's first and last posts
are both enriched; a one-post thread has a lift of 0 (its start is its end).
Without enrichments, outcomes come from agents' marks alone and the lifts are
None, with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from groundswell.enrich.confusion import HeldOutConfusion, held_out_confusions
from groundswell.metrics.base import Interval, MetricValue, ratio
from groundswell.metrics.intervals import SEED, interval, method_for, share_ratio, true_shares
from groundswell.metrics.response import aggregate, grouped, merge_groups, parse_bys
from groundswell.query import Period, Sources, rows
from groundswell.threads.counts import count_columns, counted_threads
from groundswell.threads.stage import build_threads

ENRICH_NOTE = (
    "outcomes other than agents' marks and the sentiment lifts come from the posts' enrichments: "
    "run `groundswell enrich` first"
)


@dataclass(frozen=True, slots=True)
class HelpFigures:
    """One group's help figures (``group`` empty for the whole brand).

    ``threads``: threads whose first inbound post is in the period; ``replied``: those with a brand reply
    (both as ``groundswell.threads.counts`` counts them for every view);
    ``helped`` / ``not_helped`` / ``unknown``: replied threads by outcome (``unknown`` includes replied
    threads whose outcome cannot be told, e.g. not enriched); ``marked``: their outcomes set by an agent;
    ``marked_unreplied``: threads an agent marked although no brand reply is in the workspace (answered
    elsewhere): DESIGN defines helped on replied threads, so these are counted apart, not in the rate.
    ``help_rate`` = helped / (helped + not_helped); ``coverage`` = (helped + not_helped) / replied.
    ``lift_replied`` / ``lift_unreplied``: mean (end - start) customer sentiment over ``lift_replied_threads``
    / ``lift_unreplied_threads`` threads; ``lift_difference`` = replied minus unreplied.
    ``marked_helped``: replied threads an agent marked helped. ``help_rate_interval``: the 95% interval of the
    true help rate, allowing for sampling and the sentiment classifier's measured errors on the outcomes
    inferred from the customer's last post (``help_rate_interval``).
    """

    group: dict[str, str]
    threads: int
    replied: int
    helped: int
    not_helped: int
    unknown: int
    marked: int
    marked_unreplied: int
    help_rate: float | None
    coverage: float | None
    lift_replied: float | None
    lift_replied_threads: int
    lift_unreplied: float | None
    lift_unreplied_threads: int
    model_version: str | None = None
    period: Period = field(default_factory=Period)
    notes: tuple[str, ...] = ()
    marked_helped: int = 0
    help_rate_interval: Interval | None = None

    @property
    def lift_difference(self) -> float | None:
        if self.lift_replied is None or self.lift_unreplied is None:
            return None
        return self.lift_replied - self.lift_unreplied

    def metrics(self) -> list[MetricValue]:
        """The figures as ``MetricValue`` rows (rates with numerator and denominator)."""
        common: dict[str, Any] = {"period": self.period, "group": dict(self.group), "model_version": self.model_version}
        told = self.helped + self.not_helped
        return [
            MetricValue(
                "help_rate",
                self.help_rate,
                float(self.helped),
                float(told),
                unit="share",
                **common,
                interval=self.help_rate_interval,
            ),
            MetricValue("help_coverage", self.coverage, float(told), float(self.replied), unit="share", **common),
            MetricValue("sentiment_lift", self.lift_replied, unit="sentiment (-1 to 1)", **common),
            MetricValue("sentiment_lift_unreplied", self.lift_unreplied, unit="sentiment (-1 to 1)", **common),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "threads": self.threads,
            "replied": self.replied,
            "helped": self.helped,
            "not_helped": self.not_helped,
            "unknown": self.unknown,
            "marked": self.marked,
            "marked_unreplied": self.marked_unreplied,
            "help_rate": self.help_rate,
            "help_rate_ci_low": None if self.help_rate_interval is None else self.help_rate_interval.low,
            "help_rate_ci_high": None if self.help_rate_interval is None else self.help_rate_interval.high,
            "coverage": self.coverage,
            "sentiment_lift_replied": self.lift_replied,
            "sentiment_lift_replied_threads": self.lift_replied_threads,
            "sentiment_lift_unreplied": self.lift_unreplied,
            "sentiment_lift_unreplied_threads": self.lift_unreplied_threads,
            "sentiment_lift_difference": self.lift_difference,
            "model_version": self.model_version,
            "period": self.period.as_dict(),
            "notes": list(self.notes),
        }


def help_figures(sources: Sources, *, by: str | Sequence[str] | None = None) -> list[HelpFigures]:
    """Help rate with its coverage, and sentiment lift beside unreplied threads, for the brand or per ``by``.

    DESIGN: "Help rate = helped / (helped + not helped); always shown with its coverage = (helped + not
    helped) / replied." "**Sentiment lift**: mean customer sentiment at the end of replied threads minus at
    their start, beside the same for unreplied threads."

    ``by``: account, platform, location, month, follower_band (as ``response``), or a sequence of them.
    """
    bys = parse_bys(by)
    threads = build_threads(sources)
    enriched = sources.enrichments is not None
    table = counted_threads(threads, sources.period)
    table = grouped(table, bys, sources, thread_level=True)
    counts = count_columns(table)
    gkeys = [f"_g{i}" for i in range(len(bys))]
    lift = table.end_sentiment - table.start_sentiment
    replied = table.replied
    found = rows(
        aggregate(
            table,
            gkeys,
            threads=counts["threads"],
            replied=counts["replied"],
            helped=(replied & (table.outcome == "helped")).cast("int64").sum(),
            not_helped=(replied & (table.outcome == "not_helped")).cast("int64").sum(),
            marked=(replied & table.marked).cast("int64").sum(),
            marked_helped=(replied & table.marked & (table.outcome == "helped")).cast("int64").sum(),
            marked_unreplied=(~replied & table.marked).cast("int64").sum(),
            lift_replied=lift.mean(where=replied),
            lift_replied_threads=lift.count(where=replied),
            lift_unreplied=lift.mean(where=~replied),
            lift_unreplied_threads=lift.count(where=~replied),
        )
    )
    notes = (*threads.notes, *(() if enriched else (ENRICH_NOTE,)))
    out = []
    for _key, group, row in merge_groups(bys, found, threads):
        names = ("threads", "replied", "helped", "not_helped", "marked", "marked_helped", "marked_unreplied")
        count = {name: int(row.get(name) or 0) for name in names}
        told = count["helped"] + count["not_helped"]
        out.append(
            HelpFigures(
                group=group,
                **count,
                unknown=count["replied"] - told,
                help_rate=ratio(count["helped"], told),
                help_rate_interval=help_rate_interval(sources.model_version, **count),
                coverage=ratio(told, count["replied"]),
                lift_replied=_float(row.get("lift_replied")),
                lift_replied_threads=int(row.get("lift_replied_threads") or 0),
                lift_unreplied=_float(row.get("lift_unreplied")),
                lift_unreplied_threads=int(row.get("lift_unreplied_threads") or 0),
                model_version=sources.model_version,
                period=sources.period,
                notes=notes,
            )
        )
    return out


def help_rate_interval(
    model_version: str | None, *, helped: int, not_helped: int, marked_helped: int, **counts: int
) -> Interval | None:
    """95% interval of the true help rate (``metrics.intervals``).

    An agent's mark is taken as true. An outcome inferred from the customer's last post turns on that post's
    sentiment (positive: helped, negative: not helped), so the inferred ones are corrected with the sentiment
    classifier's held-out confusion between positive and negative posts (neutral ones, which decide no
    outcome, left aside); the marked ones are drawn again from their own counts.
    """
    marked_told = min(counts.get("marked", 0), helped + not_helped)
    inferred_helped = max(0, helped - marked_helped)
    inferred_not = max(0, not_helped - (marked_told - marked_helped))
    told = helped + not_helped
    if not told:
        return None
    sentiment = held_out_confusions(model_version).get("sentiment")
    polar = _positive_or_negative(sentiment)
    rng = np.random.default_rng(SEED + 1)
    inferred = inferred_helped + inferred_not
    if inferred:
        replicates = true_shares([inferred_not, inferred_helped], [polar])
        replicates_helped = replicates[:, 1] * inferred
    else:
        replicates_helped = np.zeros(1)
    draws = replicates_helped.shape[0] if inferred else 2000
    marked = rng.binomial(marked_told, marked_helped / marked_told, size=draws) if marked_told else np.zeros(draws)
    rates = share_ratio(marked + replicates_helped, np.full(draws, float(told)))
    return interval(rates[:, None], lambda r: r[:, 0], method_for(polar) if inferred else method_for())


def _positive_or_negative(sentiment: HeldOutConfusion | None) -> HeldOutConfusion | None:
    """The sentiment confusion between its negative and positive posts alone."""
    if sentiment is None:
        return None
    keep = [sentiment.labels.index("negative"), sentiment.labels.index("positive")]
    matrix = tuple(tuple(sentiment.matrix[i][j] for j in keep) for i in keep)
    return HeldOutConfusion("outcome", ("negative", "positive"), matrix, sentiment.held_out)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


__all__ = ["HelpFigures", "help_figures"]
