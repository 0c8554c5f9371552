"""The exceptions groundswell raises, one tree under ``GroundswellError``; each class carries the HTTP status
the web app answers with (``http_status``).

    GroundswellError           400  the root: a request that cannot be done as asked
    ├── ConfigError            400  groundswell.toml is unreadable or invalid (file, line, field)
    ├── WorkspaceError         400  no workspace where one was expected, or one already there
    ├── Conflict               409  the data changed meanwhile, or does not allow it yet
    │   └── MetricUnavailable  409  a metric needs data the workspace does not have (e.g. not enriched)
    ├── StoreError             503  the database refused or failed an operation
    │   └── SchemaVersionError 503  the database was written by a newer groundswell
    ├── SourceError            400  an input file cannot be read as the named format
    │   └── StrictImportError  400  --strict and a row was bad (file, line, field)
    ├── UsageError             400  a library call with arguments that cannot work
    │   └── NotFound           404  it names a post, inbox item, user or import that is not there
    └── ModelNotAvailable      400  a classifier name or path that names no model here

Elsewhere, beside the code that raises them: ``accounts.errors`` (``Forbidden`` 403, ``AuthenticationFailed``
401, ``TooManyAttempts`` 429, ``CsrfRejected`` 403, ``UnknownUser`` a ``NotFound``, ``UserExists`` a
``Conflict``), ``inbox.InboxConflict`` (a ``Conflict``), ``connect.ConnectorError`` (502: the platform failed),
``connect.DraftRefused`` (422) and ``web.auth.NotSignedIn`` (401).

A bad input *row* is never raised: it is recorded as a ``Rejected`` row and the
import goes on. The CLI catches ``GroundswellError`` once and prints its message
(exit status 1, whatever the class); the web app catches it once and answers
with the class's ``http_status``.
"""

from __future__ import annotations

from pathlib import Path


class GroundswellError(Exception):
    """Root of every error groundswell raises on purpose."""

    http_status: int = 400
    """What the web app answers when this error ends a request (a class attribute: the kind decides)."""


class ConfigError(GroundswellError):
    """The workspace config cannot be read or fails validation."""

    def __init__(self, message: str, *, path: Path | str, line: int | None = None, field: str | None = None):
        self.path = str(path)
        self.line = line
        self.field = field
        self.reason = message
        where = self.path if line is None else f"{self.path}:{line}"
        if field:
            where = f"{where}: {field}"
        super().__init__(f"{where}: {message}")


class WorkspaceError(GroundswellError):
    """A workspace is missing, or one is already where a new one was asked for."""


class Conflict(GroundswellError):
    """The data does not allow the change now: someone changed it meanwhile, or something it needs is missing."""

    http_status = 409


class StoreError(GroundswellError):
    """The workspace database refused or failed an operation (a lost connection, a full disk, a lock)."""

    http_status = 503


class SchemaVersionError(StoreError):
    """The database holds migrations this version of groundswell does not know."""


class SourceError(GroundswellError):
    """An input file cannot be read as the format it was named or detected as."""

    def __init__(self, message: str, *, path: Path | str, line: int | None = None, field: str | None = None):
        self.path = str(path)
        self.line = line
        self.field = field
        self.reason = message
        where = self.path if line is None else f"{self.path}:{line}"
        if field:
            where = f"{where}: {field}"
        super().__init__(f"{where}: {message}")


class StrictImportError(SourceError):
    """A row was bad and ``strict`` was asked for, so the file was not imported."""


class UsageError(GroundswellError):
    """A library function was called with arguments that cannot work together."""


class NotFound(UsageError):
    """What a call names is not there: a post, an inbox item, a user, an import, a connected account.

    A ``UsageError`` too, so code that caught that for a missing post still catches it."""

    http_status = 404


class ModelNotAvailable(GroundswellError):
    """The model asked for is not shipped, not installed, or not a model directory."""


class MetricUnavailable(Conflict):
    """A metric needs something the workspace lacks: enrichments, a config section, an audience size."""


def driver_errors() -> tuple[type[Exception], ...]:
    """The database drivers' own exceptions (DuckDB's, and psycopg's where the postgres extra is installed): a
    store failure no groundswell code named, which the web app answers as a ``StoreError`` (503)."""
    import duckdb

    kinds: list[type[Exception]] = [duckdb.Error]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the postgres extra
        pass
    else:
        kinds.append(psycopg.Error)
    return tuple(kinds)
