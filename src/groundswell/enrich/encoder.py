"""The "accurate" tier: one small transformer encoder with a head per task, run by ONNX Runtime.

The model dir holds ``model.onnx`` (int8 encoder + heads: token ids and mask
in, one logits output per task), ``tokenizer.json`` (a Hugging Face
``tokenizers`` file) and ``model.json`` (heads, labels, text settings,
training record). No torch at run time.

Both task views of one model dir share one ``EncoderModel``: the encoder runs
once per batch of texts, and the second task reads the cached logits.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.enrich.base import Prediction, predictions
from groundswell.enrich.preprocess import preprocess
from groundswell.errors import ModelNotAvailable

MAX_TOKENS = 96  # tweets are short; 96 word pieces cover 99.9 % of TweetEval
EMBEDDING_OUTPUT = "embedding"  # the pooled vector the heads read (scripts/expose_encoder_embedding.py)
MODEL_FILE = "model.json"
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"


def prepare_text(text: str) -> str:
    """``preprocess``, then emoji as words: the uncased WordPiece vocabulary has no emoji."""
    import emoji

    return emoji.demojize(preprocess(text), delimiters=(" ", " ")).replace("_", " ")


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)


class EncoderModel:
    """One ONNX session and tokenizer; ``logits(texts)`` gives every head's logits."""

    def __init__(self, directory: Traversable | Path, *, threads: int | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as error:  # pragma: no cover - both are dependencies
            raise ModelNotAvailable(f"the accurate tier needs onnxruntime and tokenizers: {error}") from error
        self.document: dict[str, Any] = json.loads(directory.joinpath(MODEL_FILE).read_text(encoding="utf-8"))
        self.name: str = self.document["name"]
        self.version: str = self.document["version"]
        self.heads: dict[str, dict[str, Any]] = self.document["heads"]
        self.max_tokens = int(self.document.get("text", {}).get("max_tokens", MAX_TOKENS))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        model_bytes = directory.joinpath(ONNX_FILE).read_bytes()
        self._session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_str(directory.joinpath(TOKENIZER_FILE).read_text(encoding="utf-8"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.no_padding()
        self._outputs = [head["output"] for head in self.heads.values()]
        widths = {output.name: output.shape[-1] for output in self._session.get_outputs()}
        self.has_embedding = EMBEDDING_OUTPUT in widths
        self.embedding_size = int(widths[EMBEDDING_OUTPUT]) if self.has_embedding else 0
        if self.has_embedding:
            self._outputs.append(EMBEDDING_OUTPUT)
        self._lock = threading.Lock()
        self._cache_key: list[str] | None = None
        self._cache: dict[str, np.ndarray] = {}

    def embeddings(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """The pooled sentence vectors, (len(texts), hidden size), in input order; shares ``logits``' cache."""
        if not self.has_embedding:
            raise ModelNotAvailable(f"model {self.name!r} has no {EMBEDDING_OUTPUT!r} output")
        return self.logits(texts, batch_size=batch_size)[EMBEDDING_OUTPUT]

    def logits(self, texts: Sequence[str], *, batch_size: int = 64) -> dict[str, np.ndarray]:
        """Each head's logits, (len(texts), n_labels), in input order, and the ``embedding`` when the model has
        one; the last call's result is reused."""
        key = list(texts)
        with self._lock:
            if self._cache_key == key:
                return self._cache
        results = {task: np.empty((len(key), len(head["labels"])), np.float32) for task, head in self.heads.items()}
        if self.has_embedding:
            results[EMBEDDING_OUTPUT] = np.empty((len(key), self.embedding_size), np.float32)
        prepared = [prepare_text(t) for t in key]
        order = sorted(range(len(prepared)), key=lambda i: len(prepared[i]))  # similar lengths, less padding
        for start in range(0, len(order), max(1, batch_size)):
            index = order[start : start + batch_size]
            encodings = self._tokenizer.encode_batch([prepared[i] for i in index])
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(index), width), np.int64)
            mask = np.zeros((len(index), width), np.int64)
            for row, encoding in enumerate(encodings):
                ids[row, : len(encoding.ids)] = encoding.ids
                mask[row, : len(encoding.ids)] = 1
            outputs = self._session.run(self._outputs, {"input_ids": ids, "attention_mask": mask})
            for name, values in zip(results, outputs, strict=True):
                results[name][index] = values
        with self._lock:
            self._cache_key, self._cache = key, results
        return results


@dataclass
class EncoderHeadClassifier:
    """A ``Classifier`` view of one head of an ``EncoderModel``."""

    task: str
    encoder: EncoderModel
    name: str = field(init=False)
    version: str = field(init=False)
    labels: tuple[str, ...] = field(init=False)
    parallel_inside = True  # ONNX Runtime already uses every core; no process pool on top

    def __post_init__(self) -> None:
        if self.task not in self.encoder.heads:
            raise ModelNotAvailable(f"model {self.encoder.name!r} has no {self.task!r} head")
        self.name = f"{self.encoder.name}-{self.task}"
        self.version = self.encoder.version
        self.labels = tuple(self.encoder.heads[self.task]["labels"])

    def predict(self, texts: Sequence[str], *, batch_size: int = 64) -> list[Prediction]:
        if not texts:
            return []
        probabilities = _softmax(self.encoder.logits(texts, batch_size=min(batch_size, 64))[self.task])
        return predictions(probabilities, self.labels)


_ENCODERS: dict[str, EncoderModel] = {}
_ENCODERS_LOCK = threading.Lock()


def load_encoder_head(directory: Traversable | Path, task: str) -> EncoderHeadClassifier:
    """The ``task`` head of the model in ``directory``; one session per directory per process."""
    key = str(directory)
    with _ENCODERS_LOCK:
        encoder = _ENCODERS.get(key)
        if encoder is None:
            if not directory.joinpath(ONNX_FILE).is_file():
                raise ModelNotAvailable(f"{directory}: no {ONNX_FILE}; this accurate model is incomplete")
            encoder = _ENCODERS[key] = EncoderModel(directory)
    return EncoderHeadClassifier(task, encoder)
