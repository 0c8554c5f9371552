"""Feature hashing exactly as scikit-learn's ``HashingVectorizer`` does it, without importing scikit-learn.

The fast tier's models were fit on ``HashingVectorizer`` features (``alternate_sign=False``): each feature
string's signed 32-bit MurmurHash3 (seed 0, UTF-8), its absolute value modulo the width, one count per
occurrence, duplicates summed with the columns sorted, then each row divided by its L2 norm. Importing
scikit-learn takes about a second (it loads scipy.stats and more), paid again by every process the enrich
stage starts; the same hash comes from ``mmh3``, and the rest is a few lines of scipy. The matrices are the
same bit for bit (``tests/enrich/test_features.py`` checks them against scikit-learn's on real posts).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import mmh3
import numpy as np
import scipy.sparse as sp

_INT32_MIN = -(2**31)


def column(feature: str, n_features: int) -> int:
    """The column ``feature`` hashes to among ``n_features``."""
    h = mmh3.hash(feature, 0, True)
    if h == _INT32_MIN:  # abs() would overflow in 32 bits: scikit-learn's own definition of this one case
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


class Columns:
    """Feature strings -> their columns, each hashed once and kept (up to ``kept`` strings, then started afresh:
    memory stays bounded, the common features come back within a batch or two)."""

    def __init__(self, n_features: int, kept: int) -> None:
        self.n_features = n_features
        self.kept = kept
        self._known: dict[str, int] = {}

    def of(self, features: Sequence[str]) -> list[int]:
        known = self._known  # this call's view: another thread may start a new dict meanwhile, never empty this one
        found: list[int | None] = list(map(known.get, features))  # most features are known: looked up in C
        if None in found:
            for i, at in enumerate(found):
                if at is None:
                    feature = features[i]
                    found[i] = at = column(feature, self.n_features)
                    if len(known) >= self.kept:
                        known = self._known = {}
                    known[feature] = at
        return found  # type: ignore[return-value]  # no None left

    def __len__(self) -> int:
        return len(self._known)


def counts(rows: Sequence[Sequence[int]], n_features: int) -> sp.csr_matrix:
    """(len(rows), n_features) counts of each row's columns, duplicates summed, columns sorted (float64)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=indptr[1:])
    indices = np.fromiter((at for row in rows for at in row), dtype=np.int32, count=int(indptr[-1]))
    matrix = sp.csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(len(rows), n_features))
    matrix.sum_duplicates()  # sorts the columns, as scikit-learn's hasher does
    return matrix


def l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row divided by its L2 norm, in place; empty rows stay empty (scikit-learn's ``normalize``).

    The squares are summed row by row in column order (scipy's matrix-vector product, like scikit-learn's loop),
    so the norms, and the features, are the same to the last bit."""
    squares = sp.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    sums = squares @ _ones(matrix.shape[1])
    norms = np.sqrt(sums)
    per_value = np.repeat(norms, np.diff(matrix.indptr))
    nonzero = per_value != 0.0
    matrix.data[nonzero] /= per_value[nonzero]
    return matrix


@lru_cache(maxsize=4)
def _ones(width: int) -> np.ndarray:
    """A read-only vector of ``width`` ones, made once per width (a fresh one per batch costs more than its sum)."""
    ones = np.ones(width)
    ones.flags.writeable = False
    return ones


def side_by_side(blocks: Sequence[sp.csr_matrix]) -> sp.csr_matrix:
    """The blocks' columns one after the other (``scipy.sparse.hstack``), each row's columns kept in order:
    blocks with sorted columns give a matrix with sorted columns, as scipy's does, without sorting it again."""
    rows = blocks[0].shape[0]
    lengths = [np.diff(block.indptr) for block in blocks]
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.sum(lengths, axis=0), out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.result_type(*(block.dtype for block in blocks)))
    before = indptr[:-1].copy()  # where each row's entries of the next block go
    offset = 0
    for block, length in zip(blocks, lengths, strict=True):
        to = np.repeat(before - block.indptr[:-1], length) + np.arange(block.nnz)
        indices[to] = block.indices + offset
        data[to] = block.data
        before += length
        offset += block.shape[1]
    return sp.csr_matrix((data, indices, indptr), shape=(rows, offset))


def char_wb_ngrams(word: str, smallest: int, largest: int) -> list[str]:
    """A whitespace-free word's ``char_wb`` n-grams, as scikit-learn cuts them: the word padded with a space on
    each side, every n-gram of each length from ``smallest`` to ``largest``, a word shorter than n once."""
    padded = f" {word} "
    size = len(padded)
    grams = []
    for n in range(smallest, largest + 1):
        if size <= n:  # the whole padded word, once, and no longer n-grams
            grams.append(padded)
            break
        grams.extend(padded[at : at + n] for at in range(size - n + 1))
    return grams
