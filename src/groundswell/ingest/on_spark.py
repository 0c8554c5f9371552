"""Import on Spark: the files' records parsed on the executors, in parallel over files and within large ones.

``SparkRecordReader`` is the pipeline's ``RecordReader`` for ``[engine] kind = "spark"``. Before the first file
is read, it cuts each file larger than ``[engine] import_part_mb`` into parts (``ingest.parts``: a JSON Lines
file at line feeds, a CSV file after whole records, each later part read after the header line; any other
file is one part) and runs one Spark job with a task per part.
Each task parses its part
with the format's own parser, exactly as a local import does, and writes what it gives, posts and rejects in
file order, as a Parquet file in a staging folder under the warehouse (which every executor must be able
to write). The pipeline then reads each file's items back, part after part, the lines of each part shifted
by the lines of the parts before it, and deduplicates, rejects and writes them as for every import: the same
posts, duplicates and rejects (file, line, field, reason, raw) as a local import. The staging folder is
removed at the end.

A value no store can hold (NUL, an undecodable byte, a count beyond 64 bits) is turned into its reject on
the executor already (``storable``), since Arrow cannot carry it either; the pipeline would reject it the
same way. A problem with a whole file (``SourceError``, an undecodable file) travels as the part's last
item and is raised where the local parser raises it, after the records before it.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from groundswell.columns import ROW_COLUMNS, arrow_schema
from groundswell.errors import SourceError, StoreError
from groundswell.ingest.base import ParseOptions, Parser, SourceFile, storable, storable_reject, to_raw
from groundswell.ingest.parts import header_bytes, lines_in, parts_of
from groundswell.ingest.registry import detect_format, get_format
from groundswell.records import POST_FIELDS, PostRow, Rejected

if TYPE_CHECKING:
    from groundswell.ingest.pipeline import ImportOptions

log = logging.getLogger(__name__)

_BATCH = 20_000
_POST, _REJECT, _SOURCE_ERROR, _DECODE_ERROR = 0, 1, 2, 3
ITEM_SCHEMA = pa.schema(
    [
        ("kind", pa.int8()),
        # a post's fields as a post row's (columns.ROW_COLUMNS), each left empty in a reject's or an error's row
        *(field.with_nullable(True) for field in arrow_schema(ROW_COLUMNS)),
        ("field", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class PartTask:
    """One part of one file, for one executor task."""

    path: str
    part: int
    span: tuple[int, int] | None  # None: the whole file
    header: int  # a CSV part after the first: the bytes of the header line read before it, else 0
    format: str
    encoding: str | None
    options: ParseOptions
    out: str


@dataclass(frozen=True, slots=True)
class PartDone:
    """A part parsed: where its items are, the lines it holds (0 when it is the whole file), and whether it was
    read after the file's header line (then its own lines are numbered from that line's 1)."""

    path: str
    part: int
    out: str
    lines: int
    after_header: bool = False


class SparkRecordReader:
    """The records of an import's files, parsed by one Spark job (see the module doc)."""

    def __init__(self, session: Any, staging: Path, *, part_bytes: int | None = None):
        self._session = session
        self._staging = staging
        self._part_bytes = part_bytes
        self._folder: Path | None = None
        self._parts: dict[str, list[PartDone]] = {}

    def prepare(self, paths: list[Path], options: ImportOptions, parse_options: ParseOptions) -> None:
        tasks = self._tasks(paths, options.format, options.encoding, parse_options)
        if not tasks:
            return
        log.info("import on Spark: %d files in %d parts", len({t.path for t in tasks}), len(tasks))
        try:
            done = self._session.sparkContext.parallelize(tasks, len(tasks)).map(parse_part).collect()
        except Exception as exc:  # Py4J's and PySpark's errors, whatever failed on an executor
            reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
            raise StoreError(f"the Spark job parsing the files failed: {reason[:500]}") from exc
        for part in sorted(done, key=lambda d: (d.path, d.part)):
            self._parts.setdefault(part.path, []).append(part)

    def _tasks(
        self, paths: list[Path], named: str | None, encoding: str | None, parse_options: ParseOptions
    ) -> list[PartTask]:
        tasks: list[PartTask] = []
        for index, path in enumerate(dict.fromkeys(paths)):  # a file named twice is parsed once
            source = SourceFile(path, encoding=encoding)
            try:
                if not path.is_file() or source.size == 0:
                    continue
                parser = get_format(named) if named else detect_format(source)
                cuts = parts_of(parser, source, self._part_bytes)
            except (SourceError, OSError, UnicodeError):
                continue  # the pipeline meets the same problem when it comes to the file, and records it
            folder = self._staging_folder()
            spans: list[tuple[int, int] | None] = list(cuts) if cuts is not None else [None]
            csv_header = header_bytes(path) if cuts is not None and getattr(parser, "csv_records", None) else 0
            for number, span in enumerate(spans):
                out = str(folder / f"{index}-{number}.parquet")
                header = csv_header if number else 0
                tasks.append(PartTask(str(path), number, span, header, parser.name, encoding, parse_options, out))
        return tasks

    def _staging_folder(self) -> Path:
        if self._folder is None:
            folder = self._staging / f".import-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            try:
                folder.mkdir(parents=True)
            except OSError as exc:
                raise StoreError(f"cannot write the import's staging folder in {self._staging}: {exc}") from exc
            self._folder = folder
        return self._folder

    def records(self, parser: Parser, source: SourceFile, parse_options: ParseOptions) -> Iterator[PostRow | Rejected]:
        parts = self._parts.get(str(source.path))
        if parts is None:  # not parsed by the job (it could not be read then): here, as locally
            yield from parser.parse(source, parse_options)
            return
        offset = 0
        for part in parts:
            # a part read after the header line numbered that line 1: its records' lines are one too many
            yield from _read_part(Path(part.out), source.path, offset - part.after_header)
            offset += part.lines

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


# -- on the executors -----------------------------------------------------------------------------


def parse_part(task: PartTask) -> PartDone:
    """Parse one part with its format's parser; its items written to ``task.out`` (runs on an executor)."""
    parser = get_format(task.format)
    source = SourceFile(Path(task.path), encoding=task.encoding, part=task.span, header=task.header)
    with _ItemWriter(task.out) as writer:
        try:
            for item in parser.parse(source, task.options):
                writer.add(item)
        except SourceError as exc:
            writer.add_error(_SOURCE_ERROR, exc.reason, exc.line, exc.field)
        except UnicodeError as exc:
            writer.add_error(_DECODE_ERROR, str(exc), None, None)
    lines = lines_in(source.path, *task.span) if task.span is not None else 0
    return PartDone(task.path, task.part, task.out, lines, after_header=task.header > 0)


class _ItemWriter:
    def __init__(self, out: str):
        self._writer = pq.ParquetWriter(out, ITEM_SCHEMA)
        self._columns: dict[str, list[Any]] = {name: [] for name in ITEM_SCHEMA.names}

    def add(self, item: PostRow | Rejected) -> None:
        if isinstance(item, PostRow):
            refused = storable(item)
            if refused is None:
                self._row(_POST, item._asdict())
                return
        else:
            refused = item
        reject = storable_reject(refused)
        self._row(_REJECT, {"line": reject.line, "field": reject.field, "reason": reject.reason, "raw": reject.raw})

    def add_error(self, kind: int, reason: str, line: int | None, field: str | None) -> None:
        self._row(kind, {"line": line, "field": to_raw(field) if field else None, "reason": to_raw(reason)})

    def _row(self, kind: int, values: dict[str, Any]) -> None:
        self._columns["kind"].append(kind)
        for name, column in self._columns.items():
            if name != "kind":
                column.append(values.get(name))
        if len(self._columns["kind"]) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._columns["kind"]:
            self._writer.write_table(pa.table(self._columns, schema=ITEM_SCHEMA))
            for column in self._columns.values():
                column.clear()

    def __enter__(self) -> _ItemWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._flush()
        self._writer.close()


# -- back on the driver ---------------------------------------------------------------------------


def _read_part(out: Path, path: Path, offset: int) -> Iterator[PostRow | Rejected]:
    for batch in pq.ParquetFile(out).iter_batches(batch_size=_BATCH):
        for row in batch.to_pylist():
            kind = row["kind"]
            line = row["line"] + offset if row["line"] is not None else None
            if kind == _POST:
                row["line"] = line
                yield PostRow._make(row[name] for name in POST_FIELDS)
            elif kind == _REJECT:
                yield Rejected(line or 0, row["field"], row["reason"], row["raw"])
            elif kind == _SOURCE_ERROR:
                raise SourceError(row["reason"], path=path, line=line, field=row["field"])
            else:
                raise UnicodeError(row["reason"])
