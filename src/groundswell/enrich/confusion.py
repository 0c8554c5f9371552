"""The shipped tiers' confusion matrices, measured on held-out labelled posts when the models were evaluated.

Every figure that rests on a classifier gets an interval that allows for the classifier's errors
(``metrics.intervals``); those errors are the confusion matrices written here by
``scripts/write_confusions.py`` (rows the true label, columns the predicted one), one file per tier
(``artifacts/<tier>/confusion.json``). They are never computed from the posts being measured.

A file names the enrichment model version it was measured for; a workspace's enrichments of any other
version (a retrained model, a model directory, a Hugging Face model) have no held-out confusion here, and
their intervals allow for sampling alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from groundswell.enrich.registry import SHIPPED, shipped_model_dir

CONFUSION_FILE = "confusion.json"
CONFUSION_TASKS = ("sentiment", "complaint", "subject", "needs_reply")
NEEDS_REPLY_LABELS = ("false", "true")


@dataclass(frozen=True, slots=True)
class HeldOutConfusion:
    """One task's confusion on its held-out set: ``matrix[i][j]`` posts of true ``labels[i]`` predicted ``labels[j]``."""

    task: str
    labels: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]
    held_out: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "matrix": [list(row) for row in self.matrix],
            "rows": "true",
            "columns": "predicted",
            "held_out": self.held_out,
        }


def confusion_document(model_version: str, confusions: dict[str, HeldOutConfusion]) -> dict[str, Any]:
    """What ``confusion.json`` holds."""
    return {"model_version": model_version, "tasks": {task: c.as_dict() for task, c in confusions.items()}}


def _parse(document: dict[str, Any]) -> dict[str, HeldOutConfusion]:
    out = {}
    for task, entry in document.get("tasks", {}).items():
        labels = tuple(str(label) for label in entry["labels"])
        matrix = tuple(tuple(int(v) for v in row) for row in entry["matrix"])
        if len(matrix) != len(labels) or any(len(row) != len(labels) for row in matrix):
            continue  # a malformed entry is no measurement: the figure allows for sampling alone
        out[task] = HeldOutConfusion(task, labels, matrix, str(entry.get("held_out", "")))
    return out


@cache
def _shipped() -> dict[str, dict[str, HeldOutConfusion]]:
    found: dict[str, dict[str, HeldOutConfusion]] = {}
    for tier in SHIPPED:
        path = shipped_model_dir(tier).joinpath(CONFUSION_FILE)
        if path.is_file():
            document = json.loads(path.read_text(encoding="utf-8"))
            found[str(document.get("model_version"))] = _parse(document)
    return found


def held_out_confusions(model_version: str | None) -> dict[str, HeldOutConfusion]:
    """The held-out confusions of the shipped tier whose enrichments carry ``model_version``; {} for any other."""
    if model_version is None:
        return {}
    return dict(_shipped().get(model_version, {}))
