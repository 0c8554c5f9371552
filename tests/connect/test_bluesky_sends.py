"""A reply through Bluesky posts once: its record key comes from the idempotency key, so a retry finds the
reply an earlier attempt made instead of making a second one.

The requests the connector sends go, over real HTTP, to a small XRPC server on 127.0.0.1 that keeps the
account's records by record key as a PDS does (``createRecord`` refuses a key it has; ``getRecord`` answers
``RecordNotFound``). The whole reference network (tests/connect/bluesky_server.py) is not needed for what is
checked here: the requests, and how many records the repo holds after each failure and retry.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from groundswell.connect.base import AccountRef, ConnectorError, new_idempotency_key
from groundswell.connect.bluesky import TID_PATTERN, BlueskyConnector, record_key

DID = "did:plc:northwindbrand"
HANDLE = "northwind.test"
PARENT = "at://did:plc:customerben/app.bsky.feed.post/3kparentpost22"
CID = "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5xpwpbhkjpl4qyu"
TEXT = "So sorry for the wait, Ben. Could you DM us your order number so we can chase it today? ^AB"


def _jwt() -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {"sub": DID, "exp": int(time.time()) + 3600, "iat": int(time.time()), "scope": "com.atproto.appPass"}
    return f"{part({'alg': 'ES256K', 'typ': 'JWT'})}.{part(claims)}.c2ln"


class TinyPds:
    """The XRPC methods a reply uses, with the account's post records kept by record key."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.creates: list[dict[str, Any]] = []  # every createRecord body received
        self.drop_creates = 0  # answer this many created records by closing the connection
        self.fail_creates = 0  # answer this many createRecord calls 502, keeping nothing
        pds = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/xrpc/com.atproto.server.getSession":
                    self._answer(200, {"did": DID, "handle": HANDLE})
                elif url.path == "/xrpc/app.bsky.feed.getPosts":
                    post = {"uri": PARENT, "cid": CID, "author": {"did": "did:plc:customerben", "handle": "ben.test"},
                            "record": {"$type": "app.bsky.feed.post", "text": "@northwind.test where is my order?",
                                       "createdAt": "2026-03-02T10:00:00.000Z"},
                            "indexedAt": "2026-03-02T10:00:00.000Z"}  # fmt: skip
                    self._answer(200, {"posts": [post]})
                elif url.path == "/xrpc/com.atproto.repo.getRecord":
                    found = pds.records.get(query.get("rkey", ""))
                    if found is None:
                        self._answer(400, {"error": "RecordNotFound", "message": "Could not locate record"})
                    else:
                        self._answer(200, found)
                else:
                    self._answer(404, {"error": "MethodNotImplemented", "message": url.path})

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                path = urlsplit(self.path).path
                if path == "/xrpc/com.atproto.server.createSession":
                    self._answer(200, {"did": DID, "handle": HANDLE, "accessJwt": _jwt(), "refreshJwt": _jwt()})
                    return
                if path != "/xrpc/com.atproto.repo.createRecord":
                    self._answer(404, {"error": "MethodNotImplemented", "message": path})
                    return
                pds.creates.append(body)
                if pds.fail_creates > 0:
                    pds.fail_creates -= 1
                    self._answer(502, {"error": "UpstreamFailure", "message": "bad gateway"})
                    return
                rkey = body.get("rkey") or f"3k{len(pds.records):011d}"
                if rkey in pds.records:
                    self._answer(400, {"error": "InvalidRequest", "message": f"record {rkey} already exists"})
                    return
                uri = f"at://{DID}/{body['collection']}/{rkey}"
                pds.records[rkey] = {"uri": uri, "cid": CID, "value": body["record"]}
                if pds.drop_creates > 0:  # kept, and the client never hears so
                    pds.drop_creates -= 1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._answer(200, {"uri": uri, "cid": CID})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def pds() -> Iterator[TinyPds]:
    server = TinyPds()
    yield server
    server.close()


def connector(pds: TinyPds) -> BlueskyConnector:
    ref = AccountRef(name=HANDLE, platform="bluesky", handle=HANDLE, server=pds.url, credential_key="k")
    return BlueskyConnector(ref, "app-password", timeout=5, sleep=lambda s: None)


def test_the_reply_is_created_under_the_idempotency_key_in_its_thread(pds: TinyPds) -> None:
    key = new_idempotency_key()
    sent = connector(pds).reply(PARENT, TEXT, idempotency_key=key)
    [create] = pds.creates
    assert (create["repo"], create["collection"], create["rkey"]) == (DID, "app.bsky.feed.post", key)
    reply = create["record"]["reply"]
    assert (reply["parent"]["uri"], reply["parent"]["cid"], reply["root"]["uri"]) == (PARENT, CID, PARENT)
    assert sent.post_id == f"at://{DID}/app.bsky.feed.post/{key}" and sent.url is not None and sent.url.endswith(key)
    [view] = sent.page.payload["posts"]
    assert view["record"]["text"] == TEXT and view["author"]["did"] == DID


def test_accepted_then_dropped_is_unconfirmed_and_the_retry_finds_the_reply(pds: TinyPds) -> None:
    pds.drop_creates = 1
    key = new_idempotency_key()
    with pytest.raises(ConnectorError) as lost:
        connector(pds).reply(PARENT, TEXT, idempotency_key=key)
    assert (lost.value.kind, lost.value.unconfirmed) == ("network", True)
    assert list(pds.records) == [key] and len(pds.creates) == 1  # kept, and not sent again on its own
    again = connector(pds).reply(PARENT, TEXT, idempotency_key=key)
    assert again.post_id == pds.records[key]["uri"]
    assert len(pds.creates) == 1 and len(pds.records) == 1  # found, not made twice


def test_a_server_error_is_unconfirmed_and_the_retry_makes_the_reply_once(pds: TinyPds) -> None:
    pds.fail_creates = 1
    key = new_idempotency_key()
    with pytest.raises(ConnectorError) as failed:
        connector(pds).reply(PARENT, TEXT, idempotency_key=key)
    assert (failed.value.kind, failed.value.unconfirmed) == ("server", True)
    assert pds.records == {} and len(pds.creates) == 1
    first = connector(pds).reply(PARENT, TEXT, idempotency_key=key)
    second = connector(pds).reply(PARENT, TEXT, idempotency_key=key)
    assert first.post_id == second.post_id and list(pds.records) == [key] and len(pds.creates) == 2


def test_a_key_that_is_not_a_tid_gives_the_same_valid_record_key_every_time() -> None:
    key = new_idempotency_key()
    assert TID_PATTERN.match(key) and record_key(key) == key
    made = record_key("7f3c1d2e-retry-me")
    assert TID_PATTERN.match(made) and made == record_key("7f3c1d2e-retry-me") != record_key("another key")
