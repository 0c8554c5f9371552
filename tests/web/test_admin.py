"""The admin pages over real HTTP: users, the config, imports; refused to every other role and to forged forms."""

from __future__ import annotations

import re

import httpx
import pytest

from groundswell.accounts import entries
from groundswell.config import CONFIG_FILENAME
from groundswell.workspace import Workspace
from web_server import PASSWORDS, Server


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


PAGES = ("/admin/users", "/admin/config", "/admin/imports")


def _login(server: Server, name: str, password: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    response = client.post("/login", data={"name": name, "password": password or PASSWORDS[name]})
    assert response.status_code == 303, response.text
    return client


def _csrf(client: httpx.Client, path: str = "/inbox") -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _audit(server: Server, action: str) -> list[tuple[str, str | None, str]]:
    """The audit entries of ``action``, newest first."""
    with Workspace.open(server.workspace, database=server.database or "") as ws:
        return [(e.actor, e.target, e.detail) for e in entries(ws.store, action=action)]


def test_viewers_and_agents_are_refused_the_admin_pages_and_their_forms(server: Server) -> None:
    config = server.workspace / CONFIG_FILENAME
    before = config.read_text()
    for name in ("val", "kim"):
        client = _login(server, name)
        token = _csrf(client, "/")
        for path in PAGES:
            assert client.get(path).status_code == 403, (name, path)
        posts = {
            "/admin/users": {"name": "mallory", "role": "admin", "password": "mallory-password-1"},
            "/admin/users/kim/role": {"role": "admin"},
            "/admin/users/root/disable": {},
            "/admin/config": {"text": 'brand = "Pwned"\n'},
        }
        for path, form in posts.items():
            assert client.post(path, data={**form, "csrf_token": token}).status_code == 403, (name, path)
        upload = client.post(
            "/admin/imports", data={"csrf_token": token}, files={"file": ("x.csv", b"platform,post_id\n")}
        )
        assert upload.status_code == 403
        assert 'href="/admin/users"' not in client.get("/").text  # no Admin link either
    assert config.read_text() == before
    root = _login(server, "root")
    users = root.get("/admin/users").text
    assert "mallory" not in users and 'data-user="root"' in users


def test_forged_admin_forms_are_refused(server: Server) -> None:
    root = _login(server, "root")
    config = server.workspace / CONFIG_FILENAME
    before = config.read_text()
    for token in (None, "forged"):
        form = {} if token is None else {"csrf_token": token}
        assert root.post("/admin/config", data={**form, "text": 'brand = "Forged"\n'}).status_code == 403
        added = root.post("/admin/users", data={**form, "name": "mallory", "role": "admin", "password": "x" * 14})
        assert added.status_code == 403
        assert root.post("/admin/users/kim/disable", data=form).status_code == 403
    assert config.read_text() == before
    assert "mallory" not in root.get("/admin/users").text


def test_an_admin_adds_a_user_changes_the_role_and_disables_them(server: Server) -> None:
    root = _login(server, "root")
    token = _csrf(root, "/admin/users")
    added = root.post(
        "/admin/users", data={"name": "zoe", "role": "viewer", "password": "zoe-password-123", "csrf_token": token}
    )
    assert added.status_code == 303 and "added%20zoe" in added.headers["location"]
    zoe = _login(server, "zoe", "zoe-password-123")
    assert zoe.get("/inbox").status_code == 403
    assert root.post("/admin/users/zoe/role", data={"role": "agent", "csrf_token": token}).status_code == 303
    assert zoe.get("/inbox").status_code == 200  # the new role counts at once
    weak = root.post("/admin/users", data={"name": "yan", "role": "agent", "password": "short", "csrf_token": token})
    assert weak.status_code == 303 and "not%20added" in weak.headers["location"]
    guessable = {"name": "yan", "role": "agent", "password": "password1234", "csrf_token": token}
    refused = root.post("/admin/users", data=guessable)
    assert refused.status_code == 303 and "too%20easy%20to%20guess" in refused.headers["location"]
    assert root.post("/admin/users/zoe/disable", data={"csrf_token": token}).status_code == 303
    assert zoe.get("/").status_code in (303, 401, 403)  # signed out: the session ended with the account
    page = root.get("/admin/users").text
    assert re.search(r'data-user="zoe">.*?disabled', page, re.DOTALL)
    last = root.post("/admin/users/root/disable", data={"csrf_token": token})
    assert "last%20admin" in last.headers["location"]  # the last admin cannot lock everyone out


def test_changes_are_audit_logged(server: Server) -> None:
    root = _login(server, "root")
    token = _csrf(root, "/admin/users")
    root.post("/admin/users", data={"name": "zoe", "role": "viewer", "password": "zoe-password-123",
                                    "csrf_token": token})  # fmt: skip
    root.post("/admin/users/zoe/role", data={"role": "agent", "csrf_token": token})
    text = (server.workspace / CONFIG_FILENAME).read_text()
    root.post("/admin/config", data={"text": text.replace('"Acme"', '"Acme Ltd"'), "csrf_token": token})
    # read beside the running server (DuckDB shares the open file within the process)
    assert _audit(server, "users.add")[0][:2] == ("root", "zoe")
    assert _audit(server, "users.set_role")[0][:2] == ("root", "zoe")
    actor, target, detail = _audit(server, "config.change")[0]
    assert (actor, target) == ("root", CONFIG_FILENAME) and "sha256_after" in detail


def test_an_invalid_config_is_refused_with_line_and_field_and_nothing_is_written(server: Server) -> None:
    root = _login(server, "root")
    token = _csrf(root, "/admin/config")
    config = server.workspace / CONFIG_FILENAME
    before = config.read_text()
    assert "AcmeHelp" in root.get("/admin/config").text
    missing = before + '\n[[accounts]]\nplatform = "mastodon"\n'  # no handle
    refused = root.post("/admin/config", data={"text": missing, "csrf_token": token})
    assert refused.status_code == 400
    error = re.search(r'id="config-error">(.*?)</div>', refused.text, re.DOTALL)
    assert error and "Line " in error.group(1) and "accounts[1].handle" in error.group(1), refused.text[-2000:]
    assert "Field required" in error.group(1)
    assert "platform = &#34;mastodon&#34;" in refused.text  # what was typed stays in the form, escaped
    broken = root.post("/admin/config", data={"text": before + "\n[response\n", "csrf_token": token})
    assert broken.status_code == 400 and "not valid TOML" in broken.text
    assert config.read_text() == before


def test_a_valid_config_is_saved_and_the_figures_follow(server: Server) -> None:
    root = _login(server, "root")
    token = _csrf(root, "/admin/config")
    config = server.workspace / CONFIG_FILENAME
    assert "AcmeMasto" not in root.get("/").text
    text = config.read_text() + '\n[[accounts]]\nplatform = "mastodon"\nhandle = "AcmeMasto"\n'
    saved = root.post("/admin/config", data={"text": text, "csrf_token": token})
    assert saved.status_code == 303 and "saved" in saved.headers["location"]
    assert config.read_text() == text
    assert "AcmeMasto" in root.get("/").text  # a brand account the dashboard now offers: the cache went stale


def test_an_upload_through_the_imports_page_and_its_rejects(server: Server) -> None:
    root = _login(server, "root")
    token = _csrf(root, "/admin/imports")
    rows = "".join(f"twitter,n{i},u{i},2026-03-03T10:00:00Z,@AcmeHelp hello {i}\n" for i in range(20))
    csv_text = "platform,post_id,author_id,created_at,text\n" + rows + "twitter,bad,u1,not a date,<b>oops</b>\n"
    files = {"file": ("more.csv", csv_text.encode())}
    done = root.post("/admin/imports", data={"csrf_token": token, "format": "csv"}, files=files)
    assert done.status_code == 303
    assert "read%2021%2C%20imported%2020%2C%20duplicates%200%2C%20rejected%201" in done.headers["location"]
    again = root.post("/admin/imports", data={"csrf_token": token}, files=files)
    assert "imported%200%2C%20duplicates%2020" in again.headers["location"]
    page = root.get("/admin/imports").text
    listed = re.findall(r'<tr data-import="(\d+)">', page)
    assert len(listed) >= 3  # the fixture's own import, then these two, newest first
    newest = listed[0]
    assert re.search(rf'data-import="{newest}">.*?more\.csv.*?>21<.*?>0<.*?>20<', page, re.DOTALL)
    rejects = root.get("/admin/imports", params={"import_id": listed[1]}).text
    found = re.search(r'<table id="rejects">(.*?)</table>', rejects, re.DOTALL)
    assert found and "created_at" in found.group(1) and "&lt;b&gt;oops&lt;/b&gt;" in found.group(1)
    assert "<b>oops" not in rejects


# A pattern Python compiles that the store's own engine refuses: RE2 (DuckDB) has no lookbehind, and
# PostgreSQL's AREs have no named groups in Python's spelling.


def test_a_pattern_the_database_refuses_is_refused_with_line_and_field_and_nothing_is_written(
    server: Server,
) -> None:
    root = _login(server, "root")
    token = _csrf(root, "/admin/config")
    config = server.workspace / CONFIG_FILENAME
    before = config.read_text()
    pattern = "(?P<what>refund) ok" if server.database else "(?<=my )refund"
    re.compile(pattern)  # Python's engine takes it: only the database's check can refuse it
    text = before + f"\n[response]\nautomation_patterns = ['(?i)auto-?reply', '{pattern}']\n"
    refused = root.post("/admin/config", data={"text": text, "csrf_token": token})
    assert refused.status_code == 400, refused.text[-2000:]
    error = re.search(r'id="config-error">(.*?)</div>', refused.text, re.DOTALL)
    line = text.splitlines().index(f"automation_patterns = ['(?i)auto-?reply', '{pattern}']") + 1
    assert error and f"Line {line}" in error.group(1), refused.text[-2000:]
    assert "response.automation_patterns[1]" in error.group(1)
    assert "regular expressions accept" in error.group(1)
    assert config.read_text() == before
    assert _audit(server, "config.change") == []
    assert root.get("/").status_code == 200 and root.get("/report").status_code == 200
    fine = text.replace(f", '{pattern}'", ", '(?i)away until'")
    assert root.post("/admin/config", data={"text": fine, "csrf_token": token}).status_code == 303
    assert root.get("/report").status_code == 200


def test_a_saved_config_keeps_its_permissions(server: Server) -> None:
    root = _login(server, "root")
    config = server.workspace / CONFIG_FILENAME
    config.chmod(0o640)
    text = config.read_text() + "\n# reviewed\n"
    saved = root.post("/admin/config", data={"text": text, "csrf_token": _csrf(root, "/admin/config")})
    assert saved.status_code == 303 and config.read_text() == text
    assert config.stat().st_mode & 0o777 == 0o640


def test_a_sign_in_posted_from_another_site_is_refused_and_audited(server: Server) -> None:
    form = {"name": "root", "password": PASSWORDS["root"]}
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        for header in (
            {"Origin": "https://evil.example"},
            {"Referer": "https://evil.example/form"},
            {"Origin": "null"},
        ):
            refused = client.post("/login", data=form, headers=header)
            assert refused.status_code == 403 and "another site" in refused.text, header
            assert "groundswell_session" not in refused.headers.get("set-cookie", "")
        own = client.post("/login", data=form, headers={"Origin": server.url, "Referer": f"{server.url}/login"})
        assert own.status_code == 303
    found = _audit(server, "access.csrf")
    assert len(found) == 3 and {(actor, target) for actor, target, _ in found} == {("anonymous", "/login")}
