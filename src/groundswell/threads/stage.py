"""The threads stage as every figure reads it: the tables a workspace store keeps (``threads.stored``), brought up
to date first, or a build from the posts (``threads.build``) where nothing is kept."""

from __future__ import annotations

from groundswell.query import Sources
from groundswell.threads.build import THREAD_SILENCE_S, Threads, compute_threads
from groundswell.threads.kept import kept_threads
from groundswell.threads.stored import stored_threads


def build_threads(sources: Sources, *, silence_s: int = THREAD_SILENCE_S) -> Threads:
    """The threads of ``sources.every_post`` (computed once per ``Sources`` and kept in its memo).

    Over a workspace store (``Sources.store``) the stage is read from the tables it keeps there, brought up
    to date first when posts, enrichments or marks changed (``groundswell.threads.stored``); on Spark it is
    read from the warehouse version's folder, built there once (``groundswell.threads.kept``); elsewhere
    (``Sources`` without either) it is rebuilt from the posts.
    """
    memo_key = f"threads:{silence_s}"
    found = sources.memo.get(memo_key)
    if isinstance(found, Threads):
        return found
    result: Threads | None = None
    if sources.store is not None:
        result = stored_threads(sources, silence_s=silence_s)
    elif sources.keep_dir is not None:
        result = kept_threads(sources, silence_s=silence_s)
    if result is None:
        result = compute_threads(sources, silence_s=silence_s)
    sources.memo[memo_key] = result
    return result
