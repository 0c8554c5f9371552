"""The exceptions of accounts and security, all under ``groundswell.errors.GroundswellError``.

    AccountError             a users or tokens call that cannot be done (bad name, weak password, no such user)
    ├── UserExists           the name is taken (names are compared case-insensitively)
    └── UnknownUser          no user by that name or id
    Forbidden                the role may not do the action
    AuthenticationFailed     wrong name or password, or a disabled user: one message for all three
    └── TooManyAttempts      too many failures lately; ``retry_at`` says when to try again
    CsrfRejected             a form or request without the session's CSRF token

The web layer maps them: ``AuthenticationFailed`` to 401, ``TooManyAttempts`` to 429,
``Forbidden`` and ``CsrfRejected`` to 403.
"""

from __future__ import annotations

from datetime import datetime

from groundswell.errors import GroundswellError


class AccountError(GroundswellError):
    """A users or tokens operation that cannot be done as asked."""


class UserExists(AccountError):
    """A user by that name (in any letter case) is already there."""


class UnknownUser(AccountError):
    """No user by that name or id."""


class Forbidden(GroundswellError):
    """The role may not do the action."""

    def __init__(self, role: str, action: str, *, needs: str | None = None):
        self.role = role
        self.action = action
        self.needs = needs
        reason = f" (needs {needs} or above)" if needs else ""
        super().__init__(f"the {role} role may not do {action}{reason}")


class AuthenticationFailed(GroundswellError):
    """Wrong name or password, or a disabled user; the message never says which."""

    MESSAGE = "wrong user name or password"

    def __init__(self, message: str = MESSAGE):
        super().__init__(message)


class TooManyAttempts(AuthenticationFailed):
    """Sign-in refused without checking the password: too many recent failures for the name or the address."""

    def __init__(self, retry_at: datetime):
        self.retry_at = retry_at
        super().__init__(f"too many failed sign-ins; try again after {retry_at:%Y-%m-%d %H:%M:%S} UTC")


class CsrfRejected(GroundswellError):
    """A state-changing request whose CSRF token is missing or is not the session's."""

    def __init__(self) -> None:
        super().__init__("the form's CSRF token is missing or does not match this session; reload the page")
