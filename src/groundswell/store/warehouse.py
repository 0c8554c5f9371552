"""The warehouse: Parquet copies of an embedded workspace's tables, for another engine (Apache Spark) to read.

``export_tables`` writes ``posts``, ``enrichments`` and, where they hold rows, ``outcome_marks``,
``outcomes`` and ``review_labels`` into ``WAREHOUSE/v-VERSION/``, where VERSION fingerprints what the tables hold (posts: count
and newest import; enrichments: count and latest ``enriched_at``; the others: a hash of every row).
A version already written is read as it is, so figures computed again on unchanged data write nothing; a
new version is written beside the old one under a temporary name, renamed into place when complete, and
the older versions are removed after. What later stages kept in an older version (its folders, such as the
threads stage, ``threads.kept``) is handed down first, into the new version's ``previous/``, where a stage
may refresh from it instead of building again. The workspace's own tables are only read.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from groundswell.columns import PARENT_NUMBER, POST_NUMBER
from groundswell.errors import StoreError
from groundswell.store.duckdb import DuckDBStore
from groundswell.store.thread_stage import table_exists

COMPLETE = "COMPLETE"
PREVIOUS = "previous"
_FINGERPRINTS = {
    "posts": "SELECT count(*), max(import_id) FROM posts",
    "enrichments": "SELECT count(*), max(enriched_at) FROM enrichments",
    "outcome_marks": "SELECT count(*), sum(hash(m)) FROM outcome_marks m",
    "outcomes": "SELECT count(*), sum(hash(o)) FROM outcomes o",
    "review_labels": "SELECT count(*), sum(hash(r)) FROM review_labels r",
}
_ALWAYS = ("posts", "enrichments")
# What is copied of each table: every column, but of the marks only what figures read (as store_sources does).
# Each post gets a number, ``POST_NUMBER`` (its row id here), and its parent's, ``PARENT_NUMBER``; each
# enrichment its post's: Spark then joins posts to their parents and enrichments on numbers (``threads.build``,
# ``metrics.frames``), which it does four times faster than on (platform, post_id) strings, and this one join
# each costs DuckDB a few seconds.
_COPIED = {
    "posts": f"SELECT p.*, p.rowid AS {POST_NUMBER}, q.rowid AS {PARENT_NUMBER} FROM posts p "
    "LEFT JOIN posts q ON q.platform = p.platform AND q.post_id = p.in_reply_to_post_id",
    "enrichments": f"SELECT e.*, p.rowid AS {POST_NUMBER} FROM enrichments e "
    "LEFT JOIN posts p ON p.platform = e.platform AND p.post_id = e.post_id",
    "outcome_marks": "SELECT platform, post_id, outcome, marked_at FROM outcome_marks",
}


@dataclass(frozen=True, slots=True)
class WarehouseTables:
    """Where one version of the workspace's tables lies: a Parquet file per table (None: no rows)."""

    folder: Path
    version: str
    posts: Path
    enrichments: Path
    outcome_marks: Path | None
    outcomes: Path | None
    review_labels: Path | None


def export_tables(store: DuckDBStore, warehouse: Path) -> WarehouseTables:
    """The workspace's tables as Parquet under ``warehouse`` (see the module doc), written where this
    version is not there yet."""
    present = [name for name in _FINGERPRINTS if name in _ALWAYS or _holds_rows(store, name)]
    version = _version(store, present)
    folder = warehouse / f"v-{version}"
    if not (folder / COMPLETE).exists():
        _write(store, warehouse, folder, present)
    for old in warehouse.glob("v-*"):
        if old != folder and old.is_dir():
            _hand_down(old, folder)
            shutil.rmtree(old, ignore_errors=True)

    def path(name: str) -> Path | None:
        return folder / f"{name}.parquet" if name in present else None

    return WarehouseTables(
        folder=folder,
        version=version,
        posts=folder / "posts.parquet",
        enrichments=folder / "enrichments.parquet",
        outcome_marks=path("outcome_marks"),
        outcomes=path("outcomes"),
        review_labels=path("review_labels"),
    )


def _hand_down(old: Path, new: Path) -> None:
    """The folders later stages kept in ``old`` moved into ``new/previous/`` (what ``old`` was handed down
    itself goes with it). Best effort: a stage that finds nothing there builds its tables whole."""
    for kept in old.iterdir():
        if not kept.is_dir() or kept.name == PREVIOUS or kept.name.startswith("."):
            continue
        target = new / PREVIOUS / kept.name
        try:
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(exist_ok=True)
            kept.rename(target)
        except OSError:
            pass


def _holds_rows(store: DuckDBStore, name: str) -> bool:
    return table_exists(store, name) and bool(store.execute(f'SELECT count(*) FROM "{name}"')[0][0])


def _version(store: DuckDBStore, present: list[str]) -> str:
    digest = hashlib.sha256()
    for name in present:
        digest.update(f"{name}={store.execute(_FINGERPRINTS[name])[0]!r};".encode())
    return digest.hexdigest()[:16]


def _write(store: DuckDBStore, warehouse: Path, folder: Path, present: list[str]) -> None:
    staging = warehouse / f".writing-{folder.name}-{os.getpid()}"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        # a build's buffer pool (the joins above spill under the store's own), and no row order to keep
        with store.for_building(), store.unordered_writes():
            for name in present:
                target = str(staging / f"{name}.parquet").replace("'", "''")
                copied = _COPIED.get(name, f'SELECT * FROM "{name}"')
                store.execute(f"COPY ({copied}) TO '{target}' (FORMAT parquet)")
        (staging / COMPLETE).write_text(folder.name + "\n", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)  # an incomplete copy left by a run cut short
        staging.rename(folder)
    except OSError as exc:
        raise StoreError(f"cannot write the warehouse at {warehouse}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
