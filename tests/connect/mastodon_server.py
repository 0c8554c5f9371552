"""A real Mastodon REST API on 127.0.0.1 for the connector's tests: the mastodon-mock package, seeded with a brand.

``MockMastodon`` runs mastodon_mock's FastAPI app under uvicorn in a thread, on a free port of 127.0.0.1, and
stops it when its ``with`` block ends (the fixtures below use it that way, so no server outlives its test).
Every post is made through the API as its author (Mastodon.py with that account's token), so mentions,
notifications, hashtags and reply links are the server's own. Two levers exist only for tests:
``fault()`` adds a rule to the mock's fault-injection control plane (``/api/v1/_mock/faults``: a forced
429 or 5xx on a path), and ``age()`` moves statuses back in time in the mock's database (the API cannot
post in the past; the back-fill tests need old posts).

``Conversations`` is the seeded scenario, a small week of the Northwind brand on Mastodon:

- ``launch``: the brand's broadcast for the ``#TrailReady`` campaign, naming the Ridgeline tent;
- ``complaint``: maya mentions the brand, her tent pole snapped (a thread root);
- ``brand_reply``: the brand answers her; ``thanks``: she thanks the brand (a mention, two deep);
- ``c2c``: cara answers maya without mentioning the brand (only the thread's context finds it);
- ``question``: ben asks where his order is (a mention nobody has answered);
- ``hashtag``: ola posts with ``#TrailReady`` (found only by the hashtag timeline);
- ``keyword``: ola asks about the Ridgeline (found only by searching the campaign keyword).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import requests
import uvicorn
from mastodon import Mastodon
from mastodon_mock.app import create_app
from mastodon_mock.config import (
    DatabaseConfig,
    MastodonMockConfig,
    RateLimitConfig,
    SeedAccount,
    SeedConfig,
    StreamingConfig,
)
from sqlalchemy import text

HOST = "127.0.0.1"
BRAND = "northwind"
CUSTOMERS = ("maya", "ben", "cara", "ola", "dan")
BRAND_HANDLE = f"{BRAND}@{HOST}"
CAMPAIGN_CONFIG = """brand = "Northwind Outfitters"

[[campaigns]]
name = "Trail ready"
hashtags = ["#TrailReady"]
keywords = ["Ridgeline"]
"""


def token(username: str) -> str:
    return f"{username}-token"


class MockMastodon:
    """mastodon_mock's app served on 127.0.0.1:<free port> in a thread; a context manager that stops it."""

    def __init__(self, *, accounts: tuple[str, ...] = (BRAND, *CUSTOMERS), ratelimit: int | None = None):
        seed = SeedConfig(accounts=[SeedAccount(username=a, display_name=a.title(), access_token=token(a))
                                    for a in accounts])  # fmt: skip
        self.config = MastodonMockConfig(
            database=DatabaseConfig(path=":memory:"),
            seed=seed,
            # account and status URLs on the host the tests connect to, as a real instance's are
            domain=HOST,
            url_scheme="http",
            streaming=StreamingConfig(enabled=False),
            ratelimit=RateLimitConfig(enabled=ratelimit is not None, limit=ratelimit or 300, window_seconds=300),
        )
        self.app = create_app(self.config)
        self._server = uvicorn.Server(uvicorn.Config(self.app, host=HOST, port=0, log_level="warning"))
        self._thread: threading.Thread | None = None
        self.port = 0
        self._clients: dict[str, Mastodon] = {}

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._server.run, name="mastodon-mock", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server.should_exit = True
                raise RuntimeError("mastodon_mock did not start")
            time.sleep(0.02)
        self.port = int(self._server.servers[0].sockets[0].getsockname()[1])
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        with contextlib.suppress(Exception):
            self.app.state.engine.dispose()

    # -- acting as the accounts -------------------------------------------------------------

    def client(self, username: str) -> Mastodon:
        if username not in self._clients:
            self._clients[username] = Mastodon(access_token=token(username), api_base_url=self.base_url)
        return self._clients[username]

    def post(self, username: str, text: str, *, reply_to: str | None = None, visibility: str | None = None) -> str:
        """Post ``text`` as ``username`` (a reply when ``reply_to``); the new status's id."""
        status = self.client(username).status_post(text, in_reply_to_id=reply_to, visibility=visibility)
        return str(status["id"])

    def status(self, status_id: str) -> dict[str, Any]:
        response = requests.get(f"{self.base_url}/api/v1/statuses/{status_id}", timeout=10)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    def context(self, status_id: str) -> dict[str, Any]:
        response = requests.get(f"{self.base_url}/api/v1/statuses/{status_id}/context", timeout=10)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    def account_id(self, username: str) -> str:
        return str(self.client(username).account_verify_credentials()["id"])

    # -- test levers --------------------------------------------------------------------------

    def fault(
        self,
        path: str,
        *,
        status: int = 503,
        count: int | None = 1,
        headers: dict[str, str] | None = None,
        effect: str = "status",
        methods: list[str] | None = None,
    ) -> None:
        """Answer the next ``count`` requests to ``path`` (fnmatch ``*`` allowed; ``count`` None: all of them)
        with ``effect``: ``status`` (that HTTP status), ``ratelimit`` (a 429 with the rate-limit headers) or
        ``malformed`` (a 200 whose body is cut short)."""
        rule: dict[str, Any] = {
            "match": {"path": path, "methods": methods},
            "effect": {"type": effect, "status": status, "headers": headers or {}},
            "count": count,
        }
        if effect == "ratelimit":
            rule["effect"]["status"] = 429
        response = requests.post(f"{self.base_url}/api/v1/_mock/faults", json=rule, timeout=10)
        response.raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.base_url}/api/v1/_mock/faults", timeout=10).raise_for_status()

    def age(self, status_ids: list[str], days: float) -> None:
        """Move these statuses, and the notifications about them, ``days`` into the past."""
        moment = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)
        ids = [int(i) for i in status_ids]
        with self.app.state.engine.begin() as connection:
            for table in ("statuses", "notifications"):
                column = "id" if table == "statuses" else "status_id"
                for each in ids:
                    connection.execute(
                        text(f"UPDATE {table} SET created_at = :moment WHERE {column} = :id"),
                        {"moment": moment, "id": each},
                    )


@dataclass(frozen=True)
class Conversations:
    """The ids of the seeded statuses (see the module docstring)."""

    launch: str
    complaint: str
    brand_reply: str
    thanks: str
    c2c: str
    question: str
    hashtag: str
    keyword: str

    def all(self) -> set[str]:
        return set(vars(self).values())


def seed_conversations(server: MockMastodon) -> Conversations:
    launch = server.post(BRAND, "Meet the Ridgeline tent, built for wet weekends. Show us your trail with #TrailReady")
    complaint = server.post("maya", "@northwind my Ridgeline tent pole snapped on the first night. Not impressed.")
    brand_reply = server.post(
        BRAND, "@maya so sorry about the pole! DM us your order number and we'll send a new one today.",
        reply_to=complaint,
    )  # fmt: skip
    thanks = server.post("maya", "@northwind thanks, the new pole arrived and works great!", reply_to=brand_reply)
    c2c = server.post("cara", "@maya same happened to me, their support sorted it within a day", reply_to=complaint)
    question = server.post("ben", "@northwind where is my order? It has been two weeks.")
    hashtag = server.post("ola", "Sunrise from the ridge this morning #TrailReady")
    keyword = server.post("ola", "Thinking of buying a Ridgeline for the summer, has anyone tried it?")
    return Conversations(launch, complaint, brand_reply, thanks, c2c, question, hashtag, keyword)


@contextlib.contextmanager
def seeded_server(**options: Any) -> Iterator[tuple[MockMastodon, Conversations]]:
    with MockMastodon(**options) as server:
        yield server, seed_conversations(server)
