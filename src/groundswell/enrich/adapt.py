"""Adapt the shipped fast tier to one workspace from its people's label corrections.

The shipped models were trained on data that is not installed with groundswell (TweetEval, the
complaints corpus, labelled support posts), so a workspace cannot retrain on it. What the shipped
model keeps of that data is its weights, and adaptation starts from them: the shipped weights
``W0`` are the centre of a Gaussian prior, and the new weights ``W`` minimise

    1/2 * ||W - W0||^2  +  C * w * sum over corrections of cross-entropy(softmax(x W + b), label)

where ``C`` is the shipped model's own regularisation constant, so that one correction with weight
``w = 1`` counts as much as one of the shipped model's training posts (maximum a posteriori
adaptation, Chelba and Acero, "Adaptation of maximum entropy capitalizer: little data can help a
lot", Computer Speech and Language 20(4), 2006). The prior is isotropic: it stands for the shipped
training data without its curvature, which is the honest limit of what the weights can carry.

The weight ``w`` is what makes a few hundred corrections matter beside tens of thousands of shipped
posts: it is chosen per task from ``WEIGHT_GRID`` by stratified cross-validation on the corrections
alone (the task's official metric), and ``0`` (keep the shipped weights) is in the grid, so
corrections that do not help on their own folds leave the model as shipped. Only the weight columns
of n-grams seen in the corrections can move; every other weight stays exactly as shipped.

Which corrections feed which task: ``sentiment`` corrections the sentiment model; ``intent``
corrections the complaint model (``complaint`` is a complaint, every other intent is not);
``subject`` corrections the subject model, whose context features are computed with the adapted
sentiment and complaint models it runs with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.model_selection import StratifiedKFold

from groundswell.enrich import rules
from groundswell.enrich.base import Classifier
from groundswell.enrich.evaluate import metric_name, score
from groundswell.enrich.linear import Featurizer, LinearTextClassifier, softmax
from groundswell.enrich.subject import SubjectModel, context_features
from groundswell.records import Intent

WEIGHT_GRID: tuple[float, ...] = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0)
MAX_FOLDS = 5
MIN_PER_LABEL = 2  # fewer corrections of a label than this: no folds to choose a weight on


@dataclass(frozen=True, slots=True)
class CorrectedPost:
    """A post a person labelled: its text, who posted it, whether it replies, and the person's label."""

    text: str
    is_brand: bool
    is_reply: bool
    label: str


@dataclass(frozen=True)
class TaskAdaptation:
    """How one task's model was adapted: the corrections used, the weight chosen and the folds' figures."""

    task: str
    base_version: str
    corrections: int
    label_counts: dict[str, int]
    weight: float
    metric: str
    grid: list[dict[str, Any]] = field(default_factory=list)
    selection: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "base_version": self.base_version,
            "corrections": self.corrections,
            "label_counts": self.label_counts,
            "weight": self.weight,
            "metric": self.metric,
            "grid": self.grid,
            "selection": self.selection,
        }


def complaint_posts(intent_corrections: Sequence[CorrectedPost]) -> list[CorrectedPost]:
    """Intent corrections as complaint labels: ``complaint`` is a complaint, any other intent is not."""
    return [
        CorrectedPost(p.text, p.is_brand, p.is_reply, "complaint" if p.label == Intent.COMPLAINT else "not_complaint")
        for p in intent_corrections
    ]


def adapt_weights(
    features: sp.csr_matrix,
    gold: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    *,
    c: float,
    weight: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The MAP weights (module docstring) for rows ``features`` with label indices ``gold``.

    The change to the weights lies in the span of the rows (the penalty is a plain sum of squares), so it
    is solved for as ``alpha.T @ features`` with one coefficient per row and label: a few hundred numbers
    however wide the hashed features are. Columns no row uses keep their shipped weights exactly.
    """
    if weight <= 0 or features.shape[0] == 0:
        return coef, intercept
    rows = sp.csr_matrix(features, dtype=np.float64)
    gram = np.asarray((rows @ rows.T).toarray())
    base = np.asarray(features @ coef.T, dtype=np.float64) + intercept
    n_rows, n_labels = features.shape[0], coef.shape[0]
    target = np.zeros((n_rows, n_labels))
    target[np.arange(n_rows), gold] = 1.0
    scale = c * weight

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        alpha = flat[: n_rows * n_labels].reshape(n_rows, n_labels)
        delta_b = flat[n_rows * n_labels :]
        moved = gram @ alpha
        scores = base + moved + delta_b
        scores -= scores.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scores).sum(axis=1, keepdims=True))
        loss = -float((target * (scores - log_norm)).sum()) * scale
        loss += 0.5 * float((alpha * moved).sum()) + 0.5 * float(delta_b @ delta_b)
        residual = (np.exp(scores - log_norm) - target) * scale
        grad_alpha = gram @ (residual + alpha)
        return loss, np.concatenate([grad_alpha.ravel(), residual.sum(axis=0) + delta_b])

    start = np.zeros(n_rows * n_labels + n_labels)
    found = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000, "ftol": 1e-7})
    alpha = found.x[: n_rows * n_labels].reshape(n_rows, n_labels)
    active = np.unique(rows.indices)
    adapted = coef.copy()
    adapted[:, active] += np.asarray(rows[:, active].T @ alpha).T.astype(coef.dtype)
    return adapted, (intercept + found.x[n_rows * n_labels :]).astype(intercept.dtype)


def _predict(features: sp.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    best: np.ndarray = softmax(np.asarray(features @ coef.T, dtype=np.float64) + intercept).argmax(axis=1)
    return best


def choose_weight(
    task: str,
    features: sp.csr_matrix,
    gold: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    labels: Sequence[str],
    *,
    c: float,
    grid: Sequence[float] = WEIGHT_GRID,
) -> tuple[float, list[dict[str, Any]], str]:
    """The grid weight with the best cross-validated figure on the corrections (ties: the smaller weight)."""
    smallest = min(Counter(gold.tolist()).values())
    if len(set(gold.tolist())) < 2 or smallest < MIN_PER_LABEL:
        fallback = grid[len(grid) // 2]
        return fallback, [], f"too few corrections per label to cross-validate; weight {fallback:g} taken"
    # only the columns these rows use matter to them: fit and score on those, not on the full weight matrix
    active = np.unique(features.indices)
    features, coef = sp.csr_matrix(features[:, active]), np.ascontiguousarray(coef[:, active])
    folds = StratifiedKFold(n_splits=min(MAX_FOLDS, smallest), shuffle=True, random_state=0)
    splits = list(folds.split(np.zeros(len(gold)), gold))
    names = np.array(labels)
    present = [label for i, label in enumerate(labels) if i in set(gold.tolist())]  # an absent label scores 0
    table = []
    for weight in grid:
        values = []
        for train_rows, test_rows in splits:
            new_coef, new_intercept = adapt_weights(
                features[train_rows], gold[train_rows], coef, intercept, c=c, weight=weight
            )
            predicted = names[_predict(features[test_rows], new_coef, new_intercept)]
            values.append(score(task, names[gold[test_rows]], predicted, present))
        table.append({"weight": weight, "value": round(float(np.mean(values)), 4)})
    best = max(table, key=lambda row: (row["value"], -row["weight"]))
    selection = f"stratified {len(splits)}-fold cross-validation on the corrections ({metric_name(task)})"
    return float(best["weight"]), table, selection


def _label_indices(posts: Sequence[CorrectedPost], labels: Sequence[str]) -> np.ndarray:
    return np.array([list(labels).index(post.label) for post in posts], dtype=np.int64)


def adapt_linear(
    model: LinearTextClassifier, posts: Sequence[CorrectedPost], *, version: str
) -> tuple[LinearTextClassifier, TaskAdaptation]:
    """A copy of a fast-tier sentiment or complaint model adapted to ``posts``, under ``version``."""
    c = float(model.metadata.get("settings", {}).get("C", 1.0))
    features = Featurizer(model.spec, model.lexicon).transform([post.text for post in posts])
    gold = _label_indices(posts, model.labels)
    weight, grid, selection = choose_weight(model.task, features, gold, model.coef, model.intercept, model.labels, c=c)
    coef, intercept = adapt_weights(features, gold, model.coef, model.intercept, c=c, weight=weight)
    record = TaskAdaptation(
        model.task, model.version, len(posts), dict(Counter(p.label for p in posts)), weight,
        metric_name(model.task), grid, selection,
    )  # fmt: skip
    adapted = LinearTextClassifier(
        task=model.task,
        name=model.name,
        version=version,
        labels=model.labels,
        spec=model.spec,
        coef=coef,
        intercept=intercept,
        lexicon=model.lexicon,
        metadata={**model.metadata, "adaptation": record.as_dict()},
    )
    return adapted, record


def subject_features(
    model: SubjectModel, posts: Sequence[CorrectedPost], sentiment: Classifier, complaint: Classifier
) -> sp.csr_matrix:
    """The subject model's input rows for ``posts``: the text block beside the scaled context block."""
    reader = rules.RuleClassifier("intent", sentiment, complaint)
    inputs = reader.rule_inputs([p.text for p in posts], [p.is_brand for p in posts], [p.is_reply for p in posts])
    context = context_features(inputs, [rules.intent(post) for post in inputs]) * model.context_scale
    text = model.text.matrix([p.text for p in posts])
    return sp.hstack([sp.csr_matrix(text), sp.csr_matrix(context)], format="csr")


def adapt_subject(
    model: SubjectModel,
    posts: Sequence[CorrectedPost],
    sentiment: Classifier,
    complaint: Classifier,
    *,
    version: str,
) -> tuple[SubjectModel, TaskAdaptation]:
    """A copy of the fast tier's subject model adapted to ``posts``, reading ``sentiment`` and ``complaint``."""
    c = float(model.metadata.get("settings", {}).get("C", 1.0))
    features = subject_features(model, posts, sentiment, complaint)
    gold = _label_indices(posts, model.labels)
    weight, grid, selection = choose_weight("subject", features, gold, model.coef, model.intercept, model.labels, c=c)
    coef, intercept = adapt_weights(features, gold, model.coef, model.intercept, c=c, weight=weight)
    record = TaskAdaptation(
        "subject", model.version, len(posts), dict(Counter(p.label for p in posts)), weight,
        metric_name("subject"), grid, selection,
    )  # fmt: skip
    adapted = SubjectModel(
        name=model.name,
        version=version,
        text=model.text,
        context_scale=model.context_scale,
        coef=coef,
        intercept=intercept,
        labels=model.labels,
        metadata={**model.metadata, "adaptation": record.as_dict()},
    )
    return adapted, record


Progress = Callable[[str], None]


@dataclass
class AdaptedTier:
    """The fast tier's three models after adaptation (a task without corrections keeps the shipped model)."""

    sentiment: LinearTextClassifier
    complaint: LinearTextClassifier
    subject: SubjectModel
    records: dict[str, TaskAdaptation]


def adapt_tier(
    sentiment: LinearTextClassifier,
    complaint: LinearTextClassifier,
    subject: SubjectModel,
    corrections: Mapping[str, Sequence[CorrectedPost]],
    *,
    suffix: str,
    progress: Progress | None = None,
) -> AdaptedTier:
    """Adapt each task in ``corrections`` (keys from ``ADAPTED_TASKS``) with its posts; the others stay.

    Each adapted model's version is its shipped version followed by ``suffix`` (e.g. ``+ws2``).
    """
    say = progress or (lambda _message: None)
    records: dict[str, TaskAdaptation] = {}
    if corrections.get("sentiment"):
        say(f"sentiment: adapting {sentiment.name}@{sentiment.version} to {len(corrections['sentiment'])} corrections")
        sentiment, records["sentiment"] = adapt_linear(
            sentiment, corrections["sentiment"], version=sentiment.version + suffix
        )
    if corrections.get("complaint"):
        say(f"complaint: adapting {complaint.name}@{complaint.version} to {len(corrections['complaint'])} corrections")
        complaint, records["complaint"] = adapt_linear(
            complaint, corrections["complaint"], version=complaint.version + suffix
        )
    if corrections.get("subject"):
        say(f"subject: adapting {subject.name}@{subject.version} to {len(corrections['subject'])} corrections")
        subject, records["subject"] = adapt_subject(
            subject, corrections["subject"], sentiment, complaint, version=subject.version + suffix
        )
    return AdaptedTier(sentiment, complaint, subject, records)
