"""A workspace: a folder with ``groundswell.toml`` and the embedded database.

``Workspace.open(path)`` is the one entry point for the library, the CLI and
the web app.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from groundswell.config import CONFIG_FILENAME, DEFAULT_CONFIG_TEXT, WorkspaceConfig, load_config, parse_config
from groundswell.errors import WorkspaceError
from groundswell.ingest.pipeline import ImportOptions, ProgressCallback, import_files
from groundswell.records import ImportReport, RejectRecord
from groundswell.store.duckdb import DATABASE_FILENAME, DuckDBStore, WorkspaceSummary

WORKSPACE_ENV = "GROUNDSWELL_WORKSPACE"


def default_workspace_path() -> Path:
    """``$GROUNDSWELL_WORKSPACE``, else the current directory."""
    return Path(os.environ.get(WORKSPACE_ENV) or ".")


class Workspace:
    def __init__(self, path: Path, config: WorkspaceConfig, store: DuckDBStore):
        self.path = path
        self.config = config
        self.store = store

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILENAME

    @classmethod
    def init(cls, path: Path | str, *, config_text: str = DEFAULT_CONFIG_TEXT) -> Workspace:
        """Create a workspace in ``path`` (made if missing); refuse to overwrite one."""
        path = Path(path)
        config_file = path / CONFIG_FILENAME
        if config_file.exists() or (path / DATABASE_FILENAME).exists():
            raise WorkspaceError(f"{path} already holds a workspace; open it instead of initialising it again")
        parse_config(config_text, path=config_file)  # never write a config that would not load
        path.mkdir(parents=True, exist_ok=True)
        config_file.write_text(config_text, encoding="utf-8")
        return cls.open(path)

    @classmethod
    def open(cls, path: Path | str | None = None) -> Workspace:
        path = Path(path) if path is not None else default_workspace_path()
        config_file = path / CONFIG_FILENAME
        if not config_file.exists():
            raise WorkspaceError(f"no workspace at {path} (no {CONFIG_FILENAME}); create one with `groundswell init`")
        config = load_config(config_file)
        store = DuckDBStore.open(path / DATABASE_FILENAME, create=True)
        return cls(path, config, store)

    @staticmethod
    def exists(path: Path | str) -> bool:
        return (Path(path) / CONFIG_FILENAME).exists()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the verbs -------------------------------------------------------------------

    def import_files(
        self,
        paths: Iterable[Path | str],
        options: ImportOptions = ImportOptions(),
        *,
        progress: ProgressCallback | None = None,
    ) -> ImportReport:
        return import_files(self.store, self.config, paths, options, progress=progress)

    def rejects(self, *, import_id: int | None = None, limit: int | None = None) -> list[RejectRecord]:
        return self.store.rejects(import_id=import_id, limit=limit)

    def summary(self) -> WorkspaceSummary:
        return self.store.summary()
