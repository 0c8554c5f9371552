"""Import files into a workspace: parse, validate, dedupe, write, quarantine.

Per file: ``read == imported + duplicates + rejected``. A bad row becomes a
rejected row (file, line, field, reason, raw) and the import goes on, unless
``strict``, where the file's import is rolled back and ``StrictImportError``
raised. A file that cannot be read as its format is recorded (a reject at line
0 or 1 naming the problem) and the remaining files are still imported.

Every row a parser yields is checked by ``storable`` before it is written, so a
value one store would refuse or alter (NUL, a lone surrogate, a count beyond 64
bits) is rejected the same way on both; rejects are written with such
characters escaped (``to_raw``).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast

from groundswell.config import WorkspaceConfig
from groundswell.errors import SourceError, StrictImportError
from groundswell.ingest.base import ParseOptions, Parser, SourceFile, storable, storable_reject, to_raw
from groundswell.ingest.bulk import can_import_in_bulk, import_in_bulk
from groundswell.ingest.registry import detect_format, get_format, looks_like
from groundswell.records import FileReport, ImportReport, PostRow, Rejected
from groundswell.store.base import Store

DEFAULT_BATCH_SIZE = 100_000
# An import only appends and probes keys; a small buffer pool keeps its memory
# flat however large the file or the workspace (measured: 10M rows within 1.1x of 1M).
IMPORT_MEMORY_LIMIT = "256MB"
_PROGRESS_EVERY = 4096

# (path, bytes read so far, bytes in the file, records read so far)
ProgressCallback = Callable[[str, int, int, int], None]

log = logging.getLogger(__name__)


class RecordReader(Protocol):
    """Where the records of an import's files are parsed when not here, one after the other (on Spark's
    executors: ``groundswell.ingest.on_spark``). Deduplication, rejects and writes stay the pipeline's."""

    def prepare(self, paths: list[Path], options: ImportOptions, parse_options: ParseOptions) -> None:
        """Given every file of the import before the first is read (to parse them all at once)."""
        ...

    def records(self, parser: Parser, source: SourceFile, parse_options: ParseOptions) -> Iterator[PostRow | Rejected]:
        """The items ``parser.parse(source, parse_options)`` gives, in the same order, with the same lines;
        raises what it raises (``SourceError``, ``UnicodeError``) at the same point."""
        ...


@dataclass(frozen=True)
class ImportOptions:
    format: str | None = None
    strict: bool = False
    encoding: str | None = None
    column_map: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None
    timestamp_format: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE


def import_files(
    store: Store,
    config: WorkspaceConfig,
    paths: Iterable[Path | str],
    options: ImportOptions = ImportOptions(),
    *,
    progress: ProgressCallback | None = None,
    reader: RecordReader | None = None,
) -> ImportReport:
    """Import every file in ``paths``; see the module docstring for the guarantees. ``reader``: where the
    records are parsed, when not here (the fast path of a TWCS file is then not taken)."""
    report = ImportReport()
    files = [Path(path) for path in paths]
    brand_keys = sorted(
        f"{platform}\x1f{handle}" for platform, handles in config.brand_handles().items() for handle in handles
    )
    parse_options = ParseOptions(
        config=config,
        column_map=dict(options.column_map),
        platform=options.platform,
        timestamp_format=options.timestamp_format,
    )
    if reader is not None:
        reader.prepare(files, options, parse_options)
    with _gc_paused(), store.memory_limit(IMPORT_MEMORY_LIMIT):
        for path in files:
            report.files.append(_import_one(store, path, options, parse_options, brand_keys, progress, reader))
    return report


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows are built.

    A batch is a hundred thousand small acyclic objects; the collector would walk
    them over and over (a quarter of the import time) and free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_one(
    store: Store,
    path: Path,
    options: ImportOptions,
    parse_options: ParseOptions,
    brand_keys: list[str],
    progress: ProgressCallback | None,
    reader: RecordReader | None,
) -> FileReport:
    shown = to_raw(str(path))  # a file name's undecodable bytes as \xNN: the ledger stores text
    source = SourceFile(path, encoding=options.encoding)
    file_report = FileReport(path=shown, format=options.format or "?")
    if not path.exists():
        raise SourceError("no such file", path=path)
    if not path.is_file():
        raise SourceError("not a regular file", path=path)
    size = source.size
    import_id = store.start_import(source=shown, format=file_report.format, size_bytes=size)
    if size == 0:
        file_report.warnings.append("the file is empty: nothing to import")
        store.finish_import(
            import_id, status="done", read=0, imported=0, duplicates=0, rejected=0, sha256=_sha256(path)
        )
        return file_report
    try:
        parser: Parser = get_format(options.format) if options.format else detect_format(source)
        file_report.format = parser.name
        if reader is None and can_import_in_bulk(store, parser.name, options.encoding, options.strict, size):
            scanned = None if progress is None else functools.partial(_scanned, progress, shown)
            sha256 = import_in_bulk(
                store, source, import_id, brand_keys, file_report, scanned, batch_size=options.batch_size
            )
            if sha256 is not None:
                if progress is not None:
                    progress(shown, size, size, file_report.read)
                _done(store, import_id, file_report, sha256)
                return file_report
        if reader is not None:
            records = reader.records(parser, source, parse_options)
        else:
            records = parser.parse(source, parse_options)
        if options.strict:
            with store.transaction():
                _run(store, records, source, options, import_id, brand_keys, file_report, progress)
        else:
            _run(store, records, source, options, import_id, brand_keys, file_report, progress)
    except StrictImportError as exc:
        # the file's transaction was rolled back: nothing from it was kept
        file_report.imported = file_report.duplicates = 0
        file_report.rejected = 1
        _fail(store, import_id, file_report, exc, path)
        raise
    except SourceError as exc:
        _fail(store, import_id, file_report, _with_likely_format(exc, source, options.format), path)
        return file_report
    except UnicodeError as exc:  # a whole-file decode failure, e.g. a wrong --encoding
        _fail(store, import_id, file_report, SourceError(f"cannot decode the file: {exc}", path=path), path)
        return file_report
    except BaseException as exc:
        # anything else (a bug, Ctrl-C, a lost database): the ledger says the import stopped, then it goes on up;
        # what was written before is kept, and importing the file again completes it
        _stopped(store, import_id, file_report, exc)
        raise
    _done(store, import_id, file_report, _sha256(path))
    return file_report


def _done(store: Store, import_id: int, file_report: FileReport, sha256: str) -> None:
    store.finish_import(
        import_id,
        status="done",
        read=file_report.read,
        imported=file_report.imported,
        duplicates=file_report.duplicates,
        rejected=file_report.rejected,
        sha256=sha256,
    )


def _scanned(progress: ProgressCallback, shown: str, done: int, size: int) -> None:
    """The fast path's pass over the bytes, said as the record-by-record path says its reading."""
    progress(shown, done, size, 0)


def _with_likely_format(exc: SourceError, source: SourceFile, named: str | None) -> SourceError:
    """``exc``, naming the format the file looks like when the one the user named could not read it."""
    likely = looks_like(source, other_than=named) if named else None
    if likely is None:
        return exc
    return SourceError(
        f"{exc.reason}; the file looks like {likely.name} ({likely.description}): try --format {likely.name},"
        " or leave --format out to detect it",
        path=exc.path,
        line=exc.line,
        field=exc.field,
    )


def _fail(store: Store, import_id: int, file_report: FileReport, exc: SourceError, path: Path) -> None:
    file_report.error = to_raw(exc.reason)
    store.add_rejects(
        import_id,
        file_report.path,
        [storable_reject(Rejected(exc.line if exc.line is not None else 0, exc.field or "(file)", exc.reason, ""))],
    )
    store.finish_import(
        import_id,
        status="failed",
        read=file_report.read,
        imported=file_report.imported,
        duplicates=file_report.duplicates,
        rejected=file_report.rejected,
        sha256=_sha256(path),
        error=file_report.error,
    )


def _stopped(store: Store, import_id: int, file_report: FileReport, exc: BaseException) -> None:
    """Record an import that an unexpected exception stopped, if the store can still be written."""
    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    try:
        store.finish_import(
            import_id, status=status, read=file_report.read, imported=file_report.imported,
            duplicates=file_report.duplicates, rejected=file_report.rejected, sha256=None,
            error=to_raw(f"{type(exc).__name__}: {exc}"[:500]),
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - the store itself may be what failed; the original error is what matters
        log.warning("import %s could not be marked %s", import_id, status)


def _run(
    store: Store,
    records: Iterable[PostRow | Rejected],
    source: SourceFile,
    options: ImportOptions,
    import_id: int,
    brand_keys: list[str],
    file_report: FileReport,
    progress: ProgressCallback | None,
) -> None:
    shown = file_report.path
    size = source.size
    rows: list[PostRow] = []
    rejects: list[Rejected] = []

    def flush() -> None:
        if not rows and not rejects:
            return
        if options.strict:
            result = store.write_posts(rows, import_id=import_id, source=shown, brand_keys=brand_keys)
            if result.conflicts:
                first = result.conflicts[0]
                raise StrictImportError(first.reason, path=shown, line=first.line, field=first.field)
        else:
            with store.transaction():
                result = store.write_posts(rows, import_id=import_id, source=shown, brand_keys=brand_keys)
                store.add_rejects(import_id, shown, [*rejects, *map(storable_reject, result.conflicts)])
        file_report.imported += result.imported
        file_report.duplicates += result.duplicates
        file_report.rejected += len(rejects) + len(result.conflicts)
        rows.clear()
        rejects.clear()

    read = 0
    try:
        for item in records:
            read += 1
            file_report.read = read
            refused = storable(item) if type(item) is PostRow else item
            if refused is None:
                rows.append(cast(PostRow, item))  # a PostRow: storable() gave None
                if len(rows) >= options.batch_size:
                    flush()
            else:
                assert isinstance(refused, Rejected)  # noqa: S101 - an invariant (a parser yields rows or rejects), not an input check
                if options.strict:
                    raise StrictImportError(refused.reason, path=shown, line=refused.line, field=refused.field)  # noqa: TRY301 - re-raised as is below
                rejects.append(storable_reject(refused))
            if progress is not None and read % _PROGRESS_EVERY == 0:
                progress(shown, source.bytes_read, size, read)
    except StrictImportError:
        raise
    except SourceError:
        # the file broke off part-way: the records read before the break are kept
        file_report.read = read
        flush()
        raise
    flush()
    if progress is not None:
        progress(shown, size, size, read)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
