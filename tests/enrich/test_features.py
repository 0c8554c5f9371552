"""The fast tier's character n-grams: counted word by word, the very matrix scikit-learn's hasher gives."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from groundswell.enrich import linear
from groundswell.enrich.linear import FeatureSpec, Featurizer
from groundswell.enrich.preprocess import preprocess

AWKWARD = [
    "",
    "   ",
    "a",
    "I",
    "ok ok ok ok",
    "ΟΔΟΣ ΣΑΣ and İstanbul",
    "tab\there\nnew  line\u00a0nbsp\u2028sep",
    "ﬃ ß ẞ Straße",
    "🙂 👍🏽 ok!!! #hashtag @someone https://example.com/x?y=1",
    "caféé CAFÉ",
    "x" * 300,
]


def hashed(spec: FeatureSpec, texts: list[str]) -> sp.csr_matrix:
    """The char block as scikit-learn's own vectoriser makes it from the whole texts."""
    vectorizer = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=spec.char_ngram_range,
        n_features=spec.char_n_features,
        lowercase=True,
        alternate_sign=False,
        norm="l2",
    )
    matrix = sp.csr_matrix(vectorizer.transform(texts))
    matrix.sort_indices()
    return matrix


def assert_identical(expected: sp.csr_matrix, found: sp.csr_matrix) -> None:
    assert expected.shape == found.shape
    assert np.array_equal(expected.indptr, found.indptr)
    assert np.array_equal(expected.indices, found.indices)
    assert np.array_equal(expected.data, found.data)  # bit for bit: the models' weights were fit on these


def real_posts(shared_data: Path, n: int) -> list[str]:
    with (shared_data / "airline_sentiment" / "train.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r["text"] for r, _ in zip(csv.DictReader(handle), range(n), strict=False)]
    return [preprocess(t) for t in rows]


def test_awkward_texts_give_the_hashers_matrix() -> None:
    spec = FeatureSpec()
    assert_identical(hashed(spec, AWKWARD), Featurizer(spec)._char_block(AWKWARD))


def test_real_posts_batch_after_batch_give_the_hashers_matrix(shared_data: Path) -> None:
    spec = FeatureSpec()
    featurizer = Featurizer(spec)
    posts = real_posts(shared_data, 3000)
    for start in range(0, len(posts), 1000):  # later batches reuse the words the earlier ones hashed
        batch = posts[start : start + 1000]
        assert_identical(hashed(spec, batch), featurizer._char_block(batch))


def test_the_word_cache_stays_bounded_and_right(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linear, "_WORDS_KEPT", 500)
    spec = FeatureSpec(char_ngram_range=(3, 4))
    featurizer = Featurizer(spec)
    posts = real_posts(shared_data, 600)
    kept = []
    for start in range(0, len(posts), 40):  # each batch's words fit; a few batches' do not
        batch = posts[start : start + 40]
        assert_identical(hashed(spec, batch), featurizer._char_block(batch))
        kept.append(len(featurizer._grams))
    assert max(kept) <= 500 and min(kept) > 0
    assert any(later < earlier for earlier, later in zip(kept, kept[1:], strict=False))  # it was cleared
    big = posts[:300]  # more distinct words than it keeps: hashed for this batch, not kept
    assert_identical(hashed(spec, big), featurizer._char_block(big))
    assert len(featurizer._grams) <= 500


def word_hashed(spec: FeatureSpec, texts: list[str]) -> sp.csr_matrix:
    """The word block as scikit-learn's own vectoriser makes it."""
    vectorizer = HashingVectorizer(
        analyzer=linear.word_ngrams, n_features=spec.word_n_features, alternate_sign=False, norm="l2"
    )
    matrix = sp.csr_matrix(vectorizer.transform(texts))
    matrix.sort_indices()
    return matrix


def test_the_word_block_is_the_hashers_matrix_on_awkward_and_real_posts(shared_data: Path) -> None:
    spec = FeatureSpec()
    featurizer = Featurizer(spec)
    assert_identical(word_hashed(spec, AWKWARD), featurizer._word_block(AWKWARD))
    posts = real_posts(shared_data, 2000)
    for start in range(0, len(posts), 1000):  # the second batch reuses the first one's columns
        batch = posts[start : start + 1000]
        assert_identical(word_hashed(spec, batch), featurizer._word_block(batch))


def test_the_word_columns_kept_stay_bounded_and_right(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linear, "_WORD_NGRAMS_KEPT", 300)
    spec = FeatureSpec(word_n_features=2**10)  # small: many n-grams share a column
    featurizer = Featurizer(spec)
    posts = real_posts(shared_data, 200)
    for start in range(0, len(posts), 20):
        batch = posts[start : start + 20]
        assert_identical(word_hashed(spec, batch), featurizer._word_block(batch))
        assert 0 < len(featurizer._word_columns) <= 300


def test_a_column_is_sklearns_murmurhash_column() -> None:
    from sklearn.utils.murmurhash import murmurhash3_32

    from groundswell.enrich.hashing import column

    for feature in ["", "a", " ab ", "good_NEG", "ΟΔΟΣ", "🙂👍🏽", "x" * 500, "tab\there"]:
        for n in (7, 2**10, 2**19):
            assert column(feature, n) == abs(murmurhash3_32(feature, seed=0)) % n


def test_the_fast_tier_runs_without_scikit_learn() -> None:
    """Every enrich worker process loads the fast tier: scikit-learn takes it about a second to import."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import groundswell.enrich.stage, groundswell.enrich.workspace_models\n"
        "from groundswell.enrich.registry import resolve_enrich_models\n"
        "m = resolve_enrich_models('fast')\n"
        "m.sentiment.predict(['no queue, happy customer']); m.complaint.predict(['still broken'])\n"
        "assert 'sklearn' not in sys.modules, sorted(k for k in sys.modules if k.startswith('sklearn'))[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_blocks_side_by_side_are_scipys_hstack() -> None:
    from groundswell.enrich.hashing import side_by_side

    rng = np.random.default_rng(0)
    for _ in range(100):
        rows = int(rng.integers(0, 6))
        blocks = []
        for _ in range(int(rng.integers(1, 4))):
            block = sp.random(rows, int(rng.integers(1, 50)), density=float(rng.random()), format="csr", rng=rng)
            block.sort_indices()
            blocks.append(sp.csr_matrix(block))
        assert_identical(sp.csr_matrix(sp.hstack(blocks, format="csr")), side_by_side(blocks))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=6))
def test_any_texts_give_the_hashers_matrices(texts: list[str]) -> None:
    """Whatever the characters (case folding that lengthens a letter, odd spaces, astral planes), both blocks
    are scikit-learn's to the last bit."""
    spec = FeatureSpec(word_n_features=2**12, char_n_features=2**12)  # small: columns collide, sums matter
    featurizer = Featurizer(spec)
    assert_identical(word_hashed(spec, texts), featurizer._word_block(texts))
    assert_identical(hashed(spec, texts), featurizer._char_block(texts))
