"""Reading posts from files (and later, live connectors) into a workspace."""

from groundswell.ingest.pipeline import ImportOptions, ProgressCallback, import_files
from groundswell.ingest.registry import detect_format, format_names, formats, get_format

__all__ = [
    "ImportOptions",
    "ProgressCallback",
    "detect_format",
    "format_names",
    "formats",
    "get_format",
    "import_files",
]
