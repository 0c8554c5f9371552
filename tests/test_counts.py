"""One count everywhere: threads, replied, unanswered and waiting, and the moment waits run to, read through
every view of the same workspace (the library, the CLI's JSON, the report's data and page, the inbox, the API
over real HTTP) must be the same numbers; and "as of" is the data's end for an import, now for a workspace
that syncs."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from groundswell.accounts import add_user, create_token
from groundswell.cli import cli
from groundswell.clock import utcnow
from groundswell.demo import build_demo
from groundswell.inbox import inbox
from groundswell.report import gather, render_report
from groundswell.store import connections
from groundswell.threads.attention import threads_needing_attention
from groundswell.workspace import Workspace
from web_server import free_port

COUNTS = ("threads", "replied", "unanswered", "waiting")


@contextmanager
def serving(path: Path) -> Iterator[tuple[str, str]]:
    """The web app over the workspace at ``path`` on 127.0.0.1, with an admin's API token."""
    import uvicorn

    from groundswell.web import create_app

    with Workspace.open(path) as ws:
        admin = add_user(ws.store, "root", "admin", "root-password-123", actor="test")
        token = create_token(ws.store, admin, "counts", actor="root")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture(scope="module", params=["demo", "twcs"])
def counted_workspace(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An enriched workspace: the seeded demo world, or the real TWCS excerpt imported as it is."""
    root = tmp_path_factory.mktemp(f"counts-{request.param}")
    if request.param == "demo":
        path = build_demo(root / "ws", posts=1500, seed=3).workspace
    else:
        sample = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs" / "sample_head_1000.csv"
        if not sample.exists():
            pytest.skip(f"{sample} is not here (../shared/data beside the project)")
        path = root / "ws"
        with Workspace.init(path) as ws:
            ws.import_files([sample])
    with Workspace.open(path) as ws:
        ws.enrich("fast", workers=1)
    return path


def _cli_json(args: list[str]) -> Any:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_view_counts_the_same(counted_workspace: Path) -> None:
    path = counted_workspace
    seen: dict[str, dict[str, Any]] = {}
    with Workspace.open(path) as ws:
        library = ws.counts()
        seen["library"] = library.as_dict()
        with ws.computing() as sources:
            data = gather(sources)
            page = inbox(sources, _states(sources), limit=500)
            attention = threads_needing_attention(sources)
    assert library.unanswered is not None and library.waiting is not None
    assert 0 < library.unanswered <= library.waiting <= library.threads
    assert library.replied <= library.threads and library.unanswered <= library.threads - library.replied
    assert library.as_of is not None and not library.live

    status = _cli_json(["status", "--workspace", str(path)])
    seen["cli status"] = {k: status[k] for k in (*COUNTS, "as_of")}
    [response] = _cli_json(["metrics", "response", "--workspace", str(path)])
    seen["cli metrics response"] = {
        "threads": response["threads"], "replied": response["replied_threads"],
        "unanswered": response["unanswered_threads"], "waiting": response["waiting_threads"],
    }  # fmt: skip
    [helped] = _cli_json(["metrics", "help", "--workspace", str(path)])
    seen["cli metrics help"] = {"threads": helped["threads"], "replied": helped["replied"]}

    seen["report data"] = data.sections["counts"]
    seen["report response"] = {
        "threads": data.sections["response"]["threads"], "replied": data.sections["response"]["replied_threads"],
        "unanswered": data.sections["response"]["unanswered_threads"],
        "waiting": data.sections["response"]["waiting_threads"],
    }  # fmt: skip
    seen["report help"] = {k: data.sections["help"][k] for k in ("threads", "replied")}
    seen["report attention"] = {"unanswered": data.sections["attention"]["unanswered_total"]}
    seen["report waits"] = {"as_of": data.sections["attention"]["as_of"]}
    html = render_report(data)
    shown = re.search(r'id="thread-counts">(.*?)</p>', html, re.S)
    assert shown is not None
    numbers = [int(n.replace(",", "")) for n in re.findall(r"<strong>([\d,]+)</strong>", shown.group(1))]
    seen["report page"] = dict(zip(COUNTS, numbers, strict=True))
    seen["library attention"] = {"unanswered": attention.unanswered_total, "as_of": attention.as_of.isoformat()}
    seen["library inbox"] = {"waiting": page.total, "as_of": page.as_of.isoformat() if page.as_of else None}

    with serving(path) as (url, token), httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as web:
        api = web.get("/api/v1/counts").json()
        seen["api counts"] = {k: api[k] for k in (*COUNTS, "as_of")}
        [api_response] = web.get("/api/v1/metrics/response").json()
        seen["api metrics response"] = {
            "threads": api_response["threads"], "replied": api_response["replied_threads"],
            "unanswered": api_response["unanswered_threads"], "waiting": api_response["waiting_threads"],
        }  # fmt: skip
        [api_help] = web.get("/api/v1/metrics/help").json()
        seen["api metrics help"] = {k: api_help[k] for k in ("threads", "replied")}
        api_inbox = web.get("/api/v1/inbox", params={"limit": 1}).json()
        seen["api inbox"] = {"waiting": api_inbox["total"], "as_of": api_inbox["as_of"]}
        first = api_inbox["items"][0]
        waited = datetime.fromisoformat(api_inbox["as_of"]) - datetime.fromisoformat(first["created_at"])
        assert first["waiting_s"] == waited.total_seconds()

    expected = library.as_dict()
    for view, figures in seen.items():
        for name, value in figures.items():
            assert value == expected[name], f"{view}: {name} {value} != {expected[name]} (the library's)"
    assert len(seen) == 16


def _states(sources: Any) -> Any:
    """The inbox's state table on the engine of ``sources`` (nothing touched yet: every item open)."""
    return sources.engine.backend.table("inbox_items")


def test_as_of_is_the_data_end_for_an_import_and_now_for_a_synced_workspace(make_workspace: Any) -> None:
    config = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "AcmeHelp"\n'
    posts = (
        "platform,post_id,author_id,author_handle,created_at,text,in_reply_to_post_id\n"
        "twitter,q1,u1,ana,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?,\n"
        "twitter,a1,u7,fi,2026-03-04T12:30:00Z,@AcmeHelp refund missing,\n"
    )
    labels = {p: {"sentiment": "negative", "intent": "complaint", "needs_reply": True} for p in ("q1", "a1")}
    ws = make_workspace(config, posts, labels)
    imported = ws.counts()
    assert imported.as_of == datetime(2026, 3, 4, 12, 30) and not imported.live
    assert (imported.threads, imported.replied, imported.unanswered, imported.waiting) == (2, 0, 2, 2)
    with ws.computing() as sources:
        page = inbox(sources, _states(sources))
        attention = threads_needing_attention(sources)
    waits = {item.post_id: item.waiting_s for item in page.items}
    assert waits == {"q1": (2 * 86_400 + 2.5 * 3600), "a1": 0.0}
    assert {t.first_inbound_post_id: t.waiting_s for t in attention.unanswered} == waits

    connections.add_account(
        ws.store, name="AcmeHelp", platform="twitter", handle="AcmeHelp", server="https://x.example",
        credential_key="twitter:AcmeHelp",
    )  # fmt: skip
    before = utcnow()
    synced = ws.counts()
    assert synced.live and synced.as_of is not None and before <= synced.as_of <= utcnow() + timedelta(seconds=1)
    with ws.computing() as sources:
        page = inbox(sources, _states(sources))
    assert page.as_of is not None and page.as_of >= before
    assert all(item.waiting_s >= (before - item.created_at).total_seconds() for item in page.items)
