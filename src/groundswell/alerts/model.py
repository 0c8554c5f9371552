"""What an alert rule finds, in one shape for every rule (spikes and care alike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from groundswell.query import Sources


class AlertKind(StrEnum):
    """What an alert is about. The first three label a spike at the time it is raised."""

    CAMPAIGN = "campaign"  # a surge that matches an active campaign
    ORGANIC = "organic"  # a surge with no campaign behind it
    COMPLAINT_SURGE = "complaint surge"  # negative experience posts rising (an outage)
    WAITING = "waiting"  # a thread that needs a reply has waited past the response target
    RETURNING_COMPLAINT = "returning complaint"  # a complaint from a customer who has posted before
    FAST_POST = "fast post"  # a post about the brand gaining engagement unusually fast


@dataclass(frozen=True, slots=True)
class PostRef:
    """A post, by the platform and its id there."""

    platform: str
    post_id: str


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """One condition a rule found as of ``detected_at``.

    ``key`` names the condition while it lasts: the same key on the next cycle is the same alert (grouped, sent
    once), e.g. ``"spike:organic:brand"`` or ``"waiting:mastodon:109"``. ``started_at`` is when the condition
    began (the first hour of a spike, the post a customer waits on); both times are UTC. ``posts`` are the
    evidence, those that lead it first; ``figures`` the numbers a person needs to judge it (posts per hour,
    baseline, minutes waited...).
    """

    kind: AlertKind
    key: str
    title: str
    started_at: datetime
    detected_at: datetime
    posts: tuple[PostRef, ...] = ()
    figures: dict[str, float] = field(default_factory=dict)


class AlertRule(Protocol):
    """A rule the watch loop evaluates each cycle, on the workspace's figures as of ``now`` (UTC)."""

    name: str

    def evaluate(self, sources: Sources, now: datetime) -> list[AlertCandidate]: ...
