"""Measure each shipped tier's confusion matrices on held-out labelled posts and ship them with the tier.

    .venv/bin/python scripts/write_confusions.py [--tier fast|accurate]

Writes ``src/groundswell/enrich/artifacts/<tier>/confusion.json`` (``enrich.confusion``), which the intervals
of every classified figure read at run time. Run it again whenever a tier's models or the rules change (the
file names the enrichment model version it was measured for, and is ignored for any other). Held-out sets,
never trained or tuned on:

- sentiment: airline_sentiment/train.csv, the half no model or variant trains on (``bucket(tweet_id) >= 50``):
  customers writing to brands, the posts groundswell measures;
- complaint: complaints/train.csv rows with ``56 <= bucket(id) < 70``;
- subject: the tier's subject model on the subject set's test split, tests/data/enrich/subject_posts_test.csv;
- needs_reply: the rules' test split, tests/data/enrich/labelled_posts_test.csv;
  both with each post's ``is_brand`` / ``is_reply``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from model_data import airline_halves, complaint_parts
from sklearn.metrics import confusion_matrix

from groundswell.enrich import rules
from groundswell.enrich.confusion import (
    CONFUSION_FILE,
    NEEDS_REPLY_LABELS,
    HeldOutConfusion,
    confusion_document,
)
from groundswell.enrich.evaluate import evaluate
from groundswell.enrich.registry import load_classifier, load_subject_model
from groundswell.enrich.stage import model_version
from groundswell.enrich.subject import SubjectClassifier

ARTIFACTS = ROOT / "src" / "groundswell" / "enrich" / "artifacts"
LABELLED_TEST = ROOT / "tests" / "data" / "enrich" / "labelled_posts_test.csv"
SUBJECT_TEST = ROOT / "tests" / "data" / "enrich" / "subject_posts_test.csv"


def _held(task: str, labels: tuple[str, ...], gold: list[str], predicted: list[str], what: str) -> HeldOutConfusion:
    matrix = confusion_matrix(gold, predicted, labels=list(labels))
    return HeldOutConfusion(task, labels, tuple(tuple(int(v) for v in row) for row in matrix), what)


def measure(tier: str, tmp: Path) -> dict[str, object]:
    sentiment = load_classifier("sentiment", tier)
    complaint = load_classifier("complaint", tier)
    confusions: dict[str, HeldOutConfusion] = {}
    _, airline_other = airline_halves(tmp)
    _, complaints_held = complaint_parts(tmp)
    for task, classifier, path, what in (
        ("sentiment", sentiment, airline_other, "airline_sentiment/train.csv, bucket(tweet_id) >= 50"),
        ("complaint", complaint, complaints_held, "complaints/train.csv, 56 <= bucket(id) < 70"),
    ):
        report = evaluate(classifier, path)
        matrix = tuple(tuple(int(v) for v in row) for row in report.confusion)
        confusions[task] = HeldOutConfusion(task, tuple(report.labels), matrix, what)
    subject_model = load_subject_model(tier)
    rows = _rows(SUBJECT_TEST)
    subjects = [
        str(p.label)
        for p in SubjectClassifier(subject_model, sentiment, complaint).predict_posts(
            [r["text"] for r in rows], [r["is_brand"] == "true" for r in rows], [r["is_reply"] == "true" for r in rows]
        )
    ]
    gold = [r["subject"] for r in rows]
    confusions["subject"] = _held(
        "subject", subject_model.labels, gold, subjects, "tests/data/enrich/subject_posts_test.csv"
    )
    rows = _rows(LABELLED_TEST)
    ruler = rules.RuleClassifier("subject", sentiment, complaint)
    posts = ruler.rule_inputs(
        [r["text"] for r in rows], [r["is_brand"] == "true" for r in rows], [r["is_reply"] == "true" for r in rows]
    )
    intents = [rules.intent(p) for p in posts]
    what = "tests/data/enrich/labelled_posts_test.csv"
    replies = [str(rules.needs_reply(p, i)).lower() for p, i in zip(posts, intents, strict=True)]
    confusions["needs_reply"] = _held(
        "needs_reply", NEEDS_REPLY_LABELS, [r["needs_reply"] for r in rows], replies, what
    )
    return confusion_document(model_version(sentiment, complaint, subject_model), confusions)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=("fast", "accurate"), action="append")
    args = parser.parse_args()
    for tier in args.tier or ("fast", "accurate"):
        with tempfile.TemporaryDirectory() as tmp:
            document = measure(tier, Path(tmp))
        out = ARTIFACTS / tier / CONFUSION_FILE
        out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"{out.relative_to(ROOT)}: {document['model_version']}")
        for task, entry in document["tasks"].items():  # type: ignore[attr-defined]
            print(f"  {task}: {entry['labels']} {entry['matrix']}")


if __name__ == "__main__":
    main()
