"""The fast tier: training, the portable model dir, loading by name, and the shipped models' scores on real data."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.enrich.evaluate import score
from groundswell.enrich.labelled import read_labelled_csv
from groundswell.enrich.linear import LinearTextClassifier, word_tokens
from groundswell.enrich.registry import load_classifier
from groundswell.enrich.train import train
from groundswell.errors import ModelNotAvailable, SourceError


def _write(path: Path, rows: list[tuple[str, str]], header: tuple[str, str] = ("text", "label")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _complaint_sample(tmp_path: Path, shared_data: Path, n: int = 400) -> Path:
    with (shared_data / "complaints" / "train.csv").open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"], r["label"]) for r, _ in zip(csv.DictReader(handle), range(n), strict=False)]
    return _write(tmp_path / "complaints.csv", rows)


def test_negation_marks_words_until_punctuation() -> None:
    assert word_tokens("not good, great") == ["not", "good_NEG", ",", "great"]
    assert word_tokens("I don't like it") == ["i", "don't", "like_NEG", "it_NEG"]


def test_train_writes_a_model_that_loads_and_predicts_the_same(tmp_path: Path, shared_data: Path) -> None:
    data = _complaint_sample(tmp_path, shared_data)
    report = train("complaint", data, tmp_path / "model", c_grid=(1.0,), class_weights=(None,), version="t1")
    assert report.n_train == 400
    assert set(report.label_counts) == {"complaint", "not_complaint"}
    saved = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    assert saved["kind"] == "linear" and saved["version"] == "t1" and saved["labels"] == ["not_complaint", "complaint"]
    assert not list((tmp_path / "model").glob("*.pkl"))

    model = load_classifier("complaint", str(tmp_path / "model"))
    texts = ["@Acme my parcel never came and nobody answers", "lovely sunny day at the beach"]
    predictions = model.predict(texts)
    assert len(predictions) == 2
    for prediction in predictions:
        assert prediction.label in ("complaint", "not_complaint")
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
        assert prediction.score == max(prediction.probabilities.values())
    # batching does not change the result
    one_by_one = [model.predict([t], batch_size=1)[0] for t in texts]
    assert [p.label for p in one_by_one] == [p.label for p in predictions]
    assert isinstance(model, LinearTextClassifier)
    # float16 storage: the reloaded weights equal the trained ones to half precision
    again = LinearTextClassifier.load(tmp_path / "model")
    assert np.allclose(model.predict_proba(texts), again.predict_proba(texts))


def test_grid_search_records_every_setting(tmp_path: Path, shared_data: Path) -> None:
    data = _complaint_sample(tmp_path, shared_data)
    report = train("complaint", data, tmp_path / "model", c_grid=(0.5, 2.0), class_weights=(None,))
    assert len(report.grid) == 2
    assert report.selection.startswith("stratified 5-fold")
    assert report.chosen["value"] == max(g["value"] for g in report.grid)


def test_settings_chosen_on_a_named_validation_file(tmp_path: Path, shared_data: Path) -> None:
    with (shared_data / "complaints" / "train.csv").open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"], r["label"]) for r, _ in zip(csv.DictReader(handle), range(600), strict=False)]
    data, held = _write(tmp_path / "train.csv", rows[:400]), _write(tmp_path / "held.csv", rows[400:])
    report = train("complaint", data, tmp_path / "model", c_grid=(0.05, 2.0), class_weights=(None,), validation=held)
    assert report.selection.startswith("held.csv (200 labelled posts")
    assert report.chosen["value"] == max(g["value"] for g in report.grid)
    texts, gold = read_labelled_csv(held, "complaint")
    found = [p.label for p in LinearTextClassifier.load(tmp_path / "model").predict(texts)]
    # the chosen setting's figure is the saved model's on the held file (weights kept to half precision)
    assert score("complaint", gold, found, ("not_complaint", "complaint")) == pytest.approx(
        report.chosen["value"], abs=0.02
    )


def test_train_command_takes_a_validation_file(tmp_path: Path, shared_data: Path) -> None:
    with (shared_data / "complaints" / "train.csv").open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"], r["label"]) for r, _ in zip(csv.DictReader(handle), range(500), strict=False)]
    data, held = _write(tmp_path / "train.csv", rows[:400]), _write(tmp_path / "held.csv", rows[400:])
    args = ["train", "complaint", "--data", str(data), "--out", str(tmp_path / "model")]
    result = CliRunner().invoke(cli, [*args, "--validation", str(held)])
    assert result.exit_code == 0, result.output
    assert "selection: held.csv (100 labelled posts never trained on)" in result.output
    bad = _write(tmp_path / "bad.csv", [("fine", "complaint"), ("odd", "maybe")])
    refused = CliRunner().invoke(cli, [*args, "--validation", str(bad)])
    assert refused.exit_code == 1 and "bad.csv:3: label: unknown complaint label 'maybe'" in refused.output


def test_unknown_label_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", [("fine", "positive"), ("meh", "so-so")])
    with pytest.raises(SourceError) as error:
        read_labelled_csv(path, "sentiment")
    message = str(error.value)
    assert "bad.csv" in message and ":3" in message and "label" in message and "so-so" in message


def test_missing_label_column_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "nolabel.csv", [("fine", "x")], header=("text", "mood"))
    with pytest.raises(SourceError, match="no label column"):
        read_labelled_csv(path, "sentiment")


def test_model_names_that_are_not_models(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailable, match="unknown task"):
        load_classifier("mood", "fast")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotAvailable, match="neither a groundswell model"):
        load_classifier("sentiment", str(tmp_path / "empty"))
    with pytest.raises(ModelNotAvailable, match="no such model directory"):
        load_classifier("sentiment", str(tmp_path / "missing"))


def test_a_model_for_another_task_is_refused(tmp_path: Path, shared_data: Path) -> None:
    data = _complaint_sample(tmp_path, shared_data, n=200)
    train("complaint", data, tmp_path / "model", c_grid=(1.0,), class_weights=(None,))
    with pytest.raises(ModelNotAvailable, match="not a 'sentiment' model"):
        load_classifier("sentiment", str(tmp_path / "model"))


# The shipped fast tier on real, labelled data it was never trained on.


def _eval(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_shipped_fast_sentiment_on_tweeteval_validation(shared_data: Path) -> None:
    report = _eval(["--task", "sentiment", str(shared_data / "tweeteval" / "sentiment_validation.csv")])
    assert {"task", "n", "metric", "value", "per_class", "posts_per_second"} <= set(report)
    assert report["task"] == "sentiment" and report["metric"] == "macro_recall" and report["n"] == 2000
    assert isinstance(report["value"], float) and report["value"] >= 0.66


def test_shipped_fast_sentiment_out_of_domain_on_airline_tweets(shared_data: Path) -> None:
    report = _eval(["--task", "sentiment", "--model", "fast", str(shared_data / "airline_sentiment" / "train.csv")])
    assert report["n"] == 10215
    assert isinstance(report["value"], float) and report["value"] >= 0.72


def test_eval_prints_metric_per_class_and_confusion(shared_data: Path) -> None:
    path = shared_data / "tweeteval" / "sentiment_validation.csv"
    result = CliRunner().invoke(cli, ["eval", "--task", "sentiment", str(path)])
    assert result.exit_code == 0, result.output
    for text in ("macro_recall = 0.", "precision", "negative", "confusion (rows gold, columns predicted)", "posts/s"):
        assert text in result.output


def test_eval_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--task", "sentiment", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "nope.csv" in result.output and "Traceback" not in result.output


def test_shipped_fast_complaint_on_the_held_out_part(shared_data: Path, tmp_path: Path) -> None:
    """complaints/train.csv rows with 56 <= sha1(id) % 100 < 70 were never trained or tuned on."""
    held_out = tmp_path / "complaints_held_out.csv"
    with (shared_data / "complaints" / "train.csv").open(newline="", encoding="utf-8") as source:
        rows = [
            r
            for r in csv.DictReader(source)
            if int(hashlib.sha1(r["id"].encode(), usedforsecurity=False).hexdigest()[:8], 16) % 100 >= 56
        ]
    _write(held_out, [(r["text"], r["label"]) for r in rows])
    report = _eval(["--task", "complaint", str(held_out)])
    assert report["n"] == len(rows) > 400
    assert isinstance(report["value"], float) and report["value"] >= 0.82
