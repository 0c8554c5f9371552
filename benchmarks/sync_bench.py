"""Sync throughput against a local server, one function per platform.

    .venv/bin/python benchmarks/sync_bench.py mastodon [--posts 2000] [--seed 7]

``mastodon``: mastodon-mock (the ``test`` extra) runs in a child process on 127.0.0.1, seeded through its API
with ``--posts`` posts of a brand and 100 customers (``seed_traffic``: mentions, the brand's replies, thanks in
the threads, customer-to-customer replies, campaign hashtag posts and broadcasts, all from the last day). Then,
in this process:

- ``fetch``: ``MastodonConnector.fetch`` from an empty cursor, every page read and nothing stored (the
  connector and the server alone);
- ``sync``: ``connect.sync.sync_account`` into a fresh workspace from an empty cursor: fetch, keep each page
  as a file, import it (what ``groundswell sync`` does), timed from the first request to the last import;
- ``again``: a second sync, which finds nothing new.

Prints one JSON object per job: seconds, pages, HTTP requests, posts read and imported, and posts/s
(imported posts per second of the job). The server shares the machine, so the figures are those of a local
round trip, an upper bound for a real instance, where the network and the rate limit (300 requests per
5 minutes) decide. Other platforms add a function beside ``mastodon`` and a name in ``PLATFORMS``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TEST_HELPERS = HERE.parent / "tests" / "connect"
SERVER_LIFETIME = 900.0  # a child server stops by itself after this long, whatever the parent does

CUSTOMERS = tuple(f"c{i:03d}" for i in range(100))
COMPLAINTS = (
    "my Ridgeline tent pole snapped on the first night",
    "where is my order? It has been two weeks",
    "the zip on my jacket broke after a week",
    "can I swap my boots for a bigger size?",
    "your app keeps logging me out at checkout",
)


def seed_traffic(server: Any, posts: int, seed: int) -> int:
    """``posts`` statuses through the API: a brand and ``CUSTOMERS`` talking (see the module docstring)."""
    brand = "northwind"
    rng = random.Random(seed)
    mentions: list[tuple[str, str]] = []  # (status id, author)
    replies: list[tuple[str, str]] = []  # (brand reply id, customer answered)
    for n in range(posts):
        roll = rng.random()
        customer = rng.choice(CUSTOMERS)
        if roll < 0.10 or not mentions:
            if roll < 0.05:
                server.post(brand, f"New colours of the Ridgeline are in, #TrailReady for spring ({n})")
            else:
                sid = server.post(customer, f"@northwind {rng.choice(COMPLAINTS)} ({n})")
                mentions.append((sid, customer))
        elif roll < 0.55:
            sid = server.post(customer, f"@northwind {rng.choice(COMPLAINTS)} ({n})")
            mentions.append((sid, customer))
        elif roll < 0.70:
            target, author = rng.choice(mentions)
            reply = server.post(brand, f"@{author} so sorry about that, DM us your order number ({n})", reply_to=target)
            replies.append((reply, author))
        elif roll < 0.85 and replies:
            target, author = rng.choice(replies)
            server.post(author, f"@northwind thanks, that sorted it ({n})", reply_to=target)
        elif roll < 0.90:
            target, author = rng.choice(mentions)
            server.post(customer, f"@{author} same happened to me, they fixed it fast ({n})", reply_to=target)
        else:
            server.post(customer, f"Sunrise from the ridge this morning #TrailReady ({n})")
    return posts


def _serve_mastodon(posts: int, seed: int, pipe: Connection) -> None:
    """The child process: start and seed the server, say where it is, serve until told to stop (or lifetime)."""
    sys.path.insert(0, str(TEST_HELPERS))
    from mastodon_server import BRAND, MockMastodon

    with MockMastodon(accounts=(BRAND, *CUSTOMERS)) as server:
        started = time.perf_counter()
        seeded = seed_traffic(server, posts, seed)
        pipe.send((server.base_url, seeded, time.perf_counter() - started))
        pipe.poll(SERVER_LIFETIME)


def mastodon(posts: int, seed: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(TEST_HELPERS))
    from mastodon_server import BRAND, CAMPAIGN_CONFIG, token

    from groundswell.connect import connect_account
    from groundswell.connect.mastodon import MastodonConnector
    from groundswell.connect.registry import account_ref
    from groundswell.connect.sync import campaign_searches, sync_account
    from groundswell.workspace import Workspace

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve_mastodon, args=(posts, seed, theirs), daemon=True)
    child.start()
    results: list[dict[str, Any]] = []
    try:
        if not ours.poll(600):
            raise RuntimeError("the mastodon-mock child did not start and seed in 10 minutes")
        url, seeded, seeding_s = ours.recv()
        results.append({"job": "seed", "posts": seeded, "seconds": round(seeding_s, 2)})
        with tempfile.TemporaryDirectory(prefix="groundswell-sync-bench-") as folder:
            os.environ["GROUNDSWELL_CREDENTIALS"] = str(Path(folder) / "credentials.json")
            with Workspace.init(Path(folder) / "ws", config_text=CAMPAIGN_CONFIG) as ws:
                account = connect_account(ws, "mastodon", server=url, secret=token(BRAND))
                ref = account_ref(account)

                reader = MastodonConnector(ref, token(BRAND))
                started = time.perf_counter()
                pages = read = 0
                for page in reader.fetch({}, campaign_searches(ws)):
                    pages += 1 if page.payload else 0
                    read += _statuses(page.payload)
                results.append(_row("fetch", time.perf_counter() - started, pages, reader.requests_sent, read, None))

                for job in ("sync", "again"):
                    client = MastodonConnector(ref, token(BRAND))
                    report = sync_account(ws, account.name, client)
                    assert report.status == "done", report.error
                    results.append(
                        _row(job, report.seconds, report.pages, client.requests_sent, report.read, report.imported)
                    )
                results[-1]["posts_in_workspace"] = ws.store.post_count()
    finally:
        ours.send("stop")
        child.join(15)
        if child.is_alive():
            child.terminate()
    return results


def _statuses(payload: Any) -> int:
    if isinstance(payload, list):
        return len(payload)
    if isinstance(payload, dict):
        focal = 1 if isinstance(payload.get("status"), dict) else 0
        return focal + sum(len(v) for k, v in payload.items() if isinstance(v, list) and k != "accounts")
    return 0


def _row(job: str, seconds: float, pages: int, requests: int, read: int, imported: int | None) -> dict[str, Any]:
    counted = imported if imported is not None else read
    return {
        "job": job,
        "seconds": round(seconds, 2),
        "pages": pages,
        "requests": requests,
        "read": read,
        "imported": imported,
        "posts_per_s": round(counted / seconds, 1) if seconds > 0 else None,
        "requests_per_s": round(requests / seconds, 1) if seconds > 0 else None,
    }


PLATFORMS: dict[str, Callable[[int, int], list[dict[str, Any]]]] = {"mastodon": mastodon}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("platform", choices=sorted(PLATFORMS))
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for result in PLATFORMS[args.platform](args.posts, args.seed):
        print(json.dumps({"platform": args.platform, **result}), flush=True)


if __name__ == "__main__":
    main()
