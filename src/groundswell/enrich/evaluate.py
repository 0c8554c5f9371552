"""Score a classifier on a labelled CSV with the task's official metric.

- sentiment: macro-averaged recall (TweetEval's definition, after SemEval-2017 4A);
- complaint (and intent, subject): macro-averaged F1.

Throughput is measured on the same call: posts classified per second, wall
clock, preprocessing and featurisation included, on this machine.

Context: a classifier that can use who posted a text (the intent and subject
rules, ``rules.RuleClassifier.predict_posts``) gets it from optional
``is_brand`` and ``is_reply`` columns (true/false); without them every text is
taken as a customer's original post. Every row of the file is scored: a
``split`` column is not filtered, so score a split from its own file (as
tests/data/enrich/labelled_posts_{dev,test}.csv).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support, recall_score

from groundswell.enrich.base import Classifier, Prediction
from groundswell.enrich.labelled import read_labelled_csv
from groundswell.errors import SourceError

METRICS: dict[str, str] = {
    "sentiment": "macro_recall",
    "complaint": "macro_f1",
    "intent": "macro_f1",
    "subject": "macro_f1",
}


def metric_name(task: str) -> str:
    return METRICS.get(task, "macro_f1")


def score(task: str, gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """The task's official figure for these predictions."""
    if metric_name(task) == "macro_recall":
        return float(recall_score(gold, predicted, labels=list(labels), average="macro", zero_division=0))
    return float(f1_score(gold, predicted, labels=list(labels), average="macro", zero_division=0))


CONTEXT_COLUMNS = ("is_brand", "is_reply")
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


@runtime_checkable
class ContextClassifier(Protocol):
    """A classifier that also reads who posted each text and whether it is a reply."""

    def predict_posts(
        self, texts: Sequence[str], is_brand: Sequence[bool], is_reply: Sequence[bool], *, batch_size: int = 1024
    ) -> list[Prediction]: ...


def read_context(path: Path | str) -> tuple[list[bool], list[bool]] | None:
    """The ``is_brand`` and ``is_reply`` columns of a labelled CSV, or None when it has not both."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not all(c in (reader.fieldnames or []) for c in CONTEXT_COLUMNS):
            return None
        values: dict[str, list[bool]] = {c: [] for c in CONTEXT_COLUMNS}
        for row in reader:
            for column in CONTEXT_COLUMNS:
                value = (row.get(column) or "").strip().lower()
                if value not in _TRUE | _FALSE:
                    raise SourceError(
                        f"{column} must be true or false, not {value!r}", path=path, line=reader.line_num, field=column
                    )
                values[column].append(value in _TRUE)
    return values["is_brand"], values["is_reply"]


@dataclass(frozen=True)
class EvalReport:
    task: str
    model: str
    version: str
    path: str
    n: int
    metric: str
    value: float
    per_class: dict[str, dict[str, float]]
    labels: tuple[str, ...]
    confusion: list[list[int]]
    posts_per_second: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "model": self.model,
            "version": self.version,
            "path": self.path,
            "n": self.n,
            "metric": self.metric,
            "value": self.value,
            "per_class": self.per_class,
            "confusion": {
                "labels": list(self.labels),
                "matrix": self.confusion,
                "rows": "gold",
                "columns": "predicted",
            },
            "posts_per_second": self.posts_per_second,
        }


def evaluate_texts(
    classifier: Classifier,
    texts: Sequence[str],
    gold: Sequence[str],
    *,
    path: str = "",
    batch_size: int = 1024,
    context: tuple[Sequence[bool], Sequence[bool]] | None = None,
) -> EvalReport:
    """Score ``classifier`` on ``texts``; ``context`` (is_brand, is_reply) goes to ``predict_posts`` when it has one."""
    labels = tuple(classifier.labels)
    start = time.perf_counter()
    if context is not None and isinstance(classifier, ContextClassifier):
        predictions = classifier.predict_posts(texts, context[0], context[1], batch_size=batch_size)
    else:
        predictions = classifier.predict(texts, batch_size=batch_size)
    elapsed = time.perf_counter() - start
    predicted = [p.label for p in predictions]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=list(labels), zero_division=0
    )
    per_class = {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    matrix = confusion_matrix(gold, predicted, labels=list(labels)) if texts else np.zeros((len(labels),) * 2)
    return EvalReport(
        task=classifier.task,
        model=classifier.name,
        version=classifier.version,
        path=path,
        n=len(texts),
        metric=metric_name(classifier.task),
        value=score(classifier.task, gold, predicted, labels) if texts else float("nan"),
        per_class=per_class,
        labels=labels,
        confusion=[[int(v) for v in row] for row in matrix],
        posts_per_second=len(texts) / elapsed if elapsed > 0 else float("inf"),
    )


def evaluate(classifier: Classifier, path: Path | str, *, batch_size: int = 1024) -> EvalReport:
    """Score ``classifier`` on a labelled CSV (``text,label``, or a mapped column, see ``train.LABEL_COLUMNS``).

    Optional ``is_brand`` / ``is_reply`` columns are passed to classifiers that read context (see the module doc).
    """

    texts, gold = read_labelled_csv(path, classifier.task)
    context = read_context(path) if isinstance(classifier, ContextClassifier) else None
    return evaluate_texts(classifier, texts, gold, path=str(path), batch_size=batch_size, context=context)
