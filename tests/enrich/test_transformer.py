"""The Hugging Face backend, on tiny BERT models that the tests build and save themselves (never the hub)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

# after the skips above: without torch these tests are skipped, not failed at import
from click.testing import CliRunner  # noqa: E402

from groundswell.cli import cli  # noqa: E402
from groundswell.enrich.preprocess import preprocess  # noqa: E402
from groundswell.enrich.registry import load_classifier  # noqa: E402
from groundswell.enrich.transformer import TransformerClassifier, load_transformer, map_labels  # noqa: E402
from groundswell.errors import ModelNotAvailable  # noqa: E402

_VOCABULARY = """
the a an i you we it is was this that my your our not no very so and but to of for with on in at
good great love loved thanks thank happy nice awesome best bad terrible awful hate hated worst
broken late delayed refund help please flight bag lost service support app crash again never ok fine
order @ user http ! ? . , ' ##s ##ed ##ing
"""
WORDS = _VOCABULARY.split()

TEXTS = [
    "I love this, thanks @united!",
    "my bag was lost again and nobody will help https://t.co/abc",
    "ok",
    "",
    "the flight was delayed. not great, not terrible",
    "worst service ever!!!!!!! never flying with you again",
    "great app & awesome support team, thank you",
    "refund please?",
]

SENTIMENT = {0: "negative", 1: "neutral", 2: "positive"}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in these tests may reach the network."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # read once, at import


def _save_tiny_model(directory: Path, id2label: dict[int, str], *, seed: int = 7) -> Path:
    directory.mkdir(parents=True)
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(str(vocab))  # positional: vocab_file (4.x) / vocab (5.x)
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=5 + len(WORDS),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=160,
        initializer_range=0.5,  # large weights, so the outputs differ between texts
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    model = transformers.BertForSequenceClassification(config)
    model.eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def sentiment_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_tiny_model(tmp_path_factory.mktemp("hf") / "tiny-sentiment", SENTIMENT)


def _reference(directory: Path, texts: list[str]) -> list[list[float]]:
    """A direct forward of the saved model, one text at a time (no padding, no batching)."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(directory)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(directory)
    model.eval()
    rows = []
    with torch.inference_mode():
        for text in texts:
            encoded = tokenizer(preprocess(text), truncation=True, max_length=128, return_tensors="pt")
            rows.append(torch.softmax(model(**encoded).logits[0], dim=-1).tolist())
    return rows


def test_loads_through_the_registry_and_matches_a_direct_forward(sentiment_dir: Path) -> None:
    classifier = load_classifier("sentiment", str(sentiment_dir))
    assert isinstance(classifier, TransformerClassifier)
    assert (classifier.task, classifier.name, classifier.labels) == (
        "sentiment",
        "tiny-sentiment",
        ("negative", "neutral", "positive"),
    )
    assert (
        len(classifier.version) == 12
        and classifier.version == load_transformer("sentiment", str(sentiment_dir)).version
    )
    assert classifier.device == "cpu" or classifier.device.startswith("cuda")

    predictions = classifier.predict(TEXTS)
    assert len(predictions) == len(TEXTS)
    reference = _reference(sentiment_dir, TEXTS)
    for prediction, expected in zip(predictions, reference, strict=True):
        assert set(prediction.probabilities) == {"negative", "neutral", "positive"}
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        got = [prediction.probabilities[SENTIMENT[i]] for i in range(3)]
        assert got == pytest.approx(expected, abs=1e-4)
        assert prediction.label == SENTIMENT[max(range(3), key=lambda i: expected[i])]
        assert prediction.score == prediction.probabilities[prediction.label]
    assert len({p.label for p in predictions}) > 1 or len({round(p.score, 4) for p in predictions}) > 1
    assert classifier.predict([]) == []


def test_batching_does_not_change_the_results(sentiment_dir: Path) -> None:
    classifier = load_transformer("sentiment", str(sentiment_dir), device="cpu")
    texts = TEXTS * 5
    one = classifier.predict(texts, batch_size=1)
    many = classifier.predict(texts, batch_size=64)
    assert [p.label for p in one] == [p.label for p in many]
    for a, b in zip(one, many, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-4)
    assert many[: len(TEXTS)] == many[len(TEXTS) : 2 * len(TEXTS)]  # the same text, the same answer


def test_generic_label_names_map_by_position(tmp_path: Path) -> None:
    generic = _save_tiny_model(tmp_path / "generic", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    named = _save_tiny_model(tmp_path / "named", {0: "NEG", 1: "Neutral", 2: "pos"})  # same seed, same weights
    by_position = load_classifier("sentiment", str(generic)).predict(TEXTS)
    by_name = load_classifier("sentiment", str(named)).predict(TEXTS)
    assert [p.label for p in by_position] == [p.label for p in by_name]
    for a, b in zip(by_position, by_name, strict=True):
        assert a.probabilities == pytest.approx(b.probabilities, abs=1e-6)
    assert map_labels("complaint", {0: "LABEL_0", 1: "LABEL_1"}, "m") == ("not_complaint", "complaint")
    assert map_labels("sentiment", {0: "positive", 1: "negative"}, "m") == ("positive", "negative")
    with pytest.raises(ModelNotAvailable, match="LABEL_0, LABEL_1"):
        map_labels("sentiment", {0: "LABEL_0", 1: "LABEL_1"}, "m")


def test_a_complaint_model_loads_for_complaint_and_is_refused_for_sentiment(tmp_path: Path) -> None:
    directory = _save_tiny_model(tmp_path / "tiny-complaint", {0: "non-complaint", 1: "Complaint"})
    classifier = load_classifier("complaint", str(directory))
    assert classifier.labels == ("not_complaint", "complaint")
    predictions = classifier.predict(TEXTS[:3])
    assert [set(p.probabilities) for p in predictions] == [{"not_complaint", "complaint"}] * 3
    with pytest.raises(ModelNotAvailable) as refused:
        load_classifier("sentiment", str(directory))
    assert "tiny-complaint" in str(refused.value) and "non-complaint, Complaint" in str(refused.value)


def test_an_uncached_hub_id_offline_is_a_clear_error() -> None:
    with pytest.raises(ModelNotAvailable, match="groundswell-tests/no-such-model"):
        load_classifier("sentiment", "groundswell-tests/no-such-model")


def test_cli_eval_with_a_transformer_directory(sentiment_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for i, text in enumerate(TEXTS):
            writer.writerow([text, SENTIMENT[i % 3]])
    result = CliRunner().invoke(
        cli, ["eval", "--task", "sentiment", str(data), "--model", str(sentiment_dir), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"task", "n", "metric", "value", "per_class", "posts_per_second"} <= set(report)
    assert (report["task"], report["n"], report["metric"]) == ("sentiment", len(TEXTS), "macro_recall")
    assert set(report["per_class"]) == {"negative", "neutral", "positive"}
    assert 0.0 <= report["value"] <= 1.0
