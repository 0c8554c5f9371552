"""groundswell: does a brand succeed at social media, or only at social media marketing?"""

from groundswell._version import __version__
from groundswell.config import WorkspaceConfig, load_config
from groundswell.errors import (
    ConfigError,
    GroundswellError,
    SchemaVersionError,
    SourceError,
    StoreError,
    StrictImportError,
    UsageError,
    WorkspaceError,
)
from groundswell.ingest import ImportOptions
from groundswell.records import FileReport, ImportReport, PostRow, Rejected, RejectRecord
from groundswell.workspace import Workspace

__all__ = [
    "ConfigError",
    "FileReport",
    "GroundswellError",
    "ImportOptions",
    "ImportReport",
    "PostRow",
    "RejectRecord",
    "Rejected",
    "SchemaVersionError",
    "SourceError",
    "StoreError",
    "StrictImportError",
    "UsageError",
    "Workspace",
    "WorkspaceConfig",
    "WorkspaceError",
    "__version__",
    "load_config",
]
