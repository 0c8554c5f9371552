"""The subject of a post (marketing, experience or other), learned from labelled real posts.

A multinomial logistic regression over two blocks of features:

- **the text**: in the fast tier the hashed word and character n-grams its sentiment and complaint
  models read (``linear.Featurizer``; the enrich stage featurises each batch once for all three); in the
  accurate tier the encoder's pooled sentence vector (``encoder.EncoderModel.embeddings``), L2-normalised,
  beside the same hashed n-grams (``CombinedText``);
- **the context**, the same in both tiers (``CONTEXT_FEATURES``): who posted it (a brand, a reply), what
  the rules notice in it (``rules.subject_cues``), the tier's sentiment label and complaint probability,
  and the intent and subject the rules give. The block is multiplied by ``context_scale``, which training
  chooses with the regression's C by cross-validation on the training split.

A post that matches one of the workspace's campaigns is marketing whatever the model says: the
workspace's config is what defines its campaigns.

A model directory holds ``model.json`` (kind ``subject``, the text features, the context features' names
and scale, the training record and figures) and ``weights.npz`` (the non-zero weight columns as float16,
their indices, the intercepts). Nothing is pickled. Training: ``scripts/train_subject_models.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from groundswell.enrich import rules
from groundswell.enrich.base import Classifier, Prediction
from groundswell.enrich.encoder import EncoderModel
from groundswell.enrich.linear import FeatureSpec, Featurizer, shared_features, softmax, stored_weights
from groundswell.errors import ModelNotAvailable
from groundswell.records import INTENT_LABELS, SENTIMENT_LABELS, SUBJECT_LABELS, Intent, Subject

KIND = "subject"
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
FORMAT_VERSION = 1

CONTEXT_FEATURES: tuple[str, ...] = (
    "is_brand",
    "is_reply",
    *rules.SUBJECT_CUES,
    *(f"sentiment_{label}" for label in SENTIMENT_LABELS),
    "complaint_probability",
    *(f"rule_intent_{label}" for label in INTENT_LABELS),
    *(f"rule_subject_{label}" for label in SUBJECT_LABELS),
)
_SENTIMENT_AT = CONTEXT_FEATURES.index(f"sentiment_{SENTIMENT_LABELS[0]}")
_INTENT_AT = CONTEXT_FEATURES.index(f"rule_intent_{INTENT_LABELS[0]}")
_SUBJECT_AT = CONTEXT_FEATURES.index(f"rule_subject_{SUBJECT_LABELS[0]}")
_COMPLAINT_AT = CONTEXT_FEATURES.index("complaint_probability")


_CUE = {name: i for i, name in enumerate(rules.SUBJECT_CUES)}
_ABOUT_EXPERIENCE = (Intent.COMPLAINT, Intent.QUESTION, Intent.FEEDBACK, Intent.SUPPORT_REPLY)


def rule_subject(post: rules.RuleInput, intent: str, cues: Sequence[bool]) -> Subject:
    """``rules.subject`` from the cues already found (the same rule, without searching the text again)."""
    if post.campaign is not None or intent == Intent.PROMOTION or cues[_CUE["marketing_words"]]:
        return Subject.MARKETING
    if post.is_brand or intent in _ABOUT_EXPERIENCE or cues[_CUE["experience_words"]]:
        return Subject.EXPERIENCE
    if intent == Intent.PRAISE and (post.is_reply or cues[_CUE["mentions_account"]]):
        return Subject.EXPERIENCE
    return Subject.OTHER


def context_features(posts: Sequence[rules.RuleInput], intents: Sequence[str]) -> np.ndarray:
    """(len(posts), len(CONTEXT_FEATURES)) values in 0..1, unscaled; ``intents`` are the rules' intents."""
    values = np.zeros((len(posts), len(CONTEXT_FEATURES)), np.float32)
    for row, (post, intent) in enumerate(zip(posts, intents, strict=True)):
        cues = rules.subject_cues(post.text)
        values[row, 0] = post.is_brand
        values[row, 1] = post.is_reply
        values[row, 2 : 2 + len(cues)] = cues
        if post.sentiment in SENTIMENT_LABELS:
            values[row, _SENTIMENT_AT + SENTIMENT_LABELS.index(post.sentiment)] = 1.0
        values[row, _COMPLAINT_AT] = post.complaint_probability
        values[row, _INTENT_AT + INTENT_LABELS.index(intent)] = 1.0
        values[row, _SUBJECT_AT + SUBJECT_LABELS.index(rule_subject(post, intent, cues))] = 1.0
    return values


class TextFeatures(Protocol):
    """The text block: one row per text."""

    kind: str
    width: int
    dtype: np.dtype[Any]  # of ``matrix``'s values: the weights are kept in it (a mixed product is slower)

    def matrix(self, texts: Sequence[str], *, batch_size: int = 1024) -> sp.csr_matrix | np.ndarray: ...

    def as_dict(self) -> dict[str, Any]: ...


class HashedText:
    """The fast tier's hashed n-grams (the same spec as its sentiment and complaint models)."""

    kind = "hashed"
    dtype: np.dtype[Any] = np.dtype(np.float64)

    def __init__(self, spec: FeatureSpec) -> None:
        self.featurizer = Featurizer(spec)
        self.width = spec.n_features

    def matrix(self, texts: Sequence[str], *, batch_size: int = 1024) -> sp.csr_matrix:
        blocks = shared_features(self.featurizer, texts, batch_size)  # featurised already when the tier's models ran
        if not blocks:
            return sp.csr_matrix((0, self.width), dtype=np.float64)
        return blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "vectorizer": self.featurizer.spec.as_dict()}


class EncoderText:
    """The accurate tier's pooled sentence vector, L2-normalised (the encoder runs once for every head)."""

    kind = "encoder"
    dtype: np.dtype[Any] = np.dtype(np.float32)

    def __init__(self, encoder: EncoderModel) -> None:
        if not encoder.has_embedding:
            raise ModelNotAvailable(
                f"model {encoder.name!r} gives no sentence vector (scripts/expose_encoder_embedding.py adds it)"
            )
        self.encoder = encoder
        self.width = encoder.embedding_size

    def matrix(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.width), np.float32)
        vectors = self.encoder.embeddings(texts, batch_size=min(batch_size, 64))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-6), dtype=np.float32)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "encoder": f"{self.encoder.name}@{self.encoder.version}", "size": self.width}


class CombinedText:
    """Several text blocks side by side (the accurate tier: its encoder's vector and the hashed n-grams)."""

    kind = "combined"

    def __init__(self, parts: Sequence[TextFeatures]) -> None:
        self.parts = list(parts)
        self.width = sum(part.width for part in self.parts)
        self.dtype: np.dtype[Any] = np.result_type(*(part.dtype for part in self.parts))

    def matrix(self, texts: Sequence[str], *, batch_size: int = 1024) -> sp.csr_matrix:
        blocks = [sp.csr_matrix(part.matrix(texts, batch_size=batch_size)) for part in self.parts]
        return sp.hstack(blocks, format="csr")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "parts": [part.as_dict() for part in self.parts]}


@dataclass
class SubjectModel:
    """Weights over a text block and the context block; ``predict`` reads the rules' inputs for each post."""

    name: str
    version: str
    text: TextFeatures
    context_scale: float
    coef: np.ndarray  # (n_labels, text.width + len(CONTEXT_FEATURES)); loaded: float64 (``stored_weights``)
    intercept: np.ndarray  # (n_labels,)
    labels: tuple[str, ...] = SUBJECT_LABELS
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        width = self.text.width + len(CONTEXT_FEATURES)
        if self.coef.shape != (len(self.labels), width):
            raise ValueError(f"coef shape {self.coef.shape} != ({len(self.labels)}, {width})")
        self._text_t = np.ascontiguousarray(self.coef[:, : self.text.width].T, dtype=self.text.dtype)
        self._context_t = np.ascontiguousarray(self.coef[:, self.text.width :].T, dtype=np.float32)

    def probabilities(
        self, posts: Sequence[rules.RuleInput], intents: Sequence[str], *, batch_size: int = 1024
    ) -> np.ndarray:
        """(len(posts), n_labels) probabilities, rows summing to 1 (campaigns not applied)."""
        if not posts:
            return np.zeros((0, len(self.labels)))
        text = self.text.matrix([post.text for post in posts], batch_size=batch_size)
        scores = np.asarray(text @ self._text_t, dtype=np.float64)
        scores += (context_features(posts, intents) * self.context_scale) @ self._context_t
        scores += self.intercept
        return softmax(scores)

    def predict(
        self, posts: Sequence[rules.RuleInput], intents: Sequence[str], *, batch_size: int = 1024
    ) -> list[Prediction]:
        """One prediction per post; a post that matched a workspace campaign is marketing."""
        predictions = []
        for post, row in zip(posts, self.probabilities(posts, intents, batch_size=batch_size), strict=True):
            probabilities = {label: float(p) for label, p in zip(self.labels, row, strict=True)}
            if post.campaign is not None:
                probabilities = {label: float(label == Subject.MARKETING) for label in self.labels}
            label = max(probabilities, key=lambda name: probabilities[name])
            predictions.append(Prediction(label=label, score=probabilities[label], probabilities=probabilities))
        return predictions

    # -- storage -----------------------------------------------------------
    def save(self, directory: Path) -> Path:
        """Write model.json and weights.npz into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        coef16 = self.coef.astype(np.float16)
        columns = np.flatnonzero(np.any(coef16 != 0, axis=0)).astype(np.int32)
        np.savez_compressed(
            directory / WEIGHTS_FILE,
            columns=columns,
            coef=coef16[:, columns],
            intercept=self.intercept.astype(np.float32),
            n_features=np.array([self.coef.shape[1]], dtype=np.int64),
        )
        document = {
            **self.metadata,
            "format": FORMAT_VERSION,
            "kind": KIND,
            "task": "subject",
            "name": self.name,
            "version": self.version,
            "labels": list(self.labels),
            "text_features": self.text.as_dict(),
            "context_features": {"names": list(CONTEXT_FEATURES), "scale": self.context_scale},
            "weights": {"file": WEIGHTS_FILE, "dtype": "float16", "nonzero_columns": int(columns.size)},
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        (directory / MODEL_FILE).write_text(text, encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Traversable | Path, *, encoder: EncoderModel | None = None) -> SubjectModel:
        """Load a model dir; an encoder-based one needs its tier's ``encoder``."""
        model_file = directory.joinpath(MODEL_FILE)
        if not model_file.is_file():
            raise ModelNotAvailable(f"{directory}: no {MODEL_FILE}, so this is no subject model")
        document: dict[str, Any] = json.loads(model_file.read_text(encoding="utf-8"))
        if document.get("kind") != KIND:
            raise ModelNotAvailable(f"{model_file}: kind {document.get('kind')!r} is not a subject model")
        names = tuple(document["context_features"]["names"])
        if names != CONTEXT_FEATURES:
            raise ModelNotAvailable(f"{model_file}: its context features are not the ones this groundswell computes")
        text = _text_features(document["text_features"], encoder, model_file)
        labels = tuple(document["labels"])
        with directory.joinpath(WEIGHTS_FILE).open("rb") as handle:
            weights = np.load(handle)
            coef = stored_weights(weights["coef"], weights["columns"], int(weights["n_features"][0]))
            intercept = weights["intercept"].astype(np.float32)
        stored = {"format", "kind", "task", "name", "version", "labels", "text_features", "context_features", "weights"}
        return cls(
            name=document["name"],
            version=document["version"],
            text=text,
            context_scale=float(document["context_features"]["scale"]),
            coef=coef,
            intercept=intercept,
            labels=labels,
            metadata={k: v for k, v in document.items() if k not in stored},
        )


def _text_features(spec: Mapping[str, Any], encoder: EncoderModel | None, model_file: object) -> TextFeatures:
    if spec.get("kind") == HashedText.kind:
        return HashedText(FeatureSpec.from_dict(spec["vectorizer"]))
    if spec.get("kind") == CombinedText.kind:
        return CombinedText([_text_features(part, encoder, model_file) for part in spec["parts"]])
    if spec.get("kind") == EncoderText.kind:
        if encoder is None:
            raise ModelNotAvailable(f"{model_file}: reads an encoder's sentence vectors, and none was given")
        return EncoderText(encoder)
    raise ModelNotAvailable(f"{model_file}: text features {spec.get('kind')!r} are not ones this groundswell computes")


class SubjectClassifier:
    """The subject model as a ``Classifier`` (what ``groundswell eval --task subject`` scores).

    It runs the tier's sentiment and complaint models and the rules for each post, as the enrich stage
    does. ``predict`` takes every text as a customer's original post; ``predict_posts`` is told who
    posted each and whether it replies to another.
    """

    task = "subject"

    def __init__(self, model: SubjectModel, sentiment: Classifier, complaint: Classifier) -> None:
        self.model = model
        self.name = model.name
        self.version = model.version
        self.labels = model.labels
        self.parallel_inside = model.text.kind != HashedText.kind  # the encoder runs on every core already
        self._rules = rules.RuleClassifier("intent", sentiment, complaint)

    def predict_posts(
        self,
        texts: Sequence[str],
        is_brand: Sequence[bool],
        is_reply: Sequence[bool],
        campaigns: Sequence[str | None] | None = None,
        *,
        batch_size: int = 1024,
    ) -> list[Prediction]:
        """One prediction per post, in order, knowing who posted it and whether it is a reply."""
        posts = self._rules.rule_inputs(texts, is_brand, is_reply, campaigns, batch_size=batch_size)
        return self.model.predict(posts, [rules.intent(post) for post in posts], batch_size=batch_size)

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        """One prediction per text, each taken as a customer's original post."""
        none = [False] * len(texts)
        return self.predict_posts(texts, none, none, batch_size=batch_size)
