"""Sample the real posts of tests/data/enrich/labelled_posts.csv from ../shared/data.

    .venv/bin/python scripts/sample_labelled_posts.py [--out tests/data/enrich/labelled_posts.csv]

Deterministic: within each stratum (a source and a kind of post, see
``STRATA``) the eligible rows are ordered by ``sha1("sample:" + id)`` and the
first ``k`` are taken; texts seen before (same text after collapsing white
space and case) are skipped. ``id`` is ``source:source_id``. The split is
``dev`` when ``int(sha1(id).hexdigest()[:8], 16) % 100 < 50``, else ``test``.

Texts are copied verbatim from the source files, except TwACS, whose
``first_utterance`` wrapper (``<cust__`` ... ``__cust>``) is removed.

Labels are not produced here: a re-run keeps the labels already in ``--out``
for every id it samples again and leaves new rows' labels empty, for the
annotator to fill in by reading each post (see tests/data/enrich/README.md).
``--out`` is the file labels are edited in; the script also writes its rows
split in two, ``<out>_dev.csv`` and ``<out>_test.csv`` (same columns), so that
``groundswell eval`` can score one split.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = ROOT / "tests" / "data" / "enrich" / "labelled_posts.csv"

COLUMNS = ("id", "source", "text", "is_brand", "is_reply", "intent", "subject", "needs_reply", "gratitude", "split")
LABEL_COLUMNS = ("intent", "subject", "needs_reply", "gratitude")

# Words people use when they talk about marketing itself: ads, campaigns, contests, giveaways,
# sponsorship, deals, followers. Used only to over-sample such posts, which are rare at random.
MARKETING_TALK = re.compile(
    r"\b(ads?|advert\w*|commercials?|campaigns?|contests?|competition|giveaways?|sweepstakes?|promos?|promotion|"
    r"promo ?codes?|sponsor\w*|trailers?|billboards?|marketing|hashtag|retweet to win|rt to win|enter to win|"
    r"chance to win|win (?:a|an|tickets|free)|coupons?|discount|fare sale|sale|deals?|followers|super bowl ad)\b",
    re.IGNORECASE,
)
# Words of suggestions and requests for change, to over-sample feedback, also rare at random.
SUGGESTION_TALK = re.compile(
    r"\b(should|wish|suggest\w*|please add|bring back|consider|improve\w*|would love|would be (?:nice|great)|"
    r"idea|feature|option)\b",
    re.IGNORECASE,
)

# Stronger wording of suggestions (a second, later stratum, as the first one found mostly complaints).
SUGGESTION_WORDING = re.compile(
    r"\b(suggestion|please add|add an? |bring back|would be (?:nice|great|cool) (?:if|to)|idea:|feature request|"
    r"you should (?:add|make|offer|have|bring|consider|let|allow)|please (?:make|consider|allow|let us))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Post:
    id: str
    source: str
    text: str
    is_brand: bool
    is_reply: bool
    kind: str  # the stratum within the source


def _twcs() -> Iterator[Post]:
    with (DATA / "twcs" / "sample_head_1000.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            brand = row["inbound"] == "False"
            reply = bool(row["in_response_to_tweet_id"].strip())
            kind = ("brand" if brand else "customer") + ("_reply" if reply else "_original")
            yield Post(f"twcs:{row['tweet_id']}", "twcs", row["text"], brand, reply, kind)


def _ibm() -> Iterator[Post]:
    with (DATA / "ibm_customer_care" / "dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            conversation = json.loads(line)
            for position, turn in enumerate(conversation["dialogContent"]):
                if "agent" in turn:
                    kind, brand = "agent", True
                elif "client" in turn:
                    kind, brand = ("client_first" if position == 0 else "client_later"), False
                else:  # client1, client2: another customer joining the thread
                    kind, brand = "other_customer", False
                yield Post(f"ibm:{turn['tweet_ID']}", "ibm", turn["message"], brand, position > 0, kind)
            final = conversation["agentURL"]
            yield Post(f"ibm:{final['tweet_ID']}", "ibm", final["url_utterance"], True, True, "agent")


def _twacs() -> Iterator[Post]:
    with (DATA / "twacs" / "unlabeled_first5000.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["first_utterance"].removeprefix("<cust__").removesuffix("__cust>").strip()
            yield Post(f"twacs:{row['first_tweet_id']}", "twacs", text, False, False, "customer_first")


def _complaints() -> Iterator[Post]:
    with (DATA / "complaints" / "train.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            reply = row["domain"] == "random_reply"
            yield Post(f"complaints:{row['id']}", "complaints", row["text"], False, reply, "all")


def _airline() -> Iterator[Post]:
    with (DATA / "airline_sentiment" / "train.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kind = "marketing_talk" if MARKETING_TALK.search(row["text"]) else "all"
            yield Post(f"airline:{row['tweet_id']}", "airline", row["text"], False, False, kind)


def _tweeteval() -> Iterator[Post]:
    # No ids in the file: the source id is the data row's position (1 = the first row after the header).
    with (DATA / "tweeteval" / "sentiment_train.csv").open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            kind = "marketing_talk" if MARKETING_TALK.search(row["text"]) else "all"
            yield Post(f"tweeteval:{number}", "tweeteval", row["text"], False, False, kind)


# (reader, kind or None for any, how many, a pattern the text must match or None). Strata are
# drawn in this order; the last ones over-sample kinds of posts that are rare at random.
STRATA: tuple[tuple[Callable[[], Iterator[Post]], str | None, int, re.Pattern[str] | None], ...] = (
    (_twcs, "brand_original", 10, None),  # every brand broadcast in the file (there are 6)
    (_twcs, "brand_reply", 40, None),
    (_twcs, "customer_original", 35, None),
    (_twcs, "customer_reply", 25, None),
    (_ibm, "client_first", 30, None),
    (_ibm, "client_later", 15, None),
    (_ibm, "other_customer", 5, None),
    (_ibm, "agent", 30, None),
    (_twacs, None, 45, None),
    (_complaints, None, 55, None),
    (_airline, "all", 60, None),
    (_airline, "marketing_talk", 25, None),
    (_tweeteval, "all", 50, None),
    (_tweeteval, "marketing_talk", 60, None),
    (_airline, None, 25, SUGGESTION_TALK),
    (_tweeteval, "marketing_talk", 20, None),
    (_airline, None, 10, SUGGESTION_WORDING),
    (_twacs, None, 10, SUGGESTION_WORDING),
    (_complaints, None, 5, SUGGESTION_WORDING),
)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _rank(post_id: str) -> str:
    return hashlib.sha1(f"sample:{post_id}".encode(), usedforsecurity=False).hexdigest()


def split_of(post_id: str) -> str:
    return (
        "dev"
        if int(hashlib.sha1(post_id.encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 100 < 50
        else "test"
    )


def sample() -> list[Post]:
    chosen: list[Post] = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for reader, kind, k, pattern in STRATA:
        eligible = sorted(
            (p for p in reader() if (kind is None or p.kind == kind) and (pattern is None or pattern.search(p.text))),
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


def split_path(out: Path, split: str) -> Path:
    return out.with_name(f"{out.stem}_{split}{out.suffix}")


def write_rows(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def read_existing(out: Path) -> dict[str, dict[str, str]]:
    """The rows already in ``out`` by id (their labels are kept by a re-run), or none."""
    if not out.is_file():
        return {}
    with out.open(newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def rows_of(
    posts: list[Post], existing: dict[str, dict[str, str]], label_columns: tuple[str, ...]
) -> list[dict[str, str]]:
    """One row per post, with the labels ``existing`` holds for it (empty for a new post)."""
    return [
        {
            "id": post.id,
            "source": post.source,
            "text": post.text,
            "is_brand": str(post.is_brand).lower(),
            "is_reply": str(post.is_reply).lower(),
            **{column: existing.get(post.id, {}).get(column, "") for column in label_columns},
            "split": split_of(post.id),
        }
        for post in posts
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    existing = read_existing(args.out)
    posts = sample()
    rows = rows_of(posts, existing, LABEL_COLUMNS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_rows(args.out, rows)
    for split in ("dev", "test"):
        write_rows(split_path(args.out, split), [row for row in rows if row["split"] == split])
    kept = sum(1 for p in posts if p.id in existing)
    print(f"{len(posts)} posts written to {args.out} ({kept} kept their labels)")


if __name__ == "__main__":
    main()
