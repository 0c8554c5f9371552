"""The exceptions of accounts and security, all under ``groundswell.errors.GroundswellError``.

    AccountError             400  a users or tokens call that cannot be done (bad name, weak password, no such user)
    ├── UserExists           409  the name is taken (names are compared case-insensitively)
    └── UnknownUser          404  no user by that name or id (also a ``groundswell.errors.NotFound``)
    Forbidden                403  the role may not do the action
    AuthenticationFailed     401  wrong name or password, or a disabled user: one message for all three
    └── TooManyAttempts      429  too many failures lately; ``retry_at`` says when to try again
    CsrfRejected             403  a form or request without the session's CSRF token

The number is each class's ``http_status``: what the web app answers.
"""

from __future__ import annotations

from datetime import datetime

from groundswell.errors import Conflict, GroundswellError, NotFound


class AccountError(GroundswellError):
    """A users or tokens operation that cannot be done as asked."""


class UserExists(AccountError, Conflict):
    """A user by that name (in any letter case) is already there."""

    http_status = 409


class UnknownUser(AccountError, NotFound):
    """No user by that name or id."""

    http_status = 404


class Forbidden(GroundswellError):
    """The role may not do the action."""

    http_status = 403
    actor: str | None = None  # who was refused, where the web app knows (for the audit log)

    def __init__(self, role: str, action: str, *, needs: str | None = None):
        self.role = role
        self.action = action
        self.needs = needs
        reason = f" (needs {needs} or above)" if needs else ""
        super().__init__(f"the {role} role may not do {action}{reason}")


class AuthenticationFailed(GroundswellError):
    """Wrong name or password, or a disabled user; the message never says which."""

    MESSAGE = "wrong user name or password"
    http_status = 401

    def __init__(self, message: str = MESSAGE):
        super().__init__(message)


class TooManyAttempts(AuthenticationFailed):
    """Sign-in refused without checking the password: too many recent failures for the name or the address."""

    http_status = 429

    def __init__(self, retry_at: datetime):
        self.retry_at = retry_at
        super().__init__(f"too many failed sign-ins; try again after {retry_at:%Y-%m-%d %H:%M:%S} UTC")


class CsrfRejected(GroundswellError):
    """A state-changing request whose CSRF token is missing or is not the session's."""

    http_status = 403
    actor: str | None = None  # who was refused, where the web app knows (for the audit log)

    MESSAGE = "the form's CSRF token is missing or does not match this session; reload the page"

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)
