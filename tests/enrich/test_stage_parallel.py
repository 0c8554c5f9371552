"""The enrich stage's parallel path and ``Workspace.enrich``: pool workers, in-flight bound, model fallback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from enrich_stand_ins import KeywordModel, five_post_workspace
from groundswell.enrich import stage
from groundswell.enrich.base import Classifier
from groundswell.enrich.stage import (
    MAX_IN_FLIGHT_PER_WORKER,
    EnrichWorkerError,
    _classified,
    _classify_in_pool,
    _enrichment_table,
    enrich_posts,
    model_version,
)
from groundswell.errors import ModelNotAvailable, UsageError


def _fast_models_shipped() -> bool:
    from groundswell.enrich.registry import shipped_model_dir

    return all(shipped_model_dir("fast").joinpath(t, "model.json").is_file() for t in ("sentiment", "complaint"))


needs_fast = pytest.mark.skipif(not _fast_models_shipped(), reason="the shipped fast models are not in this checkout")


@pytest.fixture
def wait_for_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand batches to the workers from the start (else small tests finish before a worker is up)."""
    monkeypatch.setattr(stage, "CLASSIFY_WHILE_WORKERS_START", False)


def test_parallel_needs_the_models_names(tmp_path: Path) -> None:
    with five_post_workspace(tmp_path) as ws, pytest.raises(UsageError, match="names"):
        enrich_posts(
            ws.store,
            ws.config,
            sentiment=KeywordModel("sentiment"),
            complaint=KeywordModel("complaint"),
            model="test",
            workers=2,
        )


def test_a_multithreaded_model_runs_in_this_process(tmp_path: Path) -> None:
    sentiment = KeywordModel("sentiment")
    sentiment.parallel_inside = True  # type: ignore[attr-defined]
    with five_post_workspace(tmp_path) as ws:
        report = enrich_posts(
            ws.store, ws.config, sentiment=sentiment, complaint=KeywordModel("complaint"), model="test",
            sentiment_model="fast", complaint_model="fast", workers=2, batch_size=1,
        )  # fmt: skip
    assert report.workers == 1 and sentiment.calls == 5


@needs_fast
@pytest.mark.usefixtures("wait_for_workers")
def test_workers_that_load_another_version_stop_the_run(tmp_path: Path) -> None:
    # The workers load "fast", not the keyword models the version was taken from: no row may be stored under it.
    with five_post_workspace(tmp_path) as ws:
        with pytest.raises(EnrichWorkerError, match="workers=1"):
            enrich_posts(
                ws.store, ws.config, sentiment=KeywordModel("sentiment"), complaint=KeywordModel("complaint"),
                model="test", sentiment_model="fast", complaint_model="fast", workers=2, batch_size=2,
            )  # fmt: skip
        assert ws.store.con.execute("SELECT count(*) FROM enrichments").fetchall()[0] == (0,)


@needs_fast
@pytest.mark.usefixtures("wait_for_workers")
def test_the_pool_holds_few_batches_and_keeps_their_order(tmp_path: Path) -> None:
    from groundswell.enrich.campaigns import CampaignMatcher
    from groundswell.enrich.registry import load_classifier, load_subject_model

    sentiment, complaint = load_classifier("sentiment", "fast"), load_classifier("complaint", "fast")
    subject = load_subject_model("fast")
    version = model_version(sentiment, complaint, subject)
    with five_post_workspace(tmp_path) as ws:
        batches = list(ws.store.posts_to_enrich(version, batch_size=1))
        matcher = CampaignMatcher(ws.config.campaigns)
        pulled = 0
        here: list[str] = []

        def source() -> Iterator[pa.RecordBatch]:
            nonlocal pulled
            for batch in batches:
                pulled += 1
                yield batch

        def local(batch: pa.RecordBatch) -> pa.Table:
            here.append(batch.column("post_id")[0].as_py())
            return _enrichment_table(_classified(batch, sentiment, complaint, subject, matcher, "fast", version))

        ahead = []
        ids = []
        tables = _classify_in_pool(source(), 2, ("fast", "fast"), ws.config.campaigns, "fast", version, local)
        for table in tables:
            ids += table.column("post_id").to_pylist()
            ahead.append(pulled - len(ids))
    assert ids == [b.column("post_id")[0].as_py() for b in batches]
    assert max(ahead) <= 2 * MAX_IN_FLIGHT_PER_WORKER + 1
    assert len(here) < len(batches)  # the worker classified some


@needs_fast
def test_a_small_pool_run_is_cut_so_that_each_process_gets_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five posts, batches of four asked for: two processes would get one batch of four and one of one; the
    stage cuts them into batches of two (its smallest here) instead."""
    from groundswell.enrich.registry import load_classifier

    monkeypatch.setattr(stage, "MIN_POOL_BATCH_SIZE", 2)
    done: list[int] = []
    with five_post_workspace(tmp_path) as ws:
        report = enrich_posts(
            ws.store, ws.config, sentiment=load_classifier("sentiment", "fast"),
            complaint=load_classifier("complaint", "fast"), model="fast", sentiment_model="fast",
            complaint_model="fast", workers=2, batch_size=4, progress=lambda posts, _total: done.append(posts),
        )  # fmt: skip
    assert report.workers == 2 and report.enriched == 5
    assert done == [0, 2, 4, 5]


@needs_fast
def test_workspace_enrich_falls_back_to_the_fast_complaint_model_for_a_sentiment_only_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groundswell.enrich import registry

    real = registry.load_classifier

    def load(task: str, model: str | Path = "fast") -> Classifier:
        if model == "org/sentiment-only":
            if task == "complaint":
                raise ModelNotAvailable("org/sentiment-only: its labels are negative, neutral, positive")
            return KeywordModel(task)
        return real(task, model)

    monkeypatch.setattr(registry, "load_classifier", load)
    with five_post_workspace(tmp_path) as ws:
        report = ws.enrich("org/sentiment-only", workers=1)
    assert report.enriched == 5 and report.model == "org/sentiment-only"
    assert report.model_version.startswith("keywords-sentiment@1+fast-complaint@")
    note, subject_note = report.notes
    assert "no complaint labels" in note and "fast" in note
    assert "no subject model" in subject_note and "fast-subject@" in subject_note
    assert report.as_dict()["notes"] == [note, subject_note]


def test_workspace_enrich_does_not_hide_a_groundswell_model_without_complaints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from groundswell.enrich import registry

    model_dir = tmp_path / "sentiment-only"
    model_dir.mkdir()
    (model_dir / "model.json").write_text("{}", encoding="utf-8")

    def load(task: str, model: str | Path = "fast") -> Classifier:
        if task == "complaint":
            raise ModelNotAvailable(f"{model}: this is a 'sentiment' model, not a 'complaint' model")
        return KeywordModel(task)

    monkeypatch.setattr(registry, "load_classifier", load)
    with five_post_workspace(tmp_path) as ws, pytest.raises(ModelNotAvailable, match="not a 'complaint' model"):
        ws.enrich(model_dir)


def test_a_worker_asked_for_other_models_loads_them() -> None:
    from groundswell.enrich.registry import load_classifier, load_subject_model

    def version(tier: str) -> str:
        return stage.model_version(
            load_classifier("sentiment", tier), load_classifier("complaint", tier), load_subject_model(tier)
        )

    for tier in ("fast", "accurate", "fast"):  # a Spark executor's Python worker serves one job after another
        stage.load_worker((tier, tier), [], tier, version(tier))
        assert stage._worker_state is not None and stage._worker_state[-1] == version(tier)


@needs_fast
def test_a_pool_worker_classifies_without_importing_pandas() -> None:
    """Building an Arrow table from Python values imports pandas (a quarter of a second): a worker sends its
    rows back as plain columns, and they make the same table as a classification in this process."""
    import subprocess
    import sys

    code = (
        "import sys, duckdb\n"
        "from groundswell.enrich import stage\n"
        "from groundswell.enrich.registry import resolve_enrich_models\n"
        "m = resolve_enrich_models('fast')\n"
        "version = stage.model_version(m.sentiment, m.complaint, m.subject)\n"
        "stage.load_worker(('fast', 'fast'), [], 'fast', version)\n"
        "batch = duckdb.connect().sql(\"SELECT 'twitter' AS platform, 'p1' AS post_id, "
        "'@acme still no refund' AS text, false AS is_brand, true AS is_reply, "
        "TIMESTAMP '2026-03-02 10:00:00' AS created_at\").to_arrow_table().to_batches()[0]\n"
        "columns = stage.columns_in_worker(batch)\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
        "assert columns['intent'] == ['complaint'] and columns['post_id'] == ['p1'], columns\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
