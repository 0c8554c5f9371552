"""The intervals of the classified figures: adjusted classify-and-count with a bootstrap (metrics.intervals).

The coverage tests draw worlds whose every post's true labels are known, classify them with error rates taken
from the shipped fast tier's held-out confusions, and measure each world with a held-out confusion drawn afresh
from those same error rates (as a model's evaluation would measure it): 95% intervals must cover the true
figures of the posts in at least 90% of the worlds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from groundswell.enrich.confusion import HeldOutConfusion, held_out_confusions
from groundswell.metrics.intervals import ADJUSTED, SAMPLING_ONLY, true_shares
from groundswell.metrics.response import rate_interval
from groundswell.metrics.subject import subject_intervals


def _fast_version() -> str:
    """The shipped fast tier's enrichment model version (what its confusion.json must be measured for)."""
    from groundswell.enrich.registry import load_classifier, load_subject_model
    from groundswell.enrich.stage import model_version

    return model_version(load_classifier("sentiment"), load_classifier("complaint"), load_subject_model())


FAST = _fast_version()
WORLDS = 50


def _shipped(task: str) -> HeldOutConfusion:
    confusion = held_out_confusions(FAST).get(task)
    if confusion is None:
        pytest.skip(f"the shipped fast tier's confusion.json has no {task!r} for {FAST}")
    return confusion


def _rates(confusion: HeldOutConfusion) -> npt.NDArray[np.float64]:
    matrix = np.asarray(confusion.matrix, dtype=np.float64)
    return matrix / matrix.sum(axis=1, keepdims=True)


def _measured(confusion: HeldOutConfusion, rng: np.random.Generator) -> HeldOutConfusion:
    """A fresh evaluation of a classifier with ``confusion``'s error rates on as many held-out posts."""
    rates = _rates(confusion)
    rows = tuple(tuple(int(v) for v in rng.multinomial(int(sum(row)), rates[i])) for i, row in
                 enumerate(confusion.matrix))  # fmt: skip
    return HeldOutConfusion(confusion.task, confusion.labels, rows, "simulated")


def _classify(
    truth: npt.NDArray[np.int64], rates: npt.NDArray[np.float64], rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    cumulative = rates.cumsum(axis=1)[truth]
    return (rng.random(len(truth))[:, None] > cumulative).sum(axis=1).clip(0, rates.shape[0] - 1)


def test_subject_intervals_cover_the_true_shares_and_net_sentiments() -> None:
    subject, sentiment = _shipped("subject"), _shipped("sentiment")
    s_rates, t_rates = _rates(subject), _rates(sentiment)
    experience, marketing = subject.labels.index("experience"), subject.labels.index("marketing")
    positive, negative = sentiment.labels.index("positive"), sentiment.labels.index("negative")
    covered: dict[str, list[bool]] = {}
    for seed in range(WORLDS):
        rng = np.random.default_rng(seed)
        posts = int(rng.integers(800, 4000))
        subjects = rng.choice(3, size=posts, p=rng.dirichlet([2.0, 5.0, 2.0]))
        feelings = np.empty(posts, dtype=np.int64)
        for s in range(3):
            mine = subjects == s
            feelings[mine] = rng.choice(3, size=int(mine.sum()), p=rng.dirichlet([2.0, 2.0, 2.0]))
        counts = np.zeros((3, 3), dtype=np.int64)
        np.add.at(counts, (_classify(subjects, s_rates, rng), _classify(feelings, t_rates, rng)), 1)
        found = subject_intervals(counts.tolist(), _measured(subject, rng), _measured(sentiment, rng))
        for name, index in (("experience", experience), ("marketing", marketing)):
            mine = subjects == index
            true_net = ((feelings[mine] == positive).sum() - (feelings[mine] == negative).sum()) / mine.sum()
            for figure, true in ((f"{name}_share", mine.mean()), (f"{name}_net_sentiment", true_net)):
                got = found[figure]
                assert got is not None and got.method == ADJUSTED
                assert got.low < got.high
                covered.setdefault(figure, []).append(got.low <= true <= got.high)
    coverage = {figure: float(np.mean(hits)) for figure, hits in covered.items()}
    assert all(c >= 0.9 for c in coverage.values()), coverage


def test_response_rate_intervals_cover_the_true_rate() -> None:
    needs = _shipped("needs_reply")
    rates = _rates(needs)
    yes = needs.labels.index("true")
    hits = []
    for seed in range(WORLDS):
        rng = np.random.default_rng(1000 + seed)
        inbound = int(rng.integers(500, 3000))
        truly = (rng.random(inbound) < rng.uniform(0.3, 0.8)).astype(np.int64)
        truly = np.where(truly == 1, yes, 1 - yes)
        answered = rng.random(inbound) < np.where(truly == yes, rng.uniform(0.2, 0.95), rng.uniform(0.05, 0.4))
        predicted = _classify(truly, rates, rng)
        needs_reply = int((predicted == yes).sum())
        replied = int(((predicted == yes) & answered).sum())
        got = rate_interval(inbound, int(answered.sum()), needs_reply, replied, _measured(needs, rng))
        true = answered[truly == yes].mean()
        assert got is not None and got.low < got.high
        hits.append(got.low <= true <= got.high)
    assert np.mean(hits) >= 0.9, np.mean(hits)


def test_the_same_counts_give_the_same_interval_and_a_perfect_classifier_only_sampling() -> None:
    subject, sentiment = _shipped("subject"), _shipped("sentiment")
    counts = [[30, 40, 50], [200, 300, 400], [20, 30, 40]]
    assert subject_intervals(counts, subject, sentiment) == subject_intervals(counts, subject, sentiment)
    perfect = HeldOutConfusion("subject", subject.labels, ((100, 0, 0), (0, 100, 0), (0, 0, 100)), "perfect")
    exact = HeldOutConfusion("sentiment", sentiment.labels, ((100, 0, 0), (0, 100, 0), (0, 0, 100)), "perfect")
    found = subject_intervals(counts, perfect, exact)["experience_share"]
    assert found is not None
    share = 900 / 1110
    half = 1.96 * (share * (1 - share) / 1110) ** 0.5  # the binomial interval, for sampling alone
    assert found.low == pytest.approx(share - half, abs=0.006) and found.high == pytest.approx(share + half, abs=0.006)
    unknown = subject_intervals(counts, None, None)["experience_share"]
    assert unknown is not None and unknown.method == SAMPLING_ONLY
    assert unknown.low == pytest.approx(found.low, abs=0.006)


def test_a_classifier_that_overcounts_is_corrected() -> None:
    # a needs-reply classifier that calls half the posts that need no reply "needs a reply"
    confusion = HeldOutConfusion("needs_reply", ("false", "true"), ((500, 500), (0, 1000)), "made up")
    # 1,000 inbound posts, 500 truly needing a reply (all answered), 500 not (none answered):
    # predicted 750 need a reply, 500 of them answered
    got = rate_interval(1000, 500, 750, 500, confusion)
    assert got is not None and got.low <= 1.0 <= got.high + 1e-9
    assert got.low > 500 / 750  # the count alone would say 67%


def test_no_posts_no_interval() -> None:
    with pytest.raises(ValueError, match="no posts"):
        true_shares([[0, 0], [0, 0]], [None, None])
    assert subject_intervals([[0] * 3] * 3, None, None) == {}
