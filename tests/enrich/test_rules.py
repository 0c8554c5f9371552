"""The intent / subject / needs_reply / gratitude rules, and their figures on real labelled posts.

The labelled set (tests/data/enrich/labelled_posts.csv, README beside it) was
labelled by reading each post; the rules were tuned on its dev split and the
floors below sit a little under what the test split measured (docs/rules.md),
so a change that makes the rules worse fails here.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.metrics import f1_score, precision_recall_fscore_support

from groundswell.cli import cli
from groundswell.enrich import rules
from groundswell.enrich.base import INTENT_LABELS, SUBJECT_LABELS, Classifier, Prediction
from groundswell.enrich.evaluate import evaluate_texts, read_context
from groundswell.enrich.registry import load_classifier, shipped_model_dir
from groundswell.enrich.rules import RuleClassifier, RuleInput, gratitude, intent, needs_reply, subject

DATA = Path(__file__).resolve().parents[1] / "data" / "enrich"
LABELLED = DATA / "labelled_posts.csv"
COLUMNS = ["id", "source", "text", "is_brand", "is_reply", "intent", "subject", "needs_reply", "gratitude", "split"]
SOURCES = {"twcs", "ibm", "twacs", "complaints", "airline", "tweeteval"}

# Measured once on the test split after tuning on dev (docs/rules.md); the floors leave a little room.
TEST_FLOORS = {
    "intent_macro_f1": 0.73,  # measured 0.759
    "subject_macro_f1": 0.75,  # measured 0.772
    "needs_reply_precision": 0.88,  # measured 0.908
    "needs_reply_recall": 0.88,  # measured 0.908
    "gratitude_precision": 0.93,  # measured 0.960
    "gratitude_recall": 0.97,  # measured 1.000
}


def post(
    text: str,
    *,
    sentiment: str = "neutral",
    complaint: float = 0.1,
    brand: bool = False,
    reply: bool = False,
    campaign: str | None = None,
) -> RuleInput:
    return RuleInput(text, brand, reply, sentiment, complaint, campaign)


# -- the rules, case by case --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@AcmeHelp thank you so much, it arrived!", True),
        ("Thx @AcmeHelp", True),
        ("tyvm for getting me on the next flight", True),
        ("Cheers mate, appreciate it", True),
        ("@AcmeHelp 🙏", True),
        ("Thanks for nothing @AcmeAir", False),
        ("Thanks for “upgrading” me to a middle seat", False),
        ("my order never arrived", False),
        ("Thanksgiving plans anyone?", False),
    ],
)
def test_gratitude(text: str, expected: bool) -> None:
    assert gratitude(text) is expected


def test_brand_posts_are_support_replies_promotions_or_notices() -> None:
    assert intent(post("@ana so sorry! DM us your order number", brand=True, reply=True)) == "support_reply"
    # a reply whose link to the customer's post is missing still reads as one
    assert intent(post("@116036 Thank you for your patience. We'll call you shortly.", brand=True)) == "support_reply"
    assert intent(post("40 destinations for £40 each-way or less. Book now!", brand=True)) == "promotion"
    assert intent(post("Due to an incident at Preston all lines are closed.", brand=True)) == "other"


def test_complaints_need_a_model_or_a_problem_and_someone_to_tell() -> None:
    assert intent(post("@AcmeHelp my order never arrived. Lame.", sentiment="negative", complaint=0.2)) == "complaint"
    assert intent(post("@AcmeHelp you are the worst", sentiment="negative", complaint=0.8)) == "complaint"
    # a neutral question the complaint model over-rates stays a question
    assert intent(post("@AcmeAir can I bring my dog on board?", complaint=0.7)) == "question"
    # a grumble to nobody in particular about a football team is not a complaint to a brand
    assert intent(post("Red Sox may be the best worst team ever", sentiment="negative", complaint=0.4)) == "other"


def test_trouble_is_spared_only_where_the_negator_governs_it() -> None:
    # "no queue" is relief; "nobody answers my complaint" denies the answer, not the complaint
    assert intent(post("@acme terrible service, nobody answers my complaint", sentiment="negative")) == "complaint"
    assert intent(post("@acme in and out in five minutes, no queue", sentiment="neutral", complaint=0.6)) != "complaint"
    assert intent(post("@acme never had an issue with you, ever", sentiment="neutral", complaint=0.6)) != "complaint"


def test_questions_and_requests_are_said_to_someone() -> None:
    assert intent(post("@AcmeHelp do you open on Sundays?")) == "question"
    assert intent(post("@AcmeHelp please let me know who to speak to about my seat")) == "question"
    assert intent(post("So tell me, when does the tournament start?")) == "other"


def test_suggestions_are_feedback_unless_angry() -> None:
    assert intent(post("@AcmeAir please add vegan creamers to the coffee service")) == "feedback"
    assert intent(post("@AcmeAir loving the new planes, only wish the windows were larger", sentiment="positive")) == (
        "feedback"
    )
    assert intent(post("@AcmeAir suggestion: show which seats have less legroom")) == "feedback"
    angry = post(
        "@AcmeAir my bag is lost. Please add a tracker, this is ridiculous", sentiment="negative", complaint=0.8
    )
    assert intent(angry) == "complaint"


def test_promotions_praise_and_other() -> None:
    assert intent(post("RT to win! Enter to win two tickets to the show")) == "promotion"
    assert intent(post("LABOR DAY SALE TOMORROW!!! 15% OFF EVERYTHING", sentiment="positive")) == "promotion"
    assert intent(post("Participate in the new contest. Winner gets a gift. Deadline is Friday")) == "promotion"
    assert intent(post("Congratulations on 5th place in the song contest", sentiment="positive")) == "other"
    assert intent(post("@AcmeAir your crew was amazing today!", sentiment="positive")) == "praise"
    assert intent(post("Feels good to be back home", sentiment="positive")) == "other"


def test_subject() -> None:
    def subject_of(p: RuleInput) -> str:
        return subject(p, intent(p))

    assert subject_of(post("Loved the new Acme ad with the dog", sentiment="positive")) == "marketing"
    assert subject_of(post("Nice weekend", campaign="Summer")) == "marketing"
    assert subject_of(post("Win tickets! Enter our giveaway")) == "marketing"
    assert subject_of(post("@AcmeHelp my delivery is two weeks late", sentiment="negative", complaint=0.9)) == (
        "experience"
    )
    assert subject_of(post("@ana DM us your order number", brand=True, reply=True)) == "experience"
    assert subject_of(post("Rick Perry's presidential campaign lost its co-chair")) == "other"
    assert subject_of(post("Great game tonight", sentiment="positive")) == "other"
    # links are not words: utm_campaign in a help link is no campaign
    help_link = post("@ana try https://help.example/s?utm_campaign=reply", brand=True, reply=True)
    assert subject_of(help_link) == "experience"


def test_needs_reply() -> None:
    def needs(p: RuleInput) -> bool:
        return needs_reply(p, intent(p))

    assert needs(post("@AcmeHelp where is my order?"))
    assert needs(post("@AcmeHelp my order never arrived", sentiment="negative", complaint=0.9))
    assert needs(post("@AcmeAir please add more flights to Portland"))
    assert not needs(post("@AcmeHelp thank you, sorted!", sentiment="positive"))
    assert not needs(post("@ana where is your order number?", brand=True, reply=True))
    assert not needs(post("Anyone watching the game tonight?"))


# -- the Classifier ---------------------------------------------------------------------------


class FixedModel:
    """A stand-in model: the same label for every text."""

    def __init__(self, task: str, labels: tuple[str, ...], label: str, version: str = "0.1") -> None:
        self.task, self.labels, self.name, self.version, self._label = task, labels, f"fixed-{task}", version, label

    def predict(self, texts: Sequence[str], *, batch_size: int = 1024) -> list[Prediction]:
        probabilities = {label: float(label == self._label) for label in self.labels}
        return [Prediction(self._label, 1.0, probabilities) for _ in texts]


def _rule_classifier(task: str, *, sentiment: str = "neutral", complaint: str = "not_complaint") -> RuleClassifier:
    return RuleClassifier(
        task,
        FixedModel("sentiment", ("negative", "neutral", "positive"), sentiment, "1.2"),
        FixedModel("complaint", ("not_complaint", "complaint"), complaint, "3.4"),
    )


def test_rule_classifier_is_a_named_versioned_classifier() -> None:
    classifier: Classifier = _rule_classifier("intent")
    assert classifier.task == "intent" and classifier.labels == INTENT_LABELS
    assert classifier.name == "rules-intent+fixed-sentiment+fixed-complaint"
    assert classifier.version == f"{rules.RULES_VERSION}+1.2+3.4"
    assert _rule_classifier("subject").labels == SUBJECT_LABELS
    with pytest.raises(ValueError, match="not 'sentiment'"):
        _rule_classifier("sentiment")


def test_predict_takes_customer_originals_and_predict_posts_reads_context() -> None:
    classifier = _rule_classifier("intent")
    text = "@ana DM us your order number"
    [customer] = classifier.predict([text])
    assert customer.label != "support_reply"
    assert customer.probabilities == {label: float(label == customer.label) for label in INTENT_LABELS}
    [brand] = classifier.predict_posts([text], [True], [True])
    assert brand.label == "support_reply" and brand.score == 1.0
    subjects = _rule_classifier("subject").predict_posts(
        ["hello", "hello"], [False, False], [False, False], ["Summer", None]
    )
    assert [p.label for p in subjects] == ["marketing", "other"]
    with pytest.raises(ValueError, match="same length"):
        classifier.predict_posts([text], [True, False], [True])


def test_rules_version_lives_in_rules() -> None:
    assert rules.RULES_VERSION == "rules-3"


# -- the labelled set ------------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_labelled_set_is_well_formed() -> None:
    rows = _read(LABELLED)
    assert len(rows) >= 400
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids), "ids must be unique"
    assert len({" ".join(row["text"].lower().split()) for row in rows}) == len(rows), "texts must be unique"
    for row in rows:
        where = row["id"]
        assert row["source"] in SOURCES and where.startswith(row["source"] + ":"), where
        assert row["text"].strip(), where
        assert row["intent"] in INTENT_LABELS, where
        assert row["subject"] in SUBJECT_LABELS, where
        for column in ("is_brand", "is_reply", "needs_reply", "gratitude"):
            assert row[column] in ("true", "false"), (where, column)
        bucket = int(hashlib.sha1(row["id"].encode("utf-8"), usedforsecurity=False).hexdigest()[:8], 16) % 100
        assert row["split"] == ("dev" if bucket < 50 else "test"), where
        if row["is_brand"] == "true":
            assert row["needs_reply"] == "false", where  # only customers' posts need a reply
    for split in ("dev", "test"):
        assert _read(DATA / f"labelled_posts_{split}.csv") == [r for r in rows if r["split"] == split], split
    # every label is in both splits
    for column, labels in (("intent", INTENT_LABELS), ("subject", SUBJECT_LABELS)):
        for split in ("dev", "test"):
            assert {r[column] for r in rows if r["split"] == split} == set(labels), (column, split)


def test_context_columns_are_read() -> None:
    context = read_context(DATA / "labelled_posts_test.csv")
    assert context is not None
    rows = _read(DATA / "labelled_posts_test.csv")
    assert context == ([r["is_brand"] == "true" for r in rows], [r["is_reply"] == "true" for r in rows])


# -- the figures on the test split, with the shipped fast models ------------------------------------


@pytest.fixture(scope="module")
def shipped_rules() -> RuleClassifier:
    for task in ("sentiment", "complaint"):
        if not shipped_model_dir("fast").joinpath(task, "model.json").is_file():
            pytest.skip(f"the shipped fast {task} model is not in this checkout")
    classifier = load_classifier("intent", "fast")
    assert isinstance(classifier, RuleClassifier)
    return classifier


def test_figures_on_the_test_split(shipped_rules: RuleClassifier) -> None:
    rows = _read(DATA / "labelled_posts_test.csv")
    posts = shipped_rules.rule_inputs(
        [r["text"] for r in rows], [r["is_brand"] == "true" for r in rows], [r["is_reply"] == "true" for r in rows]
    )
    intents = [intent(p) for p in posts]
    subjects = [subject(p, i) for p, i in zip(posts, intents, strict=True)]
    figures = {
        "intent_macro_f1": f1_score([r["intent"] for r in rows], intents, labels=list(INTENT_LABELS), average="macro"),
        "subject_macro_f1": f1_score(
            [r["subject"] for r in rows], subjects, labels=list(SUBJECT_LABELS), average="macro"
        ),
    }
    for name, predicted in (
        ("needs_reply", [needs_reply(p, i) for p, i in zip(posts, intents, strict=True)]),
        ("gratitude", [gratitude(p.text) for p in posts]),
    ):
        precision, recall, _, _ = precision_recall_fscore_support(
            [r[name] == "true" for r in rows], predicted, average="binary", zero_division=0
        )
        figures[f"{name}_precision"], figures[f"{name}_recall"] = precision, recall
    below = {name: round(float(figures[name]), 3) for name, floor in TEST_FLOORS.items() if figures[name] < floor}
    assert not below, f"below the floor: {below} (floors {TEST_FLOORS})"


def test_cli_eval_reads_the_task_column_and_the_context(shipped_rules: RuleClassifier) -> None:
    path = DATA / "labelled_posts_test.csv"
    result = CliRunner().invoke(cli, ["eval", "--task", "intent", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == len(_read(path)) and report["model"].startswith("rules-intent+")
    assert (
        report["value"] >= TEST_FLOORS["intent_macro_f1"]
    )  # subject is a learned model: tests/enrich/test_subject_model.py
    # without the context columns every post is a customer's original: no support replies at all
    rows = _read(path)
    plain = evaluate_texts(shipped_rules, [r["text"] for r in rows], [r["intent"] for r in rows])
    assert plain.per_class["support_reply"]["recall"] == 0.0
