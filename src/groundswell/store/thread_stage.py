"""The statements under the threads stage kept in the DuckDB workspace file (``groundswell.threads.stored``):
its derived tables ``thread_posts``, ``threads`` and ``thread_stage``, the watermarks of its inputs, the temp
tables of an incremental refresh, and the settings a full build runs under.

``threads.stored`` decides what to rebuild; these functions only run what it decided, on a ``DuckDBStore``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from groundswell.store.duckdb import DuckDBStore

POSTS_TABLE = "thread_posts"
THREADS_TABLE = "threads"
STATE_TABLE = "thread_stage"
TABLES = (POSTS_TABLE, THREADS_TABLE, STATE_TABLE)
# the temp tables of an incremental refresh: new posts, the keys of changed posts, the trees they touch, the
# posts of those trees and their enrichments
NEW = "_gs_new"
KEYS = "_gs_keys"
TOUCHED = "_gs_touched"
SUBSET = "_gs_subset"
SUBSET_ENRICHMENTS = "_gs_subset_enrichments"
_WORK_TABLES = (NEW, KEYS, TOUCHED, SUBSET, SUBSET_ENRICHMENTS)

# What a statement on the workspace file raises when it fails.
ERRORS: tuple[type[Exception], ...] = (duckdb.Error,)


@dataclass(frozen=True, slots=True)
class Inputs:
    """How much of the stage's inputs the file holds: posts (count, greatest ``import_id``), one model
    version's enrichments (count, latest ``enriched_at``), the agents' outcome marks (count, latest
    ``marked_at``)."""

    posts: int
    import_id: int | None
    enrichments: int
    enriched_at: datetime | None
    marks: int
    marked_at: datetime | None


# -- the file as it stands ------------------------------------------------------------------------


def in_transaction(store: DuckDBStore) -> bool:
    """Whether the store's connection is inside an explicit transaction: each statement outside one is a
    transaction of its own, with its own id (DuckDB has no flag for it, and a BEGIN inside a transaction
    aborts that)."""
    first = store.execute("SELECT txid_current()")[0][0]
    return bool(first == store.execute("SELECT txid_current()")[0][0])


def newest_model_version(store: DuckDBStore) -> str | None:
    """The enrichment model version with the latest ``enriched_at`` (ties: the greatest name)."""
    found = store.execute(
        "SELECT model_version FROM enrichments GROUP BY model_version "
        "ORDER BY max(enriched_at) DESC, model_version DESC LIMIT 1"
    )
    return str(found[0][0]) if found else None


def table_exists(store: DuckDBStore, name: str) -> bool:
    """Whether the file holds the (not temporary) table ``name``."""
    found = store.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' AND NOT temporary",
        [name],
    )
    return bool(found[0][0])


def tables_present(store: DuckDBStore) -> bool:
    """Whether the stage's three tables are all there."""
    return all(table_exists(store, name) for name in TABLES)


def inputs(store: DuckDBStore, model_version: str | None) -> Inputs:
    """The stage's inputs as they are now (no enrichments counted without a model version, no marks without
    the inbox's table)."""
    posts, import_id = store.execute("SELECT count(*), max(import_id) FROM posts")[0]
    enrichments, enriched_at = 0, None
    if model_version is not None:
        enrichments, enriched_at = store.execute(
            "SELECT count(*), max(enriched_at) FROM enrichments WHERE model_version = ?", [model_version]
        )[0]
    marks, marked_at = 0, None
    if table_exists(store, "outcome_marks"):
        marks, marked_at = store.execute("SELECT count(*), max(marked_at) FROM outcome_marks")[0]
    return Inputs(
        posts=int(posts),
        import_id=int(import_id) if import_id is not None else None,
        enrichments=int(enrichments),
        enriched_at=enriched_at,
        marks=int(marks),
        marked_at=marked_at,
    )


def read_state(store: DuckDBStore) -> str | None:
    """The ``thread_stage`` row's JSON; None where the table holds no row or more than one."""
    rows = store.execute(f'SELECT state FROM "{STATE_TABLE}"')
    return str(rows[0][0]) if len(rows) == 1 else None


def write_state(store: DuckDBStore, state: str) -> None:
    """``state`` (JSON) as the one ``thread_stage`` row, the table made where it is not there."""
    store.execute(f'CREATE TABLE IF NOT EXISTS main."{STATE_TABLE}" (state VARCHAR NOT NULL)')
    store.execute(f'DELETE FROM "{STATE_TABLE}"')
    store.execute(f'INSERT INTO "{STATE_TABLE}" VALUES (?)', [state])


def drop_tables(store: DuckDBStore) -> None:
    """Drop the stage's tables (those there)."""
    for name in TABLES:
        store.execute(f'DROP TABLE IF EXISTS main."{name}"')


def count_trees(store: DuckDBStore) -> int:
    """The stored reply trees: a tree per root (a post that is its own root), cheaper than counting distinct
    roots."""
    return int(store.execute(f'SELECT count(*) FROM "{POSTS_TABLE}" WHERE root_id = post_id')[0][0])


# -- a full build ---------------------------------------------------------------------------------


def building_table(name: str) -> str:
    """Where a full build writes the stage's ``posts`` or ``threads`` before they are swapped in."""
    return f"_{POSTS_TABLE if name == 'posts' else THREADS_TABLE}_building"


def drop_building(store: DuckDBStore) -> None:
    """Drop the tables of a full build (left by one cut short, or after the swap)."""
    for name in ("posts", "threads"):
        store.execute(f'DROP TABLE IF EXISTS main."{building_table(name)}"')


def drop_built_column(store: DuckDBStore, column: str) -> None:
    """Drop a column the build needed and the stage does not keep from the built posts table (DuckDB drops a
    column without rewriting the table)."""
    store.execute(f'ALTER TABLE main."{building_table("posts")}" DROP COLUMN IF EXISTS "{column}"')


def swap_in_built(store: DuckDBStore) -> None:
    """The stage's tables dropped and the built ones renamed to them (inside the caller's transaction, which
    writes the new state too)."""
    drop_tables(store)
    for name, table in (("posts", POSTS_TABLE), ("threads", THREADS_TABLE)):
        store.execute(f'ALTER TABLE main."{building_table(name)}" RENAME TO "{table}"')


@contextmanager
def build_settings(store: DuckDBStore) -> Iterator[None]:
    """DuckDB settings for building the stage, restored after: no row order to keep (less memory, more
    parallel writes), and the buffer pool of a full build (``DuckDBStore.for_building``)."""
    with store.unordered_writes(), store.for_building():
        yield


# -- an incremental refresh -----------------------------------------------------------------------


def collect_new_posts(store: DuckDBStore, since_import_id: int | None) -> int:
    """The posts not in the stage (``NEW``): only those imported after ``since_import_id`` where it is given
    (cheap), every one otherwise; how many."""
    select = (
        f"CREATE OR REPLACE TEMP TABLE {NEW} AS SELECT p.platform, p.post_id, p.in_reply_to_post_id "
        f'FROM posts p ANTI JOIN "{POSTS_TABLE}" t ON p.platform = t.platform AND p.post_id = t.post_id'
    )
    if since_import_id is None:
        store.execute(select)
    else:
        store.execute(select + " WHERE p.import_id > ?", [since_import_id])
    return count(store, NEW)


def collect_touched(
    store: DuckDBStore,
    *,
    enriched_since: tuple[str | None, datetime | None] | None,
    marks: bool,
) -> int:
    """The stored trees a change touches (``TOUCHED``, by ``platform, root_id``); how many. A change is a new
    post's parent, a stored reply a new post is the missing parent of, with ``enriched_since`` (a model
    version and the watermark's ``enriched_at``) a post enriched by that version after it and a stored post
    that had no enrichment and has one now, with ``marks`` every marked post."""
    parts = [
        f"SELECT platform, in_reply_to_post_id AS post_id FROM {NEW} WHERE in_reply_to_post_id IS NOT NULL",
        (
            f"SELECT p.platform, p.post_id FROM posts p SEMI JOIN {NEW} n "
            "ON p.platform = n.platform AND p.in_reply_to_post_id = n.post_id"
        ),
    ]
    params: list[object] = []
    if enriched_since is not None:
        parts.append(
            "SELECT platform, post_id FROM enrichments WHERE model_version = $1 "
            "AND ($2::TIMESTAMP IS NULL OR enriched_at > $2)"
        )
        parts.append(
            f'SELECT t.platform, t.post_id FROM "{POSTS_TABLE}" t SEMI JOIN enrichments e '
            "ON t.platform = e.platform AND t.post_id = e.post_id AND e.model_version = $1 "
            "WHERE t.sentiment IS NULL"
        )
        params = list(enriched_since)
    if marks:
        parts.append("SELECT platform, post_id FROM outcome_marks")
    store.execute(f"CREATE OR REPLACE TEMP TABLE {KEYS} AS " + " UNION ".join(parts), params)
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS SELECT DISTINCT t.platform, t.root_id "
        f'FROM "{POSTS_TABLE}" t SEMI JOIN {KEYS} k ON t.platform = k.platform AND t.post_id = k.post_id'
    )
    return count(store, TOUCHED)


def collect_subset(store: DuckDBStore) -> int:
    """The posts of the touched trees and the new posts (``SUBSET``, every column of ``posts``); how many."""
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE {SUBSET} AS SELECT p.* FROM posts p SEMI JOIN ("
        f'SELECT t.platform, t.post_id FROM "{POSTS_TABLE}" t SEMI JOIN {TOUCHED} r '
        "ON t.platform = r.platform AND t.root_id = r.root_id "
        f"UNION ALL SELECT platform, post_id FROM {NEW}) k ON p.platform = k.platform AND p.post_id = k.post_id"
    )
    return count(store, SUBSET)


def collect_subset_enrichments(store: DuckDBStore, model_version: str | None) -> None:
    """The enrichments of ``model_version`` of the subset's posts (``SUBSET_ENRICHMENTS``)."""
    store.execute(
        f"CREATE OR REPLACE TEMP TABLE {SUBSET_ENRICHMENTS} AS SELECT e.* FROM enrichments e "
        f"SEMI JOIN {SUBSET} s ON e.platform = s.platform AND e.post_id = s.post_id WHERE e.model_version = ?",
        [model_version],
    )


def replace_touched_rows(store: DuckDBStore, table: str, rows: str) -> None:
    """The touched trees' rows of the stage's ``table`` deleted and ``rows`` (a query of the rebuilt rows,
    as ibis compiled it) inserted by column name."""
    store.execute(
        f'DELETE FROM "{table}" USING {TOUCHED} r '
        f'WHERE "{table}".platform = r.platform AND "{table}".root_id = r.root_id'
    )
    store.execute(f'INSERT INTO "{table}" BY NAME {rows}')


def drop_work_tables(store: DuckDBStore) -> None:
    """Drop an incremental refresh's temp tables."""
    for name in _WORK_TABLES:
        store.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')


def count(store: DuckDBStore, table: str) -> int:
    return int(store.execute(f'SELECT count(*) FROM "{table}"')[0][0])
