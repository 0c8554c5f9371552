"""Two models of one task read as one (``enrich.blend``), and the accurate tier's blend as the registry loads it."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from groundswell.enrich.base import Prediction
from groundswell.enrich.blend import BlendedClassifier, blend_probabilities
from groundswell.enrich.registry import load_classifier, shipped_model_dir
from groundswell.errors import ModelNotAvailable


@dataclass
class Fixed:
    """A classifier that gives every text the same probabilities."""

    probabilities: dict[str, float]
    task: str = "sentiment"
    name: str = "fixed"
    version: str = "1"
    labels: tuple[str, ...] = ("negative", "neutral", "positive")

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        best = max(self.probabilities, key=self.probabilities.__getitem__)
        return [Prediction(best, self.probabilities[best], dict(self.probabilities)) for _ in texts]


def test_the_blend_is_the_weighted_geometric_mean_renormalised() -> None:
    primary = np.array([[0.6, 0.3, 0.1]])
    partner = np.array([[0.2, 0.2, 0.6]])
    raw = [0.6**0.7 * 0.2**0.3, 0.3**0.7 * 0.2**0.3, 0.1**0.7 * 0.6**0.3]
    expected = [r / math.fsum(raw) for r in raw]
    assert blend_probabilities(primary, partner, 0.7)[0] == pytest.approx(expected)
    assert blend_probabilities(primary, partner, 1.0)[0] == pytest.approx([0.6, 0.3, 0.1])


def test_a_zero_probability_does_not_veto_a_label() -> None:
    blended = blend_probabilities(np.array([[0.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]), 0.5)
    assert np.isfinite(blended).all() and blended.sum() == pytest.approx(1.0)


def test_the_partner_can_turn_a_close_call_and_the_primary_names_the_result() -> None:
    primary = Fixed({"negative": 0.40, "neutral": 0.45, "positive": 0.15}, name="encoder", version="2")
    partner = Fixed({"negative": 0.80, "neutral": 0.10, "positive": 0.10}, labels=("positive", "neutral", "negative"))
    blended = BlendedClassifier(primary, partner, 0.7)
    predictions = blended.predict(["a", "b"])
    assert [p.label for p in predictions] == ["negative", "negative"]
    assert sum(predictions[0].probabilities.values()) == pytest.approx(1.0)
    assert (blended.name, blended.version, blended.labels) == ("encoder", "2", primary.labels)
    assert blended.predict([]) == []


def test_models_of_other_tasks_or_a_weight_out_of_range_are_refused() -> None:
    sentiment = Fixed({"negative": 0.2, "neutral": 0.3, "positive": 0.5})
    complaint = Fixed({"not_complaint": 0.5, "complaint": 0.5}, task="complaint", labels=("not_complaint", "complaint"))
    with pytest.raises(ModelNotAvailable, match="not the same task"):
        BlendedClassifier(sentiment, complaint, 0.7)
    with pytest.raises(ModelNotAvailable, match="blend weight"):
        BlendedClassifier(sentiment, sentiment, 0.0)


def test_the_accurate_tier_blends_each_head_with_the_fast_model_it_names() -> None:
    document = json.loads(shipped_model_dir("accurate").joinpath("model.json").read_text(encoding="utf-8"))
    for task in ("sentiment", "complaint"):
        blend = document["heads"][task]["blend"]
        served = load_classifier(task, "accurate")
        fast = load_classifier(task, "fast")
        assert isinstance(served, BlendedClassifier)
        assert blend["model"] == f"{fast.name}@{fast.version}" and served.weight == blend["weight"]


def test_an_accurate_model_measured_with_other_fast_models_is_refused(tmp_path: Path) -> None:
    shipped = Path(str(shipped_model_dir("accurate")))
    copy = tmp_path / "accurate"
    shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns("model.onnx", "subject"))
    (copy / "model.onnx").symlink_to(shipped / "model.onnx")
    document = json.loads((copy / "model.json").read_text(encoding="utf-8"))
    document["heads"]["sentiment"]["blend"]["model"] = "fast-sentiment@0.9.0"
    (copy / "model.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelNotAvailable, match="blended with fast-sentiment@0.9.0"):
        load_classifier("sentiment", copy)
    assert isinstance(load_classifier("complaint", copy), BlendedClassifier)  # its own blend still matches
