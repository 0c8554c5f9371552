"""A workspace's own fast-tier versions, adapted from its label corrections (``adapt``).

Each training writes a new folder ``<workspace>/models/fast+ws<N>/`` (N counts up from 1 and never
reuses a number) with the tier's three models in ``sentiment/``, ``complaint/`` and ``subject/`` and a
``MODEL_CARD.md`` saying how many corrections each task learned from. A task without corrections gets a
copy of the shipped model. Every adapted model's version is its shipped version followed by ``+ws<N>``,
so enrichments name the version that produced them. The shipped files inside the package are only read.

``groundswell enrich --model workspace`` uses the newest such folder; a plain ``enrich`` keeps using the
shipped tier, so a workspace's figures never change version without someone asking.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groundswell.enrich.base import ADAPTED_TASKS
from groundswell.enrich.linear import LinearTextClassifier
from groundswell.enrich.registry import SUBJECT_DIR, load_subject_model, shipped_model_dir
from groundswell.errors import UsageError
from groundswell.store import labels
from groundswell.store.base import Store

if TYPE_CHECKING:  # the training machinery (scikit-learn, ~1 s to import) loads only when a training runs
    from groundswell.enrich.adapt import CorrectedPost, Progress, TaskAdaptation

MODELS_DIR = "models"
WORKSPACE_TIER = "workspace"  # the name ``enrich --model`` takes for the newest adapted tier
CARD_FILE = "MODEL_CARD.md"
_FOLDER = re.compile(r"^fast\+ws(\d+)$")
# the label correction each task learns from (complaint: from intent corrections, see ``adapt``)
CORRECTION_FIELD = {"sentiment": "sentiment", "complaint": "intent", "subject": "subject"}


@dataclass(frozen=True)
class CorrectionsTraining:
    """What ``train_from_corrections`` wrote: the folder, its number and each adapted task's record."""

    out: Path
    number: int
    records: dict[str, TaskAdaptation]
    versions: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "number": self.number,
            "versions": self.versions,
            "tasks": {task: record.as_dict() for task, record in self.records.items()},
        }


def workspace_models(folder: Path) -> list[tuple[int, Path]]:
    """The workspace's adapted tiers as ``(N, folder)``, oldest first."""
    root = folder / MODELS_DIR
    if not root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in root.iterdir() if p.is_dir() and (m := _FOLDER.match(p.name))]
    return sorted(found)


def latest_workspace_model(folder: Path) -> Path:
    """The newest adapted tier's folder; a ``UsageError`` when the workspace has none."""
    found = workspace_models(folder)
    if not found:
        raise UsageError(
            f"{folder} has no model trained from corrections yet (run `groundswell train --from-corrections`)"
        )
    return found[-1][1]


@dataclass(frozen=True)
class TrainedTier:
    """One of the workspace's adapted tiers: its number, folder, each task's version and corrections used."""

    number: int
    path: Path
    versions: dict[str, str]
    corrections: dict[str, int]


def trained_tiers(folder: Path) -> list[TrainedTier]:
    """The workspace's adapted tiers, newest first, read from their models' ``model.json``."""
    found = []
    for number, path in reversed(workspace_models(folder)):
        versions: dict[str, str] = {}
        used: dict[str, int] = {}
        for task in ADAPTED_TASKS:
            document = json.loads((path / task / "model.json").read_text(encoding="utf-8"))
            versions[task] = str(document["version"])
            used[task] = int(document.get("adaptation", {}).get("corrections", 0))
        found.append(TrainedTier(number, path, versions, used))
    return found


def correction_counts(store: Store) -> dict[str, int]:
    """How many posts have a correction each task would learn from."""
    return {task: len(posts) for task, posts in read_corrections(store, ADAPTED_TASKS).items()}


def read_corrections(store: Store, tasks: Sequence[str]) -> dict[str, list[CorrectedPost]]:
    """The newest correction per post of each task's field, as labelled posts for ``adapt``."""
    from groundswell.enrich.adapt import CorrectedPost, complaint_posts

    found: dict[str, list[CorrectedPost]] = {}
    for task in tasks:
        rows = [CorrectedPost(t, b, r, v) for t, b, r, v in labels.corrected_posts(store, CORRECTION_FIELD[task])]
        found[task] = complaint_posts(rows) if task == "complaint" else rows
    return found


def train_from_corrections(
    store: Store, folder: Path, tasks: Sequence[str] = ADAPTED_TASKS, *, progress: Progress | None = None
) -> CorrectionsTraining:
    """Adapt the shipped fast tier to the workspace's corrections of ``tasks``; write ``models/fast+ws<N>``."""
    from groundswell.enrich.adapt import adapt_tier

    unknown = [task for task in tasks if task not in ADAPTED_TASKS]
    if unknown or not tasks:
        raise UsageError(f"train from corrections takes tasks among {', '.join(ADAPTED_TASKS)}, not {unknown}")
    corrections = read_corrections(store, tasks)
    if not any(corrections.values()):
        fields = sorted({CORRECTION_FIELD[task] for task in tasks})
        raise UsageError(
            f"no label corrections of {', '.join(fields)} in this workspace: correct labels in the inbox first"
        )
    say = progress or (lambda _message: None)
    shipped = shipped_model_dir("fast")
    sentiment = LinearTextClassifier.load(shipped.joinpath("sentiment"))
    complaint = LinearTextClassifier.load(shipped.joinpath("complaint"))
    number = (workspace_models(folder)[-1][0] if workspace_models(folder) else 0) + 1
    tier = adapt_tier(
        sentiment, complaint, load_subject_model("fast"), corrections, suffix=f"+ws{number}", progress=say
    )
    root = folder / MODELS_DIR
    root.mkdir(parents=True, exist_ok=True)
    out = root / f"fast+ws{number}"
    with tempfile.TemporaryDirectory(dir=root, prefix=".writing-") as scratch:
        staging = Path(scratch) / out.name
        tier.sentiment.save(staging / "sentiment")
        tier.complaint.save(staging / "complaint")
        tier.subject.save(staging / SUBJECT_DIR)
        versions = {
            "sentiment": tier.sentiment.version,
            "complaint": tier.complaint.version,
            "subject": tier.subject.version,
        }
        (staging / CARD_FILE).write_text(model_card(out.name, tier.records, versions), encoding="utf-8")
        shutil.move(staging, out)  # the folder appears whole or not at all
    say(f"written {out}")
    return CorrectionsTraining(out, number, tier.records, versions)


def model_card(name: str, records: dict[str, TaskAdaptation], versions: dict[str, str]) -> str:
    """The folder's card: what each task learned from, how much the corrections weigh, the folds' figures."""
    lines = [
        f"# {name}: the fast tier adapted to this workspace's label corrections",
        "",
        "Starts from the shipped fast tier's weights (a Gaussian prior centred on them) and learns from the",
        "workspace's newest correction per post; see `groundswell.enrich.adapt` for the method. The shipped",
        "models are unchanged. A task without corrections is the shipped model, copied.",
        "",
        "| task | version | corrections | labels | weight per correction | chosen by |",
        "|---|---|---:|---|---:|---|",
    ]
    for task, version in versions.items():
        record = records.get(task)
        if record is None:
            lines.append(f"| {task} | {version} | 0 | | | shipped model kept |")
            continue
        counts = ", ".join(f"{label} {n}" for label, n in sorted(record.label_counts.items()))
        lines.append(
            f"| {task} | {version} | {record.corrections} | {counts} | {record.weight:g} | {record.selection} |"
        )
    for task, record in records.items():
        if record.grid:
            figures = ", ".join(f"w={row['weight']:g}: {row['value']:.4f}" for row in record.grid)
            lines += ["", f"{task}, {record.metric} on the corrections' held-out folds: {figures}."]
    return "\n".join(lines) + "\n"
