"""The threads stage kept beside one version of the data: Parquet under ``Sources.keep_dir``.

The Spark engine reads a version of the workspace's tables from its warehouse (``store.warehouse``), a
folder that never changes once written: new data is a new version, and the older folders are removed.
The threads built for a version are therefore kept in it, and every later command on the same data reads
them instead of building them again (the build is most of a scorecard's time on Spark).

What is kept depends on more than the data: a folder per build ``KEY``, a hash of what the stage reads of
the config (``stored.config_fingerprint``: brand accounts, automation patterns, the stage's format), the
silence that splits threads, the model version and the brand (or support account) the figures are
scoped to. ``threads-KEY/`` holds ``posts/`` and ``threads/`` (Parquet) and ``stage.json`` (the brand
accounts, rounds, convergence, and watermarks of the data it was built from: posts, enrichments, marks);
it is written under a temporary name and renamed into place when complete, so a run cut short leaves
nothing that a later run would read.

**Refresh.** A new version of the data is handed the older version's stages (``store.warehouse``:
``previous/threads-KEY``). Where the data only grew (posts and enrichments added, marks added or changed),
the figures cover every brand (no ``scope``) and the brand accounts are those found before, only the reply
trees touched since are rebuilt, as the embedded workspace's stage does (``threads.stored``): trees holding
a new post, a post newly enriched (or enriched again) or marked, and the trees a new post joins. The new
stage is the older one's rows less those trees, and the trees rebuilt by the same ``compute_threads``. A
refresh that would rebuild more than ``FULL_REBUILD_SHARE`` of the posts, and anything else, builds the
stage whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from groundswell.errors import StoreError
from groundswell.query import Sources
from groundswell.query.engine import IbisEngine
from groundswell.store.warehouse import PREVIOUS
from groundswell.threads.build import BrandAccountRef, Threads, brand_accounts, compute_threads
from groundswell.threads.stored import FULL_REBUILD_MIN_POSTS, FULL_REBUILD_SHARE, Watermarks, config_fingerprint

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
    """The stage refreshed from the older version's where it can be (``_refresh``), else built whole, kept."""
    staging = folder.parent / f".writing-{folder.name}-{os.getpid()}"
    previous = folder.parent / PREVIOUS / folder.name

    def keep(name: str, table: ir.Table) -> ir.Table:
        engine.write_parquet(table, staging / name)
        return engine.read_parquet(staging / name)

    try:
        _empty(staging)
        now = _observe(sources)
        state = None
        if sources.scope is None and (previous / STATE_FILE).exists():
            state = _refresh(sources, engine, previous, staging, now, silence_s)
        if state is None:
            _empty(staging)  # what a refresh that gave up wrote
            log.info("threads stage: building it once for this version of the data, kept in %s", folder)
            built = compute_threads(sources, silence_s=silence_s, keep=keep)
            state = {
                "accounts": [[a.platform, a.key, a.handle] for a in built.accounts],
                "rounds": built.rounds,
                "converged": built.converged,
                "watermarks": asdict(now),
            }
        (staging / STATE_FILE).write_text(json.dumps(state) + "\n", encoding="utf-8")
        if not (folder / STATE_FILE).exists():  # else another run kept the same build first: it is used
            shutil.rmtree(folder, ignore_errors=True)  # a copy left incomplete
            staging.rename(folder)
        # ``previous`` stays until the next version replaces this one: another command may still be reading it
    except OSError as exc:
        raise StoreError(f"cannot keep the threads stage in {folder.parent}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


# -- a refresh from the older version's stage ------------------------------------------------------


def _refresh(
    sources: Sources, engine: IbisEngine, previous: Path, staging: Path, now: Watermarks, silence_s: int
) -> dict[str, Any] | None:
    """The stage of ``previous`` brought up to date into ``staging``; its state, or None where only a full
    build will do (see the module doc)."""
    try:
        state = json.loads((previous / STATE_FILE).read_text(encoding="utf-8"))
        was = Watermarks(**state["watermarks"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # another format: built whole
    if now.posts < was.posts or now.enrichments < was.enrichments or now.marks < was.marks:
        return None  # something was removed
    accounts = brand_accounts(sources)
    if [[a.platform, a.key, a.handle] for a in accounts] != state["accounts"]:
        return None  # a new brand account: mentions of it anywhere change
    old = _read(engine, previous)
    new = _new_posts(sources, engine, old.posts, was, now)
    if new is None:
        return None  # posts were removed as others came
    touched = engine.materialize(_touched_trees(sources, old.posts, new, was, now))
    keys = ["platform", "root_id"]
    members = old.posts.semi_join(touched, keys).select("platform", "post_id")
    posts = sources.every_post
    subset = engine.materialize(
        posts.semi_join(ibis.union(members, new.select("platform", "post_id"), distinct=False), ["platform", "post_id"])
    )
    size = int(subset.count().to_pyarrow().as_py())
    if size > FULL_REBUILD_SHARE * now.posts and size > FULL_REBUILD_MIN_POSTS:
        return None  # a full build is cheaper
    rounds, converged = old.rounds, old.converged
    with Sources(
        posts=subset,
        enrichments=sources.enrichments,
        model_version=sources.model_version,
        config=sources.config,
        marks=sources.marks,
        engine=IbisEngine(engine.backend, engine.name),
    ) as part:
        fresh = compute_threads(part, silence_s=silence_s, accounts=old.accounts) if size else None
        for name, kept_rows in (("posts", old.posts), ("threads", old.threads)):
            engine.write_parquet(kept_rows.anti_join(touched, keys), staging / name)
            if fresh is not None:
                rebuilt = fresh.posts if name == "posts" else fresh.threads
                engine.write_parquet(rebuilt.select(*kept_rows.columns), staging / name, append=True)
        if fresh is not None:
            rounds, converged = max(rounds, fresh.rounds), converged and fresh.converged
    for table in (touched, subset, new):
        engine.release(table)
    log.info("threads stage: refreshed from the older version's, %s posts of the touched trees rebuilt", f"{size:,}")
    return {**state, "rounds": rounds, "converged": converged, "watermarks": asdict(now)}


def _new_posts(
    sources: Sources, engine: IbisEngine, stage_posts: ir.Table, was: Watermarks, now: Watermarks
) -> ir.Table | None:
    """The posts not in the older stage (``platform, post_id, in_reply_to_post_id``), materialised: those
    imported after its newest import (cheap), else every post it lacks; None where their number is not the
    growth of the posts (some were removed)."""
    posts = sources.every_post.select("platform", "post_id", "in_reply_to_post_id", "import_id")
    expected = now.posts - was.posts
    tries = [posts.anti_join(stage_posts, ["platform", "post_id"])]
    if was.import_id is not None:
        tries.insert(0, posts.filter(posts.import_id > was.import_id))
    for found in tries:
        new = engine.materialize(found.drop("import_id"))
        if int(new.count().to_pyarrow().as_py()) == expected:
            return new
        engine.release(new)
    return None


def _touched_trees(
    sources: Sources, stage_posts: ir.Table, new: ir.Table, was: Watermarks, now: Watermarks
) -> ir.Table:
    """The older stage's trees (``platform, root_id``) a change touches: a new post's parent's, a stored reply's
    that a new post is the missing parent of; a post's enriched since (or enriched at last); with marks
    changed, every marked post's."""
    posts = sources.every_post
    parents = new.filter(new.in_reply_to_post_id.notnull())
    keys = [
        parents.select("platform", post_id=parents.in_reply_to_post_id),
        posts.semi_join(new, [posts.platform == new.platform, posts.in_reply_to_post_id == new.post_id]).select(
            "platform", "post_id"
        ),
    ]
    enrichments = sources.enrichments
    if enrichments is not None and (now.enrichments, now.enriched_at) != (was.enrichments, was.enriched_at):
        since = enrichments
        if was.enriched_at is not None:
            since = enrichments.filter(enrichments.enriched_at > ibis.timestamp(was.enriched_at))
        keys.append(since.select("platform", "post_id"))
        unenriched = stage_posts.filter(stage_posts.sentiment.isnull())
        keys.append(unenriched.semi_join(enrichments, ["platform", "post_id"]).select("platform", "post_id"))
    if sources.marks is not None and (now.marks, now.marked_at) != (was.marks, was.marked_at):
        keys.append(sources.marks.select("platform", "post_id"))
    changed = ibis.union(*keys, distinct=False)
    return stage_posts.semi_join(changed, ["platform", "post_id"]).select("platform", "root_id").distinct()


def _observe(sources: Sources) -> Watermarks:
    """How much of the stage's inputs there is: posts (count, newest import), enrichments of the model
    version and marks (count, latest)."""

    def measure(table: ir.Table | None, column: str) -> tuple[int, Any]:
        if table is None:
            return 0, None
        found = table.aggregate(n=table.count(), last=table[column].max()).to_pyarrow().to_pylist()[0]
        return int(found["n"]), found["last"]

    posts, import_id = measure(sources.every_post, "import_id")
    enrichments, enriched_at = measure(sources.enrichments, "enriched_at")
    marks, marked_at = measure(sources.marks, "marked_at")
    return Watermarks(
        posts=posts,
        import_id=int(import_id) if import_id is not None else None,
        enrichments=enrichments,
        enriched_at=enriched_at.isoformat() if enriched_at is not None else None,
        marks=marks,
        marked_at=marked_at.isoformat() if marked_at is not None else None,
    )


def _read(engine: IbisEngine, folder: Path) -> Threads:
    state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    return Threads(
        posts=engine.read_parquet(folder / "posts"),
        threads=engine.read_parquet(folder / "threads"),
        accounts=tuple(BrandAccountRef(*account) for account in state["accounts"]),
        rounds=int(state["rounds"]),
        converged=bool(state["converged"]),
    )
