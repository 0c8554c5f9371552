"""The watch loop against a running Mastodon API (mastodon-mock on 127.0.0.1): a steady stream, and a customer's
complaint nobody answers, raises its care alert when the response target passes, once, delivered to a webhook
receiver and an SMTP sink that the test runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from alert_receivers import smtp_sink, webhook_receiver
from connect.mastodon_server import BRAND, BRAND_HANDLE, MockMastodon, token
from groundswell.clock import utcnow
from groundswell.connect import connect_account
from groundswell.watch.loop import Watcher
from groundswell.workspace import Workspace

COMPLAINT = "@northwind my tent arrived with a torn floor and a missing pole. I want a refund, please help"


pytestmark = pytest.mark.usefixtures("credentials_home")  # secrets in tmp_path, never the keyring


@pytest.fixture
def server() -> Iterator[MockMastodon]:
    with MockMastodon() as running:
        yield running


class Clock:
    """The loop's now: real time (the platform's posts carry it) moved ahead by the test."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead


def steady(server: MockMastodon, round_: int) -> None:
    """A few posts that need no reply: people talking about the brand."""
    server.post("cara", f"Day {round_} on the coast path, the tent held up in the wind. Lovely @northwind")
    server.post("ola", f"Sunrise number {round_} from the ridge this morning, thanks @northwind")


@pytest.mark.slow
def test_a_waiting_complaint_raises_its_care_alert_at_the_target_time_once_by_webhook_and_mail(
    server: MockMastodon, tmp_path: Path
) -> None:
    with webhook_receiver() as hook, smtp_sink() as mail:
        config = f"""brand = "Northwind"
[response]
target_hours = 1
[alerts]
notify = [
  "json://127.0.0.1:{hook.port}/alerts?+X-Token=${{HOOK_TOKEN}}",
  "mailto://127.0.0.1:{mail.port}?from=watch@example.com&to=team@example.com&mode=insecure",
]
"""
        ws = Workspace.init(tmp_path / "ws", config_text=config)
        try:
            connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
            clock = Clock()
            watcher = Watcher(ws, clock=clock, environ={"HOOK_TOKEN": "hook-secret"})
            server.post("maya", "@northwind loving the Ridgeline so far, first night out tomorrow")
            steady(server, 1)
            first = watcher.cycle()
            assert (first.accounts_synced, first.accounts_failed, first.posts_new) == (1, 0, 3)
            assert first.alerts_raised == 0, first.line()

            complaint = server.post("maya", COMPLAINT)
            steady(server, 2)
            second = watcher.cycle()  # maya posted before: her complaint is a returning customer's
            kinds = {a.kind: a for a in ws.alerts.kept()}
            assert set(kinds) == {"returning complaint"}, first.line()
            assert kinds["returning complaint"].posts == (("mastodon", complaint),)
            assert (second.alerts_raised, second.alerts_delivered) == (1, 2)

            clock.ahead += timedelta(minutes=50)  # before the target: no waiting alert yet
            steady(server, 3)
            assert watcher.cycle().alerts_raised == 0

            clock.ahead += timedelta(minutes=11)  # past one hour: the care alert, delivered to both
            steady(server, 4)
            due = watcher.cycle()
            assert (due.alerts_raised, due.alerts_delivered, due.errors) == (1, 2, [])
            [waiting] = [a for a in ws.alerts.kept() if a.kind == "waiting"]
            assert waiting.posts == (("mastodon", complaint),) and waiting.figures["target_hours"] == 1
            assert waiting.figures["waited_hours"] >= 1

            for _ in range(2):  # later cycles: the same alert, grouped, not sent again
                clock.ahead += timedelta(minutes=5)
                steady(server, 5)
                again = watcher.cycle()
                assert (again.alerts_raised, again.alerts_delivered) == (0, 0)
            [still] = [a for a in ws.alerts.kept() if a.kind == "waiting"]
            assert still.alert_id == waiting.alert_id and still.last_seen_at > waiting.last_seen_at

            hooked = [m for m in hook.messages if "waited" in m["body"]["message"]]
            mailed = [m for m in mail.messages if "waited" in m["text"]]
            assert len(hooked) == 1 and len(mailed) == 1 and len(hook.messages) == len(mail.messages) == 2
            assert hooked[0]["headers"]["X-Token"] == "hook-secret"  # the ${ENV} reference, resolved to send
            assert complaint in hooked[0]["body"]["message"] and mailed[0]["to"] == ["team@example.com"]
            log = ws.alerts.deliveries(waiting.alert_id)
            assert [(d["target"], d["ok"]) for d in log] == [("1:json", True), ("2:mailto", True)]
            # the secret is never kept: not in the config file, not in the database
            assert "hook-secret" not in (ws.path / "groundswell.toml").read_text(encoding="utf-8")
            dumped = json.dumps(ws.store.query("SELECT * FROM alert_deliveries"), default=str)
            assert "hook-secret" not in dumped and "${HOOK_TOKEN}" not in dumped

            server.post(BRAND, "@maya so sorry! A new floor and pole are on their way today.", reply_to=complaint)
            clock.ahead += timedelta(minutes=5)
            watcher.cycle()  # answered: the waiting alert is over
            assert ws.alerts.get(waiting.alert_id).status == "over"
            health = ws.alerts.health()
            assert health[f"account:{BRAND_HANDLE}"]["state"] == "ok" and health["cycle"]["errors"] == []
        finally:
            ws.close()
