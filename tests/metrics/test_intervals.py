"""The intervals of the classified figures: adjusted classify-and-count with a bootstrap (metrics.intervals).

The coverage tests draw worlds whose every post's true labels are known, classify them with error rates taken
from the shipped fast tier's held-out confusions, and measure each world with a held-out confusion drawn afresh
from those same error rates (as a model's evaluation would measure it): 95% intervals must cover the true
figures of the posts in at least 90% of the worlds. The review tests classify with errors of each world's own
(subject and sentiment misread together, towards cells the held-out confusion knows nothing of) and label a
random sample of the world's posts, as a team's review would (prediction-powered inference).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from groundswell.enrich.confusion import HeldOutConfusion, held_out_confusions
from groundswell.metrics.intervals import ADJUSTED, MIN_REVIEWED, SAMPLING_ONLY, reviewed_shares, true_shares
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


def _misread(truth: npt.NDArray[np.int64], cells: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """A classifier whose errors are this world's own: a share of posts read as a cell drawn from a skewed
    distribution, both labels of a joint cell wrong together."""
    wrong = rng.random(len(truth)) < rng.uniform(0.1, 0.35)
    towards = rng.dirichlet(np.full(cells, 0.5))
    return np.where(wrong, rng.choice(cells, size=len(truth), p=towards), truth)


def _review(truth: npt.NDArray[np.int64], said: npt.NDArray[np.int64], cells: int, size: int,
            rng: np.random.Generator) -> list[list[int]]:  # fmt: skip
    pairs = np.zeros((cells, cells), dtype=np.int64)
    chosen = rng.choice(len(truth), size=size, replace=False)
    np.add.at(pairs, (truth[chosen], said[chosen]), 1)
    return pairs.tolist()


def test_a_review_of_these_posts_covers_the_truth_whatever_their_errors() -> None:
    labels = ("marketing", "experience", "other")
    experience = labels.index("experience")
    feelings = ("negative", "neutral", "positive")
    covered: dict[str, list[bool]] = {}
    for seed in range(WORLDS):
        rng = np.random.default_rng(2000 + seed)
        posts = int(rng.integers(800, 4000))
        truth = rng.choice(9, size=posts, p=rng.dirichlet(np.full(9, 2.0)))  # cell = subject * 3 + sentiment
        said = _misread(truth, 9, rng)
        counts = np.bincount(said, minlength=9).reshape(3, 3)
        subject = HeldOutConfusion("subject", labels, ((90, 5, 5), (5, 90, 5), (5, 5, 90)), "elsewhere")
        sentiment = HeldOutConfusion("sentiment", feelings, ((90, 5, 5), (5, 90, 5), (5, 5, 90)), "elsewhere")
        found = subject_intervals(
            counts.tolist(), subject, sentiment, reviewed=_review(truth, said, 9, int(rng.integers(200, 500)), rng)
        )
        mine = truth // 3 == experience
        true_net = ((truth[mine] % 3 == 2).sum() - (truth[mine] % 3 == 0).sum()) / mine.sum()
        for figure, true in (("experience_share", mine.mean()), ("experience_net_sentiment", true_net)):
            got = found[figure]
            assert got is not None and "prediction-powered" in got.method
            covered.setdefault(figure, []).append(got.low <= true <= got.high)
    coverage = {figure: float(np.mean(hits)) for figure, hits in covered.items()}
    assert all(c >= 0.9 for c in coverage.values()), coverage


def test_a_review_of_these_posts_covers_the_true_response_rate() -> None:
    hits = []
    for seed in range(WORLDS):
        rng = np.random.default_rng(3000 + seed)
        inbound = int(rng.integers(500, 3000))
        truly = rng.random(inbound) < rng.uniform(0.3, 0.8)
        answered = rng.random(inbound) < np.where(truly, rng.uniform(0.2, 0.95), rng.uniform(0.05, 0.4))
        flip = rng.random(inbound) < np.where(answered, rng.uniform(0.0, 0.3), rng.uniform(0.1, 0.4))  # errors that
        said = truly ^ flip  # depend on the reply: a held-out confusion cannot know them
        chosen = rng.choice(inbound, size=int(rng.integers(150, 400)), replace=False)
        reviewed: dict[tuple[bool, bool, bool], int] = {}
        for i in chosen:
            key = (bool(truly[i]), bool(said[i]), bool(answered[i]))
            reviewed[key] = reviewed.get(key, 0) + 1
        got = rate_interval(
            inbound, int(answered.sum()), int(said.sum()), int((said & answered).sum()), None, reviewed=reviewed
        )
        assert got is not None and "prediction-powered" in got.method
        hits.append(got.low <= answered[truly].mean() <= got.high)
    assert np.mean(hits) >= 0.9, np.mean(hits)


def test_too_few_reviewed_posts_leave_the_held_out_confusion_in_charge() -> None:
    subject, sentiment = _shipped("subject"), _shipped("sentiment")
    counts = [[30, 40, 50], [200, 300, 400], [20, 30, 40]]
    few = [[0] * 9 for _ in range(9)]
    few[4][4] = MIN_REVIEWED - 1
    found = subject_intervals(counts, subject, sentiment, reviewed=few)["experience_share"]
    assert found is not None and found.method == ADJUSTED
    assert found == subject_intervals(counts, subject, sentiment)["experience_share"]


def test_every_post_reviewed_gives_their_true_shares() -> None:
    # 100 posts, all labelled: 60 truly in cell 0 (the classifier said 1 for 20 of them), 40 in cell 1
    pairs = [[40, 20], [0, 40]]
    replicates = reviewed_shares([40, 60], pairs)
    assert np.allclose(replicates.mean(axis=0), [0.6, 0.4], atol=0.01)
    with pytest.raises(ValueError, match="shape"):
        reviewed_shares([40, 60], [[1, 2, 3]])
