"""The verdict sentence: each clause backed by its components, the weakest one named."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from groundswell.demo import HELPFUL_PROFILE, build_demo
from groundswell.metrics.verdict import check_components, verdict
from groundswell.report.gather import gather
from groundswell.report.render import verdict as report_verdict
from groundswell.workspace import Workspace

TARGETS = {"response_rate": 0.8, "help_rate": 0.7, "experience_share": 0.5}


def _card(quadrant: str = "both high", **figures: Any) -> dict[str, Any]:
    """A scorecard document with the three clause components; a figure is a value or (value, low, high)."""
    components = []
    for name in ("experience_share", "response_rate", "help_rate"):
        given = figures.get(name, 0.9)
        value, low, high = given if isinstance(given, tuple) else (given, None, None)
        figure = {"value": value, **({"ci_low": low, "ci_high": high} if low is not None else {})}
        components.append({"name": name, "raw": value, "bad": 0.2, "good": 0.9, "figure": figure})
    return {"quadrant": quadrant, "indices": [{"name": "social_media", "components": components}]}


def test_every_clause_said_when_every_component_meets_its_target() -> None:
    sentence = verdict("Acme", _card(), TARGETS)
    assert sentence == (
        "Acme scores high on social media and on social media marketing: people talk about their experience, "
        "get answers and get help; the marketing draws buzz."
    )


def test_a_weak_response_rate_is_named_not_hidden_by_the_quadrant() -> None:
    sentence = verdict("Acme", _card(response_rate=0.47), TARGETS)
    assert "get answers" not in sentence
    assert "but fewer than half of the people who need a reply get one (47% against a target of 80%)" in sentence
    assert "people talk about their experience and get help" in sentence


def test_a_weak_help_rate_is_named() -> None:
    sentence = verdict("Acme", _card("social only", help_rate=0.38), TARGETS)
    assert "get help" not in sentence
    assert "fewer than half of the people answered say they were helped (38% against a target of 70%)" in sentence
    assert sentence.endswith("the marketing draws little buzz.")


def test_a_weak_experience_share_is_named() -> None:
    sentence = verdict("Acme", _card(experience_share=0.2), TARGETS)
    assert "talk about their experience" not in sentence
    assert "only 20% of customer posts are about the experience" in sentence


def test_the_weakest_of_several_comes_first_and_the_rest_are_listed() -> None:
    sentence = verdict("Acme", _card(response_rate=0.7, help_rate=0.2), TARGETS)
    assert sentence.index("were helped") < sentence.index("response rate 70% against 80%")


def test_an_interval_across_the_target_is_not_a_pass() -> None:
    card = _card(response_rate=(0.82, 0.74, 0.88))
    assert [c.status for c in check_components(card, TARGETS) if c.name == "response_rate"] == ["unsettled"]
    sentence = verdict("Acme", card, TARGETS)
    assert "get answers" not in sentence
    assert "the response rate (82% counted; 74% to 88% allowing for the classifier's errors) may be above" in sentence


def test_without_a_goal_the_target_is_where_the_component_scores_50() -> None:
    checks = check_components(_card(response_rate=0.5), {})
    assert [c.target for c in checks] == pytest.approx([0.55] * 3)
    assert "only 50% of the people who need a reply get one (target 55%)" in verdict(
        "Acme", _card(response_rate=0.5), {}
    )


def _world_verdict(root: Path, **knobs: float) -> str:
    """The report's verdict on a helpful brand's demo world with one knob turned down."""
    result = build_demo(root, posts=2500, seed=11, profile=dataclasses.replace(HELPFUL_PROFILE, **knobs))
    with Workspace.open(result.workspace) as ws:
        ws.enrich("fast")
        return report_verdict(gather(ws.sources(), sections=["scorecard"]))


def test_a_world_that_seldom_answers_is_told_so(tmp_path: Path) -> None:
    sentence = _world_verdict(tmp_path / "ws", reply_rate=0.3)
    assert "get answers" not in sentence
    assert "fewer than half of the people who need a reply get one" in sentence


def test_a_world_that_answers_without_helping_is_told_so(tmp_path: Path) -> None:
    sentence = _world_verdict(tmp_path / "ws", help_rate=0.2)
    assert "get help" not in sentence
    assert "only " in sentence  # the weakest component is named with its figure
    assert "of the people answered say they were helped (target 70%)" in sentence
