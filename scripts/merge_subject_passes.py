"""Put two independent labelling passes and the settled disagreements into tests/data/enrich/subject_posts.csv.

    .venv/bin/python scripts/merge_subject_passes.py PASS_A.csv PASS_B.csv [--settled tests/data/enrich/subject_settled.csv]

Each pass is a CSV ``n,id,subject`` (``n``: the row's position in subject_posts.csv, 1 = the first row after
the header). The passes go into ``subject_a`` and ``subject_b``; a pass may cover only some rows (those drawn
later), and the rows it does not cover keep the labels they have. Where they agree, ``subject`` is the shared
label and ``reason`` is empty; where they disagree, ``subject`` and ``reason`` come from the settled file
(``id,subject,reason``: the post read again against the rubric), and stay empty until it has the row.
Prints the raw agreement and Cohen's kappa, overall and per source, and how many disagreements are unsettled.
Also writes subject_posts_dev.csv and subject_posts_test.csv (the labelled rows of each split), which
``groundswell eval --task subject`` scores.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "enrich"
SUBJECTS = ("marketing", "experience", "other")


def read_pass(path: Path, rows: list[dict[str, str]], column: str) -> list[str]:
    """The pass's label of each row; a row it does not cover keeps its label in ``column``."""
    labels = [row[column] for row in rows]
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            n = int(row["n"])
            if not 1 <= n <= len(rows) or rows[n - 1]["id"] != row["id"]:
                raise SystemExit(f"{path}, line {line}, field id: {row['id']!r} is not row {n} of the subject set")
            if row["subject"] not in SUBJECTS:
                raise SystemExit(f"{path}, line {line}, field subject: {row['subject']!r} is not a subject label")
            labels[n - 1] = row["subject"]
    missing = [rows[i]["id"] for i, label in enumerate(labels) if not label]
    if missing:
        raise SystemExit(f"{path}: no label for {len(missing)} rows, first {missing[0]}")
    return labels


def read_settled(path: Path) -> dict[str, tuple[str, str]]:
    if not path.is_file():
        return {}
    settled = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["subject"] not in SUBJECTS or not row["reason"].strip():
                raise SystemExit(f"{path}, line {line}: a settled row needs a subject label and a reason")
            settled[row["id"]] = (row["subject"], row["reason"].strip())
    return settled


def agreement(a: list[str], b: list[str]) -> str:
    raw = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else float("nan")
    return f"n={len(a)} raw agreement {raw:.3f} kappa {kappa:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pass_a", type=Path)
    parser.add_argument("pass_b", type=Path)
    parser.add_argument("--data", type=Path, default=DATA / "subject_posts.csv")
    parser.add_argument("--settled", type=Path, default=DATA / "subject_settled.csv")
    args = parser.parse_args()
    with args.data.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    a, b = read_pass(args.pass_a, rows, "subject_a"), read_pass(args.pass_b, rows, "subject_b")
    settled = read_settled(args.settled)
    unsettled = 0
    for row, label_a, label_b in zip(rows, a, b, strict=True):
        row["subject_a"], row["subject_b"] = label_a, label_b
        if label_a == label_b:
            row["subject"], row["reason"] = label_a, ""
        else:
            row["subject"], row["reason"] = settled.get(row["id"], ("", ""))
            unsettled += not row["subject"]
    with args.data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for split in ("dev", "test"):
        with (args.data.parent / f"{args.data.stem}_{split}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r in rows if r["split"] == split and r["subject"])
    print(f"all: {agreement(a, b)}")
    for source in sorted({r["source"] for r in rows}):
        index = [i for i, r in enumerate(rows) if r["source"] == source]
        print(f"{source}: {agreement([a[i] for i in index], [b[i] for i in index])}")
    disagreements = sum(x != y for x, y in zip(a, b, strict=True))
    print(f"{disagreements} disagreements, {disagreements - unsettled} settled, {unsettled} unsettled")


if __name__ == "__main__":
    main()
