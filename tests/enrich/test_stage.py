"""The enrich stage's bookkeeping: incremental, --force, one row per post and model version."""

from __future__ import annotations

from pathlib import Path

from enrich_stand_ins import KeywordModel, five_post_workspace
from groundswell.enrich.stage import enrich_posts


def test_enrich_labels_every_post_once(tmp_path: Path) -> None:
    with five_post_workspace(tmp_path) as ws:
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
    with five_post_workspace(tmp_path) as ws:
        sentiment, complaint = KeywordModel("sentiment"), KeywordModel("complaint")
        enrich_posts(ws.store, ws.config, sentiment=sentiment, complaint=complaint, model="test")
        again = enrich_posts(ws.store, ws.config, sentiment=sentiment, complaint=complaint, model="test")
        assert (again.to_enrich, again.enriched) == (0, 0) and sentiment.calls == 5
        forced = enrich_posts(ws.store, ws.config, sentiment=sentiment, complaint=complaint, model="test", force=True)
        assert (forced.replaced, forced.enriched) == (5, 5)
        assert ws.store.con.execute("SELECT count(*) FROM enrichments").fetchone() == (5,)


def test_a_new_model_version_adds_rows_beside_the_old(tmp_path: Path) -> None:
    with five_post_workspace(tmp_path) as ws:
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
