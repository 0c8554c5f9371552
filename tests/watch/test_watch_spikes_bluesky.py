"""The watch loop's spikes end to end on a real local Bluesky network (PDS + AppView, tests/connect/bluesky_server.py):
the same quiet week of mentions, organic burst, campaign burst and complaint surge as against mastodon-mock
(test_watch_spikes.py), each alerted with its label within two watch intervals of being on the network, once
to a webhook receiver and once to an SMTP sink, grouped while it lasts and kept with the posts that led it.

The quiet week is back-dated by the records' ``createdAt`` (a client sets it; the AppView keeps it), and each
burst counts as on the network once the AppView has indexed it (``BlueskyNetwork.process``). The network is
shared by the session, so the campaign's hashtag is this test's own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from alert_receivers import smtp_sink, webhook_receiver
from connect.bluesky_server import BlueskyNetwork, bluesky_network  # noqa: F401 - the session fixture
from groundswell.alerts.model import AlertKind
from groundswell.clock import utcnow
from groundswell.connect import connect_account
from groundswell.connect.sync import sync_account
from groundswell.workspace import Workspace
from watch.test_watch_spikes import (
    CAMPAIGN,
    CAMPAIGN_TEXTS,
    COMPLAINING,
    COMPLAINT_TEXTS,
    ORGANIC,
    ORGANIC_TEXTS,
    QUIET,
    QUIET_TEXTS,
    watch_config,
    watch_three_bursts,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("credentials_home")]


def without_brand(text: str) -> str:
    """The Mastodon texts name the brand as ``@northwind``; on Bluesky the mention is a facet put first."""
    return " ".join(word for word in text.split() if word != "@northwind")


def test_organic_campaign_and_complaint_bursts_on_bluesky_are_alerted_in_time_once(
    bluesky_network: BlueskyNetwork,  # noqa: F811
    tmp_path: Path,
) -> None:
    net = bluesky_network
    brand = net.unique("northwind")
    handles = {name: net.unique(name) for name in (*QUIET, *ORGANIC, *CAMPAIGN, *COMPLAINING)}
    for handle in (brand, *handles.values()):
        net.create_account(handle)
    tag = "TrailReady" + net.unique("")[:-5].replace("-", "x")

    def put(authors: tuple[str, ...], texts: tuple[str, ...]) -> tuple[list[str], datetime]:
        uris = [
            net.post(
                handles[a], without_brand(texts[i % len(texts)]).replace("#TrailReady", f"#{tag}"), mention=brand
            ).uri
            for i, a in enumerate(authors)
        ]
        net.process()
        return uris, utcnow()

    # the quiet week: a mention every ~6 hours from 7.5 days before today's midnight to half a day before it
    day_start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    first, last, count = day_start - timedelta(days=7, hours=12), day_start - timedelta(hours=12), 29
    step = (last - first) / (count - 1)
    for n in range(count):
        when = (first + step * n).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        text = without_brand(QUIET_TEXTS[n % len(QUIET_TEXTS)].format(n=n))
        net.post(handles[QUIET[n % len(QUIET)]], text, mention=brand, created_at=when)
    net.process()

    with webhook_receiver() as hook, smtp_sink() as mail:
        ws = Workspace.init(tmp_path / "ws", config_text=watch_config(hook.port, mail.port, tag=tag))
        try:
            account = connect_account(ws, "bluesky", server=net.pds, secret=net.app_password(brand), handle=brand)
            backfill = sync_account(ws, account.name, since=day_start - timedelta(days=8))
            assert (backfill.status, backfill.imported) == ("done", count)
            watch_three_bursts(
                ws,
                [
                    (AlertKind.ORGANIC, lambda: put(ORGANIC, ORGANIC_TEXTS)),
                    (AlertKind.CAMPAIGN, lambda: put(CAMPAIGN, CAMPAIGN_TEXTS)),
                    (AlertKind.COMPLAINT_SURGE, lambda: put(COMPLAINING, COMPLAINT_TEXTS)),
                ],
                hook,
                mail,
            )
        finally:
            ws.close()
