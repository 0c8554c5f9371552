"""Find a classifier by name.

``model`` is one of:

- ``"fast"`` or ``"accurate"``: the tiers shipped inside the package;
- a directory holding a groundswell ``model.json`` (what ``groundswell train`` writes), or a tier's folder
  with one such sub-folder per task (what ``groundswell train --from-corrections`` writes);
- a Hugging Face sequence-classification model: a local directory with a
  ``config.json``, or a hub id such as ``org/name`` (needs the ``transformers``
  extra, and the hub or its cache for an id).

Intent has no model of its own: it is rules over the sentiment and complaint
models of the same name (``rules.RuleClassifier``). Subject is a learned model
(``subject.SubjectModel``) over the text, the rules' cues and those models'
outputs; each shipped tier has its own, and any other model uses the fast
tier's (``load_subject_model``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from groundswell.enrich.base import TASK_LABELS, Classifier
from groundswell.enrich.blend import BlendedClassifier
from groundswell.enrich.linear import MODEL_FILE, LinearTextClassifier
from groundswell.enrich.subject import SubjectClassifier, SubjectModel
from groundswell.errors import ModelNotAvailable

SHIPPED = ("fast", "accurate")
RULE_TASKS = ("intent",)
SUBJECT_DIR = "subject"  # a tier's subject model: a sub-folder of its directory


def shipped_model_dir(tier: str) -> Traversable:
    """Where a shipped tier's files are inside the installed package."""
    return resources.files("groundswell.enrich").joinpath("artifacts", tier)


def load_classifier(task: str, model: str | Path = "fast") -> Classifier:
    """The ``task`` classifier named ``model`` (see the module docstring)."""
    if task not in TASK_LABELS:
        raise ModelNotAvailable(f"unknown task {task!r}; one of {', '.join(TASK_LABELS)}")
    if task in RULE_TASKS:
        from groundswell.enrich.rules import RuleClassifier

        return RuleClassifier(task, load_classifier("sentiment", model), load_classifier("complaint", model))
    if task == "subject":
        return SubjectClassifier(
            load_subject_model(model), load_classifier("sentiment", model), load_classifier("complaint", model)
        )
    classifier = _load_model(task, model)
    if classifier.task != task:
        raise ModelNotAvailable(f"{model}: this is a {classifier.task!r} model, not a {task!r} model")
    return classifier


def _load_model(task: str, model: str | Path) -> Classifier:
    if isinstance(model, str) and model in SHIPPED:
        return _load_groundswell_dir(task, shipped_model_dir(model), f"the shipped {model!r} tier")
    path = Path(model)
    if (path / MODEL_FILE).is_file() or (path / task / MODEL_FILE).is_file():  # one model, or a tier's folder
        return _load_groundswell_dir(task, path, str(path))
    if path.is_dir() and not (path / "config.json").is_file():
        raise ModelNotAvailable(
            f"{path} is a directory but neither a groundswell model ({MODEL_FILE}) nor a Hugging Face model"
            " (config.json)"
        )
    if not path.exists() and (str(model).startswith((".", "/", "~")) or str(model).count("/") != 1):
        # a hub id is ORG/NAME; anything else that is not here is a typo, not worth a trip to the hub
        raise ModelNotAvailable(
            f"{model}: not a shipped tier ({', '.join(SHIPPED)}), no such model directory,"
            " and not a Hugging Face id (ORG/NAME)"
        )
    from groundswell.enrich.transformer import load_transformer  # the optional extra

    return load_transformer(task, str(model))


def _load_groundswell_dir(task: str, directory: Traversable | Path, what: str) -> Classifier:
    """A model dir: either one task's model.json, or a tier folder with one sub-folder per task."""
    if not directory.joinpath(MODEL_FILE).is_file():
        directory = directory.joinpath(task)
        if not directory.joinpath(MODEL_FILE).is_file():
            raise ModelNotAvailable(f"{what} has no {task!r} model in this installation")
    kind = json.loads(directory.joinpath(MODEL_FILE).read_text(encoding="utf-8")).get("kind")
    if kind == "linear":
        return LinearTextClassifier.load(directory)
    if kind == "onnx-multitask":
        from groundswell.enrich.encoder import load_encoder_head

        head = load_encoder_head(directory, task)
        blend = head.encoder.heads[task].get("blend")
        return _blended(head, blend, what) if blend else head
    raise ModelNotAvailable(f"{what}: model kind {kind!r} is not one this groundswell can run")


def _blended(head: Classifier, blend: dict[str, Any], what: str) -> Classifier:
    """``head`` blended with the shipped tier's model its ``model.json`` names, which must be the very model
    (name and version) it was measured with: another would give other labels under the same version."""
    partner = _load_model(head.task, str(blend["tier"]))
    found = f"{partner.name}@{partner.version}"
    if found != blend["model"]:
        raise ModelNotAvailable(
            f"{what}: its {head.task} head is blended with {blend['model']}, but this installation has {found}"
        )
    return BlendedClassifier(head, partner, float(blend["weight"]))


def load_subject_model(model: str | Path = "fast") -> SubjectModel:
    """The subject model that goes with ``model``: a shipped tier's own, a model directory's ``subject``
    sub-folder when it has one, else the fast tier's (fed with ``model``'s sentiment and complaint)."""
    directory = _subject_home(model)
    if directory is None:
        return load_subject_model("fast")
    subject_dir = directory.joinpath(SUBJECT_DIR)
    if not subject_dir.joinpath(MODEL_FILE).is_file():
        raise ModelNotAvailable(f"{directory} has no subject model ({SUBJECT_DIR}/{MODEL_FILE}) in this installation")
    encoder = None
    tier_file = directory.joinpath(MODEL_FILE)
    if tier_file.is_file() and json.loads(tier_file.read_text(encoding="utf-8")).get("kind") == "onnx-multitask":
        from groundswell.enrich.encoder import load_encoder_head  # the encoder the subject model reads

        encoder = load_encoder_head(directory, "sentiment").encoder
    return SubjectModel.load(subject_dir, encoder=encoder)


def _subject_home(model: str | Path) -> Traversable | Path | None:
    """The directory whose ``subject`` sub-folder is ``model``'s subject model, or None when it has none."""
    if isinstance(model, str) and model in SHIPPED:
        return shipped_model_dir(model)
    return Path(model) if Path(model).joinpath(SUBJECT_DIR, MODEL_FILE).is_file() else None


@dataclass(frozen=True)
class EnrichModels:
    """What ``groundswell enrich --model M`` runs: the sentiment and complaint classifiers and the subject
    model, how a pool worker finds each again (a shipped tier's name, or an absolute path; the subject model
    goes with the sentiment model's), whether the model runs multi-threaded in this process (no worker pool),
    and notes for the person."""

    sentiment: Classifier
    complaint: Classifier
    subject: SubjectModel
    sentiment_model: str | Path
    complaint_model: str | Path
    in_process: bool
    notes: list[str] = field(default_factory=list)


def resolve_enrich_models(model: str | Path) -> EnrichModels:
    """The classifiers of ``model`` for enrichment. A Hugging Face sentiment model has no complaint head: the
    fast tier's complaint model fills in, and the notes say so. torch runs on every core (or the GPU) already,
    so a Hugging Face model classifies in this process rather than in a pool loading it once per worker."""
    notes: list[str] = []
    sentiment = load_classifier("sentiment", model)
    complaint_model: str | Path = model
    try:
        complaint = load_classifier("complaint", model)
    except ModelNotAvailable as exc:
        if not is_hugging_face_model(model):
            raise
        complaint_model = "fast"
        complaint = load_classifier("complaint", complaint_model)
        notes.append(
            f"{model} has no complaint labels ({exc}); complaints come from the fast tier's model"
            f" {complaint.name}@{complaint.version}"
        )
    subject = load_subject_model(model)
    if _subject_home(model) is None:
        notes.append(
            f"{model} has no subject model; subjects come from the fast tier's {subject.name}@{subject.version}"
        )
    return EnrichModels(
        sentiment,
        complaint,
        subject,
        _absolute(model),
        _absolute(complaint_model),
        is_hugging_face_model(model),
        notes,
    )


def is_hugging_face_model(model: str | Path) -> bool:
    """Not a shipped tier and not a groundswell model directory: what the registry hands to transformers."""
    if isinstance(model, str) and model in SHIPPED:
        return False
    path = Path(model)
    return not (path / MODEL_FILE).is_file() and not (path.is_dir() and any(path.glob(f"*/{MODEL_FILE}")))


def _absolute(model: str | Path) -> str | Path:
    """A model directory as an absolute path (pool workers may resolve names elsewhere); names as they are."""
    if isinstance(model, str) and model in SHIPPED:
        return model
    path = Path(model)
    return path.resolve() if path.exists() else model
