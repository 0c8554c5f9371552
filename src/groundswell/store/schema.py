"""The workspace schema as an ordered list of named migrations.

``apply_migrations`` runs the ones not yet recorded in ``_migrations``. An
applied migration is never edited: change the schema by appending a new one.

One schema for both stores: the migrations are written in DuckDB's SQL, and on
PostgreSQL they run through ``PostgresMigrationConnection``, which translates the
type names that differ (``DOUBLE``) and the ``?`` placeholders. The same tables,
columns and migration history (``_migrations``) result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import duckdb

from groundswell.errors import SchemaVersionError

if TYPE_CHECKING:
    import psycopg

Migration = tuple[str, Callable[[Any], None]]
"""A name and a function of a connection with DuckDB's ``execute(sql, params)`` (a DuckDB connection, or a
``PostgresMigrationConnection``)."""


def _m001_posts_imports_rejects(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE posts (
            platform            VARCHAR   NOT NULL,
            post_id             VARCHAR   NOT NULL,
            author_id           VARCHAR   NOT NULL,
            author_handle       VARCHAR,
            author_followers    BIGINT,
            is_brand            BOOLEAN   NOT NULL,
            created_at          TIMESTAMP NOT NULL,  -- UTC
            text                VARCHAR   NOT NULL,
            lang                VARCHAR,
            in_reply_to_post_id VARCHAR,
            conversation_id     VARCHAR,
            url                 VARCHAR,
            like_count          BIGINT,
            share_count         BIGINT,
            reply_count         BIGINT,
            view_count          BIGINT,
            location            VARCHAR,
            source              VARCHAR   NOT NULL,  -- file path or connector
            source_line         BIGINT    NOT NULL,  -- line or record number in source
            import_id           BIGINT    NOT NULL,
            ingested_at         TIMESTAMP NOT NULL   -- UTC
        )
        """
    )
    con.execute("CREATE SEQUENCE import_id_seq START 1")
    con.execute(
        """
        CREATE TABLE imports (
            import_id   BIGINT PRIMARY KEY,
            source      VARCHAR   NOT NULL,
            format      VARCHAR   NOT NULL,
            size_bytes  BIGINT,
            sha256      VARCHAR,
            started_at  TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            status      VARCHAR   NOT NULL,  -- running, done, failed
            read        BIGINT    NOT NULL DEFAULT 0,
            imported    BIGINT    NOT NULL DEFAULT 0,
            duplicates  BIGINT    NOT NULL DEFAULT 0,
            rejected    BIGINT    NOT NULL DEFAULT 0,
            error       VARCHAR
        )
        """
    )
    con.execute(
        """
        CREATE TABLE rejects (
            import_id   BIGINT    NOT NULL,
            file        VARCHAR   NOT NULL,
            line        BIGINT    NOT NULL,  -- 0: the file as a whole
            field       VARCHAR   NOT NULL,
            reason      VARCHAR   NOT NULL,
            raw         VARCHAR   NOT NULL,
            rejected_at TIMESTAMP NOT NULL
        )
        """
    )


def _m002_enrichments(con: duckdb.DuckDBPyConnection) -> None:
    # One row per post and model version: re-running a new model keeps the old rows.
    con.execute(
        """
        CREATE TABLE enrichments (
            platform        VARCHAR   NOT NULL,
            post_id         VARCHAR   NOT NULL,
            model           VARCHAR   NOT NULL,  -- the tier or path asked for, e.g. fast
            model_version   VARCHAR   NOT NULL,  -- every classifier's name and version
            sentiment       VARCHAR   NOT NULL,  -- negative, neutral, positive
            sentiment_score DOUBLE    NOT NULL,  -- P(positive) - P(negative), in [-1, 1]
            complaint_score DOUBLE    NOT NULL,  -- P(complaint)
            intent          VARCHAR   NOT NULL,
            subject         VARCHAR   NOT NULL,
            needs_reply     BOOLEAN   NOT NULL,
            gratitude       BOOLEAN   NOT NULL,
            campaign        VARCHAR,
            enriched_at     TIMESTAMP NOT NULL
        )
        """
    )


def _m003_connected_accounts(con: duckdb.DuckDBPyConnection) -> None:
    # A live connector's account and where its sync resumes; the secret is never here (connect.credentials).
    con.execute(
        """
        CREATE TABLE connected_accounts (
            name            VARCHAR   PRIMARY KEY,  -- e.g. northwind@mastodon.social
            platform        VARCHAR   NOT NULL,     -- mastodon, bluesky: also the import format of its pages
            handle          VARCHAR   NOT NULL,
            server          VARCHAR   NOT NULL,     -- instance or service URL
            credential_key  VARCHAR   NOT NULL,     -- where connect.credentials keeps the secret
            cursor          VARCHAR   NOT NULL,     -- the connector's resume point, JSON
            connected_at    TIMESTAMP NOT NULL,
            last_sync_at    TIMESTAMP,
            last_status     VARCHAR,                -- done, failed, interrupted
            last_error      VARCHAR,
            synced_read     BIGINT    NOT NULL DEFAULT 0,
            synced_imported BIGINT    NOT NULL DEFAULT 0
        )
        """
    )
    # Every reply sent through a connector: what, to whom, with which checker verdict, and the post it became.
    con.execute(
        """
        CREATE TABLE sent_replies (
            account          VARCHAR   NOT NULL,
            platform         VARCHAR   NOT NULL,
            in_reply_to      VARCHAR   NOT NULL,  -- the post answered (post_id)
            post_id          VARCHAR   NOT NULL,  -- the reply as the platform numbered it
            text             VARCHAR   NOT NULL,
            verdict          VARCHAR   NOT NULL,  -- the draft checker's verdict when it was sent
            forced           BOOLEAN   NOT NULL,
            sent_at          TIMESTAMP NOT NULL
        )
        """
    )


def _m004_users_sessions_tokens_audit(con: duckdb.DuckDBPyConnection) -> None:
    # People who use the web app and the API, how they sign in, and who changed what.
    con.execute("CREATE SEQUENCE user_id_seq START 1")
    con.execute(
        """
        CREATE TABLE users (
            user_id       BIGINT    PRIMARY KEY,
            name          VARCHAR   NOT NULL UNIQUE,
            role          VARCHAR   NOT NULL,  -- viewer, agent, admin
            password_hash VARCHAR   NOT NULL,  -- argon2id, never the password
            created_at    TIMESTAMP NOT NULL,
            disabled      BOOLEAN   NOT NULL DEFAULT false
        )
        """
    )
    con.execute("CREATE SEQUENCE token_id_seq START 1")
    con.execute(
        """
        CREATE TABLE api_tokens (
            token_id     BIGINT    PRIMARY KEY,
            user_id      BIGINT    NOT NULL,
            name         VARCHAR   NOT NULL,
            token_hash   VARCHAR   NOT NULL UNIQUE,  -- SHA-256 of the token: the token is shown once, never kept
            created_at   TIMESTAMP NOT NULL,
            last_used_at TIMESTAMP,
            revoked_at   TIMESTAMP
        )
        """
    )
    con.execute(
        """
        CREATE TABLE sessions (
            session_hash VARCHAR   PRIMARY KEY,  -- SHA-256 of the cookie's value
            user_id      BIGINT    NOT NULL,
            csrf_token   VARCHAR   NOT NULL,
            created_at   TIMESTAMP NOT NULL,
            expires_at   TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        "CREATE TABLE login_attempts (name VARCHAR NOT NULL, address VARCHAR, attempted_at TIMESTAMP NOT NULL, ok BOOLEAN NOT NULL)"
    )
    con.execute("CREATE SEQUENCE audit_id_seq START 1")
    con.execute(
        """
        CREATE TABLE audit_log (
            audit_id BIGINT    PRIMARY KEY,
            logged_at TIMESTAMP NOT NULL,
            actor    VARCHAR   NOT NULL,  -- a user name, or cli:<os user>
            action   VARCHAR   NOT NULL,  -- e.g. inbox.assign, inbox.mark, config.change, users.add
            target   VARCHAR,
            detail   VARCHAR             -- JSON
        )
        """
    )


def _m005_inbox(con: duckdb.DuckDBPyConnection) -> None:
    # The engagement team's work on the posts that need a reply: who owns each, what was done, the outcome.
    con.execute(
        """
        CREATE TABLE inbox_items (
            platform   VARCHAR   NOT NULL,
            post_id    VARCHAR   NOT NULL,  -- the inbound post that needs a reply
            status     VARCHAR   NOT NULL,  -- open, assigned, sent, closed
            assignee   VARCHAR,
            version    BIGINT    NOT NULL,  -- bumped by every change: a change names the version it saw
            updated_at TIMESTAMP NOT NULL,
            updated_by VARCHAR   NOT NULL,
            PRIMARY KEY (platform, post_id)
        )
        """
    )
    # An agent's outcome for a thread, named by any of its posts; the latest per thread wins (Sources.marks).
    con.execute(
        """
        CREATE TABLE outcome_marks (
            platform  VARCHAR   NOT NULL,
            post_id   VARCHAR   NOT NULL,
            outcome   VARCHAR   NOT NULL,  -- helped, not_helped, unknown
            marked_by VARCHAR   NOT NULL,
            marked_at TIMESTAMP NOT NULL
        )
        """
    )
    # A person's correction of a classifier label: kept beside the model's, exportable as training data.
    con.execute(
        """
        CREATE TABLE label_corrections (
            platform      VARCHAR   NOT NULL,
            post_id       VARCHAR   NOT NULL,
            field         VARCHAR   NOT NULL,  -- sentiment, intent, subject, needs_reply
            model_value   VARCHAR,
            model_version VARCHAR,
            value         VARCHAR   NOT NULL,
            corrected_by  VARCHAR   NOT NULL,
            corrected_at  TIMESTAMP NOT NULL
        )
        """
    )


def _m006_reply_sends(con: duckdb.DuckDBPyConnection) -> None:
    # A reply sent through a connected account, recorded before the platform is called (its idempotency key is
    # then reused by every retry, so a retry never posts twice) and finished with what the platform answered.
    con.execute(
        """
        CREATE TABLE reply_sends (
            send_key       VARCHAR   PRIMARY KEY,  -- the idempotency key every attempt sends
            platform       VARCHAR   NOT NULL,
            post_id        VARCHAR   NOT NULL,     -- the inbox item answered
            account        VARCHAR   NOT NULL,     -- the connected account it goes out from
            text           VARCHAR   NOT NULL,
            verdict        VARCHAR   NOT NULL,     -- the draft checker's verdict
            forced         BOOLEAN   NOT NULL,
            status         VARCHAR   NOT NULL,     -- sending, sent, failed, not_sent
            prior_status   VARCHAR   NOT NULL,     -- the item's status and assignee before, restored if refused
            prior_assignee VARCHAR,
            started_at     TIMESTAMP NOT NULL,
            started_by     VARCHAR   NOT NULL,
            attempts       INTEGER   NOT NULL,
            attempt_at     TIMESTAMP NOT NULL,     -- when the latest attempt began
            in_flight      BOOLEAN   NOT NULL,     -- an attempt is waiting on the platform
            error          VARCHAR,                -- what the latest attempt met
            reply_post_id  VARCHAR,
            reply_url      VARCHAR,
            finished_at    TIMESTAMP,
            finished_by    VARCHAR
        )
        """
    )


def _m007_alerts(con: duckdb.DuckDBPyConnection) -> None:
    # Alerts the watch loop raised, each with its evidence; one row per key while the condition lasts.
    con.execute("CREATE SEQUENCE alert_id_seq START 1")
    con.execute(
        """
        CREATE TABLE alerts (
            alert_id      BIGINT    PRIMARY KEY,
            key           VARCHAR   NOT NULL,     -- the rule's name for the condition, e.g. waiting:mastodon:109
            kind          VARCHAR   NOT NULL,     -- alerts.model.AlertKind
            title         VARCHAR   NOT NULL,
            status        VARCHAR   NOT NULL,     -- open, acknowledged, snoozed, over
            started_at    TIMESTAMP NOT NULL,     -- when the condition began (UTC)
            first_seen_at TIMESTAMP NOT NULL,     -- the cycle that raised it
            last_seen_at  TIMESTAMP NOT NULL,     -- the last cycle that still found it
            posts         VARCHAR   NOT NULL,     -- evidence: JSON list of [platform, post_id]
            figures       VARCHAR   NOT NULL,     -- evidence: JSON object of numbers
            snoozed_until TIMESTAMP,
            updated_by    VARCHAR,
            updated_at    TIMESTAMP
        )
        """
    )
    con.execute("CREATE INDEX alerts_key ON alerts (key)")
    # Each delivery of an alert to a notify target: when, where (the URL's scheme only), and how it went.
    con.execute(
        """
        CREATE TABLE alert_deliveries (
            alert_id      BIGINT    NOT NULL,
            target        VARCHAR   NOT NULL,     -- the notify URL's scheme, never its secrets
            sent_at       TIMESTAMP NOT NULL,
            ok            BOOLEAN   NOT NULL,
            error         VARCHAR
        )
        """
    )
    # The watch loop's health: one row per cycle's summary and one per account's backoff.
    con.execute(
        """
        CREATE TABLE watch_state (
            name          VARCHAR   PRIMARY KEY,  -- "cycle", or "account:<name>"
            state         VARCHAR   NOT NULL,     -- JSON
            updated_at    TIMESTAMP NOT NULL
        )
        """
    )


def _m008_outcomes(con: duckdb.DuckDBPyConnection) -> None:
    # A business outcome (sales, visits, NPS, share price) per period and store or brand, imported like posts:
    # one value per key (metric, granularity, period_start, location, brand); '' where it has no store or brand.
    con.execute(
        """
        CREATE TABLE outcomes (
            metric       VARCHAR   NOT NULL,
            granularity  VARCHAR   NOT NULL,  -- day, week (starting Monday) or month
            period_start DATE      NOT NULL,
            location     VARCHAR   NOT NULL,  -- a configured location's name, or ''
            brand        VARCHAR   NOT NULL,  -- a brand's name, or ''
            value        DOUBLE    NOT NULL,
            source       VARCHAR   NOT NULL,
            source_line  BIGINT    NOT NULL,
            import_id    BIGINT    NOT NULL,
            ingested_at  TIMESTAMP NOT NULL,
            PRIMARY KEY (metric, granularity, period_start, location, brand)
        )
        """
    )


def _m009_engagement_snapshots(con: duckdb.DuckDBPyConnection) -> None:
    # A post's likes, shares and replies as a sync saw them again after its import (the post's own row keeps
    # what was imported): one row per post and sighting.
    con.execute(
        """
        CREATE TABLE engagement_snapshots (
            platform    VARCHAR   NOT NULL,
            post_id     VARCHAR   NOT NULL,
            seen_at     TIMESTAMP NOT NULL,  -- UTC, when the platform gave these counts
            like_count  BIGINT,
            share_count BIGINT,
            reply_count BIGINT,
            source      VARCHAR   NOT NULL   -- the connected account whose sync asked
        )
        """
    )
    con.execute("CREATE INDEX engagement_snapshots_post ON engagement_snapshots (platform, post_id)")


def _m010_review_labels(con: duckdb.DuckDBPyConnection) -> None:
    # The team's own labels of a random sample of customer posts (``groundswell review``): what the classifiers'
    # errors on this workspace's posts are measured from. Every load adds rows; the newest per post counts.
    con.execute(
        """
        CREATE TABLE review_labels (
            platform    VARCHAR   NOT NULL,
            post_id     VARCHAR   NOT NULL,
            sentiment   VARCHAR,             -- negative, neutral, positive; NULL: not labelled
            subject     VARCHAR,             -- marketing, experience, other
            needs_reply BOOLEAN,
            labelled_by VARCHAR   NOT NULL,
            labelled_at TIMESTAMP NOT NULL,
            source      VARCHAR   NOT NULL,  -- the file the labels came from
            source_line BIGINT    NOT NULL
        )
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    ("001_posts_imports_rejects", _m001_posts_imports_rejects),
    ("002_enrichments", _m002_enrichments),
    ("003_connected_accounts", _m003_connected_accounts),
    ("004_users_sessions_tokens_audit", _m004_users_sessions_tokens_audit),
    ("005_inbox", _m005_inbox),
    ("006_reply_sends", _m006_reply_sends),
    ("007_alerts", _m007_alerts),
    ("008_outcomes", _m008_outcomes),
    ("009_engagement_snapshots", _m009_engagement_snapshots),
    ("010_review_labels", _m010_review_labels),
)


@lru_cache(maxsize=512)
def postgres_sql(sql: str, with_params: bool = True) -> str:
    """DuckDB-flavoured SQL as PostgreSQL takes it: ``?`` placeholders as psycopg's ``%s`` (a literal ``%``
    doubled), and DuckDB's ``DOUBLE`` as ``DOUBLE PRECISION``. Write SQL without ``?`` inside string literals."""
    sql = re.sub(r"\bDOUBLE\b(?!\s+PRECISION)", "DOUBLE PRECISION", sql)
    if with_params:
        sql = sql.replace("%", "%%").replace("?", "%s")
    return sql


class PostgresMigrationConnection:
    """A psycopg connection (autocommit) as the migrations use a DuckDB one."""

    def __init__(self, con: psycopg.Connection[Any]):
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg.Cursor[Any]:
        if params is None:
            return self.con.execute(postgres_sql(sql, False).encode())
        return self.con.execute(postgres_sql(sql).encode(), list(params))


def apply_migrations(con: Any, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Apply pending migrations in order; return the names applied now."""
    con.execute("CREATE TABLE IF NOT EXISTS _migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    applied = {row[0] for row in con.execute("SELECT name FROM _migrations").fetchall()}
    known = {name for name, _ in migrations}
    unknown = sorted(applied - known)
    if unknown:
        raise SchemaVersionError(
            f"this workspace was written by a newer groundswell (migrations {', '.join(unknown)}); upgrade groundswell"
        )
    done: list[str] = []
    for name, migrate in migrations:
        if name in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            migrate(con)
            con.execute("INSERT INTO _migrations VALUES (?, ?)", [name, datetime.now(UTC).replace(tzinfo=None)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        done.append(name)
    return done
