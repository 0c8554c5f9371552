"""How often the draft checker agrees with hand labels, and how fast it is.

    .venv/bin/python benchmarks/lint_agreement.py [--show dev] [--data ../shared/data]

Reads ``tests/lint/labelled_drafts.csv`` (real brand replies and posts named by
their key in ``../shared/data``, plus posts written for the set, marked
``authored``), builds each replied-to post's ``ReplyContext`` from its text
(the enrichment rules over the shipped fast models, as for an unenriched post),
runs ``check_draft`` and prints, per split (dev, holdout): rows, agreement
(exact verdict), the 3x3 confusion matrix, the false-fail rate (rows labelled
pass or warn that the checker fails; and among rows labelled pass only) and
the checker's speed in drafts per second. ``--show dev`` lists the dev
disagreements (tune on those only; holdout is for measuring).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from groundswell.lint import LEVELS, ReplyContext, check_draft, describe_posts

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "lint" / "labelled_drafts.csv"
DATA = ROOT.parent / "shared" / "data"
SPLITS = ("dev", "holdout")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TWACS_TURN = re.compile(r"<(cust|rep)__(.*?)__(?:cust|rep)>", re.DOTALL)


def split_of(source: str, key: str) -> str:
    """dev or holdout, 50/50 by a hash of the row's source and key."""
    return (
        "dev"
        if int(hashlib.sha1(f"{source}:{key}".encode(), usedforsecurity=False).hexdigest()[:8], 16) % 100 < 50
        else "holdout"
    )


@dataclass(frozen=True, slots=True)
class Post:
    text: str
    is_reply: bool


@dataclass(frozen=True, slots=True)
class Row:
    source: str
    key: str
    split: str
    expected: str
    why: str
    draft: str
    reply_to: Post | None


def _twcs(data: Path) -> dict[str, Post]:
    with (data / "twcs" / "sample_head_1000.csv").open(newline="", encoding="utf-8") as handle:
        return {r["tweet_id"]: Post(r["text"], bool(r["in_response_to_tweet_id"])) for r in csv.DictReader(handle)}


def _ibm(data: Path) -> dict[str, Post]:
    """``SESSION#i``: the i-th turn of a conversation, the agent's final (link) turn last."""
    posts = {}
    with (data / "ibm_customer_care" / "dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            conversation = json.loads(line)
            session = conversation["dialogHeader"]["sessionID"]
            turns = [t["message"] for t in conversation["dialogContent"]]
            turns.append(conversation["agentURL"]["url_utterance"])
            for i, text in enumerate(turns):
                posts[f"{session}#{i}"] = Post(text, i > 0)
    return posts


def _twacs(data: Path) -> dict[str, Post]:
    """``FIRST_TWEET_ID#i``: turn i of a conversation, the customer's first tweet being turn 0."""
    posts = {}
    with (data / "twacs" / "unlabeled_first5000.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            turns = [m.group(2).strip() for m in _TWACS_TURN.finditer(row["first_utterance"] + row["context"])]
            for i, text in enumerate(turns):
                posts[f"{row['first_tweet_id']}#{i}"] = Post(text, i > 0)
    return posts


def _tweeteval(data: Path) -> dict[str, Post]:
    """The data row number (1 = the first row after the header); ``\\uXXXX`` escapes decoded."""
    with (data / "tweeteval" / "sentiment_train.csv").open(newline="", encoding="utf-8") as handle:
        return {
            str(n): Post(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), r["text"]), False)
            for n, r in enumerate(csv.DictReader(handle), start=1)
        }


def _by_id(path: Path, id_column: str) -> dict[str, Post]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {r[id_column]: Post(r["text"], False) for r in csv.DictReader(handle)}


SOURCES: dict[str, Callable[[Path], dict[str, Post]]] = {
    "twcs": _twcs,
    "ibm": _ibm,
    "twacs": _twacs,
    "tweeteval": _tweeteval,
    "complaints": lambda data: _by_id(data / "complaints" / "train.csv", "id"),
    "airline": lambda data: _by_id(data / "airline_sentiment" / "train.csv", "tweet_id"),
}


def load_rows(labelled: Path = LABELLED, data: Path = DATA) -> list[Row]:
    """Every labelled row with its draft and replied-to text, read from ``data`` (or the CSV for authored rows)."""
    with labelled.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    posts = {name: read(data) for name, read in SOURCES.items() if any(r["source"] == name for r in records)}
    rows = []
    for r in records:
        if r["source"] == "authored":
            draft = r["text"]
            reply_to = Post(r["reply_to_text"], False) if r["reply_to_text"] else None
        else:
            draft = posts[r["source"]][r["key"]].text
            reply_to = posts[r["source"]][r["reply_to_key"]] if r["reply_to_key"] else None
        rows.append(
            Row(r["source"], r["key"], split_of(r["source"], r["key"]), r["expected"], r["why"], draft, reply_to)
        )
    return rows


def contexts(rows: list[Row]) -> list[ReplyContext | None]:
    """Each row's replied-to post classified as an unenriched workspace post would be."""
    wanted = [row.reply_to for row in rows if row.reply_to is not None]
    described = iter(describe_posts([p.text for p in wanted], is_reply=[p.is_reply for p in wanted]))
    return [None if row.reply_to is None else next(described) for row in rows]


@dataclass
class Report:
    rows: int = 0
    agree: int = 0
    confusion: dict[str, dict[str, int]] = field(default_factory=lambda: {e: dict.fromkeys(LEVELS, 0) for e in LEVELS})

    def add(self, expected: str, got: str) -> None:
        self.rows += 1
        self.agree += expected == got
        self.confusion[expected][got] += 1

    @property
    def agreement(self) -> float:
        return self.agree / self.rows if self.rows else 0.0

    def false_fail(self, labels: Iterable[str]) -> tuple[int, int]:
        """(checker says fail, rows) among rows labelled one of ``labels``."""
        labels = tuple(labels)
        return sum(self.confusion[e]["fail"] for e in labels), sum(sum(self.confusion[e].values()) for e in labels)

    def as_dict(self) -> dict[str, object]:
        not_fail, pass_only = self.false_fail(("pass", "warn")), self.false_fail(("pass",))
        return {
            "rows": self.rows,
            "agreement": round(self.agreement, 4),
            "confusion": self.confusion,
            "false_fail_pass_or_warn": {"fails": not_fail[0], "rows": not_fail[1]},
            "false_fail_pass": {"fails": pass_only[0], "rows": pass_only[1]},
        }


def evaluate(rows: list[Row], ctxs: list[ReplyContext | None]) -> tuple[dict[str, Report], list[tuple[Row, str]]]:
    """A report per split, and every disagreement with the checker's verdict."""
    reports = {split: Report() for split in SPLITS}
    wrong = []
    for row, ctx in zip(rows, ctxs, strict=True):
        got = check_draft(row.draft, reply_to=ctx).verdict
        reports[row.split].add(row.expected, got)
        if got != row.expected:
            wrong.append((row, got))
    return reports, wrong


def drafts_per_second(rows: list[Row], ctxs: list[ReplyContext | None], *, seconds: float = 1.0) -> float:
    """Checks per second over the labelled drafts, repeated for about ``seconds``."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for row, ctx in zip(rows, ctxs, strict=True):
            check_draft(row.draft, reply_to=ctx)
        done += len(rows)
    return done / elapsed


def _rate(fails: int, rows: int) -> str:
    return f"{fails}/{rows} = {fails / rows:.1%}" if rows else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default ../shared/data)")
    parser.add_argument("--show", choices=SPLITS, help="list that split's disagreements")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipped: {args.data} is not here (the labelled set's real rows live there)", file=sys.stderr)
        return 0
    rows = load_rows(LABELLED, args.data)
    ctxs = contexts(rows)
    reports, wrong = evaluate(rows, ctxs)
    speed = drafts_per_second(rows, ctxs)
    if args.json:
        print(json.dumps({"splits": {s: r.as_dict() for s, r in reports.items()}, "drafts_per_second": round(speed)}))
        return 0
    for split, report in reports.items():
        print(f"{split}: {report.rows} rows, agreement {report.agree}/{report.rows} = {report.agreement:.1%}")
        print("  expected \\ checker   " + "".join(f"{level:>6}" for level in LEVELS))
        for expected in LEVELS:
            print(f"  {expected:<20}" + "".join(f"{report.confusion[expected][got]:>6}" for got in LEVELS))
        print(f"  false fail, labelled pass or warn: {_rate(*report.false_fail(('pass', 'warn')))}")
        print(f"  false fail, labelled pass:         {_rate(*report.false_fail(('pass',)))}")
    print(f"speed: {speed:,.0f} drafts/s (check_draft only, one core; {len(rows)} labelled drafts)")
    if args.show:
        for row, got in wrong:
            if row.split != args.show:
                continue
            ctx = "" if row.reply_to is None else f"\n    to: {row.reply_to.text[:160]!r}"
            print(f"\n{row.source} {row.key}: expected {row.expected}, checker {got} ({row.why}){ctx}")
            print(f"    draft: {row.draft[:240]!r}")
            check = check_draft(row.draft, reply_to=ctxs[rows.index(row)])
            if check.reply_to is not None:
                print(f"    context: {check.reply_to.intent}, {check.reply_to.sentiment}")
            for f in check.findings:
                if f.level != "pass":
                    print(f"    {f.rule} {f.level}: {f.message} {list(f.evidence)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
