"""Goal attainment: configured KPIs against their targets, unknown names and missing data reported."""

from __future__ import annotations

from typing import Any

import pytest

from groundswell.errors import UsageError
from groundswell.metrics import goals as goals_module
from groundswell.metrics.base import MetricValue
from groundswell.metrics.goals import goal_attainment, kpi_metric_names, register_kpi_metric, resolve_kpi

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "Acme"
[denominators]
stores = 2
orders = 100000

[[goals]]
name = "Win on the visit"
[[goals.kpis]]
metric = "experience_share"
target = 0.5
[[goals.kpis]]
metric = "marketing_buzz_share"
target = 0.3
direction = "at_most"

[[goals]]
name = "Talk with people"
[[goals.kpis]]
metric = "conversation_ratio"
target = 0.9
[[goals.kpis]]
metric = "response_rate"
target = 0.8

[[goals]]
name = "Fewer complaints, more fans"
[[goals.kpis]]
metric = "complaints_per_1000_orders"
target = 0.02
direction = "at_most"
[[goals.kpis]]
metric = "fans_per_store"
target = 10000

[[goals]]
name = "Typo"
[[goals.kpis]]
metric = "experiance_share"
target = 0.5
"""
POSTS = (
    "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
    "twitter,1,u1,ana,10,2026-01-05T10:00:00Z,@AcmeHelp my tent broke,\n"
    "twitter,2,h,AcmeHelp,9000,2026-01-05T10:10:00Z,@ana so sorry,1\n"
    "twitter,3,u2,bo,10,2026-01-06T10:00:00Z,@Acme loved the ad,\n"
    "twitter,4,u3,cy,10,2026-01-07T10:00:00Z,@Acme the store was great,\n"
    "twitter,5,m,Acme,20000,2026-01-08T10:00:00Z,New season,\n"
)
LABELS = {
    "1": {"subject": "experience", "sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "3": {"subject": "marketing", "sentiment": "positive", "intent": "praise"},
    "4": {"subject": "experience", "sentiment": "positive", "intent": "praise"},
}


def test_each_kpi_against_its_target(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    visit, talk, complaints, typo = goal_attainment(make_sources(ws.store, ws.config))
    experience, buzz = visit.kpis
    assert (experience.status, experience.value.value) == ("met", pytest.approx(2 / 3))  # type: ignore[union-attr]
    assert (buzz.status, buzz.met, buzz.gap) == ("missed", False, pytest.approx(1 / 3 - 0.3))
    assert visit.attained is False and visit.met == 1
    ratio, response = talk.kpis
    assert (ratio.status, ratio.value.value) == ("missed", 0.5)  # type: ignore[union-attr]
    # the one post that needs a reply got one within the window
    assert (response.status, response.value.value) == ("met", 1.0)  # type: ignore[union-attr]
    assert response.value.model_version == "hand-labelled@1"  # type: ignore[union-attr]
    # 1 complaint in 100,000 orders = 0.01 per 1,000; 29,000 followers over 2 stores
    per_orders, fans = complaints.kpis
    assert (per_orders.status, per_orders.value.value) == ("met", pytest.approx(0.01))  # type: ignore[union-attr]
    assert (fans.status, fans.value.value) == ("met", 14500)  # type: ignore[union-attr]
    assert complaints.attained is True
    [misspelt] = typo.kpis
    assert misspelt.status == "unknown_metric" and typo.attained is None
    assert "complaints_per_1000_orders" in (misspelt.note or "")
    assert "experience_share" in (misspelt.note or "") and "help_rate" in (misspelt.note or "")  # known names
    assert visit.as_dict()["kpis"][0]["value"] == pytest.approx(2 / 3)


def test_resolvers_fill_in_other_families(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    src = make_sources(ws.store, ws.config)
    given = {"response_rate": lambda s: MetricValue("response_rate", 0.85, 17, 20)}
    talk = goal_attainment(src, resolvers=given)[1]
    assert talk.kpis[1].status == "met" and talk.kpis[1].gap == pytest.approx(0.05)


def test_register_a_kpi_metric(make_workspace: Any, make_sources: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(goals_module, "_REGISTERED", {})
    register_kpi_metric("response_rate", lambda s: MetricValue("response_rate", None))
    assert "response_rate" in kpi_metric_names()
    ws = make_workspace(CONFIG, POSTS, LABELS)
    talk = goal_attainment(make_sources(ws.store, ws.config))[1]
    assert talk.kpis[1].status == "no_data" and talk.kpis[1].met is None
    with pytest.raises(UsageError):
        register_kpi_metric("bad name!", lambda s: None)


def test_without_enrichments_kpis_are_unavailable(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS)
    visit, talk, complaints, _ = goal_attainment(make_sources(ws.store, ws.config))
    assert visit.kpis[0].status == "unavailable" and "groundswell enrich" in (visit.kpis[0].note or "")
    assert talk.kpis[0].status == "missed"  # the conversation ratio needs no classifier
    assert talk.kpis[1].status == "unavailable" and "groundswell enrich" in (talk.kpis[1].note or "")
    assert [k.status for k in complaints.kpis] == ["unavailable", "met"]
    assert visit.attained is None


def test_resolve_kpi_and_by(make_workspace: Any, make_sources: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    src = make_sources(ws.store, ws.config)
    for name in kpi_metric_names():
        value = resolve_kpi(src, name)
        assert value is None or isinstance(value, MetricValue)
    with pytest.raises(UsageError, match="no metric named 'nope'"):
        resolve_kpi(src, "nope")
    with pytest.raises(UsageError, match="goals"):
        goal_attainment(src, by="month")
