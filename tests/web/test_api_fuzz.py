"""The REST API under generated input (schemathesis, from /api/v1/openapi.json, against a real server): no
input gives a server error, and answers the schema describes match it. On both stores: the DuckDB variant is
``slow``, the PostgreSQL one ``postgres``."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from web_server import Server

EXAMPLES = 60
"""Per operation; with the explicit examples and boundaries, about a minute for the whole API on one store."""


@pytest.fixture
def database(backend: str | None) -> str | None:
    """Every test here runs on the embedded workspace and on PostgreSQL (tests/postgres_server.py)."""
    return backend


@pytest.mark.slow
def test_no_generated_request_gives_a_server_error(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
    # as the admin's API token: every operation is allowed, so the input (not the role) decides the answer
    headers = {"Authorization": f"Bearer {server.root_token}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10  # the whole API, not an empty schema

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=(not_a_server_error, response_schema_conformance), timeout=60
            )

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - every operation is tried; the failures are reported together
            failures[operation.label] = str(exc)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
