"""Everything the report shows, computed once from one ``Sources``: the metric families as JSON-ready dicts.

Each section is one library call (the same ones ``groundswell metrics`` and ``scorecard`` make), so the
report and the CLI can never disagree. A section whose figures need what the workspace lacks (most often
enrichments) is kept with the reason, and the rest of the report goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.verdict import kpi_targets
from groundswell.query import Period, Sources, rows

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``(section, done, total)`` before each section is computed."""


@dataclass
class ReportData:
    """The report's figures. Every dict is the ``as_dict()`` of a library result."""

    brand: str
    period: Period
    generated_at: datetime
    posts: int
    first_post: datetime | None
    last_post: datetime | None
    model_version: str | None
    response_target_hours: float
    response_rate_target: float | None
    window_hours: float
    sections: dict[str, Any] = field(default_factory=dict)
    kpi_targets: dict[str, float] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A section's figures, or None when it could not be computed (see ``unavailable``)."""
        return self.sections.get(name)


def _sections(sources: Sources) -> dict[str, Callable[[], Any]]:
    from groundswell.metrics import (
        conversation_ratio,
        detect_spikes,
        fairness,
        goal_attainment,
        help_figures,
        marketing,
        participation,
        per_denominator,
        relationships,
        response,
        subject_shares,
    )
    from groundswell.metrics.participation import brand_audience
    from groundswell.metrics.peers import share_of_voice
    from groundswell.metrics.scorecard import scorecard
    from groundswell.report.outcomes_section import outcomes_section
    from groundswell.threads.attention import threads_needing_attention
    from groundswell.threads.counts import thread_counts

    def one(rows: list[Any]) -> dict[str, Any]:
        return dict(rows[0].as_dict())

    def many(rows: list[Any]) -> list[dict[str, Any]]:
        return [r.as_dict() for r in rows]

    return {
        "scorecard": lambda: one(scorecard(sources)),
        "subject": lambda: one(subject_shares(sources)),
        "subject_by_month": lambda: many(subject_shares(sources, by="month")),
        "response": lambda: one(response(sources)),
        "response_by_account": lambda: many(response(sources, by="account")),
        "response_by_platform": lambda: many(response(sources, by="platform")),
        "help": lambda: one(help_figures(sources)),
        "voice": lambda: one(conversation_ratio(sources)),
        "participation": lambda: one(participation(sources, audience=brand_audience(sources))),
        "relationships": lambda: one(relationships(sources)),
        "denominators": lambda: per_denominator(sources, by="location").as_dict(),
        "fairness": lambda: many(fairness(sources)),
        "spikes": lambda: detect_spikes(sources).as_dict(),
        "goals": lambda: many(goal_attainment(sources)),
        "marketing": lambda: one(marketing(sources)),
        "attention": lambda: threads_needing_attention(sources).as_dict(),
        "peers": lambda: peers_section(sources),
        "share_of_voice": lambda: many(share_of_voice(sources)),
        "counts": lambda: thread_counts(sources).as_dict(),
        "outcomes": lambda: outcomes_section(sources),
    }


def peers_section(sources: Sources) -> dict[str, Any]:
    """Every brand's two indices and quadrant, and the brand's rank and distance on each component."""
    from groundswell.metrics.peers import brand_scorecards, compare_with_peers

    if sources.scope is None or len(sources.brand_map().brands) < 2:
        raise MetricUnavailable("no other brand in the data to compare with")
    cards = brand_scorecards(sources)
    return {
        "brand": sources.brand_name,
        "threshold": sources.config.scorecard.high,
        "brands": [{k: v for k, v in c.as_dict().items() if k != "scorecard"} for c in cards],
        "comparison": [r.as_dict() for r in compare_with_peers(cards, sources.brand_name)],
    }


SECTIONS = (
    "scorecard", "subject", "subject_by_month", "response", "response_by_account", "response_by_platform", "help",
    "voice", "participation", "relationships", "denominators", "fairness", "spikes", "goals", "marketing", "attention",
    "counts", "peers", "share_of_voice", "outcomes",
)  # fmt: skip
"""The report's sections, in the order they are computed."""
PEER_SECTIONS = ("peers", "share_of_voice")
"""Sections only for a brand among peers (``Sources.scope``), left out of the report otherwise."""


def gather(
    sources: Sources, *, progress: ProgressCallback | None = None, sections: Iterable[str] | None = None
) -> ReportData:
    """Compute every section of the report over ``sources`` (one engine, one period, one model version).

    ``sections``: only these (names of ``SECTIONS``), e.g. the web dashboard's; the rest stay out of the data
    (neither computed nor unavailable)."""
    config = sources.config
    posts = sources.posts
    span = rows(posts.aggregate(n=posts.count(), first=posts.created_at.min(), last=posts.created_at.max()))[0]
    rate_targets = [k.target for g in config.goals for k in g.kpis if k.metric == "response_rate"]
    data = ReportData(
        brand=sources.brand_name,
        period=sources.period,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        posts=int(span["n"]),
        first_post=span["first"],
        last_post=span["last"],
        model_version=sources.model_version if sources.enrichments is not None else None,
        response_target_hours=config.response.target_hours,
        response_rate_target=rate_targets[0] if rate_targets else None,
        window_hours=config.response.window_hours,
        kpi_targets=kpi_targets(config),
    )
    work = _sections(sources)
    chosen = set(SECTIONS if sections is None else sections)
    wanted = tuple(n for n in SECTIONS if n in chosen)
    unknown = sorted(chosen - set(SECTIONS))
    if unknown:
        raise UsageError(f"no report section {unknown[0]!r}; sections: {', '.join(SECTIONS)}")
    if sources.scope is None:  # the brand is all there is: no peers to compare with
        wanted = tuple(n for n in wanted if n not in PEER_SECTIONS)
    for done, name in enumerate(wanted):
        if progress is not None:
            progress(name, done, len(wanted))
        try:
            data.sections[name] = work[name]()
        except MetricUnavailable as exc:
            data.unavailable[name] = str(exc)
    if progress is not None:
        progress("done", len(wanted), len(wanted))
    return data
