"""Delivery through apprise to a webhook receiver on 127.0.0.1: secrets from the environment, never kept; each
target once; a target that failed is tried again until it takes the alert."""

from __future__ import annotations

from datetime import datetime

from alert_receivers import webhook_receiver
from groundswell.alerts.deliver import deliver_open
from groundswell.alerts.keep import keep_alerts
from groundswell.alerts.model import AlertCandidate, AlertKind, PostRef
from groundswell.workspace import Workspace

NOW = datetime(2026, 3, 2, 12, 0)


def test_a_target_that_failed_is_tried_again_and_one_that_took_it_never_again(workspace: Workspace) -> None:
    candidate = AlertCandidate(
        kind=AlertKind.RETURNING_COMPLAINT, key="returning:twitter:9", title="A complaint from bo",
        started_at=NOW, detected_at=NOW, posts=(PostRef("twitter", "9"),), figures={"earlier_posts": 3},
    )  # fmt: skip
    [alert_id] = keep_alerts(workspace.store, [candidate], now=NOW, quiet_s=3600).raised
    with webhook_receiver() as hook:
        urls = (f"json://127.0.0.1:{hook.port}/a?+X-Token=${{HOOK_TOKEN}}", f"json://127.0.0.1:{hook.port}/b")
        first = deliver_open(workspace.store, urls, environ={})
        assert [(d.target, d.ok) for d in first] == [("1:json", False), ("2:json", True)]
        assert first[0].error == "environment variable HOOK_TOKEN is not set"
        second = deliver_open(workspace.store, urls, environ={"HOOK_TOKEN": "t0ken"})
        assert [(d.target, d.ok) for d in second] == [("1:json", True)]
        assert deliver_open(workspace.store, urls, environ={"HOOK_TOKEN": "t0ken"}) == []
    assert [m["headers"].get("X-Token") for m in hook.messages] == [None, "t0ken"]
    body = hook.messages[0]["body"]
    assert body["title"] == "groundswell: returning complaint" and "post: twitter 9" in body["message"]
    log = workspace.alerts.deliveries(alert_id)
    assert [(d["target"], d["ok"]) for d in log] == [("1:json", False), ("2:json", True), ("1:json", True)]
    assert "t0ken" not in repr(log)
