"""Sample the real posts of tests/data/enrich/praise_posts.csv from ../shared/data.

    .venv/bin/python scripts/sample_praise_posts.py [--out tests/data/enrich/praise_posts.csv]

The set asks one thing of the complaint decision: praise is never a complaint. It holds short positive and
mixed customer posts, negation ("no queue", "never had an issue") and sarcasm, each labelled ``complaint`` or
``not_complaint`` with its ``group`` (positive, negation, mixed, sarcasm). Real posts come only from training
splits: airline tweets labelled positive by their crowd workers (the half ``bucket(tweet_id) < 50``), the
complaints set's training part (``bucket(id) < 56``, labelled not_complaint there), TwACS customers' later
turns that thank the airline, and TWCS customer posts that thank the brand. Within each stratum the eligible
rows are ordered by ``sha1("praise:" + id)`` and the first ``k`` taken; a text seen before is skipped.

Labels are not made here: a re-run keeps the labels (and the written posts, source ``written``) already in
``--out`` and leaves new rows' labels empty for the annotator (tests/data/enrich/README.md says how they were
labelled). The split is ``dev`` when ``bucket(id) < 50``, else ``test``; the script also writes
``<out>_dev.csv`` and ``<out>_test.csv`` so ``groundswell eval`` can score one split.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = ROOT / "tests" / "data" / "enrich" / "praise_posts.csv"
COLUMNS = ("id", "source", "text", "is_reply", "group", "label", "split")
THANKS = re.compile(r"\b(?:thanks?|thank you|appreciate|great|awesome|love|amazing)\b", re.IGNORECASE)
MAX_CHARS = 200  # short posts: what a manager reads in the report's tables


def bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 100


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def airline() -> Iterator[tuple[str, str, bool]]:
    for row in _rows(DATA / "airline_sentiment" / "train.csv"):
        if row["airline_sentiment"] == "positive" and bucket(row["tweet_id"]) < 50:
            yield f"airline:{row['tweet_id']}", row["text"], False


def complaints() -> Iterator[tuple[str, str, bool]]:
    for row in _rows(DATA / "complaints" / "train.csv"):
        if row["label"] == "not_complaint" and bucket(row["id"]) < 56 and THANKS.search(row["text"]):
            yield f"complaints:{row['id']}", row["text"], row["domain"] == "random_reply"


def twacs() -> Iterator[tuple[str, str, bool]]:
    """A customer's later turns that thank the airline (``__company__`` is the data set's redacted handle)."""
    for row in _rows(DATA / "twacs" / "unlabeled_first5000.csv"):
        turns = re.findall(r"<cust__\s+(.*?)\s*__cust>", row["context"], re.DOTALL)
        for i, turn in enumerate(turns):
            if THANKS.search(turn):
                yield f"twacs:{row['first_tweet_id']}.{i}", turn.strip(), True


def twcs() -> Iterator[tuple[str, str, bool]]:
    for row in _rows(DATA / "twcs" / "sample_head_1000.csv"):
        if row["inbound"] == "True" and THANKS.search(row["text"]):
            yield f"twcs:{row['tweet_id']}", row["text"], bool(row["in_response_to_tweet_id"])


STRATA: tuple[tuple[str, Callable[[], Iterator[tuple[str, str, bool]]], int], ...] = (
    ("airline", airline, 70),
    ("complaints", complaints, 35),
    ("twacs", twacs, 35),
    ("twcs", twcs, 30),
)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def sample() -> list[dict[str, str]]:
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for source, rows, k in STRATA:
        eligible = sorted(
            (r for r in rows() if len(r[1]) <= MAX_CHARS),
            key=lambda r: hashlib.sha1(f"praise:{r[0]}".encode(), usedforsecurity=False).hexdigest(),
        )
        taken = 0
        for post_id, text, is_reply in eligible:
            if taken == k:
                break
            if _key(text) in seen:
                continue
            seen.add(_key(text))
            out.append({"id": post_id, "source": source, "text": text, "is_reply": str(is_reply).lower()})
            taken += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out: Path = parser.parse_args().out
    old = {row["id"]: row for row in _rows(out)} if out.exists() else {}
    rows = []
    for row in sample():
        kept = old.get(row["id"], {})
        rows.append({**row, "group": kept.get("group", ""), "label": kept.get("label", "")})
    rows += [row for row in old.values() if row["source"] == "written"]
    for row in rows:
        row["split"] = "dev" if bucket(row["id"]) < 50 else "test"
    for path, keep in (
        (out, None),
        (out.with_name(f"{out.stem}_dev.csv"), "dev"),
        (out.with_name(f"{out.stem}_test.csv"), "test"),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(r for r in rows if keep is None or r["split"] == keep)
    print(json.dumps({"rows": len(rows), "unlabelled": sum(not r["label"] for r in rows)}))


if __name__ == "__main__":
    main()
