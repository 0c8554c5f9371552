"""Train the learned subject models of both tiers on the dev split; score them once on the test split.

    .venv/bin/python scripts/train_subject_models.py [--data tests/data/enrich/subject_posts.csv] [--tiers fast accurate]

Reads the labelled subject set (columns id, source, text, is_brand, is_reply, subject, split; rows with an
empty ``subject`` are left out). For each tier it computes the features the enrich stage computes (the
tier's text features, and the context: the rules' cues, the tier's sentiment and complaint outputs, the
rules' intent and subject; ``groundswell.enrich.subject``), chooses the regression's C, the class weighting
and the context block's scale by 5-fold stratified cross-validation on **dev** (macro F1), fits on all of dev,
and only then scores the **test** split: overall and per source, beside the old rule (``rules.subject``) and a
keyword + @-address rule. Writes src/groundswell/enrich/artifacts/<tier>/subject/{model.json, weights.npz,
MODEL_CARD.md}. The test split is never used to choose anything.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from groundswell.enrich import rules
from groundswell.enrich.encoder import load_encoder_head
from groundswell.enrich.registry import load_classifier, shipped_model_dir
from groundswell.enrich.subject import (
    CONTEXT_FEATURES,
    CombinedText,
    EncoderText,
    HashedText,
    SubjectModel,
    TextFeatures,
    context_features,
)
from groundswell.records import SUBJECT_LABELS, Subject

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "enrich" / "subject_posts.csv"
ARTIFACTS = ROOT / "src" / "groundswell" / "enrich" / "artifacts"
VERSION = "1.2.0"
SEED = 13
GRID_C = (0.3, 1.0, 3.0, 10.0, 30.0)
GRID_SCALE = (0.5, 1.0, 2.0)
GRID_WEIGHT = (None, "balanced")
TARGETS = {"fast": 0.75, "accurate": 0.80}


@dataclass
class Rows:
    ids: list[str]
    sources: list[str]
    texts: list[str]
    is_brand: list[bool]
    is_reply: list[bool]
    labels: list[str]


def read_split(path: Path, split: str) -> Rows:
    rows = Rows([], [], [], [], [], [])
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["split"] != split or not row["subject"]:
                continue
            rows.ids.append(row["id"])
            rows.sources.append(row["source"])
            rows.texts.append(row["text"])
            rows.is_brand.append(row["is_brand"] == "true")
            rows.is_reply.append(row["is_reply"] == "true")
            rows.labels.append(row["subject"])
    return rows


def keyword_at_rule(post: rules.RuleInput) -> str:
    """The baseline: marketing words make marketing; else a brand's post or one said to someone is experience."""
    cues = dict(zip(rules.SUBJECT_CUES, rules.subject_cues(post.text), strict=True))
    if cues["marketing_words"] or cues["promotional_words"]:
        return Subject.MARKETING
    if post.is_brand or post.is_reply or cues["mentions_account"]:
        return Subject.EXPERIENCE
    return Subject.OTHER


@dataclass
class Features:
    text: sp.csr_matrix | np.ndarray
    context: np.ndarray
    posts: list[rules.RuleInput]
    intents: list[str]

    def __post_init__(self) -> None:
        # only the text columns that occur in training get a weight (L2): fitting on them alone is the same fit, fast
        text = sp.csr_matrix(self.text)
        self.active = np.unique(text.nonzero()[1]) if sp.issparse(self.text) else np.arange(text.shape[1])
        self._text = text[:, self.active]

    def matrix(self, scale: float) -> sp.csr_matrix:
        return sp.hstack([self._text, sp.csr_matrix(self.context * scale)], format="csr")

    def full_coef(self, coef: np.ndarray) -> np.ndarray:
        """Weights over the active columns and the context, spread back over every text column."""
        width = self.text.shape[1]
        full = np.zeros((coef.shape[0], width + len(CONTEXT_FEATURES)), np.float32)
        full[:, self.active] = coef[:, : self.active.size]
        full[:, width:] = coef[:, self.active.size :]
        return full


def features(tier: str, text: TextFeatures, rows: Rows) -> Features:
    intent_rules = rules.RuleClassifier(
        "intent", load_classifier("sentiment", tier), load_classifier("complaint", tier)
    )
    posts = intent_rules.rule_inputs(rows.texts, rows.is_brand, rows.is_reply)
    intents = [rules.intent(post) for post in posts]
    return Features(text.matrix(rows.texts), context_features(posts, intents), posts, intents)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return float(f1_score(gold, predicted, labels=list(SUBJECT_LABELS), average="macro", zero_division=0))


def per_source(rows: Rows, predicted: Sequence[str]) -> dict[str, dict[str, float]]:
    """Macro F1 per source, over the labels that occur in that source's gold or predictions."""
    out = {}
    for source in sorted(set(rows.sources)):
        index = [i for i, s in enumerate(rows.sources) if s == source]
        gold = [rows.labels[i] for i in index]
        guess = [predicted[i] for i in index]
        out[source] = {"n": len(index), "macro_f1": round(float(f1_score(gold, guess, average="macro")), 4)}
    return out


def scores(rows: Rows, predicted: Sequence[str]) -> dict[str, Any]:
    precision, recall, f1, support = precision_recall_fscore_support(
        rows.labels, predicted, labels=list(SUBJECT_LABELS), zero_division=0
    )
    return {
        "n": len(rows.labels),
        "macro_f1": round(macro_f1(rows.labels, predicted), 4),
        "per_source": per_source(rows, predicted),
        "per_class": {
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(SUBJECT_LABELS)
        },
        "confusion": {
            "labels": list(SUBJECT_LABELS),
            "matrix": confusion_matrix(rows.labels, predicted, labels=list(SUBJECT_LABELS)).tolist(),
            "rows": "gold",
            "columns": "predicted",
        },
    }


def choose(train: Features, labels: list[str]) -> tuple[dict[str, Any], float]:
    """The grid point with the best mean macro F1 over 5 stratified folds of the training split."""
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(np.zeros(len(labels)), labels))
    gold = np.array(labels)
    best: tuple[float, dict[str, Any]] = (-1.0, {})
    for c, scale, weight in itertools.product(GRID_C, GRID_SCALE, GRID_WEIGHT):
        x = train.matrix(scale)
        fold_scores = []
        for fit_index, check_index in folds:
            model = LogisticRegression(C=c, class_weight=weight, max_iter=3000)
            model.fit(x[fit_index], gold[fit_index])
            fold_scores.append(macro_f1(gold[check_index], model.predict(x[check_index])))
        mean = float(np.mean(fold_scores))
        print(f"  C={c:<5} scale={scale:<4} weight={weight!s:<9} cv macro F1 {mean:.4f}", flush=True)
        if mean > best[0]:
            best = (mean, {"C": c, "context_scale": scale, "class_weight": weight})
    return best[1], best[0]


def fit(settings: dict[str, Any], train: Features, labels: list[str]) -> LogisticRegression:
    model = LogisticRegression(C=settings["C"], class_weight=settings["class_weight"], max_iter=3000)
    model.fit(train.matrix(settings["context_scale"]), np.array(labels))
    return model


def train_tier(tier: str, data: Path) -> dict[str, Any]:
    dev, test = read_split(data, "dev"), read_split(data, "test")
    if not dev.labels or not test.labels:
        raise SystemExit(f"{data}: no labelled dev or test rows")
    sentiment = load_classifier("sentiment", tier)
    complaint = load_classifier("complaint", tier)
    text: TextFeatures
    if tier == "fast":
        text = HashedText(sentiment.spec)  # type: ignore[attr-defined]
    else:  # the encoder's sentence vector beside the fast tier's hashed n-grams
        hashed = HashedText(load_classifier("sentiment", "fast").spec)  # type: ignore[attr-defined]
        text = CombinedText([EncoderText(load_encoder_head(shipped_model_dir(tier), "sentiment").encoder), hashed])
    print(f"{tier}: {len(dev.labels)} dev rows {dict(Counter(dev.labels))}, {len(test.labels)} test rows", flush=True)
    train = features(tier, text, dev)
    settings, cv = choose(train, dev.labels)
    fitted = fit(settings, train, dev.labels)
    order = [list(fitted.classes_).index(label) for label in SUBJECT_LABELS]
    model = SubjectModel(
        name=f"{tier}-subject",
        version=VERSION,
        text=text,
        context_scale=settings["context_scale"],
        coef=train.full_coef(fitted.coef_[order]),
        intercept=fitted.intercept_[order].astype(np.float32),
    )
    # scored through the shipped code path (SubjectModel.predict), once, after everything was chosen
    held = features(tier, text, test)
    started = time.perf_counter()
    predicted = [p.label for p in model.predict(held.posts, held.intents)]
    seconds = time.perf_counter() - started
    rule = [rules.subject(p, i) for p, i in zip(held.posts, held.intents, strict=True)]
    keyword = [keyword_at_rule(p) for p in held.posts]
    dev_predicted = [p.label for p in model.predict(train.posts, train.intents)]
    model.metadata = {
        "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
        "training_data": {
            "file": str(data.relative_to(ROOT)),
            "split": "dev",
            "rows": len(dev.labels),
            "per_label": dict(Counter(dev.labels)),
        },
        "trained_with": {
            "sentiment": f"{sentiment.name}@{sentiment.version}",
            "complaint": f"{complaint.name}@{complaint.version}",
            "rules": rules.RULES_VERSION,
        },
        "method": "multinomial logistic regression (scikit-learn lbfgs) over the text block and the context block",
        "settings": {**settings, "cv_folds": 5, "cv_macro_f1": round(cv, 4), "seed": SEED},
        "grid": {"C": list(GRID_C), "context_scale": list(GRID_SCALE), "class_weight": [str(w) for w in GRID_WEIGHT]},
        "dev_fit": {"macro_f1": round(macro_f1(dev.labels, dev_predicted), 4)},
        "held_out": {"split": "test", **scores(test, predicted)},
        "baselines_on_held_out": {
            "rules": scores(test, rule),
            "keyword_at": scores(test, keyword),
        },
        "throughput": {
            "posts_per_second": round(len(test.labels) / seconds, 1),
            "what": "the subject model alone on the test posts, one process, this machine; features included, except"
            " the encoder's pass, which the tier's sentiment and complaint heads have made already",
        },
        "target": {"macro_f1": TARGETS[tier], "met": macro_f1(test.labels, predicted) >= TARGETS[tier]},
    }
    out = ARTIFACTS / tier / "subject"
    model.save(out)
    (out / "MODEL_CARD.md").write_text(model_card(tier, model.metadata), encoding="utf-8")
    held_out = model.metadata["held_out"]
    print(
        f"{tier}: test macro F1 {held_out['macro_f1']} (rules {model.metadata['baselines_on_held_out']['rules']['macro_f1']},"
        f" keyword+@ {model.metadata['baselines_on_held_out']['keyword_at']['macro_f1']}) -> {out}",
        flush=True,
    )
    return model.metadata


def model_card(tier: str, meta: dict[str, Any]) -> str:
    held = meta["held_out"]
    rule = meta["baselines_on_held_out"]["rules"]
    keyword = meta["baselines_on_held_out"]["keyword_at"]
    text = (
        "the hashed word 1-2 grams and char 2-5 grams of the fast tier's sentiment and complaint models"
        if tier == "fast"
        else "the accurate tier's encoder (MiniLM, int8 ONNX): its mean-pooled sentence vector, L2-normalised,"
        " beside the fast tier's hashed word 1-2 grams and char 2-5 grams"
    )
    lines = [
        f"# {tier}-subject {VERSION}: marketing, experience or other",
        "",
        "What a post is about, by the Subject rubric of DESIGN.md: *marketing* (the marketing itself: ads,",
        "campaigns, contests, promo codes, launches), *experience* (using, buying or receiving the product or",
        "service), *other* (neither, or too vague to tell).",
        "",
        "## Method",
        "",
        "Multinomial logistic regression (scikit-learn) over two blocks of features:",
        "",
        f"- the text: {text};",
        f"- the context ({len(CONTEXT_FEATURES)} values): brand post, reply, what the rules notice (marketing,",
        "  promotion, experience, problem, thanks and politics words, a question, a mention, a leading handle, a",
        "  link, a hashtag), the tier's sentiment label and complaint probability, and the intent and subject the",
        "  rules give; multiplied by a scale chosen with C.",
        "",
        "A post that matches a campaign of the workspace's config is marketing whatever the model says.",
        "",
        "## Data",
        "",
        f"Trained on the **dev** split of `{meta['training_data']['file']}` ({meta['training_data']['rows']} real posts,",
        f"{meta['training_data']['per_label']}); settings chosen by 5-fold stratified cross-validation on dev",
        f"(grid C {meta['grid']['C']}, context scale {meta['grid']['context_scale']}, class weight"
        f" {meta['grid']['class_weight']}): C {meta['settings']['C']}, scale {meta['settings']['context_scale']},",
        f"class weight {meta['settings']['class_weight']}, CV macro F1 {meta['settings']['cv_macro_f1']}.",
        f"Trained with {meta['trained_with']['sentiment']}, {meta['trained_with']['complaint']} and"
        f" {meta['trained_with']['rules']} as feature sources.",
        "",
        f"## Held-out figures (the test split, {held['n']} posts, never used to choose anything)",
        "",
        f"| | this model | old rule ({meta['trained_with']['rules']}) | keyword + @-address rule |",
        "|---|---:|---:|---:|",
        f"| **macro F1, all sources** | **{held['macro_f1']:.4f}** | {rule['macro_f1']:.4f} | {keyword['macro_f1']:.4f} |",
    ]
    for source, figures in held["per_source"].items():
        lines.append(
            f"| {source} (n={figures['n']}) | {figures['macro_f1']:.4f} | {rule['per_source'][source]['macro_f1']:.4f}"
            f" | {keyword['per_source'][source]['macro_f1']:.4f} |"
        )
    lines += [
        "",
        "Per source, the macro F1 is over the labels that occur in that source's gold labels or predictions.",
        f"Target: macro F1 >= {meta['target']['macro_f1']} ({'met' if meta['target']['met'] else 'not met'}).",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, figures in held["per_class"].items():
        lines.append(
            f"| {label} | {figures['precision']:.4f} | {figures['recall']:.4f} | {figures['f1']:.4f} | {figures['support']} |"
        )
    matrix = held["confusion"]["matrix"]
    lines += [
        "",
        "Confusion on the test split (rows gold, columns predicted; marketing, experience, other): "
        + "; ".join(" ".join(str(v) for v in row) for row in matrix)
        + ".",
        "",
        "## Limits",
        "",
        "- The labelled set is small (hundreds of posts per split) and tweet-shaped; posts from other",
        "  platforms and long posts are outside what it measured.",
        "- Marketing is the rarest label: its per-class figures move by several points with a few posts.",
        "- The context features come from the tier's sentiment and complaint models: retraining those changes",
        "  this model's inputs, so retrain it after them (`scripts/train_subject_models.py`).",
        "",
        f"Throughput of the subject model alone (one process; the encoder's pass, shared with the sentiment and complaint heads, not counted): {meta['throughput']['posts_per_second']:,.0f}"
        " posts/s on the development machine; the whole enrich stage: `benchmarks/enrich_bench.py`.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--tiers", nargs="+", default=["fast", "accurate"], choices=["fast", "accurate"])
    args = parser.parse_args()
    for tier in args.tiers:
        if not shipped_model_dir(tier).is_dir():
            raise SystemExit(f"no shipped {tier} tier here")
        train_tier(tier, args.data.resolve())


if __name__ == "__main__":
    main()
