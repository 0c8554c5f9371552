"""The permission table: each role allowed exactly what it may do, refused the rest."""

from __future__ import annotations

from datetime import datetime

import pytest

from groundswell.accounts import ACTIONS, ROLES, Forbidden, User, actions_for, allowed, require
from groundswell.errors import GroundswellError, UsageError

# Written out by hand, not derived from the code: this is the contract pages and API are checked against.
MAY = {
    "viewer": {"dashboard.view", "report.view", "api.read", "account.self"},
    "agent": {"dashboard.view", "report.view", "api.read", "account.self", "inbox.view", "inbox.act", "labels.correct"},
    "admin": set(ACTIONS),
}
EXPECTED_ACTIONS = {
    "dashboard.view",
    "report.view",
    "api.read",
    "account.self",
    "inbox.view",
    "inbox.act",
    "labels.correct",
    "imports.create",
    "connect.manage",
    "config.change",
    "models.train",
    "users.manage",
    "audit.view",
}


def test_roles_are_ordered_lowest_first() -> None:
    assert ROLES == ("viewer", "agent", "admin")


def test_the_table_names_every_expected_action() -> None:
    assert set(ACTIONS) == EXPECTED_ACTIONS


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED_ACTIONS))
def test_each_role_is_allowed_what_it_may_and_refused_the_rest(role: str, action: str) -> None:
    assert allowed(role, action) is (action in MAY[role])
    if action in MAY[role]:
        require(role, action)
    else:
        with pytest.raises(Forbidden) as info:
            require(role, action)
        assert info.value.role == role and info.value.action == action
        assert role in str(info.value) and action in str(info.value)
        assert isinstance(info.value, GroundswellError)


def test_higher_roles_may_do_all_lower_ones_may() -> None:
    assert set(actions_for("viewer")) < set(actions_for("agent")) < set(actions_for("admin"))


def test_viewer_is_refused_the_inbox_and_agent_the_config() -> None:
    assert not allowed("viewer", "inbox.view") and not allowed("viewer", "inbox.act")
    assert not allowed("agent", "config.change") and not allowed("agent", "imports.create")
    assert not allowed("agent", "users.manage")


def test_an_unknown_role_may_do_nothing() -> None:
    assert not any(allowed(role, action) for role in ("", "root", "Admin", "disabled") for action in ACTIONS)


def test_an_unknown_action_is_a_bug_not_a_refusal() -> None:
    with pytest.raises(UsageError, match="no action"):
        allowed("admin", "dashboard.veiw")


def test_a_disabled_user_may_do_nothing() -> None:
    admin = User(id=1, name="ann", role="admin", created_at=datetime(2025, 1, 1), disabled=True)
    assert not any(admin.may(action) for action in ACTIONS)
    with pytest.raises(Forbidden, match="disabled"):
        admin.require("dashboard.view")


def test_user_may_follows_its_role() -> None:
    agent = User(id=2, name="al", role="agent", created_at=datetime(2025, 1, 1), disabled=False)
    assert agent.may("inbox.act") and not agent.may("config.change")
    agent.require("labels.correct")
    with pytest.raises(Forbidden):
        agent.require("users.manage")
