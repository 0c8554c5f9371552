"""``groundswell enrich``: classify the posts; ``groundswell train`` and ``groundswell eval``: build and score models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from groundswell.cli.console import count_progress, print_json, stderr_console
from groundswell.cli.options import engine_option, json_option, quiet_option, workspace_option
from groundswell.enrich.base import ADAPTED_TASKS, TASK_LABELS
from groundswell.enrich.stage import DEFAULT_BATCH_SIZE, MAX_WORKERS, PARALLEL_MIN_POSTS, EnrichReport
from groundswell.workspace import Workspace

if TYPE_CHECKING:
    from groundswell.enrich.workspace_models import CorrectionsTraining

_TASKS = click.Choice(sorted(TASK_LABELS))


@click.command("train")
@click.argument("task", type=_TASKS, required=False)
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A labelled CSV (text,label; airline_sentiment also read as the label). Repeatable.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="The model directory.")
@click.option(
    "--validation",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A labelled CSV never trained on (a data set's validation split) to choose C and the class weighting on.",
)
@click.option("--name", help="The model name stored with every prediction (default: linear-TASK).")
@click.option("--version", "version", help="The model version (default: today's date).")
@click.option(
    "--from-corrections",
    is_flag=True,
    help="Adapt the shipped fast tier to the workspace's label corrections (a new version in WORKSPACE/models).",
)
@click.option(
    "--task",
    "correction_task",
    type=click.Choice([*ADAPTED_TASKS, "all"]),
    default="all",
    show_default=True,
    help="With --from-corrections: the task to adapt.",
)
@workspace_option
@json_option
@quiet_option
def train_command(
    task: str | None,
    data: tuple[Path, ...],
    out: Path | None,
    validation: Path | None,
    name: str | None,
    version: str | None,
    from_corrections: bool,
    correction_task: str,
    workspace: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Train a fast linear classifier for TASK from labelled CSV files, or adapt the
    fast tier to the workspace's label corrections with --from-corrections.

    From CSV files: C and the class weighting are chosen by cross-validation (or
    a hashed 10 % validation split of the training rows when there are many),
    or on the --validation file; the model dir gets model.json and weights.npz. Score it with
    `groundswell eval --model DIR`.

    --from-corrections: the shipped fast tier's sentiment, complaint and subject
    models learn from the newest correction per post (complaint from intent
    corrections), starting from the shipped weights; the result is a new model
    version in WORKSPACE/models/fast+wsN, used by `groundswell enrich --model
    workspace`. The shipped models are not changed.
    """
    console = stderr_console(quiet=quiet or as_json)
    if from_corrections:
        if task or data or out or validation:
            raise click.UsageError(
                "--from-corrections takes no TASK argument, --data, --out or --validation (use --task)"
            )
        tasks = list(ADAPTED_TASKS) if correction_task == "all" else [correction_task]
        with Workspace.open(workspace) as ws:
            trained = ws.train_from_corrections(tasks, progress=lambda message: console.print(message, markup=False))
        if as_json:
            print_json(trained.as_dict())
            return
        print_corrections_training(trained)
        return
    if task is None or not data or out is None:
        raise click.UsageError("training from files needs TASK, --data and --out (or use --from-corrections)")
    from groundswell.enrich.train import train

    console.print(f"training {task} on {', '.join(str(p) for p in data)} ...")
    report = train(task, list(data), out, name=name, version=version, validation=validation)
    if as_json:
        print_json(report.as_dict())
        return
    out_console = Console(highlight=False)
    chosen = report.chosen
    value = "n/a" if chosen["value"] is None else f"{chosen['value']:.4f}"
    out_console.print(f"model written to {report.out} ({report.n_train:,} rows, {report.seconds:.0f} s)")
    out_console.print(f"chosen: C={chosen['C']:g}, class_weight={chosen['class_weight']} ({report.metric} {value})")
    out_console.print(f"selection: {report.selection}")
    out_console.print(f"throughput: {report.posts_per_second:,.0f} posts/s")


def print_corrections_training(trained: CorrectionsTraining) -> None:
    out = Console(highlight=False)
    out.print(f"model written to {trained.out}", markup=False, soft_wrap=True)
    table = Table(box=None, pad_edge=False)
    for column in ("task", "version", "corrections", "weight"):
        table.add_column(column, justify="left" if column in ("task", "version") else "right")
    for task_name, model_version in trained.versions.items():
        record = trained.records.get(task_name)
        if record is None:
            table.add_row(task_name, model_version, "0", "shipped")
        else:
            table.add_row(task_name, model_version, f"{record.corrections:,}", f"{record.weight:g}")
    out.print(table)
    out.print("use it: groundswell enrich --model workspace", markup=False)


@click.command("eval")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--task", required=True, type=_TASKS, help="What the labels in the file are.")
@click.option("--model", default="fast", show_default=True, help="A shipped model (fast) or a model directory.")
@click.option("--batch-size", default=1024, show_default=True, type=click.IntRange(min=1), help="Texts per batch.")
@json_option
def eval_command(path: Path, task: str, model: str, batch_size: int, as_json: bool) -> None:
    """Score a model on a labelled CSV (text,label).

    Prints the task's official metric (sentiment: macro-averaged recall, as
    TweetEval; complaint, intent, subject: macro F1), per-class precision,
    recall and F1, the confusion matrix (rows gold, columns predicted) and
    posts classified per second on this machine.
    """
    from groundswell.enrich.evaluate import evaluate
    from groundswell.enrich.registry import load_classifier

    classifier = load_classifier(task, model)
    report = evaluate(classifier, path, batch_size=batch_size)
    if as_json:
        print_json(report.as_dict())
        return
    out = Console(highlight=False)
    out.print(f"{report.task}: {report.model} {report.version} on {report.path} ({report.n:,} posts)")
    out.print(f"{report.metric} = {report.value:.4f}")
    table = Table(box=None, pad_edge=False)
    for column in ("label", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, row in report.per_class.items():
        table.add_row(
            label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", f"{row['support']:,}"
        )
    out.print(table)
    confusion = Table(box=None, pad_edge=False, title="confusion (rows gold, columns predicted)", title_justify="left")
    confusion.add_column("gold \\ predicted")
    for label in report.labels:
        confusion.add_column(label, justify="right")
    for label, counts in zip(report.labels, report.confusion, strict=True):
        confusion.add_row(label, *(f"{c:,}" for c in counts))
    out.print(confusion)
    out.print(f"throughput: {report.posts_per_second:,.0f} posts/s")


@click.command("enrich")
@click.option(
    "--model",
    default="fast",
    show_default=True,
    metavar="MODEL",
    help="fast or accurate (the shipped tiers), workspace (the newest trained from corrections), a model"
    " directory, or a Hugging Face model id or directory.",
)
@click.option("--force", is_flag=True, help="Re-classify posts that already have a row of this model version.")
@click.option(
    "--batch-size",
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Posts per batch.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"Processes classifying batches, this one included (default: one per core, at most {MAX_WORKERS},"
    f" from {PARALLEL_MIN_POSTS:,} posts on).",
)
@engine_option
@workspace_option
@json_option
@quiet_option
def enrich_command(
    model: str,
    force: bool,
    batch_size: int,
    workers: int | None,
    engine: str | None,
    workspace: Path,
    as_json: bool,
    quiet: bool,
) -> None:
    """Classify every post not yet classified by the model's version.

    Stores one row per post and model version: sentiment (negative, neutral,
    positive, and a score from -1 to 1), intent, subject, needs_reply,
    gratitude and the campaign the post matches. A second run classifies only
    new posts; --force re-classifies them all. Rows of other model versions are
    kept. A model that is multi-threaded itself runs in one process. With
    --engine spark the posts are classified on Spark's executors (docs/scale.md).
    """
    console = stderr_console(quiet=quiet or as_json)
    with Workspace.open(workspace) as ws, count_progress(console, "enriching") as progress:
        ws.use_engine(engine)
        report = ws.enrich(model, force=force, batch_size=batch_size, workers=workers, progress=progress)
    if as_json:
        print_json(report.as_dict())
        return
    for note in report.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    print_enrich_report(report)


def print_enrich_report(report: EnrichReport) -> None:
    out = Console(highlight=False)
    if not report.enriched:
        out.print(
            f"nothing to enrich: no post lacks a row of {report.model_version} (--force re-classifies)"
            if not report.replaced
            else f"replaced {report.replaced:,} rows, and there are no posts to enrich",
            markup=False,
            soft_wrap=True,
        )
        return
    rate = report.posts_per_second
    speed = f", {rate:,.0f} posts/s" if rate is not None else ""
    workers = f"{report.workers} worker{'s' if report.workers != 1 else ''}"
    out.print(
        f"enriched {report.enriched:,} posts (replaced {report.replaced:,}) with {report.model_version}"
        f" in {report.seconds:.1f} s{speed} ({workers})",
        markup=False,
        soft_wrap=True,
    )


COMMANDS = (enrich_command, train_command, eval_command)
