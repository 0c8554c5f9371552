"""95% intervals for the figures that rest on a classifier: adjusted classify-and-count, bootstrapped.

A share counted from a classifier's labels (experience share, response rate, help rate...) is off by the
classifier's errors as well as by sampling. The interval here allows for both:

- the classifier's errors are its confusion matrix measured on held-out labelled posts when the model was
  evaluated (``enrich.confusion``; never computed from the posts being measured): ``M[i, j]`` = P(predicted
  ``j`` | true ``i``);
- the true label shares ``π`` follow from the predicted shares ``q`` by solving ``q = Mᵀ π``: adjusted
  classify-and-count (Forman 2008, "Quantifying counts and costs via classification"), which for two labels
  is the Rogan-Gladen estimator (Rogan and Gladen 1978), clipped to [0, 1] and renormalised;
- several labels of the same posts at once (subject and sentiment; needs-reply and whether a brand reply
  came) form one joint table, whose confusion is the Kronecker product of each label's: their errors are
  taken as independent given the true labels, and an observed fact (a reply) has none;
- the bootstrap draws the posts again (multinomial over the table's observed cells) and the held-out set
  again (each true label's row multinomial over its own count), ``REPLICATES`` times, and the interval is
  the 2.5th and 97.5th percentiles of the figure over the replicates. The generator is seeded, so the same
  counts always give the same interval.

Without a held-out confusion (a model the shipped files do not describe) the same bootstrap allows for
sampling alone, and the figure's ``ci_method`` says so.

Where the team has labelled a random sample of these very posts (``groundswell review``; at least
``MIN_REVIEWED`` of a figure's posts), the errors are measured on them instead, and no independence of the
labels' errors is assumed: **prediction-powered inference** (A. N. Angelopoulos, S. Bates, C. Fannjiang,
M. I. Jordan and T. Zrnic, "Prediction-powered inference", *Science* 382, 2023). The joint shares of the
posts nobody labelled are their predicted shares corrected by the mean difference between the true and the
predicted cell on the labelled ones; the labelled posts count with their true labels. The bootstrap draws the
unlabelled posts' cells and the labelled posts' (true, predicted) pairs again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from groundswell.enrich.confusion import HeldOutConfusion
from groundswell.metrics.base import Interval

REPLICATES = 2000
SEED = 20081  # any fixed seed: the same counts give the same interval
LEVEL = 0.95
ADJUSTED = "adjusted classify-and-count (Forman 2008), bootstrap over posts and the held-out confusion set"
SAMPLING_ONLY = "bootstrap over posts only: the model ships no held-out confusion for this version"
MIN_REVIEWED = 30  # labelled posts of a figure below which its errors are taken from the held-out confusion

Floats = npt.NDArray[np.float64]


def method_for(*confusions: HeldOutConfusion | None) -> str:
    """``ADJUSTED`` when every classifier a figure rests on has a held-out confusion, else ``SAMPLING_ONLY``."""
    return ADJUSTED if all(c is not None for c in confusions) else SAMPLING_ONLY


def _error_rates(confusion: HeldOutConfusion | None, size: int, rng: np.random.Generator, replicates: int) -> Floats:
    """(replicates, size, size) resampled P(predicted | true); the identity for a label with no errors known."""
    if confusion is None:
        return np.broadcast_to(np.eye(size), (replicates, size, size)).copy()
    counts = np.asarray(confusion.matrix, dtype=np.int64)
    rates = np.empty((replicates, size, size))
    for i, row in enumerate(counts):
        total = int(row.sum())
        if total == 0:  # no held-out post of this label: take it as never mistaken
            rates[:, i, :] = np.eye(size)[i]
            continue
        rates[:, i, :] = rng.multinomial(total, row / total, size=replicates) / total
    return rates


def _kron(a: Floats, b: Floats) -> Floats:
    """Batched Kronecker product of (B, m, m) and (B, k, k) matrices."""
    out: Floats = np.einsum("bij,bkl->bikjl", a, b)
    return out.reshape(a.shape[0], a.shape[1] * b.shape[1], a.shape[2] * b.shape[2])


def true_shares(
    counts: npt.ArrayLike,
    confusions: Sequence[HeldOutConfusion | None],
    *,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> Floats:
    """Bootstrap replicates of the true joint shares behind a table of predicted counts.

    ``counts`` has one axis per label, in the order of ``confusions`` (None: an observed label, no errors);
    each axis in its confusion's label order. Returns an array of shape ``(replicates, *counts.shape)``.
    """
    table = np.asarray(counts, dtype=np.float64)
    total = int(round(table.sum()))
    if total <= 0:
        raise ValueError("no posts to measure")
    rng = np.random.default_rng(seed)
    observed = rng.multinomial(total, table.reshape(-1) / total, size=replicates) / total
    errors = np.ones((replicates, 1, 1))
    for confusion, size in zip(confusions, table.shape, strict=True):
        errors = _kron(errors, _error_rates(confusion, size, rng, replicates))
    transposed = np.swapaxes(errors, 1, 2)
    try:
        shares = np.linalg.solve(transposed, observed[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a resampled confusion with no inverse: the least-squares answer
        shares = np.einsum("bij,bj->bi", np.linalg.pinv(transposed), observed)
    shares = np.clip(shares, 0.0, None)
    sums = shares.sum(axis=1, keepdims=True)
    normalised: Floats = np.divide(shares, sums, out=np.full_like(shares, np.nan), where=sums > 0)
    return normalised.reshape(replicates, *table.shape)


def reviewed_method(labelled: int) -> str:
    return (
        f"prediction-powered inference (Angelopoulos et al. 2023) on {labelled:,} of these posts labelled by the "
        "team, bootstrap over posts and the labelled ones"
    )


def reviewed_shares(
    counts: npt.ArrayLike, pairs: npt.ArrayLike, *, replicates: int = REPLICATES, seed: int = SEED
) -> Floats:
    """Bootstrap replicates of the true joint shares behind a table of predicted counts, from labelled posts.

    ``counts``: predicted counts over every post of the figure, one axis per label; ``pairs[g][p]``: the
    labelled posts among them whose true cell is ``g`` and predicted cell ``p``, cells numbered as
    ``counts`` flattened (C order). Returns an array of shape ``(replicates, *counts.shape)``.
    """
    table = np.asarray(counts, dtype=np.float64)
    matrix = np.asarray(pairs, dtype=np.float64)
    cells = table.size
    if matrix.shape != (cells, cells):
        raise ValueError(f"labelled pairs of shape {matrix.shape} for a table of {cells} cells")
    labelled = int(round(matrix.sum()))
    unlabelled = np.clip(table.reshape(-1) - matrix.sum(axis=0), 0.0, None)
    rest = int(round(unlabelled.sum()))
    if labelled <= 0:
        raise ValueError("no labelled posts")
    rng = np.random.default_rng(seed)
    drawn: Floats = rng.multinomial(labelled, matrix.reshape(-1) / labelled, size=replicates) / labelled
    drawn = drawn.reshape(replicates, cells, cells)
    true_labelled, predicted_labelled = drawn.sum(axis=2), drawn.sum(axis=1)
    if rest > 0:
        predicted_rest = rng.multinomial(rest, unlabelled / rest, size=replicates) / rest
        true_rest = predicted_rest + true_labelled - predicted_labelled
        shares = (rest * true_rest + labelled * true_labelled) / (rest + labelled)
    else:
        shares = true_labelled
    shares = np.clip(shares, 0.0, None)
    sums = shares.sum(axis=1, keepdims=True)
    normalised: Floats = np.divide(shares, sums, out=np.full_like(shares, np.nan), where=sums > 0)
    return normalised.reshape(replicates, *table.shape)


def joint_shares(
    counts: npt.ArrayLike,
    confusions: Sequence[HeldOutConfusion | None],
    reviewed: npt.ArrayLike | None = None,
) -> tuple[Floats, str]:
    """Bootstrap replicates of the true joint shares behind ``counts``, and how they were made: from the team's
    labelled posts among them (``reviewed``, as ``reviewed_shares`` takes them) when there are at least
    ``MIN_REVIEWED``, else from the held-out ``confusions`` (``true_shares``)."""
    labelled = int(np.asarray(reviewed).sum()) if reviewed is not None else 0
    if reviewed is not None and labelled >= MIN_REVIEWED:
        return reviewed_shares(counts, reviewed), reviewed_method(labelled)
    return true_shares(counts, confusions), method_for(*confusions)


def interval(replicates: Floats, figure: Callable[[Floats], Floats], method: str) -> Interval | None:
    """The 95% percentile interval of ``figure`` (one value per replicate) over the replicates."""
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.asarray(figure(replicates), dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size < 0.5 * replicates.shape[0]:  # mostly undefined (a subject with hardly any posts)
        return None
    tail = 100 * (1 - LEVEL) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return Interval(float(low), float(high), method)


def share_ratio(numerator: Floats, denominator: Floats) -> Floats:
    """numerator / denominator, NaN where the denominator is 0."""
    return np.divide(numerator, denominator, out=np.full_like(numerator, np.nan), where=denominator > 0)
