"""A pass-through HTTP proxy on 127.0.0.1 in front of a platform's API, for the tests of sending replies.

Every request goes on to the platform as it came, and the platform's answer comes back, except for the posts
(``POST`` to ``post_path``) the test asks to lose: ``drop_posts(n)`` makes the next ``n`` posts reach the
platform, which stores them and answers, and then closes the client's connection without a byte of that
answer: the platform "accepted then dropped the connection". The proxy counts the posts it passed on and the
platform's answers to them, so a test can wait until a delayed post has been answered before it counts what
the platform stored.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"})


class PlatformProxy:
    """The proxy on 127.0.0.1:<free port> (or ``port``: one a stopped proxy left), a context manager that stops
    it (see the module docstring)."""

    def __init__(self, upstream: str, *, post_path: str = "/api/v1/statuses", port: int = 0):
        target = urlsplit(upstream)
        self.upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self.post_path = post_path
        self.posts_received = 0
        self.posts_answered = 0
        self._to_drop = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                is_post = self.command == "POST" and self.path.split("?")[0] == proxy.post_path
                if is_post:
                    with proxy._lock:
                        proxy.posts_received += 1
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                upstream.close()
                drop = False
                if is_post:
                    with proxy._lock:
                        proxy.posts_answered += 1
                        if proxy._to_drop > 0 and 200 <= answer.status < 300:
                            proxy._to_drop -= 1
                            drop = True
                if drop:  # the platform kept the post; its client never hears so
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                try:
                    self.send_response(answer.status)
                    for key, value in answer.getheaders():
                        if key.lower() not in HOP_HEADERS:
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that gave up waiting (a timeout under test)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward  # noqa: N815 - http.server's names

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="platform-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def drop_posts(self, count: int = 1) -> None:
        """The next ``count`` posts the platform accepts are answered by closing the client's connection."""
        with self._lock:
            self._to_drop = count

    def wait_answered(self, timeout: float) -> None:
        """Until the platform has answered every post passed on (a delayed one too), or ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.posts_answered < self.posts_received:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.posts_received - self.posts_answered} posts still unanswered")
            time.sleep(0.1)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
