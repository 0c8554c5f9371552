"""PostgreSQL as a team's store: the same schema, the same imports and the same figures as the embedded one.

The server is a real PostgreSQL started by the test setup (tests/postgres_server.py). The figures are
compared on one generated demo world imported and enriched into an embedded workspace and, through
``$GROUNDSWELL_DATABASE``, into a PostgreSQL database.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine_equality import (  # noqa: F401 - the shared tests, run here on this module's `both`
    same,
    test_a_brands_scoped_figures_are_equal,
    test_every_family_is_equal,
    test_response_is_equal,
    test_scorecard_is_equal,
    test_the_social_figures_per_store_are_equal,
    test_threads_are_equal,
)
from groundswell.demo import build_demo
from groundswell.enrich.registry import shipped_model_dir
from groundswell.errors import StoreError, UsageError
from groundswell.inbox import InboxConflict, assign, item_state
from groundswell.inbox.queue import waiting
from groundswell.metrics import METRIC_FAMILIES
from groundswell.query import Sources
from groundswell.query.postgres_dialect import postgres_regex
from groundswell.store.duckdb import DuckDBStore
from groundswell.store.postgres import PostgresStore, redact
from groundswell.store.schema import PostgresMigrationConnection, apply_migrations
from groundswell.workspace import DATABASE_ENV, Workspace
from postgres_server import PostgresServer

POSTS = 2000


@pytest.fixture(scope="module")
def worlds(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[tuple[Workspace, Workspace]]:
    """One demo world, enriched with the fast model: (embedded, PostgreSQL)."""
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    root = tmp_path_factory.mktemp("backends")
    with pytest.MonkeyPatch.context() as env:
        env.delenv(DATABASE_ENV, raising=False)
        build_demo(root / "duckdb", posts=POSTS, seed=11)
        on_duckdb = Workspace.open(root / "duckdb")
        env.setenv(DATABASE_ENV, postgres_server.new_database())
        build_demo(root / "postgresql", posts=POSTS, seed=11)
        on_postgres = Workspace.open(root / "postgresql")
    assert isinstance(on_duckdb.store, DuckDBStore) and isinstance(on_postgres.store, PostgresStore)
    for ws in (on_duckdb, on_postgres):
        ws.enrich("fast", workers=1)
    yield on_duckdb, on_postgres
    on_duckdb.close()
    on_postgres.close()


@pytest.fixture(scope="module")
def both(worlds: tuple[Workspace, Workspace]) -> Iterator[tuple[Sources, Sources]]:
    on_duckdb, on_postgres = worlds
    with on_duckdb.sources() as a, on_postgres.sources() as b:
        yield a, b


@pytest.fixture(scope="module")
def least_threads() -> int:
    return 300


def test_the_same_posts_imports_and_enrichments(worlds: tuple[Workspace, Workspace]) -> None:
    on_duckdb, on_postgres = worlds
    assert on_duckdb.summary() == on_postgres.summary()
    assert on_duckdb.summary().posts == POSTS
    columns = "platform, post_id, author_id, is_brand, created_at, text, in_reply_to_post_id, location"
    query = f"SELECT {columns} FROM posts ORDER BY platform, post_id"
    assert on_duckdb.store.execute(query) == on_postgres.store.execute(query)
    labels = "SELECT platform, post_id, model_version, sentiment, intent, subject, needs_reply, gratitude, campaign "
    labels += "FROM enrichments ORDER BY platform, post_id"
    assert on_duckdb.store.execute(labels) == on_postgres.store.execute(labels)


def test_the_inbox_waits_on_the_same_conversations(both: tuple[Sources, Sources]) -> None:
    on_duckdb, on_postgres = both
    expected = waiting(on_duckdb)
    assert expected
    assert waiting(on_postgres) == expected


# -- the schema ---------------------------------------------------------------------------


def _columns(store: Any) -> dict[str, list[tuple[str, str]]]:
    """Each table's columns with a type family, as information_schema describes them (the same on both)."""
    found = store.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema IN ('main', 'public') ORDER BY table_name, ordinal_position"
    )
    families = {
        "character varying": "VARCHAR",
        "timestamp without time zone": "TIMESTAMP",
        "double precision": "DOUBLE",
    }
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in found:
        tables.setdefault(table, []).append((column, families.get(kind, kind.upper())))
    return tables


def test_one_schema_on_both(tmp_path: Path, postgres_database: str) -> None:
    with Workspace.init(tmp_path / "a") as embedded, Workspace.init(tmp_path / "b", database=postgres_database) as team:
        assert _columns(team.store) == _columns(embedded.store)
        assert "posts" in _columns(team.store) and "inbox_items" in _columns(team.store)
        history = "SELECT name FROM _migrations ORDER BY name"
        assert team.store.execute(history) == embedded.store.execute(history)
        team.store.execute("INSERT INTO imports (import_id, source, format, started_at, status) "
                           "VALUES (nextval('import_id_seq'), 'x', 'csv', now(), 'done')")  # fmt: skip
        applied = team.store.execute(history)
    # a second folder of the same team: nothing to migrate, nothing lost
    with Workspace.init(tmp_path / "c", database=postgres_database) as again:
        assert isinstance(again.store, PostgresStore)
        assert apply_migrations(PostgresMigrationConnection(again.store.con)) == []
        assert again.store.execute(history) == applied
        assert again.store.execute("SELECT count(*) FROM imports") == [(1,)]


def test_a_bad_url_is_a_usage_error_without_the_password(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    with pytest.raises(UsageError) as info:
        Workspace.open(tmp_path / "ws", database="mysql://kim:s3cret-pw@db.example/acme")
    assert "s3cret-pw" not in str(info.value) and "mysql://kim:***@db.example/acme" in str(info.value)


@pytest.mark.postgres  # the driver (the postgres extra), with no server
def test_an_unreachable_server_is_a_store_error_naming_it_without_the_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    Workspace.init(tmp_path / "ws").close()
    with pytest.raises(StoreError) as info:
        Workspace.open(tmp_path / "ws", database="postgresql://kim:s3cret-pw@127.0.0.1:1/acme")
    message = str(info.value)
    assert "s3cret-pw" not in message and "postgresql://kim:***@127.0.0.1:1/acme" in message


def test_a_wrong_password_is_a_store_error_too(tmp_path: Path, postgres_server: PostgresServer) -> None:
    url = postgres_server.url().replace(":pg-test-secret@", ":not-the-password@")
    with pytest.raises(StoreError) as info:
        Workspace.init(tmp_path / "ws", database=url)
    assert "not-the-password" not in str(info.value) and "***" in str(info.value)
    assert not (tmp_path / "ws").exists()  # nothing made for a database that refused


def test_redact_keeps_all_but_the_password() -> None:
    assert redact("postgresql://kim:pw@h:5432/db?sslmode=require") == "postgresql://kim:***@h:5432/db?sslmode=require"
    assert redact("postgresql://h/db") == "postgresql://h/db"


# -- many writers ---------------------------------------------------------------------------


CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
POSTS_CSV = (
    "platform,post_id,author_id,author_handle,created_at,text\n"
    "twitter,q1,u1,ana,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?\n"
)


def test_concurrent_agents_on_separate_connections_one_wins(tmp_path: Path, postgres_database: str) -> None:
    """Several servers (here: connections) change one item at the same version at once: exactly one change is
    written, every other agent gets ``InboxConflict`` (the version is checked by the write itself)."""
    (tmp_path / "posts.csv").write_text(POSTS_CSV, encoding="utf-8")
    with Workspace.init(tmp_path / "ws", config_text=CONFIG, database=postgres_database) as ws:
        ws.import_files([tmp_path / "posts.csv"])
    agents = [PostgresStore.open(postgres_database) for _ in range(4)]
    for version in (0, 1, 2):
        start = threading.Barrier(len(agents))
        outcomes: list[str] = []

        def work(
            store: PostgresStore,
            name: str,
            at: int = version,
            barrier: threading.Barrier = start,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                assign(store, "twitter", "q1", name, version=at, actor=name)
                outcomes.append("won")
            except InboxConflict as exc:
                assert exc.current is not None and exc.current.version == at + 1
                outcomes.append("conflict")

        threads = [threading.Thread(target=work, args=(s, f"agent{i}")) for i, s in enumerate(agents)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["conflict"] * (len(agents) - 1) + ["won"]
        state = item_state(agents[0], "twitter", "q1")
        assert state is not None and state.version == version + 1
    audit = agents[0].execute("SELECT count(*) FROM audit_log WHERE action = 'inbox.assign'")
    assert audit == [(3,)]  # one entry per change that was written, none for the refused ones
    for store in agents:
        store.close()


def test_two_processes_importing_the_same_posts_at_once_keep_one_copy(tmp_path: Path, postgres_database: str) -> None:
    rows = "".join(
        f"twitter,{i},u{i % 7},h{i % 7},2026-03-02T10:{i % 60:02d}:00Z,@AcmeHelp post {i}\n" for i in range(400)
    )
    (tmp_path / "posts.csv").write_text("platform,post_id,author_id,author_handle,created_at,text\n" + rows, "utf-8")
    Workspace.init(tmp_path / "ws", config_text=CONFIG, database=postgres_database).close()
    reports: list[Any] = []

    def run() -> None:
        with Workspace.open(tmp_path / "ws", database=postgres_database) as ws:
            reports.append(ws.import_files([tmp_path / "posts.csv"]))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted((r.imported, r.duplicates) for r in reports) == [(0, 400), (0, 400), (400, 0)]
    with Workspace.open(tmp_path / "ws", database=postgres_database) as ws:
        assert ws.store.execute("SELECT count(*), count(DISTINCT post_id) FROM posts") == [(400, 400)]


# -- the regular expressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("python", "postgres"),
    [
        (r"(?i)\bout of (the )?office\b", r"(?i)\yout of (the )?office\y"),
        (r"\Bx[\b]", r"\Yx[\b]"),
        (
            r"(?i)(?:^|[^\w])@(?:acme)(?:$|[^\w@.-]|[.](?:$|[^\w]))",
            r"(?i)(?:^|[^\w])@(?:acme)(?:$|[^\w@.-]|[.](?:$|[^\w]))",
        ),
        (r"a\\b", r"a\\b"),
        (r"[]b]\b", r"[]b]\y"),
    ],
)
def test_regexes_are_translated_for_postgres_only_where_they_differ(python: str, postgres: str) -> None:
    assert postgres_regex(python) == postgres


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def test_automated_replies_are_found_on_both(make_workspace: Any) -> None:
    """The default automation patterns use ``\\b`` (a backspace on PostgreSQL unless translated)."""
    posts = (
        "platform,post_id,author_id,author_handle,created_at,text,in_reply_to_post_id\n"
        "twitter,q1,u1,ana,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?,\n"
        "twitter,r1,h,AcmeHelp,2026-03-02T10:01:00Z,@ana This is an automated message: we are out of office,q1\n"
        "twitter,r2,h,AcmeHelp,2026-03-02T11:00:00Z,@ana yes we do,q1\n"
        "twitter,b1,h,AcmeHelp,2026-03-02T12:00:00Z,Big sale today,\n"
    )
    ws = make_workspace(CONFIG, posts)
    with ws.sources() as sources:
        found = METRIC_FAMILIES["voice"](sources)[0].as_dict()
    assert (found["automated_replies"], found["broadcasts"]) == (1, 1)


# -- the commands ---------------------------------------------------------------------------

TEAM_POSTS = (
    "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
    "twitter,c1,u2,bo,10,2026-03-02T11:00:00Z,@AcmeHelp my parcel is lost and nobody answers,\n"
    "twitter,q1,u1,ana,10,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?,\n"
    "twitter,r0,h,AcmeHelp,9000,2026-03-02T10:20:00Z,@ana yes we do! Delivery takes 3 days,q1\n"
    "twitter,t0,u1,ana,10,2026-03-02T10:40:00Z,@AcmeHelp great thanks so much,r0\n"
    "twitter,a1,u7,fi,10,2026-03-02T07:00:00Z,@AcmeHelp refund missing for a week,\n"
    "twitter,r1,h,AcmeHelp,9000,2026-03-02T07:30:00Z,@fi sorry - checking,a1\n"
    "twitter,a2,u7,fi,10,2026-03-02T08:30:00Z,@AcmeHelp still nothing! terrible,r1\n"
    "twitter,b1,h,AcmeHelp,9000,2026-03-03T09:00:00Z,Our spring sale starts today #acme,\n"
)


def test_every_command_honours_groundswell_database(tmp_path: Path, postgres_database: str) -> None:
    """``$GROUNDSWELL_DATABASE`` puts the data in PostgreSQL for init, import, enrich, users, status, metrics,
    scorecard and report; the figures printed are those of the same commands on the embedded workspace."""
    from click.testing import CliRunner

    from groundswell.cli import cli

    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    (tmp_path / "posts.csv").write_text(TEAM_POSTS, encoding="utf-8")
    runner = CliRunner()
    printed: dict[str, list[Any]] = {}
    for name, database in (("duckdb", ""), ("postgresql", postgres_database)):
        ws = tmp_path / name
        env = {DATABASE_ENV: database, "GROUNDSWELL_ADMIN_PASSWORD": "an-admin-password-1",
               "GROUNDSWELL_PASSWORD": "kims-password-123"}  # fmt: skip

        def run(*args: str, ws: Path = ws, env: dict[str, str] = env) -> str:
            result = runner.invoke(cli, [*args, "--workspace", str(ws)], env=env)
            assert result.exit_code == 0, result.output
            return result.stdout

        init = json.loads(run("init", "--json"))
        (ws / "groundswell.toml").write_text(CONFIG, encoding="utf-8")
        assert init["database"] == (redact(postgres_database) if database else str(ws / "groundswell.duckdb"))
        run("import", str(tmp_path / "posts.csv"), "--json")
        run("enrich", "--model", "fast", "--quiet")
        run("users", "add", "kim", "--role", "agent")
        outputs = [
            json.loads(run("status", "--json")),
            json.loads(run("scorecard", "--json")),
            json.loads(run("metrics", "response", "--json")),
            json.loads(run("metrics", "help", "--by", "account", "--json")),
            json.loads(run("users", "list", "--json")),
        ]
        run("report", "--out", str(tmp_path / f"{name}.html"))
        printed[name] = outputs
    assert not (tmp_path / "postgresql" / "groundswell.duckdb").exists()  # the team's data is in PostgreSQL only
    for embedded, team in zip(printed["duckdb"], printed["postgresql"], strict=True):
        same(_without_times(embedded), _without_times(team), "cli")
    assert printed["duckdb"][0]["posts"] == 8 and printed["postgresql"][1]


def _without_times(document: Any) -> Any:
    """A document without the moments it was made at (users' created_at, imports' times)."""
    if isinstance(document, dict):
        return {k: _without_times(v) for k, v in document.items() if k not in {"created_at", "generated_at"}}
    if isinstance(document, list):
        return [_without_times(v) for v in document]
    return document


# -- the store's other calls, on both backends --------------------------------------------------


def test_repeats_conflicts_rejects_and_strict_imports_alike(workspace: Workspace, tmp_path: Path) -> None:
    from groundswell.errors import StrictImportError
    from groundswell.ingest.pipeline import ImportOptions

    head = "platform,post_id,author_id,author_handle,created_at,text\n"
    first = tmp_path / "first.csv"
    first.write_text(
        head + "twitter,1,u1,ana,2026-03-02T10:00:00Z,@Acme hello\n"
        "twitter,2,u2,bo,2026-03-02T11:00:00Z,@Acme 50% off?\n"
        "twitter,2,u2,bo,2026-03-02T11:00:00Z,@Acme 50% off?\n"  # a repeat within the file
        "twitter,3,u3,cy,not a time,@Acme broken\n",  # a bad row
        encoding="utf-8",
    )
    report = workspace.import_files([first])
    assert (report.read, report.imported, report.duplicates, report.rejected) == (4, 2, 1, 1)
    again = tmp_path / "again.csv"
    again.write_text(head + "twitter,1,u1,ana,2026-03-02T10:00:00Z,@Acme hello?\n", encoding="utf-8")
    report = workspace.import_files([again])
    assert (report.imported, report.duplicates, report.rejected) == (0, 0, 1)
    assert "already imported with other content" in workspace.rejects()[-1].reason
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(
        head + "twitter,9,u9,di,2026-03-02T12:00:00Z,@Acme new\ntwitter,1,u1,ana,2026-03-02T10:00:00Z,@Acme other\n",
        encoding="utf-8",
    )
    with pytest.raises(StrictImportError):
        workspace.import_files([fresh], ImportOptions(strict=True))
    assert workspace.store.post_count() == 2  # the strict file's good row was rolled back too
    summary = workspace.summary()
    assert (summary.posts, summary.imports, summary.rejects) == (2, 3, 3)
    assert [p.post_id for p in workspace.store.lookup_posts("2")] == ["2"]


def test_connected_accounts_and_sent_replies_alike(workspace: Workspace) -> None:
    from groundswell.store import connections

    store = workspace.store
    connections.add_account(store, name="acme@m.example", platform="mastodon", handle="acme", server="https://m.example",
                            credential_key="k1")  # fmt: skip
    connections.save_cursor(store, "acme@m.example", {"mentions": "42", "home": None})
    connections.add_totals(store, "acme@m.example", read=10, imported=7)
    connections.add_totals(store, "acme@m.example", read=5, imported=1)
    connections.finish_sync(store, "acme@m.example", status="done")
    connections.add_account(store, name="acme@m.example", platform="mastodon", handle="acme", server="https://n.example",
                            credential_key="k2")  # fmt: skip
    found = connections.account(store, "acme@m.example")
    assert (found.server, found.credential_key, found.cursor) == (
        "https://n.example",
        "k2",
        {"home": None, "mentions": "42"},
    )
    assert (found.synced_read, found.synced_imported, found.last_status) == (15, 8, "done")
    connections.record_sent(store, account="acme@m.example", platform="mastodon", in_reply_to="1", post_id="2",
                            text="50% sure?", verdict="pass", forced=False)  # fmt: skip
    assert [(r["post_id"], r["text"], r["forced"]) for r in connections.sent_replies(store)] == [
        ("2", "50% sure?", False)
    ]
    with pytest.raises(UsageError):
        connections.account(store, "nobody")
