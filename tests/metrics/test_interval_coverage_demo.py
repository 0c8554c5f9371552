"""The intervals against the demo world's truth: seeded demo worlds, enriched with the fast tier, each
customer post's true labels known by construction (``generate_labelled_world``).

A known failure today: the shipped classifiers' errors on the demo's template texts are not the errors
their held-out confusion measured on real posts (on seed 0 the marketing-buzz posts are truly +0.69 net
positive but counted +0.08, and more true experience posts are counted as other than the held-out set
shows), so the intervals, which correct by the held-out errors, miss the truth. ``strict``: once
classifiers that read the demo as they read real posts ship, with their confusions, this passes and the
marker must go.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.demo import build_demo, generate_labelled_world
from groundswell.demo.truth import PostTruth
from groundswell.metrics import response, subject_shares
from groundswell.metrics.base import MetricValue
from groundswell.query import rows
from groundswell.threads.stage import build_threads
from groundswell.workspace import Workspace

POSTS = 2500
KNOWN_FAILURE = pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="the demo's texts are classified with other errors than the held-out confusions measure",
)


def _net(truths: list[PostTruth]) -> float:
    return (sum(t.sentiment == "positive" for t in truths) - sum(t.sentiment == "negative" for t in truths)) / len(
        truths
    )


def _covered(root: Path, seed: int) -> dict[str, bool]:
    truth = {(p.platform, p.post_id): t for p, t in generate_labelled_world(posts=POSTS, seed=seed)}
    result = build_demo(root / f"world-{seed}", posts=POSTS, seed=seed)
    with Workspace.open(result.workspace) as ws:
        ws.enrich("fast")
        with ws.sources() as sources:
            subject, answered = subject_shares(sources)[0], response(sources)[0]
            threads = build_threads(sources)
            inbound = rows(threads.posts.filter(threads.posts.inbound).select("platform", "post_id", "reply_delay_s"))
            window = sources.config.response.window_hours * 3600
    customers = [t for t in truth.values() if t is not None]
    experience = [t for t in customers if t.subject == "experience"]
    marketing = [t for t in customers if t.subject == "marketing"]
    needing = [
        r["reply_delay_s"] is not None and r["reply_delay_s"] <= window
        for r in inbound
        if (found := truth[(r["platform"], r["post_id"])]) is not None and found.needs_reply
    ]
    pairs: list[tuple[MetricValue, float]] = [
        (subject.experience.share, len(experience) / len(customers)),
        (subject.marketing_buzz.share, len(marketing) / len(customers)),
        (subject.experience.net_sentiment, _net(experience)),
        (subject.marketing_buzz.net_sentiment, _net(marketing)),
        (answered.metrics()[1], sum(needing) / len(needing)),
    ]
    out = {}
    for figure, true in pairs:
        assert figure.interval is not None, figure.metric
        out[figure.metric] = figure.interval.low <= true <= figure.interval.high
    return out


def _coverage(root: Path, worlds: int) -> dict[str, float]:
    hits: dict[str, list[bool]] = {}
    for seed in range(worlds):
        for metric, hit in _covered(root, seed).items():
            hits.setdefault(metric, []).append(hit)
    return {metric: sum(h) / len(h) for metric, h in hits.items()}


@KNOWN_FAILURE
def test_intervals_cover_the_demo_truth_in_three_worlds(tmp_path: Path) -> None:
    coverage = _coverage(tmp_path, 3)
    assert all(c >= 0.9 for c in coverage.values()), coverage


@pytest.mark.slow
@KNOWN_FAILURE
def test_intervals_cover_the_demo_truth_in_fifty_worlds(tmp_path: Path) -> None:
    coverage = _coverage(tmp_path, 50)
    assert all(c >= 0.9 for c in coverage.values()), coverage
