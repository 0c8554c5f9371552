"""A real PostgreSQL server for the tests, started from the machine's packages, and the ``backend`` fixture.

One server per test session, so one per xdist worker (``postgres_server``): ``initdb`` into a temporary folder, listening on 127.0.0.1
at a free port, run as the ``postgres`` user when the tests run as root (PostgreSQL refuses root), stopped
when the session ends. Each test that asks for it gets a database of its own (``PostgresServer.new_database``).

Where PostgreSQL's binaries are absent the tests that need it are skipped, unless
``GROUNDSWELL_REQUIRE_POSTGRES=1`` (CI) makes that a failure.

``backend`` runs a test twice: on the embedded workspace (``duckdb``, value None) and on PostgreSQL
(``postgresql``, a fresh database's URL). ``database`` is what the workspace fixtures open (None: embedded);
a test folder or module makes its tests run on both backends with::

    @pytest.fixture
    def database(backend: str | None) -> str | None:
        return backend
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRE_ENV = "GROUNDSWELL_REQUIRE_POSTGRES"
USER = "groundswell"
PASSWORD = "pg-test-secret"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required here ({REQUIRE_ENV}=1) but {reason}")
    pytest.skip(f"no PostgreSQL server for the tests: {reason} (apt-get install postgresql)")


def pg_binary(name: str) -> str | None:
    """The newest installed PostgreSQL's ``name`` (initdb, pg_ctl), else one on PATH, else None."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def _pg_bin(name: str) -> str:
    found = pg_binary(name)
    if found is None:
        _unavailable(f"PostgreSQL's {name} is not installed")
    assert found is not None
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def as_postgres_user() -> list[str]:
    """The command prefix that runs a PostgreSQL binary: it refuses to run as root, and CI containers often are."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PostgresServer:
    host: str
    port: int
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{PASSWORD}@{self.host}:{self.port}/{database}"

    def new_database(self) -> str:
        """A new, empty database's URL."""
        import psycopg

        name = f"gs_{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database ``new_database`` made (its connections are ended first)."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        import psycopg  # noqa: F401 - the postgres extra
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    as_postgres = as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="groundswell-pg-"))
    data = root / "data"
    password_file = root / "password"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    if as_postgres:
        shutil.chown(root, "postgres")
        shutil.chown(password_file, "postgres")
    try:
        subprocess.run(
            [*as_postgres, initdb, "-D", str(data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={password_file}",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        for attempt in range(3):  # each xdist worker starts a server: another may take the free port first
            port = free_port()
            # a small, fast, throwaway server: no fsync, sockets only in its own folder
            options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            start = [*as_postgres, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "-t", "60"]
            try:
                subprocess.run([*start, "start"], check=True, capture_output=True, text=True)
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text(encoding="utf-8", errors="replace") if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"it did not start: {exc.stderr or exc.stdout}{log}")
    server = PostgresServer("127.0.0.1", port)
    try:
        yield server
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], check=False, capture_output=True
        )
        deadline = time.monotonic() + 10
        while (data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh database on the session's server, dropped after the test."""
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str | None:
    """Run the test on the embedded workspace (None) and on a fresh PostgreSQL database (its URL)."""
    if request.param == "duckdb":
        return None
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture(autouse=True)
def no_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``$GROUNDSWELL_DATABASE`` of the person running the tests never redirects them to their database."""
    monkeypatch.delenv("GROUNDSWELL_DATABASE", raising=False)


@pytest.fixture
def database() -> str | None:
    """The database the workspace fixtures open: None, the embedded one (override with ``backend``)."""
    return None
