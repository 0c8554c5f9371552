from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from groundswell.accounts import passwords
from groundswell.store.base import Store
from groundswell.workspace import Workspace

# Still argon2id, at parameters that take a millisecond: the tests hash hundreds of passwords on two shared cores.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", CHEAP)


@pytest.fixture(autouse=True)
def no_password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROUNDSWELL_PASSWORD", raising=False)
    monkeypatch.delenv("GROUNDSWELL_ADMIN_PASSWORD", raising=False)


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Accounts run on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    yield workspace.store
