"""What a brand's label corrections gain: the shipped fast tier against it adapted to 100 and 300 corrections.

    .venv/bin/python benchmarks/corrections_bench.py [--draws 5] [--json]

Data: tests/data/enrich/brand_posts.csv, 600 real customer posts to one airline (Delta, from TwACS),
labelled by hand for sentiment, complaint and subject (see tests/data/enrich/README.md). Its ``pool``
half plays the corrections agents would make; its ``held_out`` half is only ever scored.

For each task the figure is macro F1 on the held-out posts (sentiment also macro recall, its official
metric), for: the shipped fast tier; the tier adapted (``groundswell.enrich.adapt.adapt_tier``, as
``groundswell train --from-corrections`` does) to 100 posts drawn at random from the pool, ``--draws``
times with different seeds (mean and standard deviation); and to all 300 pool posts. Each adapted post
brings its sentiment, complaint and subject corrections together, as an agent's review of a post would.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score, recall_score

from groundswell.enrich.adapt import AdaptedTier, CorrectedPost, adapt_tier
from groundswell.enrich.linear import LinearTextClassifier
from groundswell.enrich.registry import load_subject_model, shipped_model_dir
from groundswell.enrich.subject import SubjectClassifier

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "enrich" / "brand_posts.csv"
TASKS = ("sentiment", "complaint", "subject")
POOL_SIZES = (100, 300)


def read_posts(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if r["split"] == "pool"], [r for r in rows if r["split"] == "held_out"]


def shipped_tier() -> AdaptedTier:
    shipped = shipped_model_dir("fast")
    return AdaptedTier(
        LinearTextClassifier.load(shipped.joinpath("sentiment")),
        LinearTextClassifier.load(shipped.joinpath("complaint")),
        load_subject_model("fast"),
        {},
    )


def corrections(rows: list[dict[str, str]]) -> dict[str, list[CorrectedPost]]:
    return {task: [CorrectedPost(r["text"], False, False, r[task]) for r in rows] for task in TASKS}


def scores(tier: AdaptedTier, held_out: list[dict[str, str]]) -> dict[str, float]:
    texts = [r["text"] for r in held_out]
    subject = SubjectClassifier(tier.subject, tier.sentiment, tier.complaint)
    predicted = {
        "sentiment": [p.label for p in tier.sentiment.predict(texts)],
        "complaint": [p.label for p in tier.complaint.predict(texts)],
        "subject": [p.label for p in subject.predict(texts)],
    }
    labels = {"sentiment": tier.sentiment.labels, "complaint": tier.complaint.labels, "subject": tier.subject.labels}
    found = {
        f"{task}_macro_f1": float(
            f1_score([r[task] for r in held_out], predicted[task], labels=list(labels[task]), average="macro")
        )
        for task in TASKS
    }
    found["sentiment_macro_recall"] = float(
        recall_score(
            [r["sentiment"] for r in held_out],
            predicted["sentiment"],
            labels=list(labels["sentiment"]),
            average="macro",
        )
    )
    return found


def run(draws: int) -> dict[str, Any]:
    pool, held_out = read_posts(DATA)
    base = shipped_tier()
    result: dict[str, Any] = {"held_out": len(held_out), "pool": len(pool), "shipped": scores(base, held_out)}
    for size in POOL_SIZES:
        runs = []
        seeds = range(draws) if size < len(pool) else range(1)  # the whole pool has one draw only
        for seed in seeds:
            chosen = random.Random(seed).sample(pool, size) if size < len(pool) else pool
            started = time.perf_counter()
            tier = adapt_tier(base.sentiment, base.complaint, base.subject, corrections(chosen), suffix="+bench")
            seconds = time.perf_counter() - started
            runs.append({**scores(tier, held_out), "train_seconds": seconds,
                         "weights": {task: rec.weight for task, rec in tier.records.items()}})  # fmt: skip
        summary: dict[str, Any] = {"draws": len(runs), "runs": runs}
        for key in runs[0]:
            if key == "weights":
                continue
            values = [run[key] for run in runs]
            summary[key] = {
                "mean": statistics.fmean(values),
                "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            }
        result[f"corrections_{size}"] = summary
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=5, help="Random draws of the 100 corrections.")
    parser.add_argument("--json", action="store_true", help="Print one JSON document.")
    args = parser.parse_args()
    result = run(args.draws)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"held-out posts: {result['held_out']}, corrections pool: {result['pool']}")
    header = f"{'figure':<24}{'shipped':>10}" + "".join(f"{f'+{n} corrections':>24}" for n in POOL_SIZES)
    print(header)
    for key in ("sentiment_macro_f1", "sentiment_macro_recall", "complaint_macro_f1", "subject_macro_f1"):
        cells = [f"{result['shipped'][key]:>10.3f}"]
        for size in POOL_SIZES:
            figure = result[f"corrections_{size}"][key]
            cells.append(f"{figure['mean']:>15.3f} ± {figure['sd']:.3f}")
        print(f"{key:<24}" + "".join(f"{c:>24}" if i else c for i, c in enumerate(cells)))
    for size in POOL_SIZES:
        summary = result[f"corrections_{size}"]
        weights = [run["weights"] for run in summary["runs"]]
        print(
            f"+{size}: {summary['draws']} draw(s), {summary['train_seconds']['mean']:.1f} s to adapt each;"
            f" weights chosen: {weights}"
        )


if __name__ == "__main__":
    main()
