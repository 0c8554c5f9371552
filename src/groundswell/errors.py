"""The exceptions groundswell raises, one tree under ``GroundswellError``.

    GroundswellError
    ├── ConfigError            groundswell.toml is unreadable or invalid (file, line, field)
    ├── WorkspaceError         no workspace where one was expected, or one already there
    ├── StoreError             the database refused an operation
    │   └── SchemaVersionError the database was written by a newer groundswell
    ├── SourceError            an input file cannot be read as the named format
    │   └── StrictImportError  --strict and a row was bad (file, line, field)
    ├── UsageError             a library call with arguments that cannot work
    ├── ModelNotAvailable      a classifier name or path that names no model here
    └── MetricUnavailable      a metric needs data the workspace does not have (e.g. not enriched)

A bad input *row* is never raised: it is recorded as a ``Rejected`` row and the
import goes on. The CLI catches ``GroundswellError`` once and prints its message.
"""

from __future__ import annotations

from pathlib import Path


class GroundswellError(Exception):
    """Root of every error groundswell raises on purpose."""


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


class StoreError(GroundswellError):
    """The workspace database refused an operation."""


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


class ModelNotAvailable(GroundswellError):
    """The model asked for is not shipped, not installed, or not a model directory."""


class MetricUnavailable(GroundswellError):
    """A metric needs something the workspace lacks: enrichments, a config section, an audience size."""
