"""Labelled CSV files (a text and a label per row), as training and ``groundswell eval`` read them.

The text is the ``text`` column; the label is the first of ``LABEL_COLUMNS`` present, else the column named
after the task. Labels must be in the task's label set (``base.TASK_LABELS``).
"""

from __future__ import annotations

import csv
from pathlib import Path

from groundswell.enrich.base import TASK_LABELS
from groundswell.errors import SourceError, UsageError

TEXT_COLUMNS = ("text",)
LABEL_COLUMNS = ("label", "airline_sentiment")


def read_labelled_csv(path: Path | str, task: str) -> tuple[list[str], list[str]]:
    """(texts, labels) from one CSV; a ``SourceError`` names the file, line and column when it cannot."""
    if task not in TASK_LABELS:
        raise UsageError(f"unknown task {task!r}; one of {', '.join(TASK_LABELS)}")
    path = Path(path)
    if not path.is_file():
        raise SourceError("no such file", path=path)
    allowed = set(TASK_LABELS[task])
    texts: list[str] = []
    labels: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        text_column = next((c for c in TEXT_COLUMNS if c in columns), None)
        if text_column is None:
            raise SourceError(f"no text column (expected {' or '.join(TEXT_COLUMNS)})", path=path, field="text")
        label_column = next((c for c in (*LABEL_COLUMNS, task) if c in columns), None)
        if label_column is None:
            raise SourceError(
                f"no label column (expected one of {', '.join((*LABEL_COLUMNS, task))})", path=path, field="label"
            )
        for row in reader:
            label = (row.get(label_column) or "").strip()
            if label not in allowed:
                raise SourceError(
                    f"unknown {task} label {label!r}; expected one of {', '.join(TASK_LABELS[task])}",
                    path=path,
                    line=reader.line_num,
                    field=label_column,
                )
            texts.append(row.get(text_column) or "")
            labels.append(label)
    return texts, labels
