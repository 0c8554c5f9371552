"""Send alerts out through apprise (email, Slack, Matrix, ntfy, webhooks: one URL list in the config).

Secrets stay in the environment: a URL is written with ``${NAME}`` references, resolved only when a message
is sent, and the delivery log names a target by its position and scheme (``"1:mailtos"``), never the URL.
Each alert reaches each target once: a target that failed is tried again on the next cycle, one that took
it never again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import apprise

from groundswell.config import resolve_env
from groundswell.store import alerts as stored
from groundswell.store.alerts import StoredAlert
from groundswell.store.base import Store

SEND_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class Delivery:
    alert_id: int
    target: str
    ok: bool
    error: str | None = None


def target_name(index: int, url: str) -> str:
    """How the log names the ``index``-th notify URL: its position and scheme, no secret."""
    return f"{index + 1}:{url.split('://', 1)[0]}"


def message(alert: StoredAlert, link: str | None = None) -> tuple[str, str]:
    """The title and body an alert is sent with: what it is, since when, its figures and its posts."""
    lines = [alert.title, f"kind: {alert.kind}", f"since: {alert.started_at:%Y-%m-%d %H:%M} UTC"]
    lines += [f"{name}: {value:g}" for name, value in sorted(alert.figures.items())]
    lines += [f"post: {platform} {post_id}" for platform, post_id in alert.posts]
    if link:
        lines.append(link)
    return f"groundswell: {alert.kind}", "\n".join(lines)


def send(url: str, title: str, body: str) -> str | None:
    """Send one message to one apprise URL; None when it went, else why not."""
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return "apprise does not know this URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = notifier.notify(body=body, title=title, timeout=SEND_TIMEOUT_S)
    if ok:
        return None
    said = captured.getvalue().strip().splitlines()
    return said[-1] if said else "apprise could not deliver"


def deliver(
    store: Store,
    alert: StoredAlert,
    urls: tuple[str, ...],
    *,
    environ: Mapping[str, str] | None = None,
    link: str | None = None,
) -> list[Delivery]:
    """Send ``alert`` to each of ``urls`` it has not reached yet, and log each try."""
    env = dict(os.environ if environ is None else environ)
    done = stored.delivered_targets(store, alert.alert_id)
    title, body = message(alert, link)
    results: list[Delivery] = []
    for index, url in enumerate(urls):
        target = target_name(index, url)
        if target in done:
            continue
        try:
            error = send(resolve_env(url, env), title, body)
        except KeyError as missing:
            error = f"environment variable {missing.args[0]} is not set"
        stored.record_delivery(store, alert.alert_id, target=target, ok=error is None, error=error)
        results.append(Delivery(alert.alert_id, target, error is None, error))
    return results


def deliver_open(store: Store, urls: tuple[str, ...], *, environ: Mapping[str, str] | None = None) -> list[Delivery]:
    """Send every open alert to the targets it has not reached (new ones, and those a target refused)."""
    if not urls:
        return []
    results: list[Delivery] = []
    for alert in stored.alerts(store, statuses=("open",)):
        results.extend(deliver(store, alert, urls, environ=environ))
    return results
