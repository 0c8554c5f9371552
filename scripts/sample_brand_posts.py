"""Sample one real brand's customer posts for tests/data/enrich/brand_posts.csv from ../shared/data.

    .venv/bin/python scripts/sample_brand_posts.py [--out tests/data/enrich/brand_posts.csv] [--n 600]

The brand is the airline whose support agents sign every reply with ``*`` and three capitals (``*TMT``):
Delta, in the TwACS conversations (TWCS, CC BY-NC-SA 4.0). The posts are the customers' first posts of
those conversations (``first_utterance``, its ``<cust__`` ... ``__cust>`` wrapper removed, otherwise
verbatim). Posts already in another labelled file of tests/data/enrich are left out, and so is a text
seen before (white space and case aside). The eligible rows are ordered by ``sha1("brand:" + id)`` and
the first ``n`` taken; the first half in that order is the ``pool`` of corrections, the rest ``held_out``.

Labels are not produced here: a re-run keeps the labels already in ``--out`` for every id it samples
again and leaves new rows' labels empty, to be filled in by reading each post (see
tests/data/enrich/README.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LABELLED = ROOT / "tests" / "data" / "enrich"
OUT = LABELLED / "brand_posts.csv"
COLUMNS = ("id", "text", "sentiment", "complaint", "subject", "split")
LABEL_COLUMNS = ("sentiment", "complaint", "subject")
_SIGNATURE = re.compile(r"\*[A-Z]{2,3}\s*__rep>")


def _labelled_elsewhere() -> set[str]:
    ids: set[str] = set()
    for path in LABELLED.glob("*.csv"):
        if path.name == OUT.name:
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            ids |= {row["id"] for row in csv.DictReader(handle) if "id" in row}
    return ids


def sample(n: int) -> list[dict[str, str]]:
    taken_elsewhere = _labelled_elsewhere()
    eligible = []
    with (DATA / "twacs" / "unlabeled_first5000.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            post_id = f"twacs:{row['first_tweet_id']}"
            if not _SIGNATURE.search(row["context"]) or post_id in taken_elsewhere:
                continue
            text = row["first_utterance"].removeprefix("<cust__").removesuffix("__cust>").strip()
            eligible.append(
                (hashlib.sha1(f"brand:{post_id}".encode(), usedforsecurity=False).hexdigest(), post_id, text)
            )
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for _, post_id, text in sorted(eligible):
        key = " ".join(text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        rows.append({"id": post_id, "text": text})
        if len(rows) == n:
            break
    for i, row in enumerate(rows):
        row["split"] = "pool" if i < n // 2 else "held_out"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--n", type=int, default=600)
    args = parser.parse_args()
    existing: dict[str, dict[str, str]] = {}
    if args.out.exists():
        with args.out.open(newline="", encoding="utf-8") as handle:
            existing = {row["id"]: row for row in csv.DictReader(handle)}
    rows = sample(args.n)
    for row in rows:
        for column in LABEL_COLUMNS:
            row[column] = existing.get(row["id"], {}).get(column, "")
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows written to {args.out}")


if __name__ == "__main__":
    main()
