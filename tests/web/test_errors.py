"""Errors carry their meaning to the edge: each class's ``http_status``, a missing post as 404, a database that
fails as 503 (never a client error), whatever the store."""

from __future__ import annotations

from typing import Any

import duckdb
import httpx
import pytest
from fastapi.testclient import TestClient

from groundswell.accounts import AuthenticationFailed, CsrfRejected, Forbidden, TooManyAttempts, UnknownUser
from groundswell.accounts.errors import AccountError, UserExists
from groundswell.connect import ConnectorError, DraftRefused
from groundswell.errors import (
    ConfigError,
    Conflict,
    GroundswellError,
    MetricUnavailable,
    ModelNotAvailable,
    NotFound,
    SchemaVersionError,
    SourceError,
    StoreError,
    StrictImportError,
    UsageError,
    WorkspaceError,
    driver_errors,
)
from groundswell.inbox import InboxConflict
from groundswell.web.auth import NotSignedIn
from web_server import CONFIG, LABELS, POSTS, Server

STATUS = {
    GroundswellError: 400,
    ConfigError: 400,
    WorkspaceError: 400,
    SourceError: 400,
    StrictImportError: 400,
    UsageError: 400,
    ModelNotAvailable: 400,
    AccountError: 400,
    NotFound: 404,
    UnknownUser: 404,
    Conflict: 409,
    MetricUnavailable: 409,
    InboxConflict: 409,
    UserExists: 409,
    StoreError: 503,
    SchemaVersionError: 503,
    NotSignedIn: 401,
    AuthenticationFailed: 401,
    TooManyAttempts: 429,
    Forbidden: 403,
    CsrfRejected: 403,
    DraftRefused: 422,
    ConnectorError: 502,
}


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def test_every_error_class_carries_its_http_status() -> None:
    for kind, status in STATUS.items():
        assert kind.http_status == status, kind.__name__
    # a missing thing is still a usage error for the library's callers (and exit status 1 on the command line)
    assert issubclass(NotFound, UsageError) and issubclass(UnknownUser, NotFound)
    # a connector error's own ``status`` is the platform's answer; the app answers 502
    failed = ConnectorError("the server answered 404", kind="not_found", status=404)
    assert failed.status == 404 and failed.http_status == 502


def test_a_missing_post_or_family_is_404_over_http(server: Server) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.root_token}"}) as client:
        missing = client.get("/api/v1/posts/twitter/no-such-post")
        assert missing.status_code == 404
        assert missing.json() == {"error": "NotFound", "message": "no post twitter:no-such-post"}
        assert client.get("/api/v1/metrics/no_such_family").status_code == 404
        assert client.get("/api/v1/posts/twitter/c1").status_code == 200


def _app_that_fails(make_workspace: Any, database: str | None, failure: BaseException) -> TestClient:
    from groundswell.web import create_app

    ws = make_workspace(CONFIG, POSTS, LABELS)
    path = ws.path
    ws.close()
    app = create_app(path, database=database or "")

    def fail() -> None:
        raise failure

    app.add_api_route("/api/v1/test-failure", fail)
    app.add_api_route("/test-failure", fail)
    return TestClient(app)


def _driver_failure(driver: str) -> Exception:
    if driver == "duckdb":
        return duckdb.IOException("could not write the file: No space left on device")
    psycopg = pytest.importorskip("psycopg")
    return psycopg.OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("driver", ["duckdb", pytest.param("psycopg", marks=pytest.mark.postgres)])
def test_a_database_driver_error_is_a_503_store_error(make_workspace: Any, driver: str) -> None:
    failure = _driver_failure(driver)
    assert isinstance(failure, driver_errors())
    with _app_that_fails(make_workspace, None, failure) as client:
        answer = client.get("/api/v1/test-failure")
        assert answer.status_code == 503
        assert answer.json()["error"] == "StoreError"
        assert "No space" not in answer.text and "server closed" not in answer.text  # details go to the log
        page = client.get("/test-failure")
        assert page.status_code == 503 and "The database is not answering" in page.text


def test_a_store_error_raised_by_the_library_is_503(make_workspace: Any) -> None:
    with _app_that_fails(make_workspace, None, StoreError("cannot connect to the database")) as client:
        answer = client.get("/api/v1/test-failure")
        assert answer.status_code == 503
        assert answer.json() == {"error": "StoreError", "message": "cannot connect to the database"}
