"""Random small conversations for property tests: posts as hypothesis draws, loaded into an in-memory workspace.

``thread_post`` draws one post (brand or customer, its parent by index, minutes after a Monday, automated or
not, follower count, enrichment labels); ``random_thread_sources(posts)`` stores a list of them (ids ``p0``,
``p1``, ...; a parent of -1 is a post never imported) with their enrichments and returns DuckDB ``Sources``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import strategies as st

from groundswell.config import parse_config
from groundswell.query import store_sources
from groundswell.store.duckdb import DuckDBStore
from groundswell.store.schema import apply_migrations

PROPERTY_CONFIG = parse_config('brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "AcmeHelp"\n')
thread_post = st.fixed_dictionaries(
    {
        "brand": st.booleans(),
        "parent": st.one_of(st.none(), st.integers(min_value=0, max_value=11), st.just(-1)),
        "minutes": st.integers(min_value=0, max_value=3000),
        "automated": st.booleans(),
        "followers": st.one_of(st.none(), st.sampled_from([5, 500, 5000, 50000])),
        "needs_reply": st.booleans(),
        "sentiment": st.sampled_from(["negative", "neutral", "positive"]),
        "gratitude": st.booleans(),
        "intent": st.sampled_from(["complaint", "question", "other"]),
    }
)


def random_thread_sources(posts: list[dict[str, Any]]) -> Any:
    con = duckdb.connect()
    apply_migrations(con)
    store = DuckDBStore(con, Path(":memory:"))
    n = len(posts)
    ids = [f"p{i}" for i in range(n)]
    parents = [None if p["parent"] is None else "gone" if p["parent"] < 0 else ids[p["parent"] % n] for p in posts]
    table = pa.table(
        {
            "platform": ["twitter"] * n,
            "post_id": ids,
            "author_id": ["b" if p["brand"] else f"c{i % 3}" for i, p in enumerate(posts)],
            "author_handle": ["AcmeHelp" if p["brand"] else f"cust{i % 3}" for i, p in enumerate(posts)],
            "author_followers": pa.array([p["followers"] for p in posts], pa.int64()),
            "is_brand": [p["brand"] for p in posts],
            "created_at": pa.array(
                [datetime(2026, 3, 2) + (p["minutes"] * 60) * _SECOND for p in posts], pa.timestamp("us")
            ),
            "text": [
                "this is an automated message" if p["brand"] and p["automated"] else "@AcmeHelp hi" for p in posts
            ],
            "in_reply_to_post_id": pa.array(parents, pa.string()),
        }
    )
    con.register("_p", table)
    con.execute(
        "INSERT INTO posts (platform, post_id, author_id, author_handle, author_followers, is_brand, created_at, text,"
        " in_reply_to_post_id, source, source_line, import_id, ingested_at) SELECT *, 'x', 1, 1, now() FROM _p"
    )
    con.unregister("_p")
    labels = pa.table(
        {
            "platform": ["twitter"] * n,
            "post_id": ids,
            "model": ["h"] * n,
            "model_version": ["h@1"] * n,
            "sentiment": [p["sentiment"] for p in posts],
            "sentiment_score": [{"positive": 0.8, "negative": -0.8}.get(p["sentiment"], 0.0) for p in posts],
            "complaint_score": [0.0] * n,
            "intent": [p["intent"] for p in posts],
            "subject": ["other"] * n,
            "needs_reply": [p["needs_reply"] for p in posts],
            "gratitude": [p["gratitude"] for p in posts],
            "campaign": pa.array([None] * n, pa.string()),
            "enriched_at": pa.array([datetime(2026, 5, 1)] * n, pa.timestamp("us")),
        }
    )
    store.write_enrichments(labels)
    return store_sources(store, PROPERTY_CONFIG)


_SECOND = datetime(2026, 1, 1, 0, 0, 1) - datetime(2026, 1, 1)
