"""Roles and what each may do: the one table that pages, the API and the CLI check.

Roles are ordered: an agent may do all a viewer may, an admin all an agent may.
Each action names the lowest role allowed to do it.
"""

from __future__ import annotations

from types import MappingProxyType

from groundswell.accounts.errors import Forbidden
from groundswell.errors import UsageError

ROLES: tuple[str, ...] = ("viewer", "agent", "admin")  # lowest first

_RANK = {role: rank for rank, role in enumerate(ROLES)}

# action -> the lowest role that may do it
PERMISSIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "dashboard.view": "viewer",  # the scorecard and metrics pages
        "report.view": "viewer",  # the HTML report
        "api.read": "viewer",  # read-only API: metrics, scorecard, posts
        "account.self": "viewer",  # change one's own password, manage one's own API tokens
        "inbox.view": "agent",  # the posts that need a reply
        "inbox.act": "agent",  # assign, draft, reply, close, mark an outcome
        "labels.correct": "agent",  # correct a classifier's label
        "imports.create": "admin",  # import files, sync connected accounts
        "connect.manage": "admin",  # connect or remove live brand accounts
        "config.change": "admin",  # edit groundswell.toml: brand accounts, campaigns, goals, rules
        "models.train": "admin",  # adapt the fast tier to the workspace's label corrections
        "users.manage": "admin",  # add users, set roles, reset passwords, disable, tokens for others
        "audit.view": "admin",  # read and export the audit log
    }
)

ACTIONS: tuple[str, ...] = tuple(PERMISSIONS)


def rank(role: str) -> int:
    """The role's place in ``ROLES`` (0 is the lowest); ``UsageError`` for a name that is no role."""
    try:
        return _RANK[role]
    except KeyError:
        raise UsageError(f"no role {role!r}; roles: {', '.join(ROLES)}") from None


def at_least(role: str, minimum: str) -> bool:
    """Whether ``role`` is ``minimum`` or above; an unknown ``role`` is below every role."""
    return role in _RANK and _RANK[role] >= rank(minimum)


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``. An unknown role may do nothing; an unknown action is a bug (``UsageError``)."""
    if action not in PERMISSIONS:
        raise UsageError(f"no action {action!r}; actions: {', '.join(ACTIONS)}")
    return at_least(role, PERMISSIONS[action])


def require(role: str, action: str) -> None:
    """Raise ``Forbidden`` unless ``role`` may do ``action``."""
    if not allowed(role, action):
        raise Forbidden(role, action, needs=PERMISSIONS[action])


def actions_for(role: str) -> tuple[str, ...]:
    """Every action ``role`` may do, in the table's order."""
    return tuple(action for action in ACTIONS if allowed(role, action))
