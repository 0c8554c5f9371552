"""The threads stage kept beside one version of the data: Parquet under ``Sources.keep_dir``.

The Spark engine reads a version of the workspace's tables from its warehouse (``store.warehouse``), a
folder that never changes once written: new data is a new version, and the older folders are removed.
The threads built for a version are therefore kept in it, and every later command on the same data reads
them instead of building them again (the build is most of a scorecard's time on Spark).

What is kept depends on more than the data: a folder per build ``KEY``, a hash of what the stage reads of
the config (``stored.config_fingerprint``: brand accounts, automation patterns, the stage's format), the
silence that splits threads, the model version and the brand (or support account) the figures are
scoped to. ``threads-KEY/`` holds ``posts/`` and ``threads/`` (Parquet) and ``stage.json`` (the brand
accounts, rounds, convergence); it is written under a temporary name and renamed into place when
complete, so a run cut short leaves nothing that a later run would read. A new version of the data is
built whole, once: unlike the embedded workspace's stage (``threads.stored``) nothing is refreshed
tree by tree.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from groundswell.errors import StoreError
from groundswell.query import Sources
from groundswell.query.engine import IbisEngine
from groundswell.threads.build import BrandAccountRef, Threads, compute_threads
from groundswell.threads.stored import config_fingerprint

if TYPE_CHECKING:
    import ibis.expr.types as ir

log = logging.getLogger(__name__)

STATE_FILE = "stage.json"


def kept_threads(sources: Sources, *, silence_s: int) -> Threads | None:
    """The threads of ``sources`` read from ``sources.keep_dir``, built and kept there first when absent;
    None where nothing can be kept (no folder, an engine that cannot write Parquet)."""
    engine = sources.materializer()
    if sources.keep_dir is None or not isinstance(engine, IbisEngine):
        return None
    folder = sources.keep_dir / f"threads-{_key(sources, silence_s)}"
    if not (folder / STATE_FILE).exists():
        _build(sources, engine, folder, silence_s)
    else:
        log.info("threads stage: read from %s", folder)
    return _read(engine, folder)


def _key(sources: Sources, silence_s: int) -> str:
    parts = {
        "config": config_fingerprint(sources.config),
        "silence_s": silence_s,
        "model_version": sources.model_version,
        "scope": sources.scope.as_dict() if sources.scope is not None else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _build(sources: Sources, engine: IbisEngine, folder: Path, silence_s: int) -> None:
    staging = folder.parent / f".writing-{folder.name}-{os.getpid()}"
    log.info("threads stage: building it once for this version of the data, kept in %s", folder)

    def keep(name: str, table: ir.Table) -> ir.Table:
        engine.write_parquet(table, staging / name)
        return engine.read_parquet(staging / name)

    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        built = compute_threads(sources, silence_s=silence_s, keep=keep)
        state = {
            "accounts": [[a.platform, a.key, a.handle] for a in built.accounts],
            "rounds": built.rounds,
            "converged": built.converged,
        }
        (staging / STATE_FILE).write_text(json.dumps(state) + "\n", encoding="utf-8")
        if not (folder / STATE_FILE).exists():  # else another run kept the same build first: it is used
            shutil.rmtree(folder, ignore_errors=True)  # a copy left incomplete
            staging.rename(folder)
    except OSError as exc:
        raise StoreError(f"cannot keep the threads stage in {folder.parent}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read(engine: IbisEngine, folder: Path) -> Threads:
    state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    return Threads(
        posts=engine.read_parquet(folder / "posts"),
        threads=engine.read_parquet(folder / "threads"),
        accounts=tuple(BrandAccountRef(*account) for account in state["accounts"]),
        rounds=int(state["rounds"]),
        converged=bool(state["converged"]),
    )
