"""Accounts and security for the web app and the API: users with roles, passwords, sessions, API tokens,
sign-in rate limits and the audit log. See docs/accounts.md.

    roles      ROLES, the permission table (``allowed``, ``require``)
    passwords  argon2id hashing and the password rules
    users      add / change / disable users; ``authenticate`` with rate limiting
    sessions   browser sessions (cookie value hashed at rest) and CSRF checks
    tokens     API tokens for scripts (hashed at rest, shown once)
    audit      who changed what, when
    bootstrap  the first admin, made by ``groundswell init``

The web layer (built on this) checks ``user.require(action)`` on every page and API call
and ``check_csrf`` on every form; this package has no web code.
"""

from __future__ import annotations

from groundswell.accounts.audit import entries, export_csv, record
from groundswell.accounts.bootstrap import create_first_admin
from groundswell.accounts.errors import (
    AccountError,
    AuthenticationFailed,
    CsrfRejected,
    Forbidden,
    TooManyAttempts,
    UnknownUser,
    UserExists,
)
from groundswell.accounts.model import User
from groundswell.accounts.roles import ACTIONS, PERMISSIONS, ROLES, actions_for, allowed, require
from groundswell.accounts.sessions import (
    COOKIE_FLAGS,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    Session,
    check_csrf,
    cookie_flags,
    create_session,
    end_session,
    session_user,
)
from groundswell.accounts.tokens import create_token, list_tokens, revoke_token, token_user
from groundswell.accounts.users import (
    DEFAULT_LIMITS,
    RateLimits,
    add_user,
    authenticate,
    disable_user,
    enable_user,
    find_user,
    get_user,
    list_users,
    set_password,
    set_role,
)
from groundswell.store.audit import AuditEntry
from groundswell.store.tokens import ApiToken

__all__ = [
    "ACTIONS",
    "COOKIE_FLAGS",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "DEFAULT_LIMITS",
    "PERMISSIONS",
    "ROLES",
    "SESSION_COOKIE",
    "AccountError",
    "ApiToken",
    "AuditEntry",
    "AuthenticationFailed",
    "CsrfRejected",
    "Forbidden",
    "RateLimits",
    "Session",
    "TooManyAttempts",
    "UnknownUser",
    "User",
    "UserExists",
    "actions_for",
    "add_user",
    "allowed",
    "authenticate",
    "check_csrf",
    "cookie_flags",
    "create_first_admin",
    "create_session",
    "create_token",
    "disable_user",
    "enable_user",
    "end_session",
    "entries",
    "export_csv",
    "find_user",
    "get_user",
    "list_tokens",
    "list_users",
    "record",
    "require",
    "revoke_token",
    "session_user",
    "set_password",
    "set_role",
    "token_user",
]
