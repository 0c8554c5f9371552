"""Uploads over real HTTP: the caller is checked before the body is read, the size limit holds while the body
streams in, nothing is left behind by a refused upload, and uploads and refusals are in the audit log."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx
import pytest

from groundswell.accounts import entries
from groundswell.workspace import Workspace
from web_server import PASSWORDS, Server

LIMIT = 1_000_000
BOUNDARY = "groundswell-test-boundary"
PART_HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
    "Content-Type: text/csv\r\n\r\nplatform,post_id,author_id,created_at,text\r\n"
).encode()


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


@pytest.fixture
def small(make_server: Callable[..., Server]) -> Server:
    """A server whose uploads may be at most ``LIMIT`` bytes."""
    return make_server(max_upload_bytes=LIMIT)


def _raw(server: Server, head: dict[str, str], chunks: Iterable[bytes] = ()) -> str:
    """Send a POST to /api/v1/imports as written (headers, then ``chunks`` as they are, and nothing more), and
    read the answer's status line and headers: a server that waited for the rest of a body would never answer."""
    url = urlsplit(server.url)
    lines = ["POST /api/v1/imports HTTP/1.1", f"Host: {url.hostname}:{url.port}",
             f"Content-Type: multipart/form-data; boundary={BOUNDARY}", *(f"{k}: {v}" for k, v in head.items())]  # fmt: skip
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=20) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        for chunk in chunks:
            conn.sendall(chunk)
        answer = b""
        while b"\r\n\r\n" not in answer:
            got = conn.recv(65536)
            if not got:
                break
            answer += got
    return answer.decode("latin-1")


def _chunked(total: int) -> Iterable[bytes]:
    """A multipart upload in HTTP chunks of 64 KiB, ``total`` bytes of it, never finished."""
    data = PART_HEAD + b"twitter,p,u,2026-03-03T10:00:00Z,hello\r\n" * (total // 40)
    for start in range(0, len(data), 65536):
        piece = data[start : start + 65536]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def _audit(server: Server, action: str) -> list[tuple[str, str | None, dict[str, object]]]:
    with Workspace.open(server.workspace, database=server.database or "") as ws:
        return [(e.actor, e.target, e.detail) for e in entries(ws.store, action=action)]


def _uploads(server: Server) -> list[str]:
    folder = server.workspace / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _login(server: Server, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    assert client.post("/login", data={"name": name, "password": PASSWORDS[name]}).status_code == 303
    return client


def test_an_anonymous_upload_is_refused_before_its_body_is_read(small: Server) -> None:
    answer = _raw(small, {"Content-Length": "300000000"})  # announces 300 MB and sends none of it
    assert answer.startswith("HTTP/1.1 401"), answer
    assert _uploads(small) == []


def test_a_caller_whose_role_may_not_import_is_refused_before_the_body_is_read(small: Server) -> None:
    val = _login(small, "val")
    cookie = "; ".join(f"{k}={v}" for k, v in val.cookies.items())
    answer = _raw(small, {"Content-Length": "300000000", "Cookie": cookie})
    assert answer.startswith("HTTP/1.1 403"), answer
    [(actor, target, detail)] = _audit(small, "access.forbidden")
    assert (actor, target, detail["method"]) == ("val", "/api/v1/imports", "POST")
    assert "imports.create" in str(detail["reason"])


def test_a_declared_length_over_the_limit_is_refused_unread_and_audited(small: Server) -> None:
    answer = _raw(small, {"Content-Length": str(LIMIT + 1), "Authorization": f"Bearer {small.root_token}"})
    assert answer.startswith("HTTP/1.1 413"), answer
    [(actor, _target, detail)] = _audit(small, "imports.refused")
    assert actor == "root" and detail["limit_bytes"] == LIMIT and detail["declared_bytes"] == str(LIMIT + 1)


def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(small: Server) -> None:
    # chunked, no length announced: 1.3 MB are sent and the body never ends; the answer comes all the same
    head = {"Transfer-Encoding": "chunked", "Authorization": f"Bearer {small.root_token}"}
    answer = _raw(small, head, _chunked(1_300_000))
    assert answer.startswith("HTTP/1.1 413"), answer
    assert _uploads(small) == []
    with httpx.Client(base_url=small.url, headers={"Authorization": f"Bearer {small.root_token}"}) as client:
        body = b"x" * (LIMIT + 10)
        refused = client.post("/api/v1/imports", files={"file": ("big.csv", body)})
        assert refused.status_code == 413 and "1 MB" in refused.json()["message"]
        fits = "platform,post_id,author_id,created_at,text\ntwitter,n1,u1,2026-03-03T10:00:00Z,hi\n"
        done = client.post("/api/v1/imports", files={"file": ("fits.csv", fits.encode())})
        assert done.status_code == 200 and done.json()["imported"] == 1
    assert len(_uploads(small)) == 1
    assert len(_audit(small, "imports.refused")) == 2


def test_an_upload_and_its_import_are_audited_with_the_caller(server: Server) -> None:
    text = "platform,post_id,author_id,created_at,text\ntwitter,n1,u1,2026-03-03T10:00:00Z,hi\n"
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}) as client:
        done = client.post("/api/v1/imports", files={"file": ("new.csv", text.encode())}).json()
    [(actor, target, detail)] = _audit(server, "imports.upload")
    assert (actor, target) == ("root", "new.csv")
    assert detail["stored_as"] == done["stored_as"] and detail["imported"] == 1 and detail["bytes"] == len(text)
    stored = server.workspace / done["stored_as"]
    assert stored.stat().st_mode & 0o777 == 0o600


def test_an_upload_form_without_the_csrf_token_is_refused_stores_nothing_and_is_audited(server: Server) -> None:
    root = _login(server, "root")
    files = {"file": ("more.csv", b"platform,post_id,author_id,created_at,text\n")}
    refused = root.post("/admin/imports", data={"csrf_token": "forged"}, files=files)
    assert refused.status_code == 403
    refused_api = root.post("/api/v1/imports", files=files)  # a cookie without the X-CSRF-Token header
    assert refused_api.status_code == 403
    assert _uploads(server) == []
    found = _audit(server, "access.csrf")
    assert [(actor, target) for actor, target, _ in found] == [("root", "/api/v1/imports"), ("root", "/admin/imports")]
    assert _audit(server, "imports.upload") == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [(".", "upload"), ("a" * 300 + ".csv", "a" * 96 + ".csv"), ("../../etc/passwd", "passwd"), (".hidden.csv", "hidden.csv"),
     ("héllo wörld.csv", "h_llo_w_rld.csv")],
)  # fmt: skip
def test_an_upload_name_is_made_safe_for_the_file_system(server: Server, given: str, kept: str) -> None:
    text = b"platform,post_id,author_id,created_at,text\ntwitter,n1,u1,2026-03-03T10:00:00Z,hi\n"
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}) as client:
        done = client.post("/api/v1/imports", params={"format": "csv"}, files={"file": (given, text)})
    assert done.status_code == 200, done.text
    assert done.json()["file"] == kept
    assert re.fullmatch(rf"uploads/\d{{8}}T\d+-{re.escape(kept)}", done.json()["stored_as"])


def test_a_body_without_a_file_is_a_clear_400(server: Server) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}) as client:
        for sent in (client.post("/api/v1/imports", json={"file": "x"}),
                     client.post("/api/v1/imports", data={"file": "not a file"}),
                     client.post("/api/v1/imports", files={"file": ("", b"a,b\n")})):  # fmt: skip
            assert sent.status_code == 400 and "multipart/form-data field 'file'" in sent.json()["message"]


def test_serve_offers_the_app_s_default_upload_limit() -> None:
    from groundswell.cli.web_commands import DEFAULT_MAX_UPLOAD_MB, serve_command
    from groundswell.web import uploads

    assert DEFAULT_MAX_UPLOAD_MB == uploads.DEFAULT_MAX_UPLOAD_MB == 200
    assert {p.name for p in serve_command.params} >= {"max_upload_mb", "forwarded_allow_ips"}
