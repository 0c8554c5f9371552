"""The audit log: an entry for every change to users and tokens, filters, CSV export; and the first admin."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from groundswell.accounts import (
    AccountError,
    UserExists,
    add_user,
    authenticate,
    create_first_admin,
    create_token,
    disable_user,
    enable_user,
    entries,
    export_csv,
    list_tokens,
    list_users,
    record,
    revoke_token,
    set_password,
    set_role,
)
from groundswell.errors import UsageError
from groundswell.store.base import Store

PASSWORD = "correct horse battery staple"


def test_every_users_and_tokens_change_is_logged_with_who_what_and_when(store: Store) -> None:
    root = add_user(store, "root", "admin", PASSWORD, actor="cli:ops")
    ann = add_user(store, "ann", "viewer", PASSWORD, actor="root")
    set_role(store, "ann", "agent", actor="root")
    set_role(store, "ann", "agent", actor="root")  # no change: nothing logged
    set_password(store, "ann", "another fine passphrase", actor="ann")
    token = create_token(store, ann, "export", actor="root")
    revoke_token(store, list_tokens(store, ann)[0].id, actor="root")
    disable_user(store, "ann", actor="root")
    enable_user(store, "ann", actor="root")
    authenticate(store, "root", PASSWORD, address=None)  # signing in changes nothing: not logged
    log = list(reversed(entries(store)))
    assert [(e.actor, e.action, e.target) for e in log] == [
        ("cli:ops", "users.add", "root"),
        ("root", "users.add", "ann"),
        ("root", "users.set_role", "ann"),
        ("ann", "users.password", "ann"),
        ("root", "tokens.create", "ann"),
        ("root", "tokens.revoke", "ann"),
        ("root", "users.disable", "ann"),
        ("root", "users.enable", "ann"),
    ]
    assert log[1].detail == {"role": "viewer"}
    assert log[2].detail == {"from": "viewer", "to": "agent"}
    assert log[4].detail["name"] == "export"
    assert all(e.logged_at >= root.created_at for e in log)
    assert [e.id for e in log] == sorted(e.id for e in log)
    text = repr(store.execute("SELECT * FROM audit_log"))
    for secret in (PASSWORD, "another fine passphrase", token):
        assert secret not in text


def test_a_refused_change_logs_nothing(store: Store) -> None:
    add_user(store, "root", "admin", PASSWORD, actor="test")
    with pytest.raises(AccountError, match="last admin"):
        set_role(store, "root", "viewer", actor="test")
    with pytest.raises(UserExists, match="already"):
        add_user(store, "root", "viewer", PASSWORD, actor="test")
    assert [e.action for e in entries(store)] == ["users.add"]


def test_record_is_what_the_inbox_and_config_call(store: Store) -> None:
    audit_id = record(store, actor="ann", action="inbox.assign", target="twitter:123", detail={"to": "bob"})
    record(store, actor="root", action="config.change", target="groundswell.toml", detail={"section": "campaigns"})
    newest = entries(store)[0]
    assert (newest.actor, newest.action, newest.target) == ("root", "config.change", "groundswell.toml")
    assert entries(store)[1].id == audit_id and entries(store)[1].detail == {"to": "bob"}
    assert entries(store)[0].as_dict()["detail"] == {"section": "campaigns"}


def test_an_entry_needs_an_actor_and_an_action(store: Store) -> None:
    with pytest.raises(UsageError):
        record(store, actor="", action="inbox.assign")
    with pytest.raises(UsageError):
        record(store, actor="ann", action="")


def test_filters_and_limit(store: Store) -> None:
    record(store, actor="ann", action="inbox.assign")
    record(store, actor="ann", action="inbox.mark")
    record(store, actor="bob", action="inbox.assign")
    record(store, actor="root", action="inboxes.other")
    record(store, actor="root", action="users.add", target="carol")
    assert [e.actor for e in entries(store, action="inbox.assign")] == ["bob", "ann"]
    assert [e.action for e in entries(store, action="inbox")] == ["inbox.assign", "inbox.mark", "inbox.assign"]
    assert [e.action for e in entries(store, actor="ann")] == ["inbox.mark", "inbox.assign"]
    assert [e.action for e in entries(store, target="carol")] == ["users.add"]
    assert len(entries(store, limit=2)) == 2
    assert len(entries(store, limit=None)) == 5


def test_export_csv_writes_the_whole_log_oldest_first(store: Store, tmp_path: Path) -> None:
    record(store, actor="ann", action="inbox.assign", target="twitter:1", detail={"to": "bob"})
    record(store, actor="-bob", action="inbox.mark", target='=HYPERLINK("http://x")')
    path = tmp_path / "audit.csv"
    assert export_csv(store, path) == 2
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["action"] for r in rows] == ["inbox.assign", "inbox.mark"]
    assert rows[0]["detail"] == '{"to": "bob"}' and rows[0]["target"] == "twitter:1"
    # what a spreadsheet would run as a formula is kept as text
    assert rows[1]["actor"] == "'-bob" and rows[1]["target"].startswith("'=")


# -- the first admin ------------------------------------------------------------------


def test_the_first_admin_gets_a_generated_password_that_works(store: Store) -> None:
    made = create_first_admin(store)
    assert made is not None
    admin, password = made
    assert (admin.name, admin.role) == ("admin", "admin")
    assert password is not None and len(password) >= 20
    assert authenticate(store, "admin", password, address=None) == admin
    first = entries(store)[0]
    assert (first.actor, first.action, first.target, first.detail) == (
        "init",
        "users.add",
        "admin",
        {"role": "admin", "first": True},
    )
    assert password not in repr(store.execute("SELECT * FROM users"))


def test_a_given_first_admin_password_is_not_returned(store: Store) -> None:
    made = create_first_admin(store, name="owner", password=PASSWORD, actor="cli:me")
    assert made is not None and made[1] is None and made[0].name == "owner"
    assert authenticate(store, "owner", PASSWORD, address=None).role == "admin"


def test_no_first_admin_where_there_are_users(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    assert create_first_admin(store) is None
    assert [u.name for u in list_users(store)] == ["ann"]
    create_first_admin(store, name="other", password=PASSWORD)
    assert [u.name for u in list_users(store)] == ["ann"]


def test_a_weak_first_admin_password_is_refused(store: Store) -> None:
    with pytest.raises(AccountError, match="at least 12"):
        create_first_admin(store, password="admin")
    assert list_users(store) == []
