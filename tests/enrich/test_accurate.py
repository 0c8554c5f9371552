"""The shipped accurate tier: int8 ONNX MiniLM with two heads, run by ONNX Runtime, scored on held-out real data."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.enrich.blend import BlendedClassifier
from groundswell.enrich.encoder import EncoderHeadClassifier, prepare_text
from groundswell.enrich.registry import load_classifier


def _eval(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["eval", "--model", "accurate", "--json", *args])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_both_heads_share_one_encoder_each_blended_with_the_fast_model_of_its_task() -> None:
    sentiment = load_classifier("sentiment", "accurate")
    complaint = load_classifier("complaint", "accurate")
    assert isinstance(sentiment, BlendedClassifier) and isinstance(complaint, BlendedClassifier)
    heads = sentiment.primary, complaint.primary
    assert isinstance(heads[0], EncoderHeadClassifier) and isinstance(heads[1], EncoderHeadClassifier)
    assert heads[0].encoder is heads[1].encoder
    assert (sentiment.partner.name, complaint.partner.name) == ("fast-sentiment", "fast-complaint")
    assert sentiment.parallel_inside and complaint.parallel_inside  # the encoder uses every core already
    assert sentiment.labels == ("negative", "neutral", "positive")
    assert complaint.labels == ("not_complaint", "complaint")
    assert sentiment.version == complaint.version


def test_predictions_are_sane_and_in_order() -> None:
    sentiment = load_classifier("sentiment", "accurate")
    texts = [
        "@AcmeHelp I absolutely love the new store, the staff were wonderful 😍",
        "@AcmeHelp third time my order is late and nobody answers. Worst service ever",
        "The store opens at 9am on Saturday.",
    ]
    predictions = sentiment.predict(texts)
    assert [p.label for p in predictions] == ["positive", "negative", "neutral"]
    for prediction in predictions:
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
    complaint = load_classifier("complaint", "accurate").predict(texts)
    assert complaint[1].label == "complaint" and complaint[0].label == "not_complaint"


def test_a_post_scores_the_same_alone_and_in_a_padded_batch() -> None:
    sentiment = load_classifier("sentiment", "accurate")
    text = "@AcmeHelp thanks so much, that fixed it"
    alone = sentiment.predict([text])[0]
    longer = "a much longer post " * 12
    batched = sentiment.predict([longer, text, "ok"])[1]
    assert alone.label == batched.label
    for label, probability in alone.probabilities.items():
        assert batched.probabilities[label] == pytest.approx(probability, abs=0.05)


def test_emoji_become_words_for_the_uncased_vocabulary() -> None:
    assert "smiling face" in prepare_text("great 😊")
    assert prepare_text("@someone see https://x.y/z") == "@user see http"


def test_accurate_sentiment_on_tweeteval_validation(shared_data: Path) -> None:
    report = _eval(["--task", "sentiment", str(shared_data / "tweeteval" / "sentiment_validation.csv")])
    assert report["model"] == "accurate-sentiment" and report["n"] == 2000
    assert isinstance(report["value"], float) and report["value"] >= 0.71


def test_accurate_complaint_on_the_held_out_part(shared_data: Path, tmp_path: Path) -> None:
    """complaints/train.csv rows with 56 <= sha1(id) % 100 < 70 were never trained or tuned on."""
    held_out = tmp_path / "complaints_held_out.csv"
    with (shared_data / "complaints" / "train.csv").open(newline="", encoding="utf-8") as source:
        rows = [
            r
            for r in csv.DictReader(source)
            if int(hashlib.sha1(r["id"].encode(), usedforsecurity=False).hexdigest()[:8], 16) % 100 >= 56
        ]
    with held_out.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(["text", "label"])
        writer.writerows((r["text"], r["label"]) for r in rows)
    report = _eval(["--task", "complaint", str(held_out)])
    assert report["n"] == len(rows) > 400
    assert isinstance(report["value"], float) and report["value"] >= 0.86


def test_enrich_with_the_accurate_tier(tmp_path: Path) -> None:
    from groundswell.demo import build_demo
    from groundswell.workspace import Workspace

    build_demo(tmp_path / "ws", posts=300, seed=3)
    with Workspace.open(tmp_path / "ws") as ws:
        report = ws.enrich(model="accurate")
        assert report.enriched == report.to_enrich > 0
        assert report.model_version.startswith("accurate-sentiment@")
        (count,) = ws.store.con.sql("SELECT count(DISTINCT post_id) FROM enrichments").fetchall()[0]
        assert count == report.enriched
