"""Where alerts are delivered in tests: a webhook receiver (apprise ``json://``) and an SMTP sink (aiosmtpd),
both on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass
class Received:
    """What a receiver got: each webhook body with its headers, or each mail's raw text."""

    port: int
    messages: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def webhook_receiver() -> Iterator[Received]:
    """An HTTP server on 127.0.0.1 keeping every JSON body POSTed to it (with its headers)."""
    received = Received(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.messages.append({"headers": dict(self.headers), "body": json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    received.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[Received]:
    """An SMTP server on 127.0.0.1 (aiosmtpd) keeping every mail it is given."""
    received = Received(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.messages.append(
                {"to": list(envelope.rcpt_tos), "text": envelope.content.decode("utf-8", errors="replace")}
            )
            return "250 OK"

    controller = Controller(Handler(), hostname=HOST, port=received.port)
    controller.start()
    try:
        yield received
    finally:
        controller.stop()
