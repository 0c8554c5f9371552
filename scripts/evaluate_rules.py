"""Score the rules (intent, subject, needs_reply, gratitude) on the labelled posts, per split.

    .venv/bin/python scripts/evaluate_rules.py [--split dev|test|all] [--json] [--errors]

Reads tests/data/enrich/labelled_posts.csv and runs ``rules.RuleClassifier``
over the shipped fast sentiment and complaint models, with each post's
``is_brand`` / ``is_reply`` context. Prints macro F1 and per-class precision,
recall and F1 for intent and subject, and precision, recall and F1 for the two
booleans. The rules are tuned on the dev split only; the test split is for the
figures in docs/rules.md. ``--errors`` lists the posts the rules get wrong.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "enrich" / "labelled_posts.csv"
sys.path.insert(0, str(ROOT / "src"))

from sklearn.metrics import f1_score, precision_recall_fscore_support

from groundswell.enrich import rules
from groundswell.enrich.registry import load_classifier


def read_rows(split: str) -> list[dict[str, str]]:
    with LABELLED.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if split == "all" or row["split"] == split]


def predict(rows: list[dict[str, str]]) -> dict[str, list[Any]]:
    classifier = rules.RuleClassifier("intent", load_classifier("sentiment"), load_classifier("complaint"))
    posts = classifier.rule_inputs(
        [r["text"] for r in rows], [r["is_brand"] == "true" for r in rows], [r["is_reply"] == "true" for r in rows]
    )
    intents = [rules.intent(p) for p in posts]
    return {
        "intent": intents,
        "subject": [rules.subject(p, i) for p, i in zip(posts, intents, strict=True)],
        "needs_reply": [rules.needs_reply(p, i) for p, i in zip(posts, intents, strict=True)],
        "gratitude": [rules.gratitude(p.text) for p in posts],
        "model": [f"{classifier.name} {classifier.version}"],
    }


def score(rows: list[dict[str, str]], predicted: dict[str, list[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(rows), "rules": rules.RULES_VERSION, "classifier": predicted["model"][0]}
    for task, labels in rules.RULE_TASKS.items():
        gold = [r[task] for r in rows]
        p, r, f, s = precision_recall_fscore_support(gold, predicted[task], labels=list(labels), zero_division=0)
        out[task] = {
            "macro_f1": float(f1_score(gold, predicted[task], labels=list(labels), average="macro", zero_division=0)),
            "per_class": {
                label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                for i, label in enumerate(labels)
            },
        }
    for task in ("needs_reply", "gratitude"):
        gold_bool = [r[task] == "true" for r in rows]
        p, r, f, _ = precision_recall_fscore_support(gold_bool, predicted[task], average="binary", zero_division=0)
        out[task] = {"precision": float(p), "recall": float(r), "f1": float(f), "support": sum(gold_bool)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    rows = read_rows(args.split)
    predicted = predict(rows)
    result = score(rows, predicted)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.split}: {result['n']} posts, {result['classifier']}")
        for task in rules.RULE_TASKS:
            print(f"\n{task}: macro F1 {result[task]['macro_f1']:.3f}")
            print(f"  {'label':<14}{'P':>7}{'R':>7}{'F1':>7}{'n':>5}")
            for label, m in result[task]["per_class"].items():
                print(f"  {label:<14}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>5}")
        for task in ("needs_reply", "gratitude"):
            m = result[task]
            print(f"\n{task}: P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  (true: {m['support']})")
    if args.errors:
        for i, row in enumerate(rows):
            wrong = [
                f"{task} {row[task]}->{str(predicted[task][i]).lower()}"
                for task in ("intent", "subject", "needs_reply", "gratitude")
                if row[task] != str(predicted[task][i]).lower()
            ]
            if wrong:
                print(" | ".join(wrong), "::", row["text"][:120].replace("\n", " "))


if __name__ == "__main__":
    main()
