"""The intervals against the demo world's truth: seeded demo worlds, enriched with the fast tier, each
customer post's true labels known by construction (``generate_labelled_world``).

With the team's review (``groundswell review``): in each world a random sample of ``REVIEWED`` customer posts
is drawn by the workspace and labelled with the world's truth, as a team would label it, and loaded; the
intervals then measure the classifiers' errors on those posts (prediction-powered inference) and must cover
the truth in >= 90% of worlds for every figure.

Without a review, a known failure today: the shipped classifiers' errors on the demo's template texts are
not the errors their held-out confusion measured on real posts (on seed 0 the marketing-buzz posts are truly
+0.69 net positive but counted +0.08, and more true experience posts are counted as other than the held-out
set shows), so the intervals, which correct by the held-out errors, miss the truth. ``strict``: once
classifiers that read the demo as they read real posts ship, with their confusions, this passes and the
marker must go.
"""

from __future__ import annotations

import csv
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
REVIEWED = 400
KNOWN_FAILURE = pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="the demo's texts are classified with other errors than the held-out confusions measure",
)


def _net(truths: list[PostTruth]) -> float:
    return (sum(t.sentiment == "positive" for t in truths) - sum(t.sentiment == "negative" for t in truths)) / len(
        truths
    )


def _label_sample(ws: Workspace, folder: Path, truth: dict[tuple[str, str], PostTruth | None], seed: int) -> None:
    """A random sample drawn by the workspace, labelled with the world's truth, loaded as the team's review."""
    drawn, labelled = folder / "sample.csv", folder / "labelled.csv"
    assert ws.write_review_sample(drawn, REVIEWED, seed=f"world-{seed}") == REVIEWED
    with drawn.open(newline="", encoding="utf-8") as source, labelled.open("w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        for row in reader:
            found = truth[(row["platform"], row["post_id"])]
            assert found is not None  # only customer posts are drawn
            writer.writerow(
                {**row, "sentiment": found.sentiment, "subject": found.subject, "needs_reply": str(found.needs_reply)}
            )
    report = ws.load_review_labels(labelled, by="test")
    assert report.labelled == REVIEWED and not report.rejected


def _covered(root: Path, seed: int, *, reviewed: bool = False) -> dict[str, bool]:
    truth = {(p.platform, p.post_id): t for p, t in generate_labelled_world(posts=POSTS, seed=seed)}
    result = build_demo(root / f"world-{seed}", posts=POSTS, seed=seed, review=0)  # the test draws its own
    with Workspace.open(result.workspace) as ws:
        ws.enrich("fast")
        if reviewed:
            _label_sample(ws, root / f"world-{seed}", truth, seed)
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
        assert ("prediction-powered" in figure.interval.method) == reviewed, figure.interval.method
        out[figure.metric] = figure.interval.low <= true <= figure.interval.high
    return out


def _coverage(root: Path, worlds: int, *, reviewed: bool = False) -> dict[str, float]:
    hits: dict[str, list[bool]] = {}
    for seed in range(worlds):
        for metric, hit in _covered(root, seed, reviewed=reviewed).items():
            hits.setdefault(metric, []).append(hit)
    return {metric: sum(h) / len(h) for metric, h in hits.items()}


def test_with_a_review_the_intervals_cover_the_demo_truth_in_three_worlds(tmp_path: Path) -> None:
    coverage = _coverage(tmp_path, 3, reviewed=True)
    assert all(c >= 2 / 3 for c in coverage.values()), coverage


@pytest.mark.slow
def test_with_a_review_the_intervals_cover_the_demo_truth_in_fifty_worlds(tmp_path: Path) -> None:
    coverage = _coverage(tmp_path, 50, reviewed=True)
    assert all(c >= 0.9 for c in coverage.values()), coverage


@KNOWN_FAILURE
def test_intervals_cover_the_demo_truth_in_three_worlds(tmp_path: Path) -> None:
    coverage = _coverage(tmp_path, 3)
    assert all(c >= 0.9 for c in coverage.values()), coverage


@pytest.mark.slow
@KNOWN_FAILURE
def test_intervals_cover_the_demo_truth_in_fifty_worlds(tmp_path: Path) -> None:
    coverage = _coverage(tmp_path, 50)
    assert all(c >= 0.9 for c in coverage.values()), coverage
