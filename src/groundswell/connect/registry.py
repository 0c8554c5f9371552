"""Which client serves which platform, and where a connected account's secret comes from."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from groundswell.connect import credentials
from groundswell.connect.base import AccountRef, ConnectorError
from groundswell.errors import UsageError
from groundswell.store.connections import ConnectedAccount

PLATFORMS = ("mastodon", "bluesky")
SECRET_ENV = {"mastodon": "GROUNDSWELL_MASTODON_TOKEN", "bluesky": "GROUNDSWELL_BLUESKY_APP_PASSWORD"}
"""An environment variable that overrides the kept secret (for a scheduler or a container)."""
SECRET_NAME = {"mastodon": "access token", "bluesky": "app password"}
TIMEOUT_ENV = "GROUNDSWELL_PLATFORM_TIMEOUT"
"""Seconds a request to a platform may wait for its answer (default ``DEFAULT_TIMEOUT``)."""
DEFAULT_TIMEOUT = 30.0


def platform_timeout() -> float:
    """``$GROUNDSWELL_PLATFORM_TIMEOUT`` seconds, else ``DEFAULT_TIMEOUT``; a value that is not a positive
    number is a ``UsageError`` naming it."""
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds above 0, not {value!r}")
    return seconds


LOOPBACK = ("localhost", "127.0.0.1", "::1")
"""Hosts reached without leaving the machine: plain http to them sends no secret over a network."""


def check_server_url(url: str, *, insecure: bool = False) -> str:
    """``url`` if it is an ``https://`` server (or ``http://`` on this machine); ``UsageError`` for ``http://``
    elsewhere unless ``insecure`` (the access token would cross the network in clear), and for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not a server URL: give one like https://mastodon.social")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK and not insecure:
        raise UsageError(
            f"{url} is plain http: the account's secret would cross the network unencrypted; "
            "use https://, or --insecure if you must (a test server on a private network)"
        )
    return url.strip()


def account_ref(account: ConnectedAccount) -> AccountRef:
    return AccountRef(
        name=account.name,
        platform=account.platform,
        handle=account.handle,
        server=account.server,
        credential_key=account.credential_key,
    )


def secret_for(account: ConnectedAccount | AccountRef) -> str:
    """The account's secret: the platform's environment variable if set, else the kept one."""
    from_env = os.environ.get(SECRET_ENV.get(account.platform, ""), "")
    if from_env:
        return from_env
    kept = credentials.load_secret(account.credential_key)
    if kept is None:
        env = SECRET_ENV.get(account.platform)
        raise ConnectorError(
            f"no {SECRET_NAME.get(account.platform, 'secret')} kept for {account.name}: run "
            f"`groundswell connect {account.platform}` again" + (f" or set {env}" if env else ""),
            kind="auth",
        )
    return kept


def connector_for(ref: AccountRef, secret: str, **options: Any) -> Any:
    """The platform's client for ``ref``, signed in with ``secret`` (imported on first use); ``options`` go to
    its constructor (``sleep``, ``max_retries``: how a long-running caller bounds the waits)."""
    if ref.platform == "mastodon":
        from groundswell.connect.mastodon import MastodonConnector

        return MastodonConnector(ref, secret, timeout=platform_timeout(), **options)
    if ref.platform == "bluesky":
        from groundswell.connect.bluesky import BlueskyConnector

        return BlueskyConnector(ref, secret, timeout=platform_timeout(), **options)
    raise ConnectorError(
        f"no connector for platform {ref.platform!r} (known: {', '.join(PLATFORMS)})", kind="bad_request"
    )


def open_connector(account: ConnectedAccount, **options: Any) -> Any:
    return connector_for(account_ref(account), secret_for(account), **options)
