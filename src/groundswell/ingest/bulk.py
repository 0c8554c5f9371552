"""The fast path of a TWCS import: the engine reads, checks and stores the file; Python reads what is odd.

A record at a time, Python parses and checks about 50,000 TWCS records a second; DuckDB's CSV reader does
the same work on every core, several times faster (``benchmarks/import_bench.py``). The fast path gives
exactly what the record-by-record path gives (the same posts, lines, duplicates and rejects with the
same reasons: ``tests/ingest/test_bulk.py`` compares the two), so it is taken only where that can be
shown, and the file is otherwise imported record by record, nothing written by the fast path:

1. One pass over the bytes (also the ledger's SHA-256), run while DuckDB reads, finds what the engine
   reads otherwise than Python: NUL, a carriage return that does not end a line; and the header line must
   be one whole record of UTF-8. Any of them: record by record.
2. DuckDB reads the records. Any record it cannot read (another number of fields, a stray quote, bytes
   that are not UTF-8): record by record, so that each bad record is named as the user expects.
3. Each record's line is counted from the line breaks inside the records before it; unless the lines so
   counted are the file's (a blank line, for one, is not a record), or a field is longer than Python's
   CSV reader takes: record by record.
4. The TWCS rules that plainly hold (digit ids, a ``+0000`` timestamp, a text that is not blank...) are
   checked in the engine; a record they do not plainly accept goes through the format's own Python code,
   which makes it a post or names why not.
5. New posts, duplicates and conflicting repeats are told apart and written as for every import, with the
   rejects, in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from groundswell.errors import SourceError
from groundswell.ingest.base import (
    UTF8_NAMES,
    SourceFile,
    decode_entities,
    detect_encoding,
    storable,
    storable_reject,
)
from groundswell.ingest.formats.twcs import TwcsLayout
from groundswell.ingest.parts import copy_part, csv_cuts
from groundswell.records import FileReport, PostRow, Rejected
from groundswell.store.base import Store
from groundswell.store.csv_bulk import CsvBulk

if TYPE_CHECKING:
    from groundswell.store.duckdb import DuckDBStore

BULK_MIN_BYTES = 1 << 20  # below a megabyte the record-by-record path is as quick
PART_MIN_BYTES = 64 << 20  # a file of twice this or more is read in parts (``_parts``)
MAX_PARTS = 4  # each part's reader holds its own buffers in the import's buffer pool
_CHUNK = 1 << 20
_LF = ord("\n")

# (bytes read so far, bytes in the file)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Prescan:
    """What one pass over a file's bytes found."""

    sha256: str
    lines: int  # as Python's CSV reader counts them
    plain: bool  # no NUL, every carriage return before a line feed


def prescan(path: Path, progress: Progress | None = None) -> Prescan:
    """Hash ``path`` and count its lines; say whether it holds anything the engine reads otherwise than
    Python: NUL, or a carriage return that does not end a line. (Bytes that are not UTF-8 DuckDB refuses
    itself, as Python does: each such record is one of its rejects.)"""
    digest = hashlib.sha256()
    newlines = returns = pairs = 0
    plain, previous, last, done = True, b"", b"", 0
    size = path.stat().st_size
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            if plain:
                plain = b"\x00" not in chunk
                newlines += int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == _LF))  # 2x bytes.count
                if b"\r" in chunk:  # counted only where there is one: most files have none
                    returns += chunk.count(b"\r")
                    pairs += chunk.count(b"\r\n")
                pairs += previous == b"\r" and chunk[:1] == b"\n"
                previous = chunk[-1:]
            last = chunk[-1:]
            done += len(chunk)
            if progress is not None:
                progress(done, size)
    lines = newlines + (last not in (b"\n", b""))
    return Prescan(digest.hexdigest(), lines, plain and returns == pairs)


def can_import_in_bulk(store: Store, format_name: str, encoding: str | None, strict: bool, size: int) -> bool:
    """Whether the fast path may be tried: a TWCS file of a megabyte or more, read as UTF-8, into a DuckDB
    workspace, not ``--strict`` (which stops at the first bad record, record by record)."""
    from groundswell.store.duckdb import DuckDBStore

    return (
        format_name == "twcs"
        and isinstance(store, DuckDBStore)
        and not strict
        and (encoding is None or encoding.lower() in UTF8_NAMES)
        and size >= BULK_MIN_BYTES
    )


def import_in_bulk(
    store: Store,
    source: SourceFile,
    import_id: int,
    brand_keys: list[str],
    file_report: FileReport,
    progress: Progress | None = None,
    *,
    batch_size: int = 100_000,
) -> str | None:
    """Import a TWCS file the fast way: its SHA-256 when done (``file_report`` counted), None where the
    file must be read record by record (nothing was written)."""
    from groundswell.store.duckdb import DuckDBStore

    assert isinstance(store, DuckDBStore)  # noqa: S101 - can_import_in_bulk said so
    if detect_encoding(source.head(4)) not in UTF8_NAMES:
        return None
    layout = _layout(_first_line(source.path), source.path)
    if layout is None:
        return None
    width = len(layout.names)
    bulk = CsvBulk(store)
    try:
        # the pass over the bytes runs while the engine reads the records: hashing lets go of Python's lock,
        # and the engine runs outside it
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="groundswell-prescan") as pool:
            scanning = pool.submit(prescan, source.path, progress)
            try:
                with _parts(source, store, bulk.threads()) as parts:
                    staged = bulk.stage_twcs(source.path, width, layout.columns, decode_entities, parts)
            finally:
                scan = scanning.result()
        if (
            staged is None
            or not scan.plain
            or staged.unreadable
            or (staged.read and staged.lines != scan.lines)
            or staged.longest >= csv.field_size_limit()  # bytes, never fewer than the characters Python counts
        ):
            return None
        rows = bulk.make_rows()  # the posts, as SQL
        rejects = _read_other_records(bulk, layout, width, batch_size) if staged.others else []
        shown = file_report.path
        with store.transaction(), store.unordered_writes():  # each row carries its line
            result = store.write_staged_posts(rows, import_id=import_id, source=shown, brand_keys=brand_keys)
            conflicts = [storable_reject(r) for r in result.conflicts]
            store.add_rejects(import_id, shown, [*rejects, *conflicts])
        file_report.read = staged.read
        file_report.imported = result.imported
        file_report.duplicates = result.duplicates
        file_report.rejected = len(rejects) + len(conflicts)
        return scan.sha256
    finally:
        bulk.drop()


@contextmanager
def _parts(source: SourceFile, store: DuckDBStore, threads: int) -> Iterator[list[Path]]:
    """The file's records cut into parts, one per engine thread (at most ``MAX_PARTS``), as files in a folder
    beside the workspace, removed after: the engine numbers a file's records on one thread, so it reads the
    parts side by side. [] where the file is read whole (smaller than two ``PART_MIN_BYTES``, one thread, or no
    room for the copies: they take as much disk as the file)."""
    count = min(MAX_PARTS, threads, source.size // PART_MIN_BYTES)
    if count < 2:
        yield []
        return
    try:
        folder = tempfile.TemporaryDirectory(prefix=".import-parts-", dir=store.path.parent)
    except OSError:
        yield []  # the workspace's folder takes no new folder: the whole file is read
        return
    with folder:
        parts: list[Path] = []
        try:
            for i, (start, end) in enumerate(itertools.pairwise(csv_cuts(source.path, count))):
                parts.append(Path(folder.name) / f"part-{i}.csv")
                copy_part(source.path, start, end, parts[-1])
        except OSError:
            parts = []  # no room for the parts: the whole file is read
        yield parts if len(parts) > 1 else []


def _read_other_records(bulk: CsvBulk, layout: TwcsLayout, width: int, batch_size: int) -> list[Rejected]:
    """The records the engine did not find plainly TWCS, read by the format's own code: the posts it makes of
    them added to the staged rows, the rejects returned."""
    rejects: list[Rejected] = []
    for records in bulk.other_records(width, batch_size):
        rows: list[PostRow] = []
        for line, fields in records:
            item = layout.row(line, fields)
            refused = storable(item) if isinstance(item, PostRow) else item
            if refused is None:
                rows.append(item)  # type: ignore[arg-type]  # a PostRow: storable() gave None
            else:
                rejects.append(storable_reject(refused))
        if rows:
            bulk.append_rows(rows)
    return rejects


def _first_line(path: Path) -> bytes | None:
    """The file's first line without its line break; None when it is not one line of UTF-8 under 1 MiB."""
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
    if b"\n" not in head:
        return None
    return head.split(b"\n", 1)[0].removesuffix(b"\r")


def _layout(header_line: bytes | None, path: Path) -> TwcsLayout | None:
    """The TWCS layout of the file's header line, when it is one whole CSV record of a TWCS header."""
    if header_line is None or header_line.count(b'"') % 2 or b"\r" in header_line:
        return None
    try:
        text = header_line.decode("utf-8").removeprefix("\ufeff")
        header = next(csv.reader(io.StringIO(text)))
        return TwcsLayout.of(header, path)
    except (UnicodeDecodeError, csv.Error, StopIteration, SourceError):
        return None  # the record-by-record path says what is wrong with it
