"""``groundswell init`` makes the first admin; ``groundswell users ...`` and ``groundswell audit``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from groundswell.accounts import authenticate, get_user, token_user
from groundswell.cli import cli
from groundswell.workspace import Workspace

PASSWORD = "correct horse battery staple"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ws_dir(tmp_path: Path, runner: CliRunner) -> Path:
    path = tmp_path / "ws"
    result = runner.invoke(cli, ["init", "--workspace", str(path)], env={"GROUNDSWELL_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    return path


def run(runner: CliRunner, ws: Path, *args: str, password: str | None = None) -> Result:
    env = {"GROUNDSWELL_PASSWORD": password} if password else {}
    return runner.invoke(cli, [*args, "--workspace", str(ws)], env=env)


# -- init -----------------------------------------------------------------------------


def test_init_makes_an_admin_and_prints_its_generated_password_once_on_stderr(
    tmp_path: Path, runner: CliRunner
) -> None:
    path = tmp_path / "ws"
    result = runner.invoke(cli, ["init", "--workspace", str(path)])
    assert result.exit_code == 0, result.output
    assert "created workspace" in result.stdout and "password" not in result.stdout
    lines = result.stderr.splitlines()
    password = next(line for line in lines if line.startswith("first admin: admin, password: ")).rsplit(" ", 1)[1]
    assert result.stderr.count(password) == 1
    assert f"users password admin --workspace {path}" in result.stderr
    with Workspace.open(path) as ws:
        assert authenticate(ws.store, "admin", password, address=None).role == "admin"


def test_init_json_is_one_document_with_the_admin(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "ws"
    result = runner.invoke(cli, ["init", "--workspace", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["workspace"] == str(path) and document["config"].endswith("groundswell.toml")
    assert document["admin"]["name"] == "admin" and len(document["admin"]["password"]) >= 20
    assert result.stderr == ""
    with Workspace.open(path) as ws:
        assert authenticate(ws.store, "admin", document["admin"]["password"], address=None)


def test_init_takes_the_admin_password_from_the_environment(ws_dir: Path, runner: CliRunner) -> None:
    with Workspace.open(ws_dir) as ws:
        assert authenticate(ws.store, "admin", PASSWORD, address=None).role == "admin"
    result = runner.invoke(
        cli, ["init", "--workspace", str(ws_dir.parent / "w2"), "--json"], env={"GROUNDSWELL_ADMIN_PASSWORD": PASSWORD}
    )
    assert json.loads(result.stdout)["admin"] == {"name": "admin", "password": None}


def test_init_with_a_weak_admin_password_creates_nothing(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "ws"
    result = runner.invoke(cli, ["init", "--workspace", str(path)], env={"GROUNDSWELL_ADMIN_PASSWORD": "admin"})
    assert result.exit_code == 1 and "at least 12 characters" in result.stderr
    assert not path.exists()


# -- users ----------------------------------------------------------------------------


def test_users_add_and_list(ws_dir: Path, runner: CliRunner) -> None:
    result = run(runner, ws_dir, "users", "add", "ann", "--role", "agent", password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert result.stdout == "added ann (agent)\n"
    listed = json.loads(run(runner, ws_dir, "users", "list", "--json").stdout)
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [
        ("admin", "admin", False),
        ("ann", "agent", False),
    ]
    table = run(runner, ws_dir, "users", "list").stdout
    assert "ann" in table and "agent" in table and "active" in table
    with Workspace.open(ws_dir) as ws:
        assert authenticate(ws.store, "ann", PASSWORD, address=None).name == "ann"


def test_users_add_without_a_password_or_a_terminal_is_a_clear_error(ws_dir: Path, runner: CliRunner) -> None:
    result = run(runner, ws_dir, "users", "add", "ann", "--role", "viewer")
    assert result.exit_code == 2
    assert "set GROUNDSWELL_PASSWORD or run this in a terminal" in result.stderr


def test_users_add_errors(ws_dir: Path, runner: CliRunner) -> None:
    weak = run(runner, ws_dir, "users", "add", "ann", "--role", "viewer", password="short")
    assert weak.exit_code == 1 and "at least 12 characters" in weak.stderr
    guessable = run(runner, ws_dir, "users", "add", "ann", "--role", "viewer", password="password1234")
    assert guessable.exit_code == 1 and "too easy to guess" in guessable.stderr
    changed = run(runner, ws_dir, "users", "password", "admin", password="qwertyuiop12")
    assert changed.exit_code == 1 and "too easy to guess" in changed.stderr
    taken = run(runner, ws_dir, "users", "add", "Admin", "--role", "viewer", password=PASSWORD)
    assert taken.exit_code == 1 and "already a user 'admin'" in taken.stderr
    bad_role = run(runner, ws_dir, "users", "add", "ann", "--role", "root", password=PASSWORD)
    assert bad_role.exit_code == 2
    bad_name = run(runner, ws_dir, "users", "add", "ann smith", "--role", "viewer", password=PASSWORD)
    assert bad_name.exit_code == 1 and "ASCII letters" in bad_name.stderr


def test_set_role_password_disable_enable(ws_dir: Path, runner: CliRunner) -> None:
    run(runner, ws_dir, "users", "add", "ann", "--role", "viewer", password=PASSWORD)
    assert run(runner, ws_dir, "users", "set-role", "ann", "admin").stdout == "ann is now admin\n"
    changed = run(runner, ws_dir, "users", "password", "ann", password="a new passphrase here")
    assert changed.exit_code == 0, changed.output
    assert run(runner, ws_dir, "users", "disable", "ann").exit_code == 0
    with Workspace.open(ws_dir) as ws:
        assert get_user(ws.store, "ann").disabled
    assert run(runner, ws_dir, "users", "enable", "ann").exit_code == 0
    with Workspace.open(ws_dir) as ws:
        assert authenticate(ws.store, "ann", "a new passphrase here", address=None).role == "admin"


def test_the_last_admin_cannot_be_disabled_from_the_cli(ws_dir: Path, runner: CliRunner) -> None:
    result = run(runner, ws_dir, "users", "disable", "admin")
    assert result.exit_code == 1 and "last admin" in result.stderr


def test_password_for_an_unknown_user_fails_before_asking(ws_dir: Path, runner: CliRunner) -> None:
    result = run(runner, ws_dir, "users", "password", "ghost")
    assert result.exit_code == 1 and "no user 'ghost'" in result.stderr


def test_users_token_prints_it_once_and_it_works_until_revoked(ws_dir: Path, runner: CliRunner) -> None:
    run(runner, ws_dir, "users", "add", "ann", "--role", "viewer", password=PASSWORD)
    result = run(runner, ws_dir, "users", "token", "ann", "--label", "nightly export")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("gsw_") and result.stdout == token + "\n"
    assert "will not be shown again" in result.stderr
    listed = run(runner, ws_dir, "users", "tokens", "--json").stdout
    assert token not in listed
    (entry,) = json.loads(listed)
    assert (entry["user"], entry["name"], entry["revoked_at"]) == ("ann", "nightly export", None)
    assert token not in run(runner, ws_dir, "users", "tokens", "ann").stdout
    with Workspace.open(ws_dir) as ws:
        user = token_user(ws.store, token)
        assert user is not None and user.name == "ann"
    revoked = run(runner, ws_dir, "users", "revoke-token", str(entry["id"]))
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    with Workspace.open(ws_dir) as ws:
        assert token_user(ws.store, token) is None


def test_users_token_json(ws_dir: Path, runner: CliRunner) -> None:
    document = json.loads(run(runner, ws_dir, "users", "token", "admin", "--json").stdout)
    assert document["token"].startswith("gsw_") and document["user"] == "admin" and document["name"] == "script"


def test_audit_lists_the_changes_made_from_the_cli(ws_dir: Path, runner: CliRunner, tmp_path: Path) -> None:
    run(runner, ws_dir, "users", "add", "ann", "--role", "viewer", password=PASSWORD)
    run(runner, ws_dir, "users", "set-role", "ann", "agent")
    run(runner, ws_dir, "users", "token", "ann")
    log = json.loads(run(runner, ws_dir, "audit", "--json").stdout)
    assert [(e["action"], e["target"]) for e in log] == [
        ("tokens.create", "ann"),
        ("users.set_role", "ann"),
        ("users.add", "ann"),
        ("users.add", "admin"),
    ]
    assert all(e["actor"].startswith("cli:") for e in log)
    only_users = json.loads(run(runner, ws_dir, "audit", "--json", "--action", "users").stdout)
    assert {e["action"] for e in only_users} == {"users.add", "users.set_role"}
    assert len(json.loads(run(runner, ws_dir, "audit", "--json", "--limit", "1").stdout)) == 1
    table = run(runner, ws_dir, "audit").stdout
    assert "users.set_role" in table and "from=viewer" in table
    out = tmp_path / "audit.csv"
    written = run(runner, ws_dir, "audit", "--csv", str(out))
    assert written.exit_code == 0 and "wrote 4 audit entries" in written.stderr
    with out.open(encoding="utf-8", newline="") as f:
        assert [r["action"] for r in csv.DictReader(f)] == ["users.add", "users.add", "users.set_role", "tokens.create"]


def test_audit_of_a_workspace_without_entries(tmp_path: Path, runner: CliRunner) -> None:
    Workspace.init(tmp_path / "bare").close()  # the library's init makes no admin
    result = run(runner, tmp_path / "bare", "audit")
    assert result.exit_code == 0 and result.stdout == "no audit entries\n"
    assert run(runner, tmp_path / "bare", "users", "list").stdout.startswith("no users")
