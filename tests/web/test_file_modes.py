"""The workspace's database, its write-ahead log and uploads are readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from groundswell.files import keep_owner_only, owner_only_files, write_atomically
from groundswell.store.duckdb import DATABASE_FILENAME
from groundswell.workspace import Workspace


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (many systems' 022) for the test, restored after."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_owner_only_and_an_old_one_is_tightened(tmp_path: Path, open_umask: None) -> None:
    ws = Workspace.init(tmp_path / "ws")
    database = ws.path / DATABASE_FILENAME
    assert _mode(database) == 0o600
    ws.close()
    database.chmod(0o644)
    Workspace.open(tmp_path / "ws").close()
    assert _mode(database) == 0o600
    loose = tmp_path / "other.txt"
    loose.write_text("x")
    assert _mode(loose) == 0o644  # the rule held for the database's creation only


def test_the_write_ahead_log_is_owner_only_in_a_process_that_keeps_files_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    keep_owner_only()  # what `groundswell serve` does first
    ws = Workspace.init(tmp_path / "ws")
    ws.store.execute("CREATE TABLE scratch_modes (a INTEGER)")
    ws.store.execute("INSERT INTO scratch_modes VALUES (1)")
    wal = ws.path / f"{DATABASE_FILENAME}.wal"
    assert wal.exists() and _mode(wal) == 0o600
    ws.close()


def test_owner_only_files_restores_the_umask(tmp_path: Path, open_umask: None) -> None:
    with owner_only_files():
        (tmp_path / "secret").write_text("x")
    (tmp_path / "plain").write_text("x")
    assert (_mode(tmp_path / "secret"), _mode(tmp_path / "plain")) == (0o600, 0o644)


def test_write_atomically_keeps_a_files_mode_and_gives_a_new_one_the_umasks(tmp_path: Path, open_umask: None) -> None:
    kept = tmp_path / "groundswell.toml"
    kept.write_text("a")
    kept.chmod(0o640)
    write_atomically(kept, "b")
    assert (kept.read_text(), _mode(kept)) == ("b", 0o640)
    write_atomically(tmp_path / "new.html", "c")
    assert _mode(tmp_path / "new.html") == 0o644
    write_atomically(tmp_path / "secret.json", "d", mode=0o600)
    assert _mode(tmp_path / "secret.json") == 0o600
