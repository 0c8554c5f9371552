"""The warehouse's numbers (``store.warehouse``): each post's ``_key`` and its parent's ``_parent_key``, and on
each enrichment its post's ``_key``. Where the tables of a join carry them (Spark over the warehouse), the
threads stage and the figures join on them, four times faster on Spark than on (platform, post_id) strings;
elsewhere (DuckDB, PostgreSQL, Parquet handed to ``spark_sources`` without them) on the ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from groundswell.columns import PARENT_NUMBER, POST_NUMBER

if TYPE_CHECKING:
    import ibis.expr.types as ir


def has_post_numbers(*tables: ir.Table) -> bool:
    """Whether every one of ``tables`` carries the number of its post."""
    return all(POST_NUMBER in table.columns for table in tables)


def has_parent_numbers(posts: ir.Table) -> bool:
    """Whether ``posts`` carry the numbers of each post and of its parent."""
    return has_post_numbers(posts) and PARENT_NUMBER in posts.columns
