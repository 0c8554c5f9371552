"""Score the "accurate" model dir on held-out real data; write its figures into model.json and MODEL_CARD.md.

    .venv/bin/python scripts/score_accurate_model.py [--model-dir DIR] [--variant-dir DIR] [--choose-blend]

``--choose-blend`` first chooses the weight of the encoder's heads against the fast tier's models
(``enrich.blend``: a weighted geometric mean of their probabilities) by sentiment macro recall on TweetEval
validation, weights 0.1 to 1.0 (1.0 is the encoder alone), and writes it into model.json for both heads. The
figures below are then the blended model's, as `groundswell` serves it, beside the encoder's alone.

- sentiment: TweetEval validation (in-domain) and airline_sentiment/train.csv
  (another domain, never trained on by the shipped model);
- complaint: the rows of complaints/train.csv with 56 <= sha1(id) % 100 < 70
  (never trained or tuned on).

``--variant-dir`` scores a second model trained with ``--with-airline`` (on the
airline rows with sha1(tweet_id) % 100 < 50) on TweetEval validation and on the
other half of the airline rows, beside the shipped model on that same half, and
records both in the card. Runs with the package's own runtime (ONNX Runtime),
as `groundswell eval --model accurate` does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from model_data import DATA, airline_halves, complaint_parts, figure, per_class_table

from groundswell.enrich.blend import blend_probabilities
from groundswell.enrich.encoder import EncoderHeadClassifier, EncoderModel, load_encoder_head
from groundswell.enrich.evaluate import evaluate, read_labelled_csv
from groundswell.enrich.registry import load_classifier

BLEND_PARTNER = "fast"
BLEND_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(1, 11))
VALIDATION = DATA / "tweeteval" / "sentiment_validation.csv"


def rows_table(validation: dict[str, Any]) -> str:
    lines = ["| task | split | rows | metric | value |", "|---|---|---:|---|---:|"]
    for split, v in validation.items():
        task, _, name = split.partition(": ")
        lines.append(f"| {task} | {name} | {v['n']:,} | {v['metric']} | {v['value']:.4f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model-dir", type=Path, default=ROOT / "src" / "groundswell" / "enrich" / "artifacts" / "accurate"
    )
    parser.add_argument("--variant-dir", type=Path, help="a model trained with --with-airline, for the record")
    parser.add_argument("--choose-blend", action="store_true", help="choose the blend weight on TweetEval validation")
    args = parser.parse_args()
    directory: Path = args.model_dir
    if args.choose_blend:
        choose_blend(directory)
    served = {task: load_classifier(task, directory) for task in ("sentiment", "complaint")}
    alone = {task: load_encoder_head(directory, task) for task in ("sentiment", "complaint")}
    validation, encoder_alone = scores(served), scores(alone)
    for split, v in validation.items():
        print(f"{split}: {v['metric']} {v['value']:.4f} ({v['posts_per_second']:,} posts/s)", flush=True)
    sentiment = served["sentiment"]
    variant: dict[str, Any] = {}
    if args.variant_dir:
        with tempfile.TemporaryDirectory() as tmp:
            half = airline_halves(Path(tmp))[1]
            with_airline = load_encoder_head(args.variant_dir, "sentiment")
            variant = {
                "trained_on": "TweetEval sentiment train + airline_sentiment train rows with sha1(tweet_id) % 100 < 50",
                "tweeteval_validation": round(
                    evaluate(with_airline, DATA / "tweeteval" / "sentiment_validation.csv").value, 4
                ),
                "airline_other_half": round(evaluate(with_airline, half).value, 4),
                "shipped_on_airline_other_half": round(evaluate(sentiment, half).value, 4),
                "airline_rows_scored": sum(1 for _ in half.open(encoding="utf-8")) - 1,
            }
        print("variant with airline data:", json.dumps(variant), flush=True)

    document = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    document["validation"] = validation
    document["encoder_alone"] = {split: v["value"] for split, v in encoder_alone.items()}
    if variant:
        document["airline_variant"] = variant
    variant = document.get("airline_variant", {})  # measured in an earlier run when not asked for now
    speeds = [v["posts_per_second"] for v in validation.values()]
    document["throughput"] = {
        "posts_per_second_one_head": min(speeds),
        "measured_on": f"groundswell eval, {os.cpu_count()} cores, {platform.machine()}; the second head of the same"
        " texts reuses the encoder pass",
    }
    (directory / "model.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    write_card(directory, document, validation, variant)


def scores(classifiers: dict[str, Any]) -> dict[str, Any]:
    """The three held-out figures of a sentiment and a complaint classifier."""
    with tempfile.TemporaryDirectory() as tmp:
        return {
            "sentiment: tweeteval/sentiment_validation.csv (in-domain)": figure(
                evaluate(classifiers["sentiment"], VALIDATION)
            ),
            "sentiment: airline_sentiment/train.csv (another domain, never trained on)": figure(
                evaluate(classifiers["sentiment"], DATA / "airline_sentiment" / "train.csv")
            ),
            "complaint: complaints/train.csv rows with 56 <= sha1(id) % 100 < 70 (never trained or tuned on)": figure(
                evaluate(classifiers["complaint"], complaint_parts(Path(tmp))[1])
            ),
        }


def choose_blend(directory: Path) -> None:
    """The weight with the best sentiment macro recall on TweetEval validation (ties: the encoder's larger
    share), written into model.json for both heads with the partner models' names and versions."""
    from sklearn.metrics import recall_score

    texts, gold = read_labelled_csv(VALIDATION, "sentiment")
    # a session of its own: load_encoder_head's would keep this model.json, read before the blend is in it
    head, partner = (
        EncoderHeadClassifier("sentiment", EncoderModel(directory)),
        load_classifier("sentiment", BLEND_PARTNER),
    )
    mine, theirs = (
        np.array([[p.probabilities[label] for label in head.labels] for p in model.predict(texts)])
        for model in (head, partner)
    )
    grid = {}
    for weight in BLEND_WEIGHTS:
        said = [head.labels[i] for i in blend_probabilities(mine, theirs, weight).argmax(axis=1)]
        grid[weight] = round(float(recall_score(gold, said, average="macro")), 4)
        print(f"blend weight {weight}: TweetEval validation macro recall {grid[weight]:.4f}", flush=True)
    chosen = max(BLEND_WEIGHTS, key=lambda w: (grid[w], w))
    document = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    for task, head_doc in document["heads"].items():
        fast = load_classifier(task, BLEND_PARTNER)
        head_doc["blend"] = {"tier": BLEND_PARTNER, "model": f"{fast.name}@{fast.version}", "weight": chosen}
    document["blend_choice"] = {
        "on": "tweeteval/sentiment_validation.csv, sentiment macro recall",
        "grid": {str(w): v for w, v in grid.items()},
        "chosen": chosen,
    }
    (directory / "model.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def blend_intro(document: dict[str, Any]) -> str:
    blends = [head.get("blend") for head in document["heads"].values()]
    if not all(blends):
        return ""
    models = " and ".join(b["model"] for b in blends)
    return f", each head's probabilities blended with the fast tier's model of its task ({models})"


def blend_section(document: dict[str, Any]) -> str:
    choice, alone = document.get("blend_choice"), document.get("encoder_alone")
    if not choice or not alone:
        return "The heads are served alone (no blend)."
    grid = " | ".join(f"{w}: {v:.4f}" for w, v in choice["grid"].items())
    rows = "\n".join(f"| {split} | {v:.4f} |" for split, v in alone.items())
    return f"""Each head's probabilities are blended with the fast tier's model of its task (`groundswell.enrich.blend`):
p = p_encoder^w * p_fast^(1-w), renormalised. w = {choice["chosen"]} for both heads, chosen on {choice["on"]}
(weights 0.1-1.0; 1.0 is the encoder alone): {grid}. So the TweetEval validation figure above is the one the
weight was chosen on (the fast model's C was chosen there too); the airline and complaint figures are on data
neither model was trained or tuned on, and the complaint weight was not chosen on anything of its own.
The encoder alone, for comparison:

| split | encoder alone |
|---|---:|
{rows}"""


def write_card(directory: Path, document: dict[str, Any], validation: dict[str, Any], variant: dict[str, Any]) -> None:
    training = document["training"]
    tweeteval, airline, complaint = validation.values()
    size_mb = (directory / "model.onnx").stat().st_size / 1e6
    monitor = ", ".join(f"step {m['step']}: {m['monitor_macro_recall']:.4f}" for m in training["monitor"])
    variant_text = (
        f"A second model trained the same way on {variant['trained_on']} scores macro recall "
        f"{variant['airline_other_half']:.4f} on the other half of the airline rows "
        f"({variant['airline_rows_scored']:,} tweets; the shipped encoder alone scores {variant['shipped_on_airline_other_half']:.4f} "
        f"on the same rows) and {variant['tweeteval_validation']:.4f} on TweetEval validation. The shipped model is "
        "the TweetEval-only one, so that its airline figure above stays a true other-domain check."
        if variant
        else "Not measured in this build (train with `--with-airline` and pass `--variant-dir`)."
    )
    text = f"""# accurate {document["version"]}: MiniLM encoder with a sentiment head and a complaint head

Sentiment (`negative`, `neutral`, `positive`) and complaint (`not_complaint`, `complaint`) of a social post,
with probabilities, from one shared encoder (it runs once per post for both heads){blend_intro(document)}.

## Data
- Sentiment: {training["data"]["sentiment"]} ({training["data"]["rows"]["sentiment"]:,} tweets).
  The 4 % hashed monitor part was only watched, nothing was chosen by it.
- Complaint: {training["data"]["complaint"]} ({training["data"]["rows"]["complaint"]:,} tweets).
- Never trained on: TweetEval validation (the blend weight below was chosen on it); never trained or tuned on:
  airline tweets, complaints rows with 56 <= b < 70.

## Method
Encoder: {document["encoder"]["base"]}: 6 layers, 384 wide, uncased WordPiece, mean pooling. Text:
`groundswell.enrich.encoder.prepare_text` (handles -> `@user`, links -> `http`, escapes decoded, emoji as words),
at most {document["text"]["max_tokens"]} word pieces. Heads: dropout 0.1 and one linear layer per task.
Training (`scripts/train_accurate_model.py`, PyTorch on 2 CPU cores): AdamW, lr {training["lr"]}, linear warm-up
and decay, batch {training["batch_size"]}, {training["epochs"]:g} epochs over the sentiment data, a complaint batch after
every {training["complaint_every"]}th sentiment batch, {training["loss"]}, seed {training["seed"]}; fixed settings,
none chosen on evaluation data. Monitor macro recall: {monitor}.
Serving: ONNX, {document["encoder"]["quantization"]} ({size_mb:.1f} MB), ONNX Runtime on CPU, no torch.
Rebuild: `pip install -e '.[train]'`, `python scripts/train_accurate_model.py`, then
`python scripts/score_accurate_model.py`.

## Validation scores

{rows_table(validation)}

{blend_section(document)}

Targets for the accurate tier: sentiment macro recall >= 0.71 (TweetEval validation) and >= 0.78 (airline);
complaint macro F1 >= 0.86; >= 150 posts/s for all fields on 2 cores.

TweetEval validation, per class:

{per_class_table(tweeteval)}

Airline (another domain), per class:

{per_class_table(airline)}

Complaints held-out part ({complaint["n"]} rows; sampling error about ±0.03), per class:

{per_class_table(complaint)}

Throughput: {min(v["posts_per_second"] for v in validation.values()):,} posts/s for one head through
`groundswell eval` on this 2-core machine (the second head of the same texts costs nothing more); see
`benchmarks/enrich_bench.py` for the whole enrich stage.

## Adding airline data
{variant_text}

## Known limits
- English only; the uncased vocabulary loses emphasis by capitals.
- Dynamic int8 quantisation scales activations per batch, so a post's probabilities can move in the second
  decimal with the other posts of its batch; labels rarely change.
- Sarcasm and irony remain the usual errors; complaint data is small (under 2,000 training tweets).
- Probabilities come from a class-weighted loss: usable for ranking, not calibrated frequencies.
"""
    (directory / "MODEL_CARD.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
