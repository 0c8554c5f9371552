"""The data splits and card pieces every model-building script shares: one definition of each split.

All splits hash a key: ``bucket(key) = int(sha1(key).hexdigest()[:8], 16) % 100``.
- complaints/train.csv is itself buckets 0-69 of the source (by id); we train on
  ``bucket(id) < 56`` and keep ``56 <= bucket(id) < 70`` as a part never trained or tuned on;
- airline_sentiment/train.csv: ``bucket(tweet_id) < 50`` is the half a variant may train on,
  the other half scores it.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from groundswell.enrich.evaluate import EvalReport

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
COMPLAINT_TRAIN_BELOW = 56
AIRLINE_TRAIN_BELOW = 50


def bucket(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 100


def write_text_label_csv(path: Path, rows: Iterable[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def complaint_parts(tmp: Path) -> tuple[Path, Path]:
    """(training part, held-out part) of complaints/train.csv as text,label CSVs in ``tmp``."""
    rows = _read(DATA / "complaints" / "train.csv")
    train = [(r["text"], r["label"]) for r in rows if bucket(r["id"]) < COMPLAINT_TRAIN_BELOW]
    held = [(r["text"], r["label"]) for r in rows if bucket(r["id"]) >= COMPLAINT_TRAIN_BELOW]
    return (
        write_text_label_csv(tmp / "complaints_train.csv", train),
        write_text_label_csv(tmp / "complaints_heldout.csv", held),
    )


def airline_halves(tmp: Path) -> tuple[Path, Path]:
    """(first half, other half) of airline_sentiment/train.csv as text,label CSVs in ``tmp``."""
    rows = _read(DATA / "airline_sentiment" / "train.csv")
    first = [(r["text"], r["airline_sentiment"]) for r in rows if bucket(r["tweet_id"]) < AIRLINE_TRAIN_BELOW]
    other = [(r["text"], r["airline_sentiment"]) for r in rows if bucket(r["tweet_id"]) >= AIRLINE_TRAIN_BELOW]
    return (
        write_text_label_csv(tmp / "airline_first_half.csv", first),
        write_text_label_csv(tmp / "airline_other_half.csv", other),
    )


def figure(report: EvalReport) -> dict[str, Any]:
    """An evaluation as it goes into model.json."""
    return {
        "file": Path(report.path).name,
        "n": report.n,
        "metric": report.metric,
        "value": round(report.value, 4),
        "per_class": {k: {m: round(v, 4) for m, v in row.items()} for k, row in report.per_class.items()},
        "confusion": {"labels": list(report.labels), "matrix": report.confusion},
        "posts_per_second": round(report.posts_per_second),
    }


def per_class_table(v: dict[str, Any]) -> str:
    """A figure's per-class scores as a Markdown table for a model card."""
    lines = ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label, row in v["per_class"].items():
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |")
    return "\n".join(lines)
