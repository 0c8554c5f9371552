"""Training the fast tier from a workspace's label corrections: inbox corrections in, a new model version out,
used by enrich, the shipped files untouched (a real DuckDB workspace, real posts to one airline)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.enrich.registry import shipped_model_dir
from groundswell.errors import UsageError
from groundswell.workspace import Workspace

BRAND_POSTS = Path(__file__).resolve().parents[1] / "data" / "enrich" / "brand_posts.csv"
CONFIG = """brand = "Delta"
[[accounts]]
platform = "twitter"
handle = "Delta"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
CORRECTED = 120  # pool posts an agent corrects


def _pool() -> list[dict[str, str]]:
    with BRAND_POSTS.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["split"] == "pool"]


def _shipped_hashes() -> dict[str, str]:
    root = Path(str(shipped_model_dir("fast")))
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def airline_workspace(tmp_path: Path) -> Path:
    """A DuckDB workspace holding the pool's real customer posts, the brand's handle put back in."""
    folder = tmp_path / "ws"
    rows = [
        f"twitter,{row['id'].split(':')[1]},u{i},cust{i},10,2017-10-{1 + i % 28:02d}T10:00:00Z,"
        f'"{row["text"].replace("__company__", "@Delta").replace(chr(34), chr(34) * 2)}",\n'
        for i, row in enumerate(_pool())
    ]
    (tmp_path / "posts.csv").write_text(HEAD + "".join(rows), encoding="utf-8")
    with Workspace.init(folder, config_text=CONFIG) as ws:
        report = ws.import_files([tmp_path / "posts.csv"])
        assert report.imported == len(rows)
    return folder


@pytest.mark.slow  # two enrichments and three adapted models: about 20 s
def test_corrections_make_a_new_version_that_enrich_uses_and_the_shipped_files_stay(airline_workspace: Path) -> None:
    before = _shipped_hashes()
    pool = _pool()[:CORRECTED]
    with Workspace.open(airline_workspace) as ws:
        shipped = ws.enrich("fast")
        texts = {row[0]: row[1] for row in ws.store.execute("SELECT post_id, text FROM posts")}
        for row in pool:
            post_id = row["id"].split(":")[1]
            ws.inbox.correct_label("twitter", post_id, "sentiment", row["sentiment"], actor="kim")
            intent = "complaint" if row["complaint"] == "complaint" else "other"
            ws.inbox.correct_label("twitter", post_id, "intent", intent, actor="kim")
            ws.inbox.correct_label("twitter", post_id, "subject", row["subject"], actor="kim")
        messages: list[str] = []
        trained = ws.train_from_corrections(progress=messages.append)

        assert trained.out == airline_workspace / "models" / "fast+ws1"
        assert {task: record.corrections for task, record in trained.records.items()} == {
            "sentiment": CORRECTED, "complaint": CORRECTED, "subject": CORRECTED,
        }  # fmt: skip
        assert all(version.endswith("+ws1") for version in trained.versions.values())
        assert any("sentiment: adapting" in m for m in messages)
        card = (trained.out / "MODEL_CARD.md").read_text(encoding="utf-8")
        assert f"| sentiment | {trained.versions['sentiment']} | {CORRECTED} |" in card

        adapted = ws.enrich("workspace")
        assert adapted.model_version != shipped.model_version and "+ws1" in adapted.model_version
        assert adapted.enriched == len(texts)
        labelled = dict(
            ws.store.execute("SELECT post_id, CAST(sentiment AS VARCHAR) FROM enrichments WHERE model_version = ?",
                             [adapted.model_version])
        )  # fmt: skip
        before_labels = dict(
            ws.store.execute("SELECT post_id, CAST(sentiment AS VARCHAR) FROM enrichments WHERE model_version = ?",
                             [shipped.model_version])
        )  # fmt: skip
    corrected = {row["id"].split(":")[1]: row["sentiment"] for row in pool}
    agree_after = sum(labelled[p].lower() == label for p, label in corrected.items())
    agree_before = sum(before_labels[p].lower() == label for p, label in corrected.items())
    # the shipped model misreads some of these posts; the adapted one has learned from the agent's labels
    assert agree_before < CORRECTED and agree_after > agree_before
    assert _shipped_hashes() == before


@pytest.mark.slow  # three trainings, one through the CLI
def test_a_second_training_is_a_new_number_and_the_cli_reports_it(airline_workspace: Path) -> None:
    pool = _pool()[:40]
    with Workspace.open(airline_workspace) as ws:
        for row in pool:
            ws.inbox.correct_label("twitter", row["id"].split(":")[1], "sentiment", row["sentiment"], actor="kim")
        ws.train_from_corrections(["sentiment"])
    result = CliRunner().invoke(
        cli, ["train", "--from-corrections", "--task", "sentiment", "--workspace", str(airline_workspace)]
    )
    assert result.exit_code == 0, result.output
    assert "fast+ws2" in result.stdout and "+ws2" in result.stdout
    assert sorted(p.name for p in (airline_workspace / "models").iterdir()) == ["fast+ws1", "fast+ws2"]
    # only sentiment was asked for: the other two are the shipped models, copied under their shipped versions
    with Workspace.open(airline_workspace) as ws:
        trained = ws.train_from_corrections(["sentiment"])
    assert set(trained.records) == {"sentiment"} and not trained.versions["complaint"].endswith("+ws3")


def test_no_corrections_is_a_clear_error(airline_workspace: Path) -> None:
    with Workspace.open(airline_workspace) as ws, pytest.raises(UsageError, match="no label corrections"):
        ws.train_from_corrections()
    with Workspace.open(airline_workspace) as ws, pytest.raises(UsageError, match="no model trained from corrections"):
        ws.enrich("workspace")
    result = CliRunner().invoke(cli, ["train", "--from-corrections", "--workspace", str(airline_workspace)])
    assert result.exit_code == 1 and "no label corrections" in result.output
    assert not (airline_workspace / "models").exists()
    usage = CliRunner().invoke(cli, ["train", "--from-corrections", "sentiment", "--workspace", str(airline_workspace)])
    assert usage.exit_code == 2
