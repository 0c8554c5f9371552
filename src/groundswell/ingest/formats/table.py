"""Any CSV or Parquet file, with a mapping from post fields to its columns.

Columns named like the post fields (``post_id``, ``author_id``, ``created_at``,
``text``, ...) are used as they are; others are mapped with ``--map
field=column`` or the config's ``[csv]`` table. ``platform`` may be a column or
a constant (``--platform`` or ``csv.platform``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from groundswell.errors import SourceError
from groundswell.ingest.base import (
    ParseOptions,
    SourceFile,
    csv_header,
    csv_raw,
    detect_encoding,
    optional_int,
    parse_iso_timestamp,
    parse_twitter_timestamp,
    to_raw,
    undecodable,
    unexpected,
)
from groundswell.records import POST_FIELDS, PostRow, Rejected

MAPPABLE_FIELDS = tuple(f for f in POST_FIELDS if f != "line")
REQUIRED_FIELDS = ("post_id", "created_at", "text")
_COUNT_FIELDS = ("author_followers", "like_count", "share_count", "reply_count", "view_count")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "": None}
PARQUET_MAGIC = b"PAR1"


def parse_timestamp(value: Any, fmt: str | None = None) -> datetime:
    """A timestamp cell: a datetime, ISO 8601, Twitter style, epoch seconds, or ``fmt``."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    text = str(value).strip()
    if not text:
        raise ValueError("timestamp is empty")
    if fmt:
        parsed = datetime.strptime(text, fmt)
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    if text.lstrip("-").replace(".", "", 1).isascii() and text.lstrip("-").replace(".", "", 1).isdigit():
        try:
            return datetime.fromtimestamp(float(text), UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"epoch seconds {text[:40]!r} are outside years 1 to 9999") from None
    try:
        return parse_iso_timestamp(text)
    except ValueError:
        pass
    try:
        return parse_twitter_timestamp(text)
    except ValueError:
        raise ValueError(f"not a timestamp (ISO 8601, epoch seconds or Twitter style): {text!r}") from None


class TableParser:
    name = "csv"
    description = "any CSV or Parquet file, columns mapped to post fields"

    def sniff(self, head: bytes, path: Path) -> bool:
        if head.startswith(PARQUET_MAGIC):
            return True
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
            return False  # JSON that no platform format claimed is not a table
        first = head.split(b"\n", 1)[0]
        return b"," in first or b"\t" in first or b";" in first

    def csv_records(self, source: SourceFile) -> bool:
        """A CSV file (not Parquet) is read one record at a time after its header: it can be read in parts."""
        return source.head(4) != PARQUET_MAGIC

    def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        if source.head(4) == PARQUET_MAGIC:
            yield from self._parse_parquet(source, options)
        else:
            yield from self._parse_csv(source, options)

    # -- column resolution ---------------------------------------------------------

    def _resolve(self, columns: list[str], options: ParseOptions, source: SourceFile) -> dict[str, int]:
        mapping: dict[str, str] = {**options.config.csv.columns, **options.column_map}
        unknown = sorted(set(mapping) - set(MAPPABLE_FIELDS))
        if unknown:
            raise SourceError(
                f"cannot map unknown post field(s) {', '.join(unknown)}; fields are: {', '.join(MAPPABLE_FIELDS)}",
                path=source.path,
                field=unknown[0],
            )
        lowered = {c.strip().lower(): i for i, c in enumerate(columns)}
        found: dict[str, int] = {}
        for name in MAPPABLE_FIELDS:
            column = mapping.get(name, name)
            if column.strip().lower() in lowered:
                found[name] = lowered[column.strip().lower()]
            elif name in mapping:
                raise SourceError(
                    f"column {column!r} (mapped to {name}) is not in the file; columns: {', '.join(columns)[:300]}",
                    path=source.path,
                    line=1,
                    field=name,
                )
        missing = [f for f in REQUIRED_FIELDS if f not in found]
        if "author_id" not in found and "author_handle" not in found:
            missing.append("author_id")
        if "platform" not in found and not self._platform(options):
            missing.append("platform")
        if missing:
            raise SourceError(
                f"required post field(s) {', '.join(missing)} not found among the columns "
                f"({', '.join(columns)[:300]}); map them with --map FIELD=COLUMN"
                + (" or give --platform" if "platform" in missing else ""),
                path=source.path,
                line=1,
                field=missing[0],
            )
        return found

    @staticmethod
    def _platform(options: ParseOptions) -> str | None:
        return options.platform or options.config.csv.platform

    def _checked_row(
        self, line: int, values: list[Any], index: Mapping[str, int], options: ParseOptions, raw: str
    ) -> PostRow | Rejected:
        try:
            return self._row(line, values, index, options, raw)
        except Exception as exc:  # noqa: BLE001 - any failure of one record is that record's reject
            return unexpected(line, exc, raw)

    def _row(
        self, line: int, values: list[Any], index: Mapping[str, int], options: ParseOptions, raw: str
    ) -> PostRow | Rejected:
        def get(name: str) -> Any:
            i = index.get(name)
            value = values[i] if i is not None else None
            if isinstance(value, str):
                value = value.strip()
            return None if value == "" else value

        for name, i in index.items():
            value = values[i]
            if isinstance(value, str):
                problem = undecodable(value)
                if problem:
                    return Rejected(line, name, problem, raw)
        platform = get("platform") or self._platform(options)
        post_id = get("post_id")
        if post_id is None:
            return Rejected(line, "post_id", "post_id is empty", raw)
        author_id = get("author_id") or get("author_handle")
        if author_id is None:
            return Rejected(line, "author_id", "author_id and author_handle are both empty", raw)
        text = values[index["text"]]
        if text is None or not str(text).strip():
            return Rejected(line, "text", "text is empty", raw)
        created = get("created_at")
        if created is None:
            return Rejected(line, "created_at", "created_at is empty", raw)
        try:
            created_at = parse_timestamp(created, options.timestamp_format or options.config.csv.timestamp_format)
        except (ValueError, OverflowError) as exc:
            return Rejected(line, "created_at", str(exc), raw)
        counts: dict[str, int | None] = {}
        for name in _COUNT_FIELDS:
            try:
                counts[name] = optional_int(get(name))
            except ValueError as exc:
                return Rejected(line, name, str(exc), raw)
        is_brand = get("is_brand")
        if is_brand is not None and not isinstance(is_brand, bool):
            if str(is_brand).lower() not in _BOOLEANS:
                return Rejected(line, "is_brand", f"is_brand must be true or false, not {is_brand!r}", raw)
            is_brand = _BOOLEANS[str(is_brand).lower()]

        def text_or_none(name: str) -> str | None:
            value = get(name)
            return None if value is None else str(value)

        return PostRow(
            line,
            str(platform).strip().lower(),
            str(post_id),
            str(author_id),
            text_or_none("author_handle"),
            counts["author_followers"],
            is_brand,
            created_at,
            str(text),
            text_or_none("lang"),
            text_or_none("in_reply_to_post_id"),
            text_or_none("conversation_id"),
            text_or_none("url"),
            counts["like_count"],
            counts["share_count"],
            counts["reply_count"],
            counts["view_count"],
            text_or_none("location"),
        )

    # -- CSV -------------------------------------------------------------------------

    def _parse_csv(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        encoding = source.encoding or detect_encoding(source.head(4))
        header_line = source.head().decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
        # Only the delimiter is guessed (from the header); quoting stays standard CSV.
        delimiter = max((",", ";", "\t"), key=header_line.count)
        with source.open_text() as handle:
            table = csv_header(handle, source.path, delimiter)
            if table is None:
                return
            header, records = table
            index = self._resolve(header, options, source)
            for record in records:
                if isinstance(record, Rejected):
                    yield record
                else:
                    line, fields = record
                    yield self._checked_row(line, list(fields), index, options, csv_raw(fields))

    # -- Parquet ---------------------------------------------------------------------

    def _parse_parquet(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
        import json

        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(source.path)
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise SourceError(f"not a readable Parquet file: {exc}", path=source.path) from exc
        columns = parquet.schema_arrow.names
        index = self._resolve(columns, options, source)
        record = 0
        for batch in parquet.iter_batches(batch_size=65536):
            for row in _rows(batch, columns):
                record += 1
                if isinstance(row, tuple):  # a value Python cannot hold (a timestamp beyond year 9999)
                    yield Rejected(record, row[0], row[1], "")
                    continue
                values = [row[c] for c in columns]
                raw = to_raw(json.dumps(row, default=str, ensure_ascii=False))
                yield self._checked_row(record, values, index, options, raw)


def _rows(batch: Any, columns: list[str]) -> Iterator[dict[str, Any] | tuple[str, str]]:
    """A Parquet batch's rows as dicts; for a row with a value Python cannot hold, (column, reason)."""
    try:
        rows: list[dict[str, Any]] = batch.to_pylist()
    except (ValueError, OverflowError, ArithmeticError):
        pass  # one bad value fails the whole batch's conversion: go row by row to find it
    else:
        yield from rows
        return
    for i in range(batch.num_rows):
        row: dict[str, Any] = {}
        for name, column in zip(columns, batch.columns, strict=True):
            try:
                row[name] = column[i].as_py()
            except (ValueError, OverflowError, ArithmeticError) as exc:
                yield name, f"{name} cannot be read: {exc}"
                break
        else:
            yield row
