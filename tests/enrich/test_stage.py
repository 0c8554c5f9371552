"""The enrich stage's bookkeeping: incremental, --force, one row per post and model version."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from groundswell.enrich.base import Prediction
from groundswell.enrich.stage import enrich_posts
from groundswell.workspace import Workspace

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[campaigns]]
name = "Summer"
hashtags = ["#AcmeSummer"]
"""
POSTS = (
    "platform,post_id,author_id,author_handle,created_at,text,in_reply_to_post_id\n"
    "twitter,1,u1,ana,2026-06-01T10:00:00Z,@AcmeHelp my order never arrived and nobody answers,\n"
    "twitter,2,b1,AcmeHelp,2026-06-01T10:20:00Z,@ana so sorry Ana! DM us your order number,1\n"
    "twitter,3,u1,ana,2026-06-01T11:00:00Z,@AcmeHelp thank you it arrived!,2\n"
    "twitter,4,u2,bo,2026-06-02T09:00:00Z,Loved the #AcmeSummer ad,\n"
    "twitter,5,u3,cy,2026-06-02T09:30:00Z,@AcmeHelp do you open on Sundays?,\n"
)


class KeywordModel:
    """A transparent stand-in model for the stage's bookkeeping (real models are tested on real data)."""

    labels: tuple[str, ...]

    def __init__(self, task: str, version: str = "1"):
        self.task, self.name, self.version = task, f"keywords-{task}", version
        self.labels = ("negative", "neutral", "positive") if task == "sentiment" else ("not_complaint", "complaint")
        self.calls = 0

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        self.calls += len(texts)
        out = []
        for text in texts:
            bad = "never" in text or "nobody" in text
            good = "thank" in text.lower() or "loved" in text.lower()
            if self.task == "sentiment":
                label = "negative" if bad else "positive" if good else "neutral"
            else:
                label = "complaint" if bad else "not_complaint"
            out.append(
                Prediction(label, 0.9, {k: (0.9 if k == label else 0.1 / (len(self.labels) - 1)) for k in self.labels})
            )
        return out


def _workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws", config_text=CONFIG)
    path = tmp_path / "posts.csv"
    path.write_text(POSTS, encoding="utf-8")
    ws.import_files([path])
    return ws


def test_enrich_labels_every_post_once(tmp_path: Path) -> None:
    with _workspace(tmp_path) as ws:
        report = enrich_posts(
            ws.store, ws.config, sentiment=KeywordModel("sentiment"), complaint=KeywordModel("complaint"), model="test"
        )
        assert (report.to_enrich, report.enriched) == (5, 5)
        rows = {
            r[0]: r[1:]
            for r in ws.store.con.execute(
                "SELECT post_id, sentiment, intent, subject, needs_reply, gratitude, campaign FROM enrichments"
            ).fetchall()
        }
    assert rows["1"] == ("negative", "complaint", "experience", True, False, None)
    assert rows["2"][1:4] == ("support_reply", "experience", False)
    assert rows["3"][4] is True  # gratitude
    assert rows["4"] == ("positive", "praise", "marketing", False, False, "Summer")
    assert rows["5"][1:4] == ("question", "other", True) or rows["5"][1:4] == ("question", "experience", True)


def test_second_run_does_nothing_and_force_redoes(tmp_path: Path) -> None:
    with _workspace(tmp_path) as ws:
        sentiment, complaint = KeywordModel("sentiment"), KeywordModel("complaint")
        enrich_posts(ws.store, ws.config, sentiment=sentiment, complaint=complaint, model="test")
        again = enrich_posts(ws.store, ws.config, sentiment=sentiment, complaint=complaint, model="test")
        assert (again.to_enrich, again.enriched) == (0, 0) and sentiment.calls == 5
        forced = enrich_posts(ws.store, ws.config, sentiment=sentiment, complaint=complaint, model="test", force=True)
        assert (forced.replaced, forced.enriched) == (5, 5)
        assert ws.store.con.execute("SELECT count(*) FROM enrichments").fetchone() == (5,)


def test_a_new_model_version_adds_rows_beside_the_old(tmp_path: Path) -> None:
    with _workspace(tmp_path) as ws:
        enrich_posts(
            ws.store, ws.config, sentiment=KeywordModel("sentiment"), complaint=KeywordModel("complaint"), model="test"
        )
        enrich_posts(
            ws.store,
            ws.config,
            sentiment=KeywordModel("sentiment", "2"),
            complaint=KeywordModel("complaint"),
            model="test",
            batch_size=2,
        )
        versions = ws.store.con.execute(
            "SELECT model_version, count(*) FROM enrichments GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert [count for _, count in versions] == [5, 5]
        assert ws.store.post_count() == 5  # posts are never touched by a later stage
