"""The "fast" tier: hashed word and character n-grams and a multinomial logistic regression.

Features are stateless (hashed as scikit-learn's ``HashingVectorizer`` hashes them,
``groundswell.enrich.hashing``), so a model is only its weights and the
vectoriser's parameters: no vocabulary is stored.

- word 1-2 grams over tokens of the ``preprocess``ed, lower-cased text, where a
  word after a negation ("not", "never", "don't", ...) up to the next
  punctuation mark is marked ``_NEG`` ("not good" -> ``good_NEG``);
- ``char_wb`` 2-5 grams of the same text;
- optionally a handful of lexicon features (summed positive and negative
  valence of the words found in a word->valence lexicon, negation-flipped),
  appended to the hashed columns; the lexicon then travels in the model dir.

A model directory holds ``model.json`` (task, name, version, labels, vectoriser
parameters, training data, chosen settings, validation scores, throughput) and
``weights.npz`` (the non-zero weight columns as float16, their column indices
and the intercepts). Nothing is pickled.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from groundswell.enrich import hashing
from groundswell.enrich.base import Prediction, predictions
from groundswell.enrich.preprocess import preprocess
from groundswell.errors import ModelNotAvailable

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
LEXICON_FILE = "lexicon.tsv"
FORMAT_VERSION = 1

_TOKEN = re.compile(r"[\w']+|[^\w\s]", re.UNICODE)
_CLAUSE_END = re.compile(r"^[.,!?;:]$")
_NEGATION = re.compile(
    r"^(?:not|no|never|nobody|nothing|none|neither|nor|nowhere|cannot|without|\w+n't|"
    r"cant|dont|wont|isnt|arent|didnt|doesnt|aint|wasnt|werent|couldnt|shouldnt|wouldnt|havent|hasnt|hadnt)$"
)
_WORDS_KEPT = 50_000  # distinct words whose hashed char n-grams a featurizer keeps (about 35 MB)
_WORD_NGRAMS_KEPT = 100_000  # distinct word 1-2 grams whose columns a featurizer keeps (about 15 MB)
_LEXICON_NEGATION_FACTOR = -0.74  # VADER's own scalar for a negated word
N_LEXICON_FEATURES = 6


_CLAUSE_ENDS, _NEGATES, _PLAIN = 0, 1, 2


@lru_cache(maxsize=65_536)  # a few thousand distinct tokens make most of any batch
def _token_kind(token: str) -> int:
    if _CLAUSE_END.match(token):
        return _CLAUSE_ENDS
    return _NEGATES if _NEGATION.match(token) else _PLAIN


def word_tokens(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens, words in a negated clause marked ``_NEG``."""
    tokens: list[str] = []
    negated = False
    for token in _TOKEN.findall(text.lower()):
        kind = _token_kind(token)
        if kind != _PLAIN:
            negated = kind == _NEGATES
            tokens.append(token)
        else:
            tokens.append(token + "_NEG" if negated else token)
    return tokens


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams of ``word_tokens`` (the word analyser)."""
    tokens = word_tokens(text)
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


@dataclass(frozen=True)
class FeatureSpec:
    """The vectoriser parameters, stored in model.json under ``vectorizer``."""

    word_n_features: int = 2**19
    char_n_features: int = 2**19
    char_ngram_range: tuple[int, int] = (2, 5)
    lexicon: bool = False
    lexicon_scale: float = 0.5

    @property
    def n_features(self) -> int:
        return self.word_n_features + self.char_n_features + (N_LEXICON_FEATURES if self.lexicon else 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "hashing",
            "preprocess": "groundswell.enrich.preprocess.preprocess",
            "word": {
                "analyzer": "groundswell.enrich.linear.word_ngrams (1-2 grams, negation marked _NEG)",
                "n_features": self.word_n_features,
                "alternate_sign": False,
                "norm": "l2",
            },
            "char": {
                "analyzer": "char_wb",
                "ngram_range": list(self.char_ngram_range),
                "n_features": self.char_n_features,
                "lowercase": True,
                "alternate_sign": False,
                "norm": "l2",
            },
            "lexicon": {"enabled": self.lexicon, "file": LEXICON_FILE, "scale": self.lexicon_scale}
            if self.lexicon
            else {"enabled": False},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        lexicon = data.get("lexicon", {})
        return cls(
            word_n_features=int(data["word"]["n_features"]),
            char_n_features=int(data["char"]["n_features"]),
            char_ngram_range=(int(data["char"]["ngram_range"][0]), int(data["char"]["ngram_range"][1])),
            lexicon=bool(lexicon.get("enabled", False)),
            lexicon_scale=float(lexicon.get("scale", 0.5)),
        )


class Featurizer:
    """Texts -> one sparse row each; stateless apart from the optional lexicon."""

    def __init__(self, spec: FeatureSpec, lexicon: Mapping[str, float] | None = None):
        if spec.lexicon and lexicon is None:
            raise ValueError("this feature spec needs a lexicon")
        self.spec = spec
        self.lexicon = dict(lexicon) if lexicon is not None else None
        # each distinct word's char_wb n-grams, counted, not normalised (``_char_block``): lower-cased already
        self._grams: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # word -> its n-grams' columns and counts
        self._word_columns = hashing.Columns(spec.word_n_features, _WORD_NGRAMS_KEPT)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        clean = [preprocess(t) for t in texts]
        blocks = [self._word_block(clean), self._char_block(clean)]
        if self.spec.lexicon:
            dense = np.array([self._lexicon_features(t) for t in clean], dtype=np.float64).reshape(
                len(clean), N_LEXICON_FEATURES
            )
            blocks.append(sp.csr_matrix(dense * self.spec.lexicon_scale))
        return hashing.side_by_side(blocks)

    def _word_block(self, clean: Sequence[str]) -> sp.csr_matrix:
        """The word 1-2 gram block: ``HashingVectorizer(analyzer=word_ngrams, alternate_sign=False, norm="l2")``."""
        n_features = self.spec.word_n_features
        rows = [self._word_columns.of(word_ngrams(text)) for text in clean]
        return hashing.l2_normalize_rows(hashing.counts(rows, n_features))

    def _char_block(self, clean: Sequence[str]) -> sp.csr_matrix:
        """The char_wb n-gram block exactly as ``HashingVectorizer(analyzer="char_wb", lowercase=True,
        norm="l2")`` gives it, at a fraction of the cost: a text's char_wb n-grams are those of its
        whitespace-separated words, each padded with a space, so its counts are (texts x words counts) @
        (words x n-gram counts), and each distinct word of the batch is cut into n-grams and hashed once."""
        columns: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for text in clean:
            indices.extend(columns.setdefault(word, len(columns)) for word in text.lower().split())
            indptr.append(len(indices))
        shape = (len(clean), self.spec.char_n_features)
        if not columns:
            return sp.csr_matrix(shape, dtype=np.float64)
        words = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(clean), len(columns)))
        words.sum_duplicates()
        counts = sp.csr_matrix(words @ self._grams_of(list(columns)))
        counts.sort_indices()  # the hasher's own order: the norms below sum the same values in the same order
        return hashing.l2_normalize_rows(counts)

    def _grams_of(self, words: list[str]) -> sp.csr_matrix:
        """(words x n-gram counts): a word's row is hashed when first seen and kept for the batches after (up to
        ``_WORDS_KEPT`` words): most words of a batch are common ones the batches before had too."""
        kept = self._grams  # this call's view: another thread may start a new dict meanwhile, never empty this one
        new = [word for word in words if word not in kept]
        fresh: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if new:
            smallest, largest = self.spec.char_ngram_range
            n_features = self.spec.char_n_features
            grams = [
                [hashing.column(gram, n_features) for gram in hashing.char_wb_ngrams(word, smallest, largest)]
                for word in new
            ]
            hashed = hashing.counts(grams, n_features)
            for i, word in enumerate(new):
                start, end = hashed.indptr[i], hashed.indptr[i + 1]
                fresh[word] = (hashed.indices[start:end], hashed.data[start:end])
        rows = [fresh[word] if word in fresh else kept[word] for word in words]
        if len(kept) + len(fresh) > _WORDS_KEPT:
            kept = self._grams = {}  # memory stays bounded; the common words come back within a batch or two
        if len(kept) + len(fresh) <= _WORDS_KEPT:
            kept.update(fresh)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(columns) for columns, _ in rows], out=indptr[1:])
        return sp.csr_matrix(
            (np.concatenate([data for _, data in rows]), np.concatenate([columns for columns, _ in rows]), indptr),
            shape=(len(rows), self.spec.char_n_features),
        )

    def _lexicon_features(self, text: str) -> list[float]:
        assert self.lexicon is not None  # noqa: S101 - an invariant (a lexicon spec loads one), not an input check
        pos = neg = n_pos = n_neg = 0.0
        for token in word_tokens(text):
            word = token.removesuffix("_NEG")
            value = self.lexicon.get(word)
            if value is None:
                continue
            if token.endswith("_NEG"):
                value *= _LEXICON_NEGATION_FACTOR
            if value > 0:
                pos += value
                n_pos += 1
            else:
                neg -= value
                n_neg += 1
        return [pos / 4, neg / 4, n_pos / 2, n_neg / 2, (pos - neg) / 4, float(pos > neg) - float(neg > pos)]


# (feature spec, batch size) -> (texts, their feature blocks): the last call's features
_LAST_FEATURES: dict[tuple[FeatureSpec, int], tuple[list[str], list[sp.csr_matrix]]] = {}


def shared_features(featurizer: Featurizer, texts: Sequence[str], batch_size: int) -> list[sp.csr_matrix]:
    """The texts' feature rows, batch by batch; reused when the next model asks for the same texts.

    The sentiment, complaint and subject models of a tier share one feature spec, and the
    enrich stage classifies each batch with all three: featurising once saves two thirds of the work.
    """
    key = (featurizer.spec, batch_size)
    cached = _LAST_FEATURES.get(key) if featurizer.lexicon is None else None
    texts = list(texts)
    if cached is not None and cached[0] == texts:
        return cached[1]
    blocks = [featurizer.transform(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
    if featurizer.lexicon is None:
        _LAST_FEATURES.clear()  # one batch's features at a time: memory stays bounded
        _LAST_FEATURES[key] = (texts, blocks)
    return blocks


def read_lexicon(path: Path) -> dict[str, float]:
    """A ``word<TAB>valence[<TAB>...]`` file (VADER's format) as a dict; later columns are ignored."""
    return read_lexicon_text(path.read_text(encoding="utf-8"))


def stored_weights(coef: np.ndarray, columns: np.ndarray, n_features: int) -> np.ndarray:
    """(labels, n_features) weights from the stored non-zero ``columns`` (``coef``: labels x columns, float16).

    A view of a (n_features, labels) float64 array, the layout and type inference multiplies the features by
    (``_weights_t``), so a model loads into one array, not two: every enrich worker loads the models again, and
    the memory it touches for them is a visible part of its start."""
    weights_t = np.zeros((n_features, coef.shape[0]), dtype=np.float64)
    weights_t[columns] = coef.T
    return weights_t.T


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


@dataclass
class LinearTextClassifier:
    """A ``Classifier``: hashed features, softmax over one weight row per label."""

    task: str
    name: str
    version: str
    labels: tuple[str, ...]
    spec: FeatureSpec
    coef: np.ndarray  # (n_labels, n_features); loaded: float64, a view of ``_weights_t``
    intercept: np.ndarray  # (n_labels,), float32
    lexicon: dict[str, float] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.coef.shape != (len(self.labels), self.spec.n_features):
            raise ValueError(f"coef shape {self.coef.shape} != ({len(self.labels)}, {self.spec.n_features})")
        self._featurizer = Featurizer(self.spec, self.lexicon)
        # float64 like the features: scipy multiplies a float64 sparse matrix by float32 weights ~20x slower than
        # by the same weights as float64, for the same product bit for bit (it works in float64 either way)
        self._weights_t = np.ascontiguousarray(self.coef.T, dtype=np.float64)

    # -- inference ---------------------------------------------------------
    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 1024) -> np.ndarray:
        """(len(texts), n_labels) probabilities, rows summing to 1."""
        out = np.empty((len(texts), len(self.labels)), dtype=np.float64)
        start = 0
        for features in self._features(texts, max(1, batch_size)):
            scores = np.asarray(features @ self._weights_t, dtype=np.float64) + self.intercept
            out[start : start + features.shape[0]] = softmax(scores)
            start += features.shape[0]
        return out

    def _features(self, texts: Sequence[str], batch_size: int) -> list[sp.csr_matrix]:
        return shared_features(self._featurizer, texts, batch_size)

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        probabilities = self.predict_proba(texts, batch_size=batch_size)
        return predictions(probabilities, self.labels)

    # -- storage -----------------------------------------------------------
    def save(self, directory: Path | str) -> Path:
        """Write model.json, weights.npz (and lexicon.tsv when used) into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        coef16 = self.coef.astype(np.float16)
        columns = np.flatnonzero(np.any(coef16 != 0, axis=0)).astype(np.int32)
        np.savez_compressed(
            directory / WEIGHTS_FILE,
            columns=columns,
            coef=coef16[:, columns],
            intercept=self.intercept.astype(np.float32),
            n_features=np.array([self.spec.n_features], dtype=np.int64),
        )
        if self.spec.lexicon:
            assert self.lexicon is not None  # noqa: S101 - an invariant (a lexicon spec loads one), not an input check
            lines = (f"{word}\t{value:g}" for word, value in sorted(self.lexicon.items()))
            (directory / LEXICON_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        document = {
            **self.metadata,
            "format": FORMAT_VERSION,
            "kind": "linear",
            "task": self.task,
            "name": self.name,
            "version": self.version,
            "labels": list(self.labels),
            "vectorizer": self.spec.as_dict(),
            "weights": {"file": WEIGHTS_FILE, "dtype": "float16", "nonzero_columns": int(columns.size)},
        }
        (directory / MODEL_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path | str | Any) -> LinearTextClassifier:
        """Load a model dir (a path, or an ``importlib.resources`` Traversable)."""
        directory = Path(directory) if isinstance(directory, str) else directory
        model_file = directory / MODEL_FILE
        if not model_file.is_file():
            raise ModelNotAvailable(f"{directory}: no {MODEL_FILE} here, so this is not a model directory")
        document = json.loads(model_file.read_text(encoding="utf-8"))
        if document.get("kind") != "linear":
            raise ModelNotAvailable(f"{model_file}: kind {document.get('kind')!r} is not a linear model")
        spec = FeatureSpec.from_dict(document["vectorizer"])
        labels = tuple(document["labels"])
        with (directory / WEIGHTS_FILE).open("rb") as handle:
            weights = np.load(handle)
            columns = weights["columns"]
            coef = stored_weights(weights["coef"], columns, spec.n_features)
            intercept = weights["intercept"].astype(np.float32)
        lexicon = read_lexicon_text((directory / LEXICON_FILE).read_text(encoding="utf-8")) if spec.lexicon else None
        metadata = {
            k: v
            for k, v in document.items()
            if k not in {"format", "kind", "task", "name", "version", "labels", "vectorizer", "weights"}
        }
        return cls(
            task=document["task"],
            name=document["name"],
            version=document["version"],
            labels=labels,
            spec=spec,
            coef=coef,
            intercept=intercept,
            lexicon=lexicon,
            metadata=metadata,
        )


def read_lexicon_text(text: str) -> dict[str, float]:
    lexicon: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0]:
            try:
                lexicon[parts[0].lower()] = float(parts[1])
            except ValueError:
                continue
    return lexicon
