"""The scorecard: scoring, weights from the config, missing data, and two demo brands that behave differently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from generated import random_thread_sources, thread_post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.cli import cli
from groundswell.config import parse_config
from groundswell.demo import build_demo
from groundswell.demo.profiles import BUZZING_PROFILE, HELPFUL_PROFILE
from groundswell.errors import UsageError
from groundswell.metrics.marketing import marketing
from groundswell.metrics.scorecard import COMPONENT_NAMES, MARKETING, SOCIAL, Scorecard, score, scorecard
from groundswell.workspace import Workspace

DEMO_POSTS = 6_000


def test_score_places_a_value_between_bad_and_good() -> None:
    assert score(0.55, 0.2, 0.9) == pytest.approx(50.0)
    assert score(0.1, 0.2, 0.9) == 0.0 and score(0.95, 0.2, 0.9) == 100.0  # held within 0-100
    assert score(12.5, 24.0, 1.0) == pytest.approx(100 * 11.5 / 23)  # lower is better
    assert score(10.0, 1.0, 100.0, log=True) == pytest.approx(50.0)  # halfway in orders of magnitude
    assert score(0.0, 1.0, 100.0, log=True) == 0.0
    with pytest.raises(UsageError):
        score(5.0, 0.0, 100.0, log=True)


CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
POSTS = (
    "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id,like_count,"
    "share_count,reply_count\n"
    "twitter,1,c1,ann,50,2026-03-01T10:00:00Z,@AcmeHelp my order is late,,,,\n"
    "twitter,2,b,AcmeHelp,1000,2026-03-01T10:30:00Z,@ann sorry - sending a new one,1,,,\n"
    "twitter,3,c1,ann,50,2026-03-01T12:00:00Z,@AcmeHelp got it thanks,2,,,\n"
    "twitter,4,b,AcmeHelp,1050,2026-03-11T09:00:00Z,Spring sale starts today!,,30,10,5\n"
    "twitter,5,b,AcmeHelp,1100,2026-03-31T10:00:00Z,Last day of the sale,,3,1,\n"
    "twitter,6,c2,bo,10,2026-03-20T10:00:00Z,@AcmeHelp love the sale ad,,,,\n"
)
LABELS = {
    "1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True, "subject": "experience"},
    "3": {"sentiment": "positive", "gratitude": True, "subject": "experience"},
    "6": {"sentiment": "positive", "subject": "marketing"},
}


def test_marketing_figures(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    (m,) = marketing(make_sources(ws.store, ws.config))
    assert m.days == 4  # active days: posts on 1, 11, 20 and 31 March, none on the 27 days between
    assert m.buzz_posts == 1 and m.buzz_per_day.value == pytest.approx(1 / 4)
    assert (m.broadcasts, m.engaged_broadcasts) == (2, 2)
    assert m.broadcast_engagement.value == pytest.approx((45 + 4) / 2)
    assert m.broadcast_engagement_per_1000_followers.value == pytest.approx((45 / 1.05 + 4 / 1.1) / 2)
    assert (m.followers_first, m.followers_last) == (1000, 1100)
    assert m.follower_growth.value == pytest.approx(0.1)
    assert m.follower_growth_per_month.value == pytest.approx(0.1 * 30 / (30 - 0.5 / 24))


def test_scorecard_on_hand_made_posts(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    (card,) = scorecard(make_sources(ws.store, ws.config))
    social = {c.name: c for c in card.social.components}
    assert social["response_rate"].raw == 1.0 and social["response_rate"].score == 100.0
    assert social["first_response_median_hours"].raw == pytest.approx(0.5)
    assert social["help_rate"].raw == 1.0
    assert social["conversation_ratio"].raw == pytest.approx(1 / 3)  # 1 reply of 3 brand posts
    scored = [c for c in card.social.components if c.score is not None]
    expected = sum(c.weight * c.score for c in scored) / sum(c.weight for c in scored)  # type: ignore[operator]
    assert card.social.value == pytest.approx(expected)
    assert {c.name for i in (card.social, card.marketing) for c in i.components} == set(COMPONENT_NAMES)
    assert card.quadrant in ("both high", "social only", "marketing only", "neither")


def test_config_sets_weights_ends_and_threshold(make_workspace: Any, make_sources: Any) -> None:
    text = CONFIG + (
        "[scorecard]\nhigh = 90\n"
        "[scorecard.components.conversation_ratio]\nweight = 0\n"
        "[scorecard.components.response_rate]\nweight = 3\nbad = 0\ngood = 2\n"
    )
    ws = make_workspace(text, POSTS, LABELS)
    (card,) = scorecard(make_sources(ws.store, ws.config))
    social = {c.name: c for c in card.social.components}
    assert social["conversation_ratio"].score is None and "weight 0" in (social["conversation_ratio"].note or "")
    assert (social["response_rate"].weight, social["response_rate"].score) == (3, 50.0)
    assert card.threshold == 90 and card.social.high is ((card.social.value or 0) >= 90)


def test_unknown_component_and_bad_log_ends_are_refused(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG + "[scorecard.components.fan_count]\nweight = 2\n", POSTS, LABELS)
    with pytest.raises(UsageError, match="fan_count.*known: experience_share"):
        scorecard(make_sources(ws.store, ws.config))
    ws = make_workspace(CONFIG + "[scorecard.components.buzz_per_day]\nbad = 0\n", POSTS, LABELS)
    with pytest.raises(UsageError, match="log scale"):
        scorecard(make_sources(ws.store, ws.config))
    with pytest.raises(Exception, match="differ"):
        parse_config(CONFIG + "[scorecard.components.help_rate]\nbad = 0.5\ngood = 0.5\n")


def test_without_enrichments_the_components_say_why(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    (card,) = scorecard(make_sources(ws.store, ws.config))
    social = {c.name: c for c in card.social.components}
    assert social["experience_share"].score is None and "groundswell enrich" in (social["experience_share"].note or "")
    assert social["conversation_ratio"].score is not None  # needs no classifier
    assert card.social.value is not None and card.model_version is None


# -- two demo brands: one buzzes and does not help, one helps ----------------------------------


@pytest.fixture(scope="module")
def two_brands(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("brands")
    paths = {}
    for profile in (HELPFUL_PROFILE, BUZZING_PROFILE):
        path = root / profile.name
        build_demo(path, posts=DEMO_POSTS, seed=5, profile=profile)
        with Workspace.open(path) as ws:
            ws.enrich("fast")
        paths[profile.name] = path
    return paths


def _card(path: Path) -> Scorecard:
    with Workspace.open(path) as ws, ws.sources() as src:
        return scorecard(src)[0]


def test_two_demo_brands_land_in_different_quadrants_for_the_right_reasons(two_brands: dict[str, Path]) -> None:
    helpful, buzzing = _card(two_brands["helpful"]), _card(two_brands["buzzing"])
    assert helpful.quadrant == "social only", helpful.as_dict()
    assert buzzing.quadrant == "marketing only", buzzing.as_dict()
    h = {c.name: c for i in (helpful.social, helpful.marketing) for c in i.components}
    b = {c.name: c for i in (buzzing.social, buzzing.marketing) for c in i.components}
    # the helpful brand answers more people, sooner, helps more and talks with people rather than at them
    for name in ("response_rate", "help_rate", "conversation_ratio", "experience_share"):
        assert h[name].raw > b[name].raw, name  # type: ignore[operator]
    assert h["first_response_median_hours"].raw < b["first_response_median_hours"].raw  # type: ignore[operator]
    # the buzzing brand has the campaign chatter, the engaged broadcasts and the follower growth
    for name in ("buzz_per_day", "broadcast_engagement", "follower_growth_per_month"):
        assert b[name].raw > h[name].raw, name  # type: ignore[operator]
    assert helpful.social.value > buzzing.social.value  # type: ignore[operator]
    assert buzzing.marketing.value > helpful.marketing.value  # type: ignore[operator]


def test_scorecard_command(two_brands: dict[str, Path]) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["scorecard", "--workspace", str(two_brands["helpful"]), "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["quadrant"] == "social only"
    assert [i["name"] for i in doc["indices"]] == [SOCIAL, MARKETING]
    assert 0 <= doc["social_media_index"] <= 100 and 0 <= doc["social_media_marketing_index"] <= 100
    component = doc["indices"][0]["components"][0]
    assert {"name", "weight", "raw", "score", "bad", "good", "figure"} <= set(component)
    text = runner.invoke(cli, ["scorecard", "--workspace", str(two_brands["buzzing"])])
    assert text.exit_code == 0, text.output
    assert "quadrant: marketing only" in text.stdout and "social media index:" in text.stdout
    assert "response rate" in text.stdout and "weight" in text.stdout


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(thread_post, min_size=1, max_size=12))
def test_invariants(posts: list[dict[str, Any]]) -> None:
    with random_thread_sources(posts) as sources:
        (card,) = scorecard(sources)
    for index in (card.social, card.marketing):
        assert index.value is None or 0.0 <= index.value <= 100.0
        for c in index.components:
            assert c.score is None or 0.0 <= c.score <= 100.0
            assert (c.score is None) == (c.raw is None or c.weight == 0)
        scored = [c.weight for c in index.components if c.score is not None]
        assert (index.value is None) == (not scored)
    assert card.quadrant in ("both high", "social only", "marketing only", "neither", "unknown")
