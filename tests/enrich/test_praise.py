"""Praise is never a complaint: the complaint decision (intent) on the praise set's test part, in both tiers.

tests/data/enrich/praise_posts_test.csv: short positive, negation, mixed, request and sarcasm posts (README
there). The rules were tuned on its dev part only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from groundswell.enrich.registry import load_classifier
from groundswell.enrich.rules import RuleClassifier
from groundswell.records import Intent

TEST_PART = Path(__file__).resolve().parents[1] / "data" / "enrich" / "praise_posts_test.csv"
# Complaint precision measured on the test part with rules-3, fast-sentiment 1.2.0 and accurate 1.1.0 (rules-2:
# fast 0.385, accurate 0.514; fast-sentiment 1.1.0: fast 0.609; accurate 1.0.0, its heads not blended: 0.667).
MEASURED = {"fast": 0.591, "accurate": 0.636}


def decisions(tier: str) -> tuple[list[dict[str, str]], list[bool]]:
    with TEST_PART.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rules = RuleClassifier("intent", load_classifier("sentiment", tier), load_classifier("complaint", tier))
    found = rules.predict_posts([r["text"] for r in rows], [False] * len(rows), [r["is_reply"] == "true" for r in rows])
    return rows, [p.label == Intent.COMPLAINT for p in found]


def precision(rows: list[dict[str, str]], said: list[bool]) -> float:
    flagged = [row["label"] == "complaint" for row, s in zip(rows, said, strict=True) if s]
    return sum(flagged) / len(flagged)


@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_plain_praise_is_no_complaint(tier: str) -> None:
    rows, said = decisions(tier)
    plain = [s for row, s in zip(rows, said, strict=True) if row["group"] == "positive"]
    assert len(plain) > 40 and sum(plain) <= 2
    assert precision(rows, said) >= MEASURED[tier] - 0.01


@pytest.mark.parametrize("tier", ["fast", "accurate"])
@pytest.mark.xfail(
    reason="measured complaint precision 0.591 (fast) and 0.636 (accurate): mixed posts that mention a "
    "problem they forgive, and negation the rules do not cover, are still called complaints",
    strict=False,
)
def test_complaint_precision_on_the_praise_set(tier: str) -> None:
    rows, said = decisions(tier)
    assert precision(rows, said) >= 0.95
