"""What every classifier shares: the label sets, a prediction, the protocol.

A classifier is a named, versioned model for one task; ``predict`` works on
batches. The name and version are stored on every enrichment row, so every
figure computed from a classifier can say which model produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from groundswell.records import INTENT_LABELS, SENTIMENT_LABELS, SUBJECT_LABELS

COMPLAINT_LABELS = ("not_complaint", "complaint")

TASK_LABELS: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "complaint": COMPLAINT_LABELS,
    "intent": INTENT_LABELS,
    "subject": SUBJECT_LABELS,
}

# the tasks a workspace can adapt from its label corrections (``adapt``)
ADAPTED_TASKS = ("sentiment", "complaint", "subject")


@dataclass(frozen=True, slots=True)
class Prediction:
    """One text's label and the probability the model gives each label."""

    label: str
    score: float
    probabilities: dict[str, float]


def predictions(probabilities: np.ndarray, labels: Sequence[str]) -> list[Prediction]:
    """One ``Prediction`` per row of ``probabilities`` (columns in ``labels``' order): the likeliest label."""
    best = probabilities.argmax(axis=1)
    return [
        Prediction(
            label=labels[i],
            score=float(row[i]),
            probabilities={label: float(p) for label, p in zip(labels, row, strict=True)},
        )
        for i, row in zip(best, probabilities, strict=True)
    ]


class Classifier(Protocol):
    """A trained model for one task."""

    task: str
    name: str
    version: str
    labels: tuple[str, ...]

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        """One prediction per text, in order."""
        ...
