"""The shipped models against the demo world's true labels (known from the template that wrote each post).

A seeded demo world is imported into a real workspace and enriched by each tier; every English customer post's
complaint (intent), sentiment and subject are then compared with what the post truly is
(``groundswell.demo.truth``). The shipped models are English ones, so posts in other languages are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from groundswell.demo import demo_config_text, generate_labelled_world, write_posts_csv
from groundswell.ingest.pipeline import ImportOptions
from groundswell.records import Intent
from groundswell.workspace import Workspace

pytestmark = pytest.mark.slow  # imports and enriches a 3,000-post world in each tier (about 30 s)

POSTS, SEED = 3000, 7
TIERS = ("fast", "accurate")
# Measured with rules-3, fast-sentiment 1.2.0, accurate 1.1.0 and the 1.2.0 subject models: (complaint, sentiment,
# subject) agreement per tier.
MEASURED = {"fast": (0.866, 0.652, 0.865), "accurate": (0.868, 0.741, 0.842)}


@dataclass(frozen=True)
class Agreement:
    """Share of English customer posts whose enriched label equals the true one, per label."""

    complaint: float
    sentiment: float
    subject: float
    posts: int


def agreement(tmp_path: Path, tier: str) -> Agreement:
    labelled = list(generate_labelled_world(posts=POSTS, seed=SEED))
    data = tmp_path / "posts.csv"
    write_posts_csv((post for post, _ in labelled), data)
    truth = {post.post_id: true for post, true in labelled if true is not None and post.lang == "en"}
    with Workspace.init(tmp_path / tier, config_text=demo_config_text()) as ws:
        ws.import_files([data], ImportOptions(format="csv"))
        ws.enrich(tier, workers=1)
        rows = ws.store.con.execute("SELECT post_id, intent, sentiment, subject FROM enrichments").fetchall()
    found = {post_id: (intent, sentiment, subject) for post_id, intent, sentiment, subject in rows}
    assert set(truth) <= set(found), "every customer post is enriched"
    same = [0, 0, 0]
    for post_id, true in truth.items():
        intent, sentiment, subject = found[post_id]
        same[0] += (intent == Intent.COMPLAINT) == true.complaint
        same[1] += sentiment == true.sentiment
        same[2] += subject == true.subject
    n = len(truth)
    return Agreement(same[0] / n, same[1] / n, same[2] / n, n)


@pytest.fixture(scope="module", params=TIERS)
def agreed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agreement]:
    yield agreement(tmp_path_factory.mktemp(request.param), request.param)


def test_enough_labelled_posts(agreed: Agreement) -> None:
    assert agreed.posts > POSTS // 2


def test_agreement_is_no_worse_than_measured(agreed: Agreement, request: pytest.FixtureRequest) -> None:
    tier = request.node.callspec.params["agreed"]
    complaint, sentiment, subject = MEASURED[tier]
    assert agreed.complaint >= complaint - 0.01
    assert agreed.sentiment >= sentiment - 0.01
    assert agreed.subject >= subject - 0.01


@pytest.mark.xfail(
    reason="complaint agreement is 0.866 (fast) and 0.868 (accurate): the models still call some plain praise "
    "a complaint and miss chasers such as 'Anyone there?'",
    strict=False,
)
def test_complaints_agree_with_the_demo(agreed: Agreement) -> None:
    assert agreed.complaint >= 0.95


@pytest.mark.xfail(
    reason="sentiment agreement is 0.652 (fast) and 0.741 (accurate): short praise with negation or no "
    "praise word ('no queue', 'not a single blister') is read as negative or neutral",
    strict=False,
)
def test_sentiment_agrees_with_the_demo(agreed: Agreement) -> None:
    assert agreed.sentiment >= 0.90


@pytest.mark.xfail(
    reason="subject agreement is 0.865 (fast) and 0.842 (accurate): praise of a product or a store visit that "
    "names no problem is taken for other, and short replies to an ad ('Best ad of the year', 'Entered!') too",
    strict=False,
)
def test_subject_agrees_with_the_demo(agreed: Agreement) -> None:
    assert agreed.subject >= 0.90
