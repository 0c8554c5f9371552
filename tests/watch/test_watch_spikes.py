"""The watch loop, running, against a running Mastodon API (mastodon-mock on 127.0.0.1): a quiet week of mentions,
then an organic burst, a campaign burst and a complaint surge, one after the other. Each is alerted with its label
within two watch intervals of its posts being on the server, sent once to a webhook receiver and once to an SMTP
sink (both run by the test), grouped while it lasts, and kept with the posts that led it.

``watch_three_bursts`` is the platform-free part, which test_watch_spikes_bluesky.py runs on a Bluesky network.

The loop runs every 5 s with the spike rule's bins and windows scaled down through ``[spikes]`` (2 s bins,
windows of 10 and 20 s), the back-filled history (``sync --since``) serving as the baseline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from alert_receivers import Received, smtp_sink, webhook_receiver
from connect.mastodon_server import BRAND, MockMastodon, token
from groundswell.alerts.model import AlertKind
from groundswell.clock import utcnow
from groundswell.connect import connect_account
from groundswell.connect.sync import sync_account
from groundswell.store.alerts import StoredAlert
from groundswell.watch.loop import CycleReport, Watcher
from groundswell.workspace import Workspace

INTERVAL_S = 5.0
QUIET = ("cara", "ola", "ben", "dan")
ORGANIC = tuple(f"fan{i}" for i in range(8))
CAMPAIGN = tuple(f"camper{i}" for i in range(8))
COMPLAINING = tuple(f"buyer{i}" for i in range(8))

QUIET_TEXTS = (
    "Day {n} on the coast path, the tent held up in the wind. Lovely @northwind",
    "Sunrise number {n} from the ridge this morning, thanks @northwind",
    "Packed the @northwind stove for trip {n}, still going strong",
    "Walk {n} of the year done, boots from @northwind kept my feet dry",
)
ORGANIC_TEXTS = (
    "@northwind someone filmed a tent holding in a hailstorm, this video is amazing",
    "@northwind that storm video is everywhere today, what a tent",
    "@northwind the hailstorm tent video made my day, bought one for my dad",
    "@northwind my tent survived the same storm as the one in the viral video, so impressed",
)
CAMPAIGN_TEXTS = (
    "@northwind entering the giveaway! Our first night in the hills #TrailReady",
    "@northwind here is my trail photo for the contest #TrailReady",
    "@northwind hope we win the tent giveaway, sunrise at camp #TrailReady",
)
COMPLAINT_TEXTS = (
    "@northwind your checkout is down and my order failed three times, terrible",
    "@northwind the app crashed and charged me twice, this is awful, fix it",
    "@northwind website is broken, cannot pay, I was charged but got no order. Unacceptable",
    "@northwind still cannot log in, the site keeps failing, worst service",
)

pytestmark = pytest.mark.usefixtures("credentials_home")  # secrets in tmp_path, never the keyring


@pytest.fixture
def server() -> Iterator[MockMastodon]:
    with MockMastodon(accounts=(BRAND, *QUIET, *ORGANIC, *CAMPAIGN, *COMPLAINING)) as running:
        yield running


def seed_quiet_week(server: MockMastodon, day_start: datetime) -> list[str]:
    """Mentions every ~6 hours from 7.5 days before today's midnight to half a day before it (the baseline)."""
    first, last = day_start - timedelta(days=7, hours=12), day_start - timedelta(hours=12)
    count = 29
    step = (last - first) / (count - 1)
    ids = []
    for n in range(count):
        ids.append(server.post(QUIET[n % len(QUIET)], QUIET_TEXTS[n % len(QUIET_TEXTS)].format(n=n)))
    now = utcnow()
    for n, status in enumerate(ids):  # one at a time, oldest first, so ids and times keep the same order
        server.age([status], (now - (first + step * n)).total_seconds() / 86_400)
    return ids


def burst(server: MockMastodon, authors: tuple[str, ...], texts: tuple[str, ...]) -> tuple[list[str], datetime]:
    """One post by each author; the ids, and the moment the last was on the server."""
    ids = [server.post(author, texts[i % len(texts)]) for i, author in enumerate(authors)]
    return ids, utcnow()


def wait_for(ws: Workspace, kind: AlertKind, seconds: float) -> StoredAlert | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [a for a in ws.alerts.kept(statuses=("open",)) if a.kind == kind]
        if found:
            return found[0]
        time.sleep(0.2)
    return None


def wait_cycles(cycles: list[CycleReport], more: int, seconds: float) -> None:
    wanted = len(cycles) + more
    deadline = time.monotonic() + seconds
    while len(cycles) < wanted and time.monotonic() < deadline:
        time.sleep(0.2)


def sent(received: Received, kind: AlertKind, *, mail: bool) -> int:
    said = f"kind: {kind}"
    return sum(said in (m["text"] if mail else m["body"]["message"]) for m in received.messages)


def watch_config(hook_port: int, mail_port: int, *, tag: str = "TrailReady") -> str:
    """The watch every ``INTERVAL_S`` with the spike rule scaled down, alerts to the receivers' ports."""
    return f"""brand = "Northwind"

[[campaigns]]
name = "Trail ready"
hashtags = ["#{tag}"]

[watch]
interval = "{INTERVAL_S:g}s"

[spikes]
bin = "2s"
history_days = 9
windows = ["10s", "20s"]
min_posts = 6

[alerts]
notify = [
  "json://127.0.0.1:{hook_port}/alerts",
  "mailto://127.0.0.1:{mail_port}?from=watch@example.com&to=team@example.com&mode=insecure",
]
"""


Burst = Callable[[], tuple[list[str], datetime]]
"""Puts one burst on the platform: the ids of its posts, and the moment the last was there."""


def watch_three_bursts(
    ws: Workspace, bursts: Sequence[tuple[AlertKind, Burst]], hook: Received, mail: Received
) -> None:
    """Runs the watch loop over ``ws`` (its account connected, its quiet history synced), puts each burst on
    the platform in turn, and checks that it is alerted with its label by the first or second cycle begun
    after it is on the server, once to each receiver, grouped while it lasts, over when it has passed, and
    kept with the posts that led it."""
    stop = threading.Event()
    cycles: list[CycleReport] = []
    watcher = Watcher(ws, stop=stop)
    loop = threading.Thread(
        target=watcher.run, kwargs={"interval_s": INTERVAL_S, "on_cycle": cycles.append}, daemon=True
    )
    loop.start()
    try:
        wait_cycles(cycles, 1, 60)
        assert cycles and cycles[0].errors == [] and ws.alerts.kept() == []  # a quiet week raises nothing

        raised: list[StoredAlert] = []
        for kind, put_on_platform in bursts:
            ids, visible_at = put_on_platform()
            alert = wait_for(ws, kind, 4 * INTERVAL_S)
            assert alert is not None, (kind, [c.line() for c in cycles[-4:]], ws.alerts.kept())
            delay = (alert.first_seen_at - visible_at).total_seconds()
            # in time: raised by the first or second cycle begun after the burst was on the server. Counted
            # in cycles, not seconds, so that a busy machine's slower cycles do not read as a late alert.
            raised_by_reported = time.monotonic() + 4 * INTERVAL_S
            while (
                not any(
                    c.started_at <= alert.first_seen_at <= c.started_at + timedelta(seconds=c.seconds) for c in cycles
                )
                and time.monotonic() < raised_by_reported
            ):
                time.sleep(0.2)
            begun_after = [c for c in cycles if visible_at < c.started_at <= alert.first_seen_at]
            assert len(begun_after) <= 2, (kind, delay, [c.line() for c in begun_after])
            assert alert.posts and {post_id for _, post_id in alert.posts} <= set(ids), alert.posts
            assert visible_at - timedelta(seconds=30) <= alert.started_at <= alert.first_seen_at
            assert alert.figures["posts"] >= 6
            if kind is AlertKind.CAMPAIGN:
                assert alert.key == "spike:campaign:Trail ready" and "(Trail ready)" in alert.title

            wait_cycles(cycles, 2, 4 * INTERVAL_S)  # while it lasts: the same alert, seen again, not resent
            again = ws.alerts.get(alert.alert_id)
            assert again.last_seen_at > alert.first_seen_at and again.status == "open"
            assert len([a for a in ws.alerts.kept() if a.kind == kind]) == 1
            deadline = time.monotonic() + 30 + 2 * INTERVAL_S  # the windows pass: the spike is over
            while ws.alerts.get(alert.alert_id).status != "over" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert ws.alerts.get(alert.alert_id).status == "over"
            assert (sent(hook, kind, mail=False), sent(mail, kind, mail=True)) == (1, 1), kind
            assert [(d["target"], d["ok"]) for d in ws.alerts.deliveries(alert.alert_id)] == [
                ("1:json", True),
                ("2:mailto", True),
            ]
            raised.append(ws.alerts.get(alert.alert_id))
            print(f"{kind}: alerted {delay:.1f} s after the burst was on the server; {again.title}")

        spikes = [a for a in ws.alerts.kept() if a.kind in {k for k, _ in bursts}]
        assert [a.alert_id for a in sorted(spikes, key=lambda a: a.alert_id)] == [a.alert_id for a in raised]
        assert all(not c.errors for c in cycles), [c.line() for c in cycles if c.errors]
        seconds = sorted(c.seconds for c in cycles)
        print(f"{len(cycles)} cycles, {seconds[len(seconds) // 2]:.2f} s median, {seconds[-1]:.2f} s at most")
    finally:
        stop.set()
        loop.join(timeout=60)


@pytest.mark.slow
def test_organic_campaign_and_complaint_bursts_are_alerted_in_time_once_and_kept_with_their_posts(
    server: MockMastodon, tmp_path: Path
) -> None:
    with webhook_receiver() as hook, smtp_sink() as mail:
        ws = Workspace.init(tmp_path / "ws", config_text=watch_config(hook.port, mail.port))
        try:
            connect_account(ws, "mastodon", server=server.base_url, secret=token(BRAND))
            day_start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
            quiet = seed_quiet_week(server, day_start)
            [account] = ws.connections()
            backfill = sync_account(ws, account, since=day_start - timedelta(days=8))
            assert (backfill.status, backfill.imported) == ("done", len(quiet))
            watch_three_bursts(
                ws,
                [
                    (AlertKind.ORGANIC, lambda: burst(server, ORGANIC, ORGANIC_TEXTS)),
                    (AlertKind.CAMPAIGN, lambda: burst(server, CAMPAIGN, CAMPAIGN_TEXTS)),
                    (AlertKind.COMPLAINT_SURGE, lambda: burst(server, COMPLAINING, COMPLAINT_TEXTS)),
                ],
                hook,
                mail,
            )
        finally:
            ws.close()
