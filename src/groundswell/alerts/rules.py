"""The rules the watch loop evaluates, made from the workspace config in one place."""

from __future__ import annotations

from groundswell.alerts.care import FastPostRule, ReturningComplaintRule, WaitingRule
from groundswell.alerts.model import AlertRule
from groundswell.alerts.spikes import SpikeRule
from groundswell.config import WorkspaceConfig


def rules_of(config: WorkspaceConfig) -> list[AlertRule]:
    """Every alert rule, configured from ``config``."""
    window = config.response.window_hours
    return [
        WaitingRule(
            target_hours=config.response.target_hours, window_hours=window, business_hours=config.business_hours
        ),
        ReturningComplaintRule(window_hours=window),
        FastPostRule(window_hours=window),
        SpikeRule.from_config(config),
    ]
