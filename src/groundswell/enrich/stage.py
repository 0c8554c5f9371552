"""The enrich stage: classify every post not yet classified by this model version.

Reads ``posts``, writes ``enrichments`` (one row per post and model version),
never touches ``posts``. Incremental: a second run with the same models does
nothing; ``force`` re-classifies. Batched, with an optional progress callback.

Parallel: with ``workers > 1`` and the models' names (``sentiment_model``,
``complaint_model``, what ``registry.load_classifier`` takes), batches are
classified by ``workers - 1`` pool processes, which each load the models once,
and by this process, which also reads the batches from the store and writes
the results in order. At most ``MAX_IN_FLIGHT_PER_WORKER`` batches per worker
are held at a time, so memory stays bounded whatever the workspace's size. A
classifier that is multi-threaded already (``parallel_inside = True``, e.g. a
transformer) runs in this process only: a pool would only copy it.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from groundswell.columns import ENRICHMENT_COLUMNS, arrow_schema
from groundswell.config import Campaign, WorkspaceConfig
from groundswell.enrich import rules
from groundswell.enrich.base import Classifier
from groundswell.enrich.campaigns import CampaignMatcher
from groundswell.enrich.rules import RULES_VERSION
from groundswell.enrich.subject import SubjectModel
from groundswell.errors import GroundswellError, UsageError
from groundswell.store.base import Store

DEFAULT_BATCH_SIZE = 4096
MAX_WORKERS = 2
MAX_IN_FLIGHT_PER_WORKER = 2
# With a pool, each process gets about this many batches at least (batches of no fewer than
# MIN_POOL_BATCH_SIZE posts): with fewer, one process sits idle while the other finishes a large last batch.
POOL_BATCHES_PER_WORKER = 8
MIN_POOL_BATCH_SIZE = 1024
# With the default worker count, less work than this runs in this process:
# starting a worker (imports, loading the models) costs about as much as classifying this many posts.
PARALLEL_MIN_POSTS = 10_000
# Classifies the batches to enrich elsewhere than in this process's pool (on Spark: enrich.on_spark), each
# batch's rows in a table of the enrichment schema; the stage writes them as they come.
ClassifyBatches = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.Table]]
# This process classifies batches itself while the workers start up (False: it waits for them).
CLASSIFY_WHILE_WORKERS_START = True

# (posts done, posts to do)
EnrichProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class EnrichReport:
    model: str
    model_version: str
    to_enrich: int
    enriched: int
    replaced: int
    seconds: float
    workers: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def posts_per_second(self) -> float | None:
        return self.enriched / self.seconds if self.seconds and self.enriched else None

    def as_dict(self) -> dict[str, Any]:
        rate = self.posts_per_second
        return {
            "model": self.model,
            "model_version": self.model_version,
            "to_enrich": self.to_enrich,
            "enriched": self.enriched,
            "replaced": self.replaced,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "posts_per_second": round(rate, 1) if rate is not None else None,
            "notes": list(self.notes),
        }


def model_version(sentiment: Classifier, complaint: Classifier, subject: SubjectModel) -> str:
    """One string naming every model and rule set that produced a row."""
    return (
        f"{sentiment.name}@{sentiment.version}+{complaint.name}@{complaint.version}"
        f"+{subject.name}@{subject.version}+{RULES_VERSION}"
    )


def default_workers() -> int:
    """One process per core, at most ``MAX_WORKERS``."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def runs_in_process(*classifiers: Classifier) -> bool:
    """A classifier that is multi-threaded already gains nothing from a process pool."""
    return any(bool(getattr(c, "parallel_inside", False)) for c in classifiers)


def enrich_posts(
    store: Store,
    config: WorkspaceConfig,
    *,
    sentiment: Classifier,
    complaint: Classifier,
    model: str,
    subject: SubjectModel | None = None,
    force: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: EnrichProgress | None = None,
    sentiment_model: str | Path | None = None,
    complaint_model: str | Path | None = None,
    workers: int | None = None,
    elsewhere: Callable[[str], ClassifyBatches] | None = None,
) -> EnrichReport:
    """Classify the posts with no row of this model version (all of them with ``force``).

    ``sentiment``, ``complaint`` and ``subject`` (default: the one that goes
    with ``sentiment_model``, else the fast tier's, see
    ``registry.load_subject_model``) name the version and classify in this
    process. ``sentiment_model`` and ``complaint_model`` are the names the
    same classifiers load from (``registry.load_classifier``); given both,
    ``workers`` processes, this one included, classify in parallel (default: ``default_workers()``
    when there are at least ``PARALLEL_MIN_POSTS`` posts to classify, else 1).
    Without them, with ``workers=1``, with a ``parallel_inside`` classifier or
    with no more than one batch to classify, everything runs here. ``elsewhere(version)``: where to classify
    instead (``enrich.on_spark``), given the version the rows must be of.
    """
    if batch_size < 1:
        raise UsageError(f"batch_size must be at least 1, not {batch_size}")
    if workers is not None and workers < 1:
        raise UsageError(f"workers must be at least 1, not {workers}")
    started = time.perf_counter()
    if subject is None:
        from groundswell.enrich.registry import load_subject_model

        subject = load_subject_model(sentiment_model if sentiment_model is not None else "fast")
    version = model_version(sentiment, complaint, subject)
    by_name = sentiment_model is not None and complaint_model is not None
    if workers is not None and workers > 1 and not by_name:
        raise UsageError("parallel enrichment needs the models' names (sentiment_model and complaint_model)")

    replaced = store.delete_enrichments(version) if force else 0
    total = store.count_posts_to_enrich(version)
    if workers is None:
        workers = default_workers() if by_name and total >= PARALLEL_MIN_POSTS else 1
    if runs_in_process(sentiment, complaint) or total <= batch_size:
        workers = 1
    if workers > 1 and elsewhere is None:  # a pool's models run in any process: their labels ignore the batch
        shared = -(-total // (POOL_BATCHES_PER_WORKER * workers))
        batch_size = min(batch_size, max(MIN_POOL_BATCH_SIZE, shared))
    done = 0
    if total:
        batches = store.posts_to_enrich(version, batch_size=batch_size)
        tables: Generator[pa.Table, None, None]
        matcher = CampaignMatcher(config.campaigns)

        def here(batch: pa.RecordBatch) -> pa.Table:
            assert subject is not None  # noqa: S101 - loaded above; mypy cannot see it in the closure
            return _enrichment_table(_classified(batch, sentiment, complaint, subject, matcher, model, version))

        if elsewhere is not None:
            tables = (table for table in elsewhere(version)(batches))
        elif workers > 1:
            assert sentiment_model is not None and complaint_model is not None  # noqa: S101 - an invariant (the workspace passes both), not an input check
            names = (str(sentiment_model), str(complaint_model))
            tables = _classify_in_pool(batches, workers, names, config.campaigns, model, version, here)
        else:
            tables = (here(batch) for batch in batches)
        try:
            if progress is not None:
                progress(0, total)
            for table in tables:
                store.write_enrichments(table)
                done += table.num_rows
                if progress is not None:
                    progress(done, total)
        finally:
            tables.close()  # stop the pool and close the reading cursor now, also on an error
            batches.close()
    return EnrichReport(model, version, total, done, replaced, time.perf_counter() - started, workers)


# -- the process pool ------------------------------------------------------------------


class EnrichWorkerError(GroundswellError):
    """A worker process of the parallel enrich stage died."""


# What a pool worker loaded once, in its initializer, and what for (a Spark executor's Python worker lives on
# from one job to the next, which may ask for other models).
_worker_state: tuple[Classifier, Classifier, SubjectModel, CampaignMatcher, str, str] | None = None
_worker_for: tuple[Any, ...] | None = None


def load_worker(names: tuple[str, str], campaigns: Sequence[Campaign], model: str, version: str) -> None:
    """Load the models by name into this process, for ``classify_in_worker``; nothing to do where they are
    loaded for the same names, campaigns, model and version already."""
    from groundswell.enrich.registry import load_classifier, load_subject_model

    global _worker_state, _worker_for
    wanted = (tuple(names), tuple(c.model_dump_json() for c in campaigns), model, version)
    if _worker_state is not None and _worker_for == wanted:
        return
    sentiment = load_classifier("sentiment", names[0])
    complaint = load_classifier("complaint", names[1])
    subject = load_subject_model(names[0])
    loaded = model_version(sentiment, complaint, subject)
    if loaded != version:  # the files changed under us: never store rows under the wrong version
        raise UsageError(f"the worker loaded {loaded}, not {version}")
    _worker_state = (sentiment, complaint, subject, CampaignMatcher(campaigns), model, version)
    _worker_for = wanted


def worker_ready() -> bool:
    """Whether this process loaded the models (a pool worker, a Spark executor's Python worker)."""
    return _worker_state is not None


def classify_in_worker(batch: pa.RecordBatch) -> pa.Table:
    """The batch's enrichment rows, classified by the models ``load_worker`` loaded."""
    return _enrichment_table(columns_in_worker(batch))


def columns_in_worker(batch: pa.RecordBatch) -> dict[str, list[Any]]:
    """The batch's enrichment rows as columns of Python values, what a pool worker sends back: building an Arrow
    table from Python values imports pandas (pyarrow looks for it), a quarter of a second a worker need not
    spend; the stage's own process, which has it, makes the table."""
    if _worker_state is None:
        raise RuntimeError("enrich worker used before its initializer ran")
    return _classified(batch, *_worker_state)


def _classify_in_pool(
    batches: Iterator[pa.RecordBatch],
    workers: int,
    names: tuple[str, str],
    campaigns: Sequence[Campaign],
    model: str,
    version: str,
    local: Callable[[pa.RecordBatch], pa.Table],
) -> Generator[pa.Table, None, None]:
    """Each batch's rows, in order, classified by ``workers - 1`` pool processes and this one.

    Batches go to the pool while it has fewer than ``MAX_IN_FLIGHT_PER_WORKER``
    per process; when it is full, or while the workers start up and load the
    models, this process classifies the next batch itself with ``local``. At
    most ``MAX_IN_FLIGHT_PER_WORKER * workers`` batches are held at a time.
    """
    # spawn, not fork: the parent holds DuckDB's threads and locks, which a fork would copy mid-flight.
    context = multiprocessing.get_context("spawn")
    max_submitted = (workers - 1) * MAX_IN_FLIGHT_PER_WORKER
    max_held = workers * MAX_IN_FLIGHT_PER_WORKER
    held: deque[Future[dict[str, list[Any]]] | pa.Table] = deque()

    def ready() -> bool:
        head = held[0]
        return not isinstance(head, Future) or head.done()

    def take() -> pa.Table:
        head = held.popleft()
        return _enrichment_table(head.result()) if isinstance(head, Future) else head

    with ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=context,
        initializer=load_worker,
        initargs=(names, list(campaigns), model, version),
    ) as pool:
        try:
            started = pool.submit(worker_ready)  # done once a worker has loaded the models
            if not CLASSIFY_WHILE_WORKERS_START:
                started.result()
            for batch in batches:
                while held and (ready() or len(held) >= max_held):
                    yield take()
                if not started.done():  # workers still starting: batches handed over now would only wait
                    held.append(local(batch))
                elif sum(isinstance(h, Future) and not h.done() for h in held) < max_submitted:
                    held.append(pool.submit(columns_in_worker, batch))
                else:
                    held.append(local(batch))
            while held:
                yield take()
        except BrokenProcessPool as exc:
            pool.shutdown(wait=True, cancel_futures=True)
            raise EnrichWorkerError(
                "an enrich worker process died before it finished (its error is printed above). A script that"
                ' calls Workspace.enrich must run it under `if __name__ == "__main__":`, as worker processes'
                " import the script again; or pass workers=1 to classify in this process. Rows written so far"
                " are kept, and the next run goes on from there."
            ) from exc
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


# -- one batch --------------------------------------------------------------------------

ENRICHMENT_SCHEMA = arrow_schema(ENRICHMENT_COLUMNS)
# what the classifiers and rules give each post: the enrichment row less its key, model and time
_CLASSIFIED = tuple(c.name for c in ENRICHMENT_COLUMNS[4:-1])


def _enrichment_table(columns: dict[str, list[Any]]) -> pa.Table:
    return pa.table(columns, schema=ENRICHMENT_SCHEMA)


def _classified(
    batch: pa.RecordBatch,
    sentiment: Classifier,
    complaint: Classifier,
    subject: SubjectModel,
    matcher: CampaignMatcher,
    model: str,
    version: str,
) -> dict[str, list[Any]]:
    """The batch's enrichment rows, as columns of Python values in ``ENRICHMENT_SCHEMA``'s order."""
    columns = batch.to_pydict()
    texts: list[str] = columns["text"]
    sentiments = sentiment.predict(texts)
    complaints = complaint.predict(texts)
    posts = [
        rules.RuleInput(
            text=text,
            is_brand=bool(columns["is_brand"][i]),
            is_reply=bool(columns["is_reply"][i]),
            sentiment=sentiments[i].label,
            complaint_probability=complaints[i].probabilities.get("complaint", 0.0),
            campaign=matcher.match(text, columns["created_at"][i]),
        )
        for i, text in enumerate(texts)
    ]
    intents = [rules.intent(post) for post in posts]
    subjects = subject.predict(posts, intents)
    out: dict[str, list[Any]] = {name: [] for name in _CLASSIFIED}
    for i, post in enumerate(posts):
        feeling = sentiments[i]
        out["sentiment"].append(feeling.label)
        out["sentiment_score"].append(
            feeling.probabilities.get("positive", 0.0) - feeling.probabilities.get("negative", 0.0)
        )
        out["complaint_score"].append(post.complaint_probability)
        out["intent"].append(intents[i])
        out["subject"].append(subjects[i].label)
        out["needs_reply"].append(rules.needs_reply(post, intents[i]))
        out["gratitude"].append(rules.gratitude(post.text))
        out["campaign"].append(post.campaign)
    n = batch.num_rows
    now = datetime.now(UTC).replace(tzinfo=None)
    return {
        "platform": columns["platform"],
        "post_id": columns["post_id"],
        "model": [model] * n,
        "model_version": [version] * n,
        **out,
        "enriched_at": [now] * n,
    }
