"""Any Hugging Face sequence-classification model as a groundswell classifier.

Needs the ``transformers`` extra (``pip install 'groundswell[transformers]'``:
torch and transformers). ``model`` is a hub id (``org/name``, read from the
local Hugging Face cache, or downloaded when the hub can be reached) or a
directory holding what ``save_pretrained`` writes (``config.json``, the
weights, the tokenizer files).

Texts go through ``groundswell.enrich.preprocess.preprocess`` (the same
normaliser as the shipped tiers), are cut to 128 tokens, sorted by length and
classified in batches under ``torch.inference_mode``, on CUDA when there is a
GPU (``device=None``), else on the CPU. Predictions come back in input order.

The model's labels (``config.id2label``) are mapped onto the task's labels
(``base.TASK_LABELS``):

- by name, ignoring case, spaces and hyphens, with common synonyms:
  ``neg``/``negative``, ``neu``/``neutral``, ``pos``/``positive``;
  ``complaint``, and ``not_complaint``/``non_complaint``/``no_complaint``/...
  A model may have fewer labels than the task (a negative/positive sentiment
  model): the labels it lacks get probability 0 and are never predicted.
- generic names ``LABEL_0`` ... ``LABEL_n`` map by position onto the task's
  labels in ``TASK_LABELS`` order, when the counts agree: sentiment with three
  labels is 0 negative, 1 neutral, 2 positive (the TweetEval convention);
  complaint with two is 0 not_complaint, 1 complaint.

A model whose labels cannot be mapped raises ``ModelNotAvailable`` naming the
model and its labels, as does a hub id that is neither cached nor reachable.

The classifier's ``name`` is the hub id, or the directory's name; its
``version`` is the hub commit of the cached snapshot (first 12 hex digits), or
for a directory the first 12 hex digits of a sha1 over ``config.json`` and the
weight files, so retraining into the same directory gives a new version.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groundswell.enrich.base import TASK_LABELS, Prediction
from groundswell.enrich.preprocess import preprocess
from groundswell.errors import ModelNotAvailable

if TYPE_CHECKING:
    import torch

MAX_LENGTH = 128
MAX_BATCH_SIZE = 256
INSTALL_HINT = "pip install 'groundswell[transformers]'"

_SYNONYMS: dict[str, dict[str, str]] = {
    "sentiment": {
        "negative": "negative",
        "neg": "negative",
        "neutral": "neutral",
        "neu": "neutral",
        "neut": "neutral",
        "positive": "positive",
        "pos": "positive",
    },
    "complaint": {
        "complaint": "complaint",
        "complaints": "complaint",
        "is_complaint": "complaint",
        "not_complaint": "not_complaint",
        "notcomplaint": "not_complaint",
        "not_a_complaint": "not_complaint",
        "non_complaint": "not_complaint",
        "noncomplaint": "not_complaint",
        "no_complaint": "not_complaint",
    },
}
_GENERIC = re.compile(r"^label_(\d+)$")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def map_labels(task: str, id2label: Mapping[int, str], model: str) -> tuple[str, ...]:
    """The task label of each of the model's outputs, in output order (see the module docstring)."""
    labels = TASK_LABELS[task]
    n = len(id2label)
    names = [str(id2label[i]) for i in range(n)] if set(id2label) == set(range(n)) else None
    if names is None or n < 2:
        raise ModelNotAvailable(f"{model}: cannot read its output labels ({dict(id2label)!r})")
    normalised = [_normalise(name) for name in names]
    synonyms = _SYNONYMS.get(task, {label: label for label in labels})
    by_name = [synonyms.get(name) for name in normalised]
    if all(by_name) and len(set(by_name)) == n:
        return tuple(label for label in by_name if label is not None)
    generic = [_GENERIC.match(name) for name in normalised]
    if n == len(labels) and all(m is not None and int(m.group(1)) == i for i, m in enumerate(generic)):
        return labels
    raise ModelNotAvailable(
        f"{model}: its labels ({', '.join(names)}) cannot be mapped onto the {task} labels ({', '.join(labels)})"
    )


class TransformerClassifier:
    """A loaded Hugging Face sequence-classification model for one task."""

    def __init__(
        self,
        task: str,
        name: str,
        version: str,
        tokenizer: Any,
        model: Any,
        output_labels: tuple[str, ...],
        *,
        device: str,
        max_length: int = MAX_LENGTH,
        max_batch_size: int = MAX_BATCH_SIZE,
    ) -> None:
        self.task = task
        self.name = name
        self.version = version
        self.labels: tuple[str, ...] = TASK_LABELS[task]
        self.output_labels = output_labels
        self.device = device
        self.max_length = max_length
        self.max_batch_size = max_batch_size
        self._tokenizer = tokenizer
        self._model = model

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        """One prediction per text, in order; at most ``max_batch_size`` texts per forward pass."""
        import torch

        cleaned = [preprocess(text) for text in texts]
        order = sorted(range(len(cleaned)), key=lambda i: len(cleaned[i]))
        step = max(1, min(batch_size, self.max_batch_size))
        probabilities: list[list[float]] = [[] for _ in cleaned]
        with torch.inference_mode():
            for start in range(0, len(order), step):
                chunk = order[start : start + step]
                rows = self._forward([cleaned[i] for i in chunk])
                for i, row in zip(chunk, rows, strict=True):
                    probabilities[i] = row
        return [self._prediction(row) for row in probabilities]

    def _forward(self, texts: list[str]) -> list[list[float]]:
        import torch

        encoded = self._tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        logits: torch.Tensor = self._model(**encoded).logits
        rows: list[list[float]] = torch.softmax(logits.float(), dim=-1).cpu().tolist()
        return rows

    def _prediction(self, row: list[float]) -> Prediction:
        probabilities = dict.fromkeys(self.labels, 0.0)
        for label, p in zip(self.output_labels, row, strict=True):
            probabilities[label] = float(p)
        best = max(self.labels, key=lambda label: probabilities[label])
        return Prediction(label=best, score=probabilities[best], probabilities=probabilities)


def load_transformer(task: str, model: str, *, device: str | None = None) -> TransformerClassifier:
    """The Hugging Face model ``model`` (hub id or directory) as a ``task`` classifier."""
    if task not in TASK_LABELS:
        raise ModelNotAvailable(f"unknown task {task!r}; one of {', '.join(TASK_LABELS)}")
    try:
        import torch
        from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils.hub import cached_file
    except ImportError as exc:
        raise ModelNotAvailable(
            f"{model}: Hugging Face models need torch and transformers ({exc}); {INSTALL_HINT}"
        ) from exc
    try:
        config_path = cached_file(model, "config.json")
        config = AutoConfig.from_pretrained(model)
    except (OSError, ValueError) as exc:
        raise ModelNotAvailable(
            f"{model}: not a shipped tier, a model directory, or a Hugging Face model in the local cache"
            f" or reachable on the hub ({_first_line(exc)}). Download it where the hub can be reached,"
            " or save it with save_pretrained and pass the directory."
        ) from exc
    if config_path is None:
        raise ModelNotAvailable(f"{model}: has no config.json")
    output_labels = map_labels(task, config.id2label, model)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
        network = AutoModelForSequenceClassification.from_pretrained(model, config=config)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelNotAvailable(
            f"{model}: cannot be loaded as a sequence-classification model ({_first_line(exc)})"
        ) from exc
    chosen = device or ("cuda" if torch.cuda.is_available() else "cpu")
    network.to(chosen)
    network.eval()
    limit = getattr(tokenizer, "model_max_length", MAX_LENGTH)
    max_length = min(MAX_LENGTH, limit) if isinstance(limit, int) and limit > 0 else MAX_LENGTH
    directory = Path(model)
    name = directory.resolve().name if directory.is_dir() else model
    return TransformerClassifier(
        task,
        name,
        _version(Path(config_path)),
        tokenizer,
        network,
        output_labels,
        device=chosen,
        max_length=max_length,
    )


def _version(config_path: Path) -> str:
    """The hub commit of a cached snapshot, else a sha1 over config.json and the weight files."""
    folder = config_path.parent
    if folder.parent.name == "snapshots" and re.fullmatch(r"[0-9a-f]{40}", folder.name):
        return folder.name[:12]
    digest = hashlib.sha1(config_path.read_bytes(), usedforsecurity=False)
    for path in sorted(folder.iterdir()):
        if path.suffix in _WEIGHT_SUFFIXES and path.is_file():
            digest.update(path.name.encode())
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
    return digest.hexdigest()[:12]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
