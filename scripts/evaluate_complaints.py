"""The complaint decision the report shows (intent ``complaint``), scored per tier on labelled posts.

    .venv/bin/python scripts/evaluate_complaints.py [--split dev|test] [--tier fast accurate] [--show]

- the praise set (tests/data/enrich/praise_posts_<split>.csv): complaint precision and recall, and the
  same per group (positive, negation, mixed, request, sarcasm);
- complaints/train.csv: with ``--split test`` its held-out part (``56 <= bucket(id) < 70``, never trained or
  tuned on), else its training part: complaint macro F1 of the decision, beside the complaint model's own.

The decision is ``rules.intent`` over the tier's sentiment and complaint models, each post taken as a
customer's (a reply where the set says so). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from model_data import complaint_parts
from sklearn.metrics import f1_score, precision_score, recall_score

from groundswell.enrich.registry import load_classifier
from groundswell.enrich.rules import RuleClassifier
from groundswell.records import Intent

PRAISE = ROOT / "tests" / "data" / "enrich" / "praise_posts_{split}.csv"


def decide(tier: str, texts: list[str], replies: list[bool]) -> list[bool]:
    rules = RuleClassifier("intent", load_classifier("sentiment", tier), load_classifier("complaint", tier))
    found = rules.predict_posts(texts, [False] * len(texts), replies)
    return [p.label == Intent.COMPLAINT for p in found]


def figures(gold: list[bool], said: list[bool]) -> dict[str, float | int]:
    return {
        "n": len(gold),
        "complaints": sum(gold),
        "said_complaint": sum(said),
        "precision": round(float(precision_score(gold, said, zero_division=1)), 4),
        "recall": round(float(recall_score(gold, said, zero_division=1)), 4),
    }


def praise(tier: str, split: str, show: bool) -> dict[str, object]:
    with PRAISE.with_name(PRAISE.name.format(split=split)).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    said = decide(tier, [r["text"] for r in rows], [r["is_reply"] == "true" for r in rows])
    gold = [r["label"] == "complaint" for r in rows]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row["group"]].append(i)
        if show and said[i] != gold[i]:
            print(f"{tier} {row['group']} gold={row['label']} said={said[i]} | {row['text']}", file=sys.stderr)
    out: dict[str, object] = {"all": figures(gold, said)}
    for group, idx in sorted(groups.items()):
        out[group] = figures([gold[i] for i in idx], [said[i] for i in idx])
    return out


def complaints(tier: str, *, held_out: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = complaint_parts(Path(tmp))[1 if held_out else 0]
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    texts = [r["text"] for r in rows]
    gold = [r["label"] for r in rows]
    model = [p.label for p in load_classifier("complaint", tier).predict(texts)]
    said = ["complaint" if s else "not_complaint" for s in decide(tier, texts, [False] * len(texts))]
    return {
        "n": len(rows),
        "model_macro_f1": round(float(f1_score(gold, model, average="macro")), 4),
        "decision_macro_f1": round(float(f1_score(gold, said, average="macro")), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--tier", nargs="+", default=["fast", "accurate"])
    parser.add_argument("--show", action="store_true", help="print each wrong decision on stderr")
    args = parser.parse_args()
    result = {
        tier: {
            "praise_" + args.split: praise(tier, args.split, args.show),
            "complaints_" + ("held_out" if args.split == "test" else "train"): complaints(
                tier, held_out=args.split == "test"
            ),
        }
        for tier in args.tier
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
