"""The adaptation from corrections: the weights it returns are the MAP weights, columns the corrections do not
use stay as shipped, and corrections that agree with the shipped model leave it as it is."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from groundswell.enrich.adapt import CorrectedPost, adapt_linear, adapt_weights, choose_weight, complaint_posts
from groundswell.enrich.linear import FeatureSpec, LinearTextClassifier, softmax

LABELS = ("negative", "neutral", "positive")


def _rows(seed: int, n: int = 40, width: int = 200) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = sp.random(n, width, density=0.05, random_state=seed, format="csr") * 3
    coef = rng.normal(size=(3, width)).astype(np.float32)
    intercept = rng.normal(size=3).astype(np.float32)
    gold = rng.integers(0, 3, size=n)
    return sp.csr_matrix(features), gold, coef, intercept


def test_the_weights_are_the_minimum_of_the_penalised_loss() -> None:
    features, gold, coef, intercept = _rows(1)
    c, weight = 2.0, 10.0
    new_coef, new_intercept = adapt_weights(features, gold, coef, intercept, c=c, weight=weight)
    # the primal objective's gradient, written out over every column, has all but vanished at the answer

    def gradient(at_coef: np.ndarray, at_intercept: np.ndarray) -> np.ndarray:
        residual = softmax(np.asarray(features @ at_coef.T.astype(np.float64)) + at_intercept)
        residual[np.arange(len(gold)), gold] -= 1.0
        grad_coef = c * weight * np.asarray(features.T @ residual).T + (at_coef - coef)
        grad_intercept = c * weight * residual.sum(axis=0) + (at_intercept - intercept)
        return np.concatenate([grad_coef.ravel(), grad_intercept])

    start, end = np.abs(gradient(coef, intercept)).max(), np.abs(gradient(new_coef, new_intercept)).max()
    assert end < 0.005 * start, (start, end)
    unused = np.setdiff1d(np.arange(coef.shape[1]), features.indices)
    assert unused.size and np.array_equal(new_coef[:, unused], coef[:, unused])
    # and the corrections' own labels are now read better than before
    before = (np.asarray(features @ coef.T) + intercept).argmax(axis=1)
    after = (np.asarray(features @ new_coef.T) + new_intercept).argmax(axis=1)
    assert (after == gold).sum() > (before == gold).sum()


def test_weight_zero_and_no_rows_keep_the_shipped_weights() -> None:
    features, gold, coef, intercept = _rows(2)
    assert adapt_weights(features, gold, coef, intercept, c=1.0, weight=0.0)[0] is coef
    assert adapt_weights(features[:0], gold[:0], coef, intercept, c=1.0, weight=10.0)[0] is coef


def test_corrections_that_agree_with_the_shipped_model_choose_weight_zero() -> None:
    features, _, coef, intercept = _rows(3, n=60)
    agreeing = (np.asarray(features @ coef.T) + intercept).argmax(axis=1)
    weight, grid, selection = choose_weight("sentiment", features, agreeing, coef, intercept, LABELS, c=1.0)
    assert weight == 0.0 and "cross-validation" in selection
    assert len({row["value"] for row in grid}) >= 1 and grid[0]["weight"] == 0.0


def test_too_few_corrections_per_label_take_the_middle_weight() -> None:
    features, _, coef, intercept = _rows(4, n=5)
    gold = np.array([0, 0, 0, 0, 1])
    weight, grid, selection = choose_weight("sentiment", features, gold, coef, intercept, LABELS, c=1.0)
    assert (weight, grid) == (10.0, []) and "too few" in selection


def test_an_adapted_linear_model_keeps_its_name_and_records_what_it_learnt() -> None:
    spec = FeatureSpec(word_n_features=2**10, char_n_features=2**10)
    shipped = LinearTextClassifier(
        task="sentiment", name="fast-sentiment", version="1.1.0", labels=LABELS, spec=spec,
        coef=np.zeros((3, spec.n_features), np.float32), intercept=np.zeros(3, np.float32),
        metadata={"settings": {"C": 1.0}},
    )  # fmt: skip
    posts = [CorrectedPost(f"the flight was late again {i}", False, False, "negative") for i in range(6)]
    posts += [CorrectedPost(f"lovely crew, thank you {i}", False, False, "positive") for i in range(6)]
    adapted, record = adapt_linear(shipped, posts, version="1.1.0+ws1")
    assert (adapted.name, adapted.version) == ("fast-sentiment", "1.1.0+ws1")
    assert record.corrections == 12 and record.label_counts == {"negative": 6, "positive": 6}
    assert adapted.metadata["adaptation"]["weight"] == record.weight > 0
    assert [p.label for p in adapted.predict(["late flight again", "thank you lovely crew"])] == [
        "negative",
        "positive",
    ]
    assert not shipped.coef.any()  # the model adapted from is not changed


def test_intent_corrections_become_complaint_labels() -> None:
    posts = [CorrectedPost("a", False, False, "complaint"), CorrectedPost("b", False, True, "question")]
    assert [p.label for p in complaint_posts(posts)] == ["complaint", "not_complaint"]
