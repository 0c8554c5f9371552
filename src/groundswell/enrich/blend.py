"""Two models of one task read as one: a weighted geometric mean of their probabilities.

The accurate tier's encoder and the fast tier's n-gram model make different mistakes (the encoder reads
meaning, the n-grams read the exact words and characters), so their probabilities multiplied, each raised
to its weight and renormalised (a product of experts), are right more often than either alone
(docs/models.md). The fast model's features are computed once per batch for every model that reads them,
so the partner costs little beside the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from groundswell.enrich.base import Classifier, Prediction, predictions
from groundswell.errors import ModelNotAvailable

_FLOOR = 1e-9  # a probability of exactly 0 would veto a label whatever the other model says


def blend_probabilities(primary: np.ndarray, partner: np.ndarray, weight: float) -> np.ndarray:
    """Rows of ``primary ** weight * partner ** (1 - weight)``, renormalised to sum to 1."""
    log = weight * np.log(np.maximum(primary, _FLOOR)) + (1.0 - weight) * np.log(np.maximum(partner, _FLOOR))
    log -= log.max(axis=1, keepdims=True)
    joint = np.exp(log)
    return np.asarray(joint / joint.sum(axis=1, keepdims=True), dtype=np.float64)


@dataclass
class BlendedClassifier:
    """``primary``'s labels and name, with its probabilities blended with ``partner``'s (``weight`` is the
    primary's share of the log-probabilities)."""

    primary: Classifier
    partner: Classifier
    weight: float
    task: str = field(init=False)
    name: str = field(init=False)
    version: str = field(init=False)
    labels: tuple[str, ...] = field(init=False)
    parallel_inside: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.partner.task != self.primary.task or set(self.partner.labels) != set(self.primary.labels):
            raise ModelNotAvailable(
                f"{self.primary.name} cannot be blended with {self.partner.name}: not the same task and labels"
            )
        if not 0.0 < self.weight <= 1.0:
            raise ModelNotAvailable(f"{self.primary.name}: blend weight {self.weight} is not in (0, 1]")
        self.task, self.name, self.version = self.primary.task, self.primary.name, self.primary.version
        self.labels = self.primary.labels
        self.parallel_inside = bool(getattr(self.primary, "parallel_inside", False))

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        if not texts:
            return []
        primary = _matrix(self.primary.predict(texts, batch_size=batch_size), self.labels)
        partner = _matrix(self.partner.predict(texts, batch_size=batch_size), self.labels)
        probabilities = blend_probabilities(primary, partner, self.weight)
        return predictions(probabilities, self.labels)


def _matrix(predictions: Sequence[Prediction], labels: Sequence[str]) -> np.ndarray:
    return np.array([[p.probabilities[label] for label in labels] for p in predictions], dtype=np.float64)
