"""Train a fast-tier model (``linear.LinearTextClassifier``) from labelled CSV files.

Input: UTF-8 CSV files with a header. The text is the ``text`` column; the
label is the first of ``LABEL_COLUMNS`` present, else the column named after
the task:

    label               the groundswell format (``text,label``); also complaints/train.csv
    airline_sentiment   Twitter US Airline Sentiment (Kaggle ``Tweets.csv``)
    <task>              e.g. ``intent`` / ``subject`` in tests/data/enrich/labelled_posts.csv

Labels must be in the task's label set (``base.TASK_LABELS``).

Settings: the regularisation strength C and the class weighting (none or
"balanced") are chosen on the training files only: by stratified 5-fold
cross-validation when there are fewer than ``CV_MAX_ROWS`` rows, else on a
deterministic 10 % validation split of the training rows
(``sha1(text) % 100 < 10``); or, where the caller names one (``validation``),
on a labelled validation file never trained on (a data set's official
validation split: its figure is then no longer a held-out one). The chosen
setting is then refit on every training row; the grid, its scores and the
choice go into model.json.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from groundswell.enrich.base import TASK_LABELS
from groundswell.enrich.evaluate import metric_name, score
from groundswell.enrich.labelled import read_labelled_csv
from groundswell.enrich.linear import FeatureSpec, Featurizer, LinearTextClassifier, read_lexicon
from groundswell.errors import UsageError

CV_MAX_ROWS = 10_000
DEFAULT_C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0)
DEFAULT_CLASS_WEIGHTS: tuple[str | None, ...] = (None, "balanced")


@dataclass
class TrainReport:
    task: str
    out: str
    n_train: int
    label_counts: dict[str, int]
    selection: str
    metric: str
    grid: list[dict[str, Any]]
    chosen: dict[str, Any]
    posts_per_second: float
    seconds: float
    data: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fit(features: sp.csr_matrix, labels: np.ndarray, c: float, class_weight: str | None) -> LogisticRegression:
    model = LogisticRegression(C=c, class_weight=class_weight, max_iter=400, tol=1e-3)
    return model.fit(features, labels)


def _grid_point(
    task: str,
    labels: tuple[str, ...],
    features: sp.csr_matrix,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    c: float,
    class_weight: str | None,
) -> dict[str, Any]:
    values = []
    for train_idx, val_idx in folds:
        model = _fit(features[train_idx], y[train_idx], c, class_weight)
        values.append(score(task, y[val_idx], model.predict(features[val_idx]), labels))
    return {"C": c, "class_weight": class_weight or "none", "value": float(np.mean(values))}


def _folds(texts: Sequence[str], y: np.ndarray) -> tuple[str, list[tuple[np.ndarray, np.ndarray]]]:
    if len(texts) < CV_MAX_ROWS:
        splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        return "stratified 5-fold cross-validation on the training rows", list(splitter.split(np.zeros(len(y)), y))
    bucket = np.array(
        [int(hashlib.sha1(t.encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 100 for t in texts]
    )
    return (
        "the 10 % of training rows with sha1(text) % 100 < 10 (model refit on all rows afterwards)",
        [(np.flatnonzero(bucket >= 10), np.flatnonzero(bucket < 10))],
    )


def _linear_coef(model: LogisticRegression, labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """One weight row per label in ``labels`` order (a binary model's single row becomes [0, w])."""
    classes = list(model.classes_)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(classes) == 2 and coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    full = np.zeros((len(labels), coef.shape[1]))
    full_intercept = np.full(len(labels), -30.0)  # a label never seen in training is never predicted
    for row, cls in enumerate(classes):
        full[labels.index(cls)] = coef[row]
        full_intercept[labels.index(cls)] = intercept[row]
    return full.astype(np.float32), full_intercept.astype(np.float32)


def train(
    task: str,
    data: Path | str | Sequence[Path | str],
    out: Path | str,
    *,
    name: str | None = None,
    version: str | None = None,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    class_weights: Sequence[str | None] = DEFAULT_CLASS_WEIGHTS,
    spec: FeatureSpec | None = None,
    lexicon: Path | None = None,
    data_description: str = "",
    n_jobs: int = 2,
    validation: Path | None = None,
) -> TrainReport:
    """Train on ``data`` (one CSV or several, concatenated), choose C and class weight (on ``validation``, a
    labelled CSV, where given), write the model dir."""
    if task not in TASK_LABELS:
        raise UsageError(f"unknown task {task!r}; one of {', '.join(TASK_LABELS)}")
    if not c_grid or not class_weights:
        raise UsageError("c_grid and class_weights need at least one value each")
    started = time.perf_counter()
    paths = [Path(data)] if isinstance(data, (str, Path)) else [Path(p) for p in data]
    if not paths:
        raise UsageError("no training data given")
    labels = TASK_LABELS[task]
    texts: list[str] = []
    gold: list[str] = []
    sources = []
    for path in paths:
        file_texts, file_labels = read_labelled_csv(path, task)
        texts += file_texts
        gold += file_labels
        sources.append({"file": path.name, "rows": len(file_texts), "labels": dict(Counter(file_labels))})
    counts = Counter(gold)
    if len(counts) < 2:
        raise UsageError(f"training needs at least two labels; the data has {sorted(counts) or 'none'}")
    spec = spec or FeatureSpec(lexicon=lexicon is not None)
    lexicon_words = read_lexicon(lexicon) if spec.lexicon and lexicon is not None else None
    if spec.lexicon and lexicon_words is None:
        raise UsageError("the feature spec asks for lexicon features but no lexicon file was given")
    featurizer = Featurizer(spec, lexicon_words)
    features = featurizer.transform(texts)
    y = np.array(gold)

    grid: list[dict[str, Any]]
    configs = [(float(c), cw) for cw in class_weights for c in c_grid]
    if len(configs) == 1 or min(counts.values()) < 5:
        selection = "no selection (a single setting, or too few rows per label to validate)"
        grid = [{"C": configs[0][0], "class_weight": configs[0][1] or "none", "value": None}]
        best = grid[0]
    else:
        scored, scored_y = features, y
        if validation is None:
            selection, folds = _folds(texts, y)
        else:  # one fold: fit on every training row, score on the validation file's rows after them
            held_texts, held_labels = read_labelled_csv(validation, task)
            scored = sp.vstack([features, featurizer.transform(held_texts)]).tocsr()
            scored_y = np.concatenate([y, np.array(held_labels)])
            folds = [(np.arange(len(y)), np.arange(len(y), len(scored_y)))]
            selection = f"{validation.name} ({len(held_texts):,} labelled posts never trained on)"
        grid = Parallel(n_jobs=n_jobs)(
            delayed(_grid_point)(task, labels, scored, scored_y, folds, c, cw) for c, cw in configs
        )
        best = max(grid, key=lambda g: (g["value"], -abs(np.log(g["C"]))))
    chosen_weight = None if best["class_weight"] == "none" else best["class_weight"]
    model = _fit(features, y, float(best["C"]), chosen_weight)
    coef, intercept = _linear_coef(model, labels)

    today = dt.date.today().isoformat()
    classifier = LinearTextClassifier(
        task=task,
        name=name or f"linear-{task}",
        version=version or today,
        labels=labels,
        spec=spec,
        coef=coef,
        intercept=intercept,
        lexicon=lexicon_words,
    )
    sample = texts[: min(len(texts), 5000)]
    t0 = time.perf_counter()
    classifier.predict(sample)
    throughput = len(sample) / max(time.perf_counter() - t0, 1e-9)
    classifier.metadata = {
        "trained": today,
        "training_data": {"description": data_description, "files": sources, "rows": len(texts)},
        "method": "scikit-learn LogisticRegression (lbfgs, multinomial, L2) on hashed word 1-2 grams "
        "(negation-marked) + char_wb n-grams" + (" + lexicon features" if spec.lexicon else ""),
        "settings": {
            "C": float(best["C"]),
            "class_weight": best["class_weight"],
            "selection": selection,
            "metric": metric_name(task),
            "grid": grid,
        },
        "validation": {},
        "throughput": {"posts_per_second": round(throughput), "measured_on": f"{len(sample)} training texts"},
    }
    out = Path(out)
    classifier.save(out)
    return TrainReport(
        task=task,
        out=str(out),
        n_train=len(texts),
        label_counts=dict(counts),
        selection=selection,
        metric=metric_name(task),
        grid=grid,
        chosen={"C": float(best["C"]), "class_weight": best["class_weight"], "value": best["value"]},
        posts_per_second=throughput,
        seconds=time.perf_counter() - started,
        data=sources,
    )
