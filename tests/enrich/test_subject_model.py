"""The learned subject models: they load offline, label clear posts right, and their shipped figures hold.

The figures test scores each shipped model on the test split of the subject set (tests/data/enrich,
SUBJECT_GUIDE.md) exactly as ``groundswell eval`` does and compares with what its model.json states.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import f1_score

from enrich_stand_ins import five_post_workspace
from groundswell.cli import cli
from groundswell.enrich import rules
from groundswell.enrich.registry import load_classifier, load_subject_model, shipped_model_dir
from groundswell.enrich.subject import (
    CONTEXT_FEATURES,
    SubjectClassifier,
    SubjectModel,
    context_features,
    rule_subject,
)
from groundswell.records import SUBJECT_LABELS

DATA = Path(__file__).resolve().parents[1] / "data" / "enrich"
TEST_SPLIT = DATA / "subject_posts_test.csv"


def _shipped(tier: str) -> bool:
    return shipped_model_dir(tier).joinpath("subject", "model.json").is_file()


fast = pytest.param("fast", marks=pytest.mark.skipif(not _shipped("fast"), reason="no shipped fast subject model"))
accurate = pytest.param(
    "accurate",
    marks=[pytest.mark.slow, pytest.mark.skipif(not _shipped("accurate"), reason="no shipped accurate subject model")],
)


@pytest.fixture(scope="module", params=[fast, accurate])
def classifier(request: pytest.FixtureRequest) -> SubjectClassifier:
    loaded = load_classifier("subject", request.param)
    assert isinstance(loaded, SubjectClassifier)
    return loaded


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_clear_posts_get_their_subject(classifier: SubjectClassifier) -> None:
    posts = {
        "Enter to win a free pair of sneakers! RT and follow to enter #giveaway #contest": "marketing",
        "@AcmeAir my flight was delayed three hours and now my bag is lost. Nobody at the desk will help": "experience",
        "@AcmeShop ordered a jacket two weeks ago and it still has not arrived, where is my refund?": "experience",
        "What a game last night, the Lakers were unstoppable in the fourth quarter": "other",
    }
    texts = list(posts)
    predicted = classifier.predict_posts(texts, [False] * len(texts), [False] * len(texts))
    assert {t: p.label for t, p in zip(texts, predicted, strict=True)} == posts
    assert all(abs(sum(p.probabilities.values()) - 1) < 1e-6 for p in predicted)


def test_a_campaign_post_is_marketing_whatever_the_text(classifier: SubjectClassifier) -> None:
    text = "@AcmeAir my flight was delayed three hours and now my bag is lost"
    (plain,) = classifier.predict_posts([text], [False], [False])
    (matched,) = classifier.predict_posts([text], [False], [False], ["Summer"])
    assert plain.label == "experience" and matched.label == "marketing" and matched.score == 1.0


def test_the_shipped_figures_match_a_re_evaluation_on_the_test_split(classifier: SubjectClassifier) -> None:
    if not TEST_SPLIT.is_file():
        pytest.skip("the subject set's test split is not in this checkout")
    rows = _rows(TEST_SPLIT)
    predicted = [
        p.label
        for p in classifier.predict_posts(
            [r["text"] for r in rows], [r["is_brand"] == "true" for r in rows], [r["is_reply"] == "true" for r in rows]
        )
    ]
    gold = [r["subject"] for r in rows]
    held_out = classifier.model.metadata["held_out"]
    assert held_out["split"] == "test" and held_out["n"] == len(rows)
    assert f1_score(gold, predicted, labels=list(SUBJECT_LABELS), average="macro") == pytest.approx(
        held_out["macro_f1"], abs=5e-4
    )
    for source, figures in held_out["per_source"].items():
        index = [i for i, r in enumerate(rows) if r["source"] == source]
        again = f1_score([gold[i] for i in index], [predicted[i] for i in index], average="macro")
        assert again == pytest.approx(figures["macro_f1"], abs=5e-4), source


def test_cli_eval_scores_the_subject_set() -> None:
    if not (_shipped("fast") and TEST_SPLIT.is_file()):
        pytest.skip("no shipped fast subject model or no test split here")
    result = CliRunner().invoke(cli, ["eval", "--task", "subject", str(TEST_SPLIT), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    shipped = load_subject_model("fast").metadata["held_out"]
    assert report["model"] == "fast-subject" and report["n"] == shipped["n"]
    assert report["value"] == pytest.approx(shipped["macro_f1"], abs=5e-4)
    assert report["confusion"]["matrix"] == shipped["confusion"]["matrix"]


def test_enrich_fills_subject_from_the_model_and_names_it_in_the_version(tmp_path: Path) -> None:
    if not _shipped("fast"):
        pytest.skip("no shipped fast subject model")
    with five_post_workspace(tmp_path) as ws:
        report = ws.enrich("fast", workers=1)
        rows = dict(ws.store.con.execute("SELECT post_id, subject FROM enrichments").fetchall())
    assert "+fast-subject@" in report.model_version
    assert rows["1"] == "experience"  # "my order never arrived and nobody answers"
    assert rows["4"] == "marketing"  # the #AcmeSummer campaign


def test_context_features_are_the_rules_view_of_each_post() -> None:
    post = rules.RuleInput("@AcmeHelp 20% off today? #sale", False, True, "positive", 0.1, None)
    (values,) = context_features([post], [rules.intent(post)])
    named = dict(zip(CONTEXT_FEATURES, values.tolist(), strict=True))
    assert named["is_reply"] == 1 and named["is_brand"] == 0
    assert named["marketing_words"] == 1 and named["hashtag"] == 1 and named["mentions_account"] == 1
    assert named["sentiment_positive"] == 1 and named["complaint_probability"] == pytest.approx(0.1)
    assert sum(v for k, v in named.items() if k.startswith("rule_subject_")) == 1


def test_a_saved_model_loads_back_the_same(tmp_path: Path) -> None:
    if not _shipped("fast"):
        pytest.skip("no shipped fast subject model")
    model = load_subject_model("fast")
    again = SubjectModel.load(model.save(tmp_path / "subject"))
    post = rules.RuleInput("@AcmeAir lost my bag again", False, False, "negative", 0.9, None)
    assert again.version == model.version
    assert again.probabilities([post], ["complaint"]) == pytest.approx(model.probabilities([post], ["complaint"]))


def test_the_rule_subject_feature_is_the_rule_itself() -> None:
    rows = _rows(DATA / "subject_posts.csv")[:400]
    for row in rows:
        for sentiment, campaign in (("negative", None), ("positive", None), ("neutral", "Summer")):
            post = rules.RuleInput(
                row["text"], row["is_brand"] == "true", row["is_reply"] == "true", sentiment, 0.3, campaign
            )
            found = rules.intent(post)
            assert rule_subject(post, found, rules.subject_cues(post.text)) == rules.subject(post, found), row["id"]
