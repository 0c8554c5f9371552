"""A watch loop over three accounts, each on its own Mastodon instance (mastodon-mock on 127.0.0.1), keeps
running through a 5xx storm, a 429 with Retry-After and a killed server, and ends with every post once.

The third instance is reached through a pass-through proxy (tests/connect/platform_proxy.py), the server its
account talks to: killing it closes the port as a dead platform does, and a new one on the same port brings
the same instance back with its posts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from connect.mastodon_server import MockMastodon, token
from connect.platform_proxy import PlatformProxy
from groundswell.clock import utcnow
from groundswell.connect import connect_account
from groundswell.watch.loop import BACKOFF_BASE_S, Watcher
from groundswell.workspace import Workspace

BRANDS = ("northwind", "southwind", "eastwind")
CUSTOMERS = ("maya", "ben")


pytestmark = pytest.mark.usefixtures("credentials_home")  # secrets in tmp_path, never the keyring


@pytest.fixture
def servers() -> Iterator[dict[str, MockMastodon]]:
    with ExitStack() as stack:
        yield {brand: stack.enter_context(MockMastodon(accounts=(brand, *CUSTOMERS))) for brand in BRANDS}


class Clock:
    """Real time (the posts carry it) moved ahead by the test, so a backoff can run out at once."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead


def post_round(servers: dict[str, MockMastodon], posted: dict[str, set[str]], round_: int) -> None:
    for brand, server in servers.items():
        for customer in CUSTOMERS:
            posted[brand].add(server.post(customer, f"@{brand} day {round_}: the stove works a treat, {customer} here"))


@pytest.mark.slow
def test_the_loop_survives_a_5xx_storm_a_429_and_a_killed_server_without_loss_or_double_counting(
    servers: dict[str, MockMastodon], tmp_path: Path
) -> None:
    ws = Workspace.init(tmp_path / "ws")
    try:
        front = PlatformProxy(servers["eastwind"].base_url).__enter__()
        port = int(front.url.rsplit(":", 1)[1])
        where = {brand: s.base_url for brand, s in servers.items()} | {"eastwind": front.url}
        names = {
            brand: connect_account(ws, "mastodon", server=where[brand], secret=token(brand)).name for brand in BRANDS
        }
        clock = Clock()
        watcher = Watcher(ws, clock=clock, max_wait_s=0.05)
        posted: dict[str, set[str]] = {brand: set() for brand in BRANDS}
        reports = []

        post_round(servers, posted, 1)
        reports.append(watcher.cycle())
        assert (reports[-1].accounts_synced, reports[-1].posts_new) == (3, 6)

        # a 5xx storm on northwind, a 429 with Retry-After on southwind, eastwind's server killed
        servers["northwind"].fault("/api/v1/*", status=503, count=None, methods=["GET"])
        servers["southwind"].fault("/api/v1/notifications", effect="ratelimit", headers={"Retry-After": "7"})
        post_round(servers, posted, 2)
        front.__exit__(None, None, None)  # eastwind's server killed
        reports.append(watcher.cycle())
        storm = reports[-1]
        assert (storm.accounts_synced, storm.accounts_failed) == (1, 2), storm.line()
        assert 7.0 in watcher.waits  # southwind's Retry-After, honoured before trying again
        health = ws.alerts.health()
        assert health[f"account:{names['southwind']}"]["state"] == "ok"
        for brand, kind in (("northwind", "server"), ("eastwind", "network")):
            account = health[f"account:{names[brand]}"]
            assert (account["state"], account["failures"], account["last_error_kind"]) == ("backoff", 1, kind)

        # within the backoff the failed accounts are left alone; the loop goes on
        reports.append(watcher.cycle())
        assert (reports[-1].accounts_synced, reports[-1].accounts_waiting) == (1, 2)

        # still failing after the backoff: the next wait doubles
        clock.ahead += timedelta(seconds=BACKOFF_BASE_S + 1)
        reports.append(watcher.cycle())
        assert reports[-1].accounts_failed == 2
        assert ws.alerts.health()[f"account:{names['northwind']}"]["failures"] == 2

        # the storm ends and the server comes back: everything posted meanwhile arrives, once
        servers["northwind"].clear_faults()
        front = PlatformProxy(servers["eastwind"].base_url, port=port).__enter__()
        post_round(servers, posted, 3)
        clock.ahead += timedelta(seconds=2 * BACKOFF_BASE_S + 1)
        reports.append(watcher.cycle())
        assert (reports[-1].accounts_synced, reports[-1].accounts_failed) == (3, 0), reports[-1].line()
        reports.append(watcher.cycle())
        assert reports[-1].posts_new == 0

        kept = ws.store.execute("SELECT post_id, count(*) FROM posts GROUP BY post_id")
        assert all(count == 1 for _, count in kept)
        assert {post_id for post_id, _ in kept} >= set().union(*posted.values())
        assert sum(r.posts_new for r in reports) == len(kept) == sum(len(p) for p in posted.values())
        assert all(v["state"] == "ok" for k, v in ws.alerts.health().items() if k.startswith("account:"))
        front.__exit__(None, None, None)
    finally:
        ws.close()
