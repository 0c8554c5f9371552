"""Business outcomes (``outcomes``): one value per metric, period and store or brand, with where it came from.

The importer (``groundswell.ingest.outcomes``) decides what is new, a duplicate or a conflict from
``stored_values``; these functions only read and write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from groundswell.store.base import Store, utcnow

_INSERT_CHUNK = 500  # rows per INSERT: few round trips to a server, statements of a modest size


@dataclass(frozen=True, slots=True)
class OutcomeKey:
    """What identifies an outcome value: ``location`` and ``brand`` are ``''`` where the value has none."""

    metric: str
    granularity: str
    period_start: date
    location: str
    brand: str


@dataclass(frozen=True, slots=True)
class OutcomeValue:
    """One stored outcome value and its lineage."""

    key: OutcomeKey
    value: float
    source: str
    source_line: int


def stored_values(store: Store, metrics: Sequence[str]) -> dict[OutcomeKey, OutcomeValue]:
    """Every stored value of the named metrics, by key."""
    if not metrics:
        return {}
    marks = ", ".join("?" for _ in metrics)
    found = store.execute(
        "SELECT metric, granularity, period_start, location, brand, value, source, source_line FROM outcomes "
        f"WHERE metric IN ({marks})",
        list(metrics),
    )
    return {
        OutcomeKey(row[0], row[1], _as_date(row[2]), row[3], row[4]): OutcomeValue(
            OutcomeKey(row[0], row[1], _as_date(row[2]), row[3], row[4]), float(row[5]), row[6], int(row[7])
        )
        for row in found
    }


def insert_outcomes(store: Store, values: Sequence[OutcomeValue], *, import_id: int) -> None:
    """Add new values (their keys not stored yet: ``stored_values`` says which)."""
    now = utcnow()
    for begin in range(0, len(values), _INSERT_CHUNK):
        chunk = values[begin : begin + _INSERT_CHUNK]
        params: list[Any] = []
        for v in chunk:
            k = v.key
            params += [k.metric, k.granularity, k.period_start, k.location, k.brand, v.value, v.source,
                       v.source_line, import_id, now]  # fmt: skip
        placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        store.execute(
            "INSERT INTO outcomes (metric, granularity, period_start, location, brand, value, source, source_line, "
            f"import_id, ingested_at) VALUES {placeholders}",
            params,
        )


def outcome_rows(store: Store, metric: str | None = None) -> list[dict[str, Any]]:
    """The stored values (of ``metric``, else all), in key order: metric, granularity, period_start, location,
    brand, value."""
    sql = "SELECT metric, granularity, period_start, location, brand, value FROM outcomes"
    params: list[Any] = []
    if metric is not None:
        sql += " WHERE metric = ?"
        params.append(metric)
    found = store.query(sql + " ORDER BY metric, granularity, period_start, location, brand", params)
    for row in found:
        row["period_start"] = _as_date(row["period_start"])
        row["value"] = float(row["value"])
    return found


def has_store_outcomes(store: Store) -> bool:
    """Whether any outcome value is a store's (has a ``location``)."""
    return bool(store.execute("SELECT count(*) FROM (SELECT 1 FROM outcomes WHERE location <> '' LIMIT 1) AS t")[0][0])


def outcome_metrics(store: Store) -> list[str]:
    """The names of the outcomes stored, alphabetically."""
    return [row[0] for row in store.execute("SELECT DISTINCT metric FROM outcomes ORDER BY metric")]


def _as_date(value: Any) -> date:
    return value if type(value) is date else date.fromisoformat(str(value)[:10])
