"""Sample the real posts of tests/data/enrich/subject_posts.csv from ../shared/data.

    .venv/bin/python scripts/sample_subject_posts.py [--out tests/data/enrich/subject_posts.csv]

The subject set holds every post of labelled_posts.csv (sampled by
scripts/sample_labelled_posts.py) and more from every source in ../shared/data,
drawn the same deterministic way: within each stratum the eligible rows are
ordered by ``sha1("subject:" + id)`` and the first ``k`` are taken, skipping
texts seen before. The split is the labelled set's (``split_of``), so a post is
in the same split in both files. A second draw (``MORE_STRATA``, after the
first) takes only posts of the dev split: it adds training posts and leaves the
test split as it was scored.

Labels are not produced here: a re-run keeps the labels already in ``--out``
(``subject_a``, ``subject_b``: two independent passes; ``subject``: the settled
label; ``reason``: why a disagreement was settled so) and leaves new rows empty.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from sample_labelled_posts import (
    DATA,
    MARKETING_TALK,
    Post,
    _airline,
    _complaints,
    _ibm,
    _key,
    _twacs,
    _twcs,
    _tweeteval,
    read_existing,
    rows_of,
    sample,
    split_of,
    write_rows,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "enrich" / "subject_posts.csv"
COLUMNS = ("id", "source", "text", "is_brand", "is_reply", "subject_a", "subject_b", "subject", "reason", "split")
LABEL_COLUMNS = ("subject_a", "subject_b", "subject", "reason")


def _banking() -> Iterator[Post]:
    # BANKING77 has no ids: the source id is the data row's position (1 = the first row after the header).
    with (DATA / "banking77" / "train.csv").open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            yield Post(f"banking77:{number}", "banking77", row["text"], False, False, "all")


def _with_kind(reader: Callable[[], Iterator[Post]], pattern: re.Pattern[str]) -> Callable[[], Iterator[Post]]:
    """The reader's posts, their kind ``marketing_talk`` where the pattern matches (for sources that lack it)."""

    def read() -> Iterator[Post]:
        for post in reader():
            kind = "marketing_talk" if pattern.search(post.text) else "all"
            yield Post(post.id, post.source, post.text, post.is_brand, post.is_reply, kind)

    return read


# (reader, kind or None for any, how many). Drawn after every post of the labelled set.
STRATA: tuple[tuple[Callable[[], Iterator[Post]], str | None, int], ...] = (
    (_twcs, "customer_original", 120),
    (_twcs, "customer_reply", 80),
    (_twcs, "brand_reply", 60),
    (_ibm, "client_first", 70),
    (_ibm, "client_later", 40),
    (_ibm, "agent", 30),
    (_twacs, None, 100),
    (_complaints, None, 130),
    (_with_kind(_complaints, MARKETING_TALK), "marketing_talk", 20),
    (_airline, "all", 110),
    (_airline, "marketing_talk", 60),
    (_tweeteval, "all", 120),
    (_tweeteval, "marketing_talk", 120),
    (_banking, None, 50),
)


# The second draw: dev-split posts only, weighted to the sources and labels the first models got most wrong
# (general and airline tweets, TwACS; "other" taken for experience).
MORE_STRATA: tuple[tuple[Callable[[], Iterator[Post]], str | None, int], ...] = (
    (_twcs, "customer_original", 60),
    (_twcs, "customer_reply", 60),
    (_twcs, "brand_reply", 30),
    (_ibm, "client_first", 40),
    (_ibm, "client_later", 30),
    (_ibm, "agent", 20),
    (_twacs, None, 120),
    (_complaints, None, 100),
    (_with_kind(_complaints, MARKETING_TALK), "marketing_talk", 20),
    (_airline, "all", 120),
    (_airline, "marketing_talk", 40),
    (_tweeteval, "all", 150),
    (_tweeteval, "marketing_talk", 80),
    (_banking, None, 30),
)


def _rank(post_id: str) -> str:
    return hashlib.sha1(f"subject:{post_id}".encode(), usedforsecurity=False).hexdigest()


def subject_sample() -> list[Post]:
    chosen = sample()
    seen_ids = {post.id for post in chosen}
    seen_texts = {_key(post.text) for post in chosen}
    draws = [(stratum, False) for stratum in STRATA] + [(stratum, True) for stratum in MORE_STRATA]
    for (reader, kind, k), dev_only in draws:
        eligible = sorted(
            (p for p in reader() if (kind is None or p.kind == kind) and not (dev_only and split_of(p.id) != "dev")),
            key=lambda p: _rank(p.id),
        )
        taken = 0
        for post in eligible:
            if taken == k:
                break
            if post.id in seen_ids or _key(post.text) in seen_texts or not post.text.strip():
                continue
            chosen.append(post)
            seen_ids.add(post.id)
            seen_texts.add(_key(post.text))
            taken += 1
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    existing = read_existing(args.out)
    posts = subject_sample()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_rows(args.out, rows_of(posts, existing, LABEL_COLUMNS), COLUMNS)
    kept = sum(1 for p in posts if p.id in existing)
    print(f"{len(posts)} posts written to {args.out} ({kept} kept their labels)")


if __name__ == "__main__":
    main()
