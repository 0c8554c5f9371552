"""The inbox's tests run on the embedded workspace and on PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend
