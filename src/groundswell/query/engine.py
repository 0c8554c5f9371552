"""How an expression runs: the ``Engine`` beneath ``Sources`` (one ibis backend and the tables materialised
on it) and the helpers that run a table or scalar expression and hand back Python values."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import ibis.expr.types as ir

_names = itertools.count()


def temp_name(what: str = "") -> str:
    """A name for a temp table or view of this process, never used twice."""
    return f"_groundswell_{what}_{next(_names)}" if what else f"_groundswell_{next(_names)}"


class Engine(Protocol):
    """What a metric may ask of the engine beneath ``Sources``."""

    name: str

    def materialize(self, table: ir.Table) -> ir.Table:
        """Compute ``table`` now and keep it (a temp table, a cached DataFrame) until ``close()``."""
        ...

    def release(self, table: ir.Table) -> None:
        """Drop a table ``materialize`` returned, before ``close()`` (a no-op for any other table)."""
        ...

    def close(self) -> None: ...


class IbisEngine:
    """One ibis backend, and the tables materialised on it for a ``Sources``."""

    def __init__(self, backend: Any, name: str):
        self.backend = backend
        self.name = name
        self._tables: dict[Any, str] = {}  # the materialised table's ibis op -> its name on the backend

    def materialize(self, table: ir.Table) -> ir.Table:
        name = temp_name()
        if self.name == "spark":
            result = self._checkpoint(name, table)
        else:
            # ibis's own cache primitive: CREATE TEMP TABLE on DuckDB and PostgreSQL.
            # (ibis's .cache() would drop it from a weakref finalizer, possibly after the connection closed.)
            result = self.backend._create_cached_table(name, table)
        self._tables[result.op()] = name
        return result

    def _checkpoint(self, name: str, table: ir.Table) -> ir.Table:
        # Spark: computed now and cut from its lineage (a local checkpoint), where a cached DataFrame would keep
        # its whole plan; tables built on materialised tables (a brand's scope, then its threads) would carry
        # every plan beneath them, until planning alone runs out of driver memory.
        frame = self.backend._session.sql(self.backend.compile(table)).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self.backend._cached_dataframes[name] = frame  # ibis's _drop_cached_table drops the view and unpersists
        found: ir.Table = self.backend.table(name)
        return found

    def write_parquet(self, table: ir.Table, path: Path, *, append: bool = False) -> None:
        """Compute ``table`` and write it as Parquet at ``path`` (a folder of part files on Spark); ``append``:
        add its rows as more part files of the folder (Spark only)."""
        if append and self.name != "spark":
            raise NotImplementedError("only Spark appends to a Parquet folder")
        self.backend.to_parquet(table, path, **({"mode": "append"} if append else {}))

    def read_parquet(self, path: Path) -> ir.Table:
        """The Parquet table at ``path``, as a table of this backend."""
        found: ir.Table = self.backend.read_parquet(str(path))
        return found

    def release(self, table: ir.Table) -> None:
        name = self._tables.pop(table.op(), None)
        if name is not None:
            self._drop(name)

    def close(self) -> None:
        while self._tables:
            self._drop(self._tables.popitem()[1])

    def _drop(self, name: str) -> None:
        try:
            if self.name in ("duckdb", "postgres"):
                from groundswell.store.scratch import drop_temp_table

                drop_temp_table(self.backend.con, self.name, name)
            else:
                self.backend._drop_cached_table(name)
        except Exception:  # noqa: BLE001, S110 - the connection may be closed already, taking its temp tables along
            pass


def rows(expr: ir.Table) -> list[dict[str, Any]]:
    """Run a (small) table expression on its engine; rows as dicts."""
    # every column nullable: a NOT NULL column's min or max over no rows is NULL, which PostgreSQL answers as
    # such and ibis would refuse to convert under the column's non-nullable type
    loose = {name: dtype.copy(nullable=True) for name, dtype in expr.schema().items() if not dtype.nullable}
    return (expr.cast(loose) if loose else expr).to_pyarrow().to_pylist()  # type: ignore[no-any-return]


def scalar(expr: ir.Scalar) -> Any:
    """Run a scalar expression on its engine; its Python value."""
    return expr.to_pyarrow().as_py()
