"""Build the shipped "fast" models and their model cards from ../shared/data.

    .venv/bin/python scripts/train_fast_models.py [--skip-airline-variant]

- sentiment: trained on tweeteval/sentiment_train.csv plus customer-support
  tweets without labels (TwACS customer first posts, IBM customer-care turns,
  the TWCS excerpt) labelled by the shipped accurate model (distillation: the
  fast model learns how customers write to brands); C and the class weight
  chosen on tweeteval/sentiment_validation.csv (TweetEval's official
  validation split; its test split is never read), scored there (in-domain)
  and on airline_sentiment/train.csv (another data set: never trained or
  tuned on). A variant
  that also trains on half of the airline rows (sha1(tweet_id) % 100 < 50) is
  built in a temp dir and scored on the other half, beside the shipped model
  on that same half, for the record.
- complaint: complaints/train.csv is itself the rows with
  ``b = int(sha1(id).hexdigest()[:8], 16) % 100 < 70``; we train on ``b < 56``
  (80 % of it) and keep ``56 <= b < 70`` (20 %) as a held-out part never
  trained or tuned on, used only for the figure.

Writes src/groundswell/enrich/artifacts/fast/{sentiment,complaint}/
(model.json, weights.npz, MODEL_CARD.md). No test split is read.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "src" / "groundswell" / "enrich" / "artifacts" / "fast"
sys.path.insert(0, str(ROOT / "src"))

from model_data import DATA, airline_halves, complaint_parts, figure, per_class_table

from groundswell.enrich.encoder import load_encoder_head
from groundswell.enrich.evaluate import evaluate
from groundswell.enrich.linear import LinearTextClassifier
from groundswell.enrich.registry import shipped_model_dir
from groundswell.enrich.train import TrainReport, train

VERSION = "1.1.0"  # the complaint model's
SENTIMENT_VERSION = "1.2.0"
SENTIMENT_C_GRID = (0.5, 1.0, 2.0, 4.0)
COMPLAINT_C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def support_tweets() -> list[str]:
    """Unlabelled customer-support posts from three data sets (customer and brand turns)."""
    texts: list[str] = []
    with (DATA / "twacs" / "unlabeled_first5000.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            match = re.match(r"<cust__\s+(.*?)\s*__cust>", row["first_utterance"], re.DOTALL)
            if match:
                texts.append(match.group(1).replace("__company__", "@company").strip())
    with (DATA / "ibm_customer_care" / "dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            texts += [turn["message"] for turn in json.loads(line)["dialogContent"]]
    with (DATA / "twcs" / "sample_head_1000.csv").open(newline="", encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
    return texts


def pseudo_labelled(tmp: Path, task: str) -> tuple[Path, dict[str, int]]:
    """support_tweets() labelled by the shipped accurate model's encoder head, as a text,label CSV: the head
    alone, as the accurate tier serves it blended with the very fast model this script builds."""
    texts = support_tweets()
    labels = [p.label for p in load_encoder_head(shipped_model_dir("accurate"), task).predict(texts)]
    path = tmp / f"support_{task}_pseudo.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels, strict=True))
    return path, dict(Counter(labels))


def update_model_json(directory: Path, validation: dict[str, Any], extra: dict[str, Any]) -> None:
    path = directory / "model.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["validation"] = validation
    document.update(extra)
    speeds = [v["posts_per_second"] for v in validation.values()]
    document["throughput"] = {
        "posts_per_second": min(speeds),
        "measured_on": "groundswell eval over the validation files above, batch 1024, one process, "
        f"{platform.machine()} {platform.processor() or ''}".strip(),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def table(validation: dict[str, Any]) -> str:
    lines = ["| split | rows | metric | value | posts/s |", "|---|---:|---|---:|---:|"]
    for split, v in validation.items():
        lines.append(f"| {split} | {v['n']:,} | {v['metric']} | {v['value']:.4f} | {v['posts_per_second']:,} |")
    return "\n".join(lines)


def grid_table(report: TrainReport) -> str:
    lines = ["| C | class_weight | " + report.metric + " |", "|---:|---|---:|"]
    for g in report.grid:
        value = "" if g["value"] is None else f"{g['value']:.4f}"
        lines.append(f"| {g['C']:g} | {g['class_weight']} | {value} |")
    return "\n".join(lines)


def build_sentiment(tmp: Path, airline_variant: bool) -> dict[str, Any]:
    out = ARTIFACTS / "sentiment"
    tweeteval_train = DATA / "tweeteval" / "sentiment_train.csv"
    pseudo, pseudo_counts = pseudo_labelled(tmp, "sentiment")
    report = train(
        "sentiment",
        [tweeteval_train, pseudo],
        out,
        name="fast-sentiment",
        version=SENTIMENT_VERSION,
        c_grid=SENTIMENT_C_GRID,
        validation=DATA / "tweeteval" / "sentiment_validation.csv",
        data_description="TweetEval sentiment train (rebuilt from SemEval-2017 4A, 47,378 tweets; "
        "shared/data/tweeteval/sentiment_train.csv) + customer-support posts without labels (TwACS customer "
        "first posts, IBM customer-care turns, the TWCS excerpt) labelled by the shipped accurate model "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(pseudo_counts.items()))})",
    )
    print("sentiment trained:", json.dumps(report.chosen), f"{report.seconds:.0f} s", flush=True)
    model = LinearTextClassifier.load(out)
    validation = {
        "tweeteval/sentiment_validation.csv (in-domain)": figure(
            evaluate(model, DATA / "tweeteval" / "sentiment_validation.csv")
        ),
        "airline_sentiment/train.csv (another data set, never trained on)": figure(
            evaluate(model, DATA / "airline_sentiment" / "train.csv")
        ),
    }
    for split, v in validation.items():
        print(f"sentiment {split}: {v['metric']} {v['value']:.4f}, {v['posts_per_second']:,} posts/s", flush=True)
    variant: dict[str, Any] = {}
    if airline_variant:
        first_half, second_half = airline_halves(tmp)
        variant_dir = tmp / "sentiment_plus_airline"
        train(
            "sentiment",
            [tweeteval_train, pseudo, first_half],
            variant_dir,
            c_grid=(float(report.chosen["C"]),),
            class_weights=(None if report.chosen["class_weight"] == "none" else report.chosen["class_weight"],),
        )
        variant_model = LinearTextClassifier.load(variant_dir)
        variant = {
            "trained_on": "the same data + airline_sentiment train rows with sha1(tweet_id) % 100 < 50 "
            "(same C and class weight)",
            "tweeteval_validation": round(
                evaluate(variant_model, DATA / "tweeteval" / "sentiment_validation.csv").value, 4
            ),
            "airline_other_half": round(evaluate(variant_model, second_half).value, 4),
            "shipped_on_airline_other_half": round(evaluate(model, second_half).value, 4),
        }
        print("sentiment + airline variant:", json.dumps(variant), flush=True)
    update_model_json(out, validation, {"airline_variant": variant} if variant else {})
    write_sentiment_card(out, report, validation, variant)
    return validation


def build_complaint(tmp: Path) -> dict[str, Any]:
    out = ARTIFACTS / "complaint"
    train_part, held_part = complaint_parts(tmp)
    pseudo, _ = pseudo_labelled(tmp, "complaint")
    report = train(
        "complaint",
        [train_part, pseudo],
        out,
        name="fast-complaint",
        version=VERSION,
        c_grid=COMPLAINT_C_GRID,
        data_description="Complaints on Twitter (Preotiuc-Pietro et al. 2019), the rows of "
        "shared/data/complaints/train.csv with int(sha1(id).hexdigest()[:8], 16) % 100 < 56, + customer-support "
        "posts without labels (TwACS, IBM customer care, the TWCS excerpt) labelled by the shipped accurate model",
    )
    print("complaint trained:", json.dumps(report.chosen), f"{report.seconds:.0f} s", flush=True)
    model = LinearTextClassifier.load(out)
    validation = {
        "complaints/train.csv held-out part (56 <= sha1(id) % 100 < 70)": figure(evaluate(model, held_part)),
    }
    for split, v in validation.items():
        print(f"complaint {split}: {v['metric']} {v['value']:.4f}, {v['posts_per_second']:,} posts/s", flush=True)
    update_model_json(out, validation, {})
    write_complaint_card(out, report, validation)
    return validation


COMMON_METHOD = """Features (stateless, nothing learned but the weights): `groundswell.enrich.preprocess.preprocess`
(handles -> `@user`, links -> `http`, HTML entities decoded, long character runs cut to three), then
hashed word 1-2 grams over lower-cased tokens where words after a negation ("not", "never", "don't", ...)
up to the next punctuation mark are marked `_NEG`, plus hashed `char_wb` 2-5 grams; each block
L2-normalised, 2^19 hash buckets each (scikit-learn `HashingVectorizer`, no vocabulary stored).
Model: multinomial logistic regression (scikit-learn `LogisticRegression`, lbfgs, L2). Weights are stored as
float16 non-zero columns in `weights.npz` (no pickle); `model.json` has every parameter.
Rebuild: `.venv/bin/python scripts/train_fast_models.py`."""


def write_sentiment_card(out: Path, report: TrainReport, validation: dict[str, Any], variant: dict[str, Any]) -> None:
    in_domain, airline = list(validation.values())
    variant_text = (
        f"A variant trained on {variant['trained_on']} scores macro recall {variant['airline_other_half']:.4f} on "
        f"the other half of the airline rows (the shipped model: {variant['shipped_on_airline_other_half']:.4f} on "
        f"the same rows) and {variant['tweeteval_validation']:.4f} on TweetEval validation. The shipped model "
        "leaves airline tweets out, so that its airline figure above stays a check on data it never saw."
        if variant
        else "(the airline variant was not built in this run)"
    )
    text = f"""# fast-sentiment {SENTIMENT_VERSION}

Sentiment of a social post: `negative`, `neutral`, `positive`, with probabilities (softmax).

## Data
{report.n_train:,} posts: TweetEval sentiment train ({report.data[0]["rows"]:,} tweets, gold labels; rebuilt from
SemEval-2017 Task 4A, see shared/data/tweeteval/README.md) and {report.data[1]["rows"]:,} customer-support posts
without labels (TwACS customer first posts, IBM customer-care turns, the TWCS excerpt) labelled by the shipped
accurate tier ({", ".join(f"{k} {v:,}" for k, v in sorted(report.data[1]["labels"].items()))}).
Labels: {", ".join(f"{k} {v:,}" for k, v in sorted(report.label_counts.items()))}.
Airline tweets (Twitter US Airline Sentiment) are another data set and were never trained on (nor were they
labelled by the teacher model): they are the other-domain check.

Why the support posts: a model trained on TweetEval alone (general tweets) reached macro recall 0.6808 on
TweetEval validation and 0.6981 on airline tweets; adding VADER lexicon features gave 0.6923 / 0.7102;
learning also from the accurate tier's labels on customer-support posts gave 0.6889 / 0.7368 (0.6937 / 0.7389
with the lexicon as well, not worth a third-party lexicon file). Those comparisons used the two evaluation
files above, so treat their small differences with care.

## Method
{COMMON_METHOD}

## Chosen settings
C = {report.chosen["C"]:g}, class_weight = {report.chosen["class_weight"]}, chosen on {report.selection}
by macro-averaged recall:

{grid_table(report)}

The model of 1.1.0 took its setting from the 10 % of its training rows with sha1(text) % 100 < 10 (C 1,
balanced: 0.6706 on TweetEval validation, 0.7282 on airline tweets); chosen on TweetEval's own validation
split instead, the setting above reads both better. So the TweetEval validation figure below is the one the
setting was chosen on, no longer a held-out figure; the airline figure still is.

## Validation scores
Official metric: macro-averaged recall (TweetEval's definition).

{table(validation)}

TweetEval validation, per class:

{per_class_table(in_domain)}

Airline (out-of-domain), per class:

{per_class_table(airline)}

Targets for the fast tier: >= 0.66 on TweetEval validation, >= 0.72 on airline tweets, >= 5,000 posts/s.
Throughput is wall-clock `groundswell eval` (preprocessing and features included), one process, on the
2-core development machine.

## Adding airline data
{variant_text}

## Known limits
- A bag of n-grams: no word order beyond bigrams, misses sarcasm and irony, and negation only by the
  `_NEG` marking within a clause.
- English tweets only; other languages get near-chance output.
- Airline customers write mostly complaints (63 % negative); TweetEval is mostly neutral/positive. Out of
  domain, the model under-calls `negative` relative to in-domain data; see the per-class table.
- Probabilities are those of a regularised, class-balanced logistic regression: usable for ranking, not
  calibrated frequencies.
"""
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def write_complaint_card(out: Path, report: TrainReport, validation: dict[str, Any]) -> None:
    (held,) = validation.values()
    text = f"""# fast-complaint {VERSION}

Is a social post a complaint (a breach of the writer's expectations)? `not_complaint` or `complaint`,
with probabilities.

## Data
Complaints on Twitter (Preoţiuc-Pietro, Găman & Aletras, ACL 2019; shared/data/complaints/README.md): the
{report.data[0]["rows"]:,} rows of shared/data/complaints/train.csv with `int(sha1(id).hexdigest()[:8], 16) % 100 < 56`
(gold labels), and {report.data[1]["rows"]:,} customer-support posts without labels (TwACS customer first posts,
IBM customer-care turns, the TWCS excerpt) labelled by the shipped accurate tier; together
{", ".join(f"{k} {v:,}" for k, v in sorted(report.label_counts.items()))}. Trained on the gold rows alone, the
model scored macro F1 0.8161 on the held-out part; with the teacher's labels added, the figure below.
The other rows of that file (`56 <= b < 70`, {held["n"]:,} rows) are a held-out part never trained or tuned on, used only for
the figure below.

## Method
{COMMON_METHOD}

## Chosen settings
C = {report.chosen["C"]:g}, class_weight = {report.chosen["class_weight"]}, chosen by
{report.selection} on macro F1:

{grid_table(report)}

## Validation scores
Official metric: macro F1.

{table(validation)}

{per_class_table(held)}

Targets for the fast tier: macro F1 >= 0.82, >= 5,000 posts/s. The held-out part has only {held["n"]:,} rows,
so the figure carries a sampling error of about ±0.03.

## Known limits
- Trained on fewer than 2,000 tweets from nine customer-service domains plus random tweets: expect lower
  figures on domains far from these (e.g. B2B, games), and on long posts.
- Sarcastic praise ("great, another delay") and polite complaints without negative words are the usual misses.
- English only. Probabilities are not calibrated frequencies.
"""
    (out / "MODEL_CARD.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-airline-variant", action="store_true")
    parser.add_argument("--only", choices=("sentiment", "complaint"))
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is not here")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "complaint"):
            build_complaint(Path(tmp))
        if args.only in (None, "sentiment"):
            build_sentiment(Path(tmp), airline_variant=not args.skip_airline_variant)


if __name__ == "__main__":
    main()
