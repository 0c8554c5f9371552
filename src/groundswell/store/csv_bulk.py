"""A CSV file read and checked by DuckDB itself: the fast path of an import.

DuckDB's CSV reader parses a file in parallel, many times faster than a record at a time in Python. The
import uses it only where it gives what the record-by-record path gives (``ingest/bulk.py`` says when),
and checks that it did:

- ``stage_twcs``: the file's records, every field as text (``_bulk_csv``, columns ``c0``..), each numbered by
  the reader in the file or the part of it it was read from (``_p``, ``_o``: ``self._numbered`` gives ``_n``,
  its number in the file, from 1), written without keeping an order, which lets DuckDB write them in parallel,
  with DuckDB's rejects counted (any record DuckDB could not read sends the whole file back to the
  record-by-record path, which names each bad record as the user expects), the lines the records span
  (to check against the file's), and whether the TWCS rules of ``ingest/formats/twcs.py`` plainly accept
  each record (digit ids, a ``+0000`` timestamp...);
- ``make_rows``: those records as posts, each with the physical line it starts on (SQL over ``_bulk_csv``);
- ``other_records``: the rest, with their lines, for the format's own Python code (``append_rows`` adds the
  posts it makes of them to ``_bulk_rows``, which ``make_rows`` adds to the others).
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from groundswell.columns import ROW_COLUMNS, arrow_schema
from groundswell.errors import StoreError
from groundswell.records import PostRow, TwcsColumns
from groundswell.store.duckdb import DuckDBStore

CSV_TABLE = "_bulk_csv"
ROWS_TABLE = "_bulk_rows"
_BREAKS_BEFORE = "gs_breaks_before"
_OTHERS = "_bulk_others"
# the columns of ``ROW_COLUMNS`` a TWCS row fills (``formats/twcs.py``); the others are always null
_TWCS_FILLS = frozenset(
    (
        "line",
        "platform",
        "post_id",
        "author_id",
        "author_handle",
        "is_brand",
        "created_at",
        "text",
        "in_reply_to_post_id",
    )
)
_REJECTS = "_bulk_rejects"
_SCAN = "_bulk_scan"
_DECODE = "gs_decode_entities"
SQL_SEARCH_MAX = 256  # records with line breaks searched in SQL; past them, by a function in Python

_ID = r"[0-9]+(\.0)?"
_AUTHOR = r"(?s)[!-~](.*[!-~])?"  # no space to strip at either end
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_TIMESTAMP = (
    rf"[!-~]+ ({_MONTHS}) (0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] \+0000 [1-9][0-9]{{3}}"
)
_BOOLEANS = ("True", "False", "true", "false", "TRUE", "FALSE", "1", "0")


@functools.cache
def _space() -> str:
    """Python's ``str.isspace()`` characters as the inside of an RE2 class: text made only of these is
    empty to ``str.strip()``."""
    return "".join(f"\\x{{{c:x}}}" for c in range(sys.maxunicode + 1) if chr(c).isspace())


@dataclass(frozen=True, slots=True)
class Staged:
    """What DuckDB read of a file: records, the lines they span with the header (as Python's CSV reader counts
    them), the longest field in bytes, records the TWCS rules do not plainly accept, records unreadable."""

    read: int
    lines: int
    longest: int
    others: int
    unreadable: int


def _plainly_twcs(c: TwcsColumns) -> str:
    """The TWCS rules of ``ingest/formats/twcs.py`` for the records that plainly meet them, as SQL."""
    return " AND ".join(
        (
            f"regexp_full_match({_field(c.tweet_id)}, '{_ID}')",
            f"regexp_full_match({_field(c.author_id)}, '{_AUTHOR}')",
            f"{_field(c.inbound)} IN ({', '.join(map(_sql_string, _BOOLEANS))})",
            f"regexp_full_match({_field(c.created_at)}, '{_TIMESTAMP}')",
            "_at IS NOT NULL",
            f"regexp_matches({_field(c.text)}, '[^{_space()}]')",
            "TRUE" if c.parent is None else f"(c{c.parent} IS NULL OR regexp_full_match(c{c.parent}, '{_ID}'))",
        )
    )


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _field(i: int) -> str:
    return f"coalesce(c{i}, '')"  # an empty field is NULL to DuckDB, '' to Python's csv


def _breaks_before(at: list[int], through: list[int], before: int = 0) -> str:
    """SQL for the line breaks in the records before record ``_n``, where the records numbered ``at`` (ascending)
    hold breaks, ``through[i]`` of them up to and including ``at[i]``, and ``before`` before ``at[0]``: a binary
    search as nested CASEs, which DuckDB runs on every thread, each row taking one path of log2(len(at)) tests."""
    if not at:
        return str(before)
    mid = len(at) // 2
    after = _breaks_before(at[mid + 1 :], through[mid + 1 :], through[mid])
    return f"CASE WHEN _n > {at[mid]} THEN {after} ELSE {_breaks_before(at[:mid], through[:mid], before)} END"


class CsvBulk:
    """The fast path's work tables on one DuckDB store (temp tables of the importing thread's connection)."""

    def __init__(self, store: DuckDBStore):
        self.store = store
        self.con = store.con
        self._line = "1 + _n"  # each record's line, in SQL over ``self._numbered``
        self._numbered = f"(SELECT *, _o AS _n FROM {CSV_TABLE})"  # the records, each with its number in the file
        self._rejects: list[tuple[str, str]] = []  # DuckDB's rejects tables, one pair per file read

    def stage_twcs(
        self,
        path: Path,
        width: int,
        c: TwcsColumns,
        decode: Callable[[str], str],
        parts: Sequence[Path] = (),
    ) -> Staged | None:
        """Read ``path`` (header line skipped) into ``_bulk_csv``, each record numbered in file order: its line
        breaks and longest field, whether the TWCS rules plainly accept it (``_plain``), the post it makes if they
        do (the text's HTML references decoded by ``decode``), and its fields (``c0``...) if they do not.

        ``parts``: the file cut into files of its records, in order, the first with the header line
        (``ingest/parts.csv_cuts``), read side by side: the reader numbers records on one thread per file."""
        self.drop()
        self._replace_function(_DECODE, decode, ["VARCHAR"], "VARCHAR")
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        fields = [_field(i) for i in range(width)]
        breaks = " + ".join(
            f"CASE WHEN contains({f}, chr(10)) THEN length({f}) - length(replace({f}, chr(10), '')) ELSE 0 END"
            for f in fields
        )
        # in bytes, which is never fewer than characters (and known without reading the string)
        field_bytes = ", ".join(f"coalesce(strlen(c{i}), 0)" for i in range(width))
        post = {
            "post_id": f"regexp_replace(c{c.tweet_id}, '\\.0$', '')",
            "author_id": f"c{c.author_id}",
            "is_brand": f"lower(c{c.inbound}) IN ('false', '0')",
            "created_at": "_at",
            "text": f"CASE WHEN contains(c{c.text}, '&') THEN {_DECODE}(c{c.text}) ELSE c{c.text} END",
            "in_reply_to_post_id": "NULL" if c.parent is None else f"regexp_replace(c{c.parent}, '\\.0$', '')",
        }
        kept = ", ".join(
            [f"CASE WHEN _plain THEN {value} END AS _{name}" for name, value in post.items()]
            + [f"CASE WHEN NOT _plain THEN c{i} END AS c{i}" for i in range(width)]
        )
        options = (
            f"header = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
            "strict_mode = true, null_padding = false, encoding = 'utf-8', store_rejects = true"
        )
        files = [(part, int(i == 0)) for i, part in enumerate(parts)] or [(path, 1)]  # the first holds the header
        self._rejects = [(f"{_REJECTS}_{i}", f"{_SCAN}_{i}") for i in range(len(files))]
        scans = " UNION ALL ".join(
            f"SELECT {i} AS _p, ordinality AS _o, * FROM read_csv({_sql_string(str(file))}, {options}, skip = {skip}, "
            f"rejects_table = '{rejects}', rejects_scan = '{scan}') WITH ORDINALITY"
            for i, ((file, skip), (rejects, scan)) in enumerate(zip(files, self._rejects, strict=True))
        )
        try:
            # WITH ORDINALITY numbers each file's records in order, reading it on one thread; a table kept in
            # file order instead (its rowid) was written more slowly still
            with self.store.unordered_writes():
                self.con.execute(
                    f"CREATE TEMP TABLE {CSV_TABLE} AS SELECT _p, _o, _breaks, _longest, _plain, {kept} "
                    f"FROM (SELECT *, {_plainly_twcs(c)} AS _plain FROM ("
                    f"SELECT *, {breaks} AS _breaks, greatest({field_bytes}) AS _longest, "
                    f"try_strptime(regexp_replace({_field(c.created_at)}, '^[!-~]+ ', ''), '%b %d %H:%M:%S +0000 %Y') AS _at "
                    f"FROM ({scans})))"
                )
        except duckdb.Error:
            return None  # a file DuckDB refuses outright (its parser stopped): read record by record
        unreadable_sql = " + ".join(f"(SELECT count(*) FROM {rejects})" for rejects, _ in self._rejects)
        per_file = "".join(f", count(*) FILTER (_p = {i})" for i in range(len(files)))
        found = self.con.execute(
            f"SELECT count(*), coalesce(sum(_breaks), 0), coalesce(max(_longest), 0), count(*) FILTER (NOT _plain), "
            f"{unreadable_sql}{per_file} FROM {CSV_TABLE}"
        ).fetchall()[0]
        read, breaks_in_records, longest, others, unreadable = map(int, found[:5])
        self._number_records([int(n) for n in found[5:]])
        self._number_lines(with_breaks=breaks_in_records > 0)
        return Staged(read, 1 + read + breaks_in_records, longest, others, unreadable)

    def _number_records(self, per_file: list[int]) -> None:
        """Each record's number in the file (``_n``, from 1, in ``self._numbered``): its number in its part
        plus the records of the parts before it (``per_file``: the records read from each part)."""
        number = "_o"
        if len(per_file) > 1:
            before = itertools.accumulate(per_file[:-1])
            number = f"CASE _p {' '.join(f'WHEN {i + 1} THEN {n}' for i, n in enumerate(before))} ELSE 0 END + _o"
        self._numbered = f"(SELECT *, {number} AS _n FROM {CSV_TABLE})"

    def _number_lines(self, *, with_breaks: bool) -> None:
        """How each record's line is found (``self._line``, SQL over ``self._numbered``). The header is line 1; the
        records follow, each pushed down by the line breaks inside the records before it. Those are summed
        over the few records that hold any, and each record's sum found by a binary search of them: in SQL
        (``_breaks_before``) where they are few, else by a vectorised function, which runs under Python's lock
        (3 s of a 10M-row import). A window or an as-of join over every record would sort them all."""
        if not with_breaks:
            self._line = "1 + _n"
            return
        found = self.con.execute(f"SELECT _n, _breaks FROM {self._numbered} WHERE _breaks > 0 ORDER BY _n").fetchnumpy()
        at, through = found["_n"], np.cumsum(found["_breaks"], dtype=np.int64)
        if len(at) <= SQL_SEARCH_MAX:
            self._line = f"1 + _n + {_breaks_before([int(n) for n in at], [int(b) for b in through])}"
            return

        def breaks_before(number: pa.Array) -> pa.Array:
            place = np.searchsorted(at, number.to_numpy(), side="left")  # records with breaks before this one
            return pa.array(np.where(place > 0, through[np.maximum(place - 1, 0)], 0))

        self._replace_function(_BREAKS_BEFORE, breaks_before, ["BIGINT"], "BIGINT", type="arrow")
        self._line = f"1 + _n + {_BREAKS_BEFORE}(_n)"

    def make_rows(self) -> str:
        """SQL for the posts as ``ROW_COLUMNS``: those of the plainly TWCS records, made from ``_bulk_csv`` as
        they are read (a copy of every record into another table costs as much as reading them twice), and
        those ``append_rows`` adds from the others (a table of their own: they are few)."""
        made = {"line": self._line, "platform": "'twitter'", "author_handle": "_author_id"}
        plain = ", ".join(
            f"({made.get(col.name, f'_{col.name}')})::{col.type} AS {col.name}"
            if col.name in _TWCS_FILLS
            else f"NULL::{col.type} AS {col.name}"
            for col in ROW_COLUMNS
        )
        filled = [col for col in ROW_COLUMNS if col.name in _TWCS_FILLS]
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ROWS_TABLE} ({', '.join(f'{col.name} {col.type}' for col in filled)})"
        )
        others = ", ".join(
            col.name if col.name in _TWCS_FILLS else f"NULL::{col.type} AS {col.name}" for col in ROW_COLUMNS
        )
        return f"(SELECT {plain} FROM {self._numbered} WHERE _plain UNION ALL SELECT {others} FROM {ROWS_TABLE})"

    def other_records(self, width: int, batch: int) -> Iterator[list[tuple[int, list[str]]]]:
        """The records ``stage_twcs`` did not find plainly TWCS, for the format's Python code: (line, fields),
        in batches. (Kept in a table of their own, read a batch at a time: the connection writes between.)"""
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_OTHERS} AS SELECT {self._line} AS line, "
            f"{', '.join(_field(i) for i in range(width))} FROM {self._numbered} WHERE NOT _plain ORDER BY line"
        )
        start = 0
        while chunk := self.con.execute(
            f"SELECT * FROM {_OTHERS} WHERE rowid >= ? AND rowid < ? ORDER BY rowid", [start, start + batch]
        ).fetchall():
            yield [(int(row[0]), list(row[1:])) for row in chunk]
            start += batch

    def append_rows(self, rows: Sequence[PostRow]) -> None:
        """Posts the format's Python code made of other records, added to ``make_rows()``'s."""
        filled = [i for i, col in enumerate(ROW_COLUMNS) if col.name in _TWCS_FILLS]
        if any(value is not None for row in rows for i, value in enumerate(row) if i not in filled):
            raise StoreError("a TWCS row fills a column the fast path does not keep")  # the parser changed
        schema = arrow_schema(ROW_COLUMNS)
        columns = list(zip(*rows, strict=True))
        batch = pa.Table.from_arrays(
            [pa.array(columns[i], type=schema.field(i).type) for i in filled],
            names=[ROW_COLUMNS[i].name for i in filled],
        )
        self.con.register("_bulk_batch", batch)
        try:
            self.con.execute(f"INSERT INTO {ROWS_TABLE} BY NAME SELECT * FROM _bulk_batch")
        finally:
            self.con.unregister("_bulk_batch")

    def threads(self) -> int:
        """The threads DuckDB runs a query on."""
        return int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])

    def _replace_function(
        self, name: str, function: Callable[..., Any], params: list[str], result: str, **how: Any
    ) -> None:
        try:
            self.con.remove_function(name)
        except duckdb.Error:  # not registered on this connection yet
            pass
        self.con.create_function(name, function, params, result, **how)  # type: ignore[arg-type]

    def drop(self) -> None:
        """Drop the work tables (each may or may not be there)."""
        for table in (CSV_TABLE, _OTHERS, ROWS_TABLE, *(name for pair in self._rejects for name in pair)):
            self.con.execute(f"DROP TABLE IF EXISTS temp.{table}")
