"""Sign-in limits over real HTTP: counted per name and client address, never bypassed by a forged
X-Forwarded-For, and believed from a proxy only when the server is told to (``serve --forwarded-allow-ips``)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from web_server import PASSWORDS, Server


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


def _try(client: httpx.Client, password: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/login", data={"name": "kim", "password": password}, headers=headers).status_code


def test_a_forged_forwarded_for_does_not_reset_the_count(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        codes = [_try(client, "wrong-password!", f"198.51.100.{i}") for i in range(4)]
    assert codes == [401, 401, 401, 429]  # every try came from 127.0.0.1, whatever the header said


def test_behind_a_trusted_proxy_the_attackers_address_is_held_back_and_the_users_is_not(
    make_server: Callable[..., Server],
) -> None:
    proxied = make_server(proxy_headers=True, forwarded_allow_ips="127.0.0.1")
    attacker, user = "203.0.113.66", "192.0.2.10"
    with httpx.Client(base_url=proxied.url, follow_redirects=False) as client:
        codes = [_try(client, "wrong-password!", attacker) for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        assert _try(client, PASSWORDS["kim"], attacker) == 429  # the attacker's address waits
        assert _try(client, PASSWORDS["kim"], user) == 303  # kim, at hers, signs in at once
