"""The dashboard's brand filter on real data: TWCS with Apple configured, a peer's indices as the library gives them."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from groundswell.accounts import add_user
from groundswell.workspace import Workspace
from web_server import PASSWORDS, free_port


@pytest.mark.slow  # enriching TWCS and scoring two brands behind a real server
def test_the_brand_filter_shows_a_peers_own_figures(tmp_path: Path, twcs_sample: Path) -> None:
    import uvicorn

    from groundswell.web import create_app

    Workspace.init(tmp_path / "ws").close()
    (tmp_path / "ws" / "groundswell.toml").write_text(
        'brand = "Apple"\n\n[[accounts]]\nplatform = "twitter"\nhandle = "AppleSupport"\n', encoding="utf-8"
    )
    with Workspace.open(tmp_path / "ws") as ws:
        ws.import_files([twcs_sample])
        ws.enrich("fast")
        apple = ws.scorecard().social.value
        amazon = ws.scorecard(brand="Amazon").social.value
        add_user(ws.store, "val", "viewer", PASSWORDS["val"], actor="test")
    assert apple is not None and amazon is not None and round(apple) != round(amazon)
    port = free_port()
    instance = uvicorn.Server(
        uvicorn.Config(create_app(tmp_path / "ws"), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        assert client.post("/login", data={"name": "val", "password": PASSWORDS["val"]}).status_code == 303
        page = client.get("/").text
        assert '<select name="brand">' in page and '<option value="Amazon"' in page
        assert f'id="social-index">{apple:.0f}<' in page
        peer = client.get("/", params={"brand": "Amazon"}).text
        assert f'id="social-index">{amazon:.0f}<' in peer
        assert client.get("/", params={"brand": "Nobody"}).status_code == 400
    finally:
        instance.should_exit = True
        thread.join(timeout=20)
