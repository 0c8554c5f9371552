"""Import business outcomes (sales, visits, NPS, share price...) from CSV or Parquet, as posts are imported.

Columns (names case-insensitive): ``metric``, ``value``, ``period`` (``2026-03-02`` a day, ``2026-W10`` an ISO
week, ``2026-03`` a month), optionally ``granularity`` (day, week or month: ``2026-03-02`` with ``week`` is the
week starting that Monday), and at most one of ``location`` (a configured location's name or alias) and
``brand`` (a brand's name, for comparing brands).

The guarantees of the post importers: per file ``read == imported + duplicates + rejected``; a bad row is a
reject naming file, line, field and reason, and the rest goes on; importing the same file again adds nothing
(the same value for the same metric, period and store is a duplicate; another value is a reject naming where the
stored one came from); every value keeps its file, line and import (lineage).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from groundswell.config import OUTCOME_NAME, WorkspaceConfig
from groundswell.errors import SourceError
from groundswell.ingest.base import SourceFile, csv_header, csv_raw, to_raw, unstorable
from groundswell.records import FileReport, ImportReport, Rejected
from groundswell.store.base import Store
from groundswell.store.outcomes import OutcomeKey, OutcomeValue, insert_outcomes, stored_values

REQUIRED_COLUMNS = ("metric", "value", "period")
OPTIONAL_COLUMNS = ("granularity", "location", "brand")
GRANULARITIES = ("day", "week", "month")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

Parsed = OutcomeValue | Rejected


def import_outcome_files(store: Store, config: WorkspaceConfig, paths: Iterable[Path | str]) -> ImportReport:
    """Import every outcome file in ``paths``; see the module docstring for the guarantees."""
    return ImportReport(files=[_import_one(store, config, Path(path)) for path in paths])


def _import_one(store: Store, config: WorkspaceConfig, path: Path) -> FileReport:
    if not path.exists():
        raise SourceError("no such file", path=path)
    if not path.is_file():
        raise SourceError("not a regular file", path=path)
    shown = to_raw(str(path))
    fmt = "outcomes-parquet" if path.suffix.lower() == ".parquet" else "outcomes-csv"
    report = FileReport(path=shown, format=fmt)
    import_id = store.start_import(source=shown, format=fmt, size_bytes=path.stat().st_size)
    try:
        parsed = list(_parse(SourceFile(path), config, shown))
    except SourceError as exc:
        report.error = to_raw(exc.reason)
        store.add_rejects(import_id, shown, [Rejected(exc.line or 0, exc.field or "(file)", report.error, "")])
        store.finish_import(import_id, status="failed", read=0, imported=0, duplicates=0, rejected=0,
                            sha256=_sha256(path), error=report.error)  # fmt: skip
        return report
    values = [p for p in parsed if isinstance(p, OutcomeValue)]
    rejects = [p for p in parsed if isinstance(p, Rejected)]
    stored = stored_values(store, sorted({v.key.metric for v in values}))
    new: dict[OutcomeKey, OutcomeValue] = {}
    duplicates = 0
    for value in values:
        earlier = new.get(value.key) or stored.get(value.key)
        if earlier is None:
            new[value.key] = value
        elif earlier.value == value.value:
            duplicates += 1
        else:
            where = "this file" if earlier.source == shown else earlier.source
            rejects.append(Rejected(value.source_line, "value",
                                    f"{_describe(value.key)} already imported as {earlier.value:g} "
                                    f"(from {where} line {earlier.source_line})", str(value.value)))  # fmt: skip
    with store.transaction():
        insert_outcomes(store, list(new.values()), import_id=import_id)
        store.add_rejects(import_id, shown, sorted(rejects, key=lambda r: r.line))
    report.read, report.imported, report.duplicates, report.rejected = len(parsed), len(new), duplicates, len(rejects)
    store.finish_import(import_id, status="done", read=report.read, imported=report.imported,
                        duplicates=duplicates, rejected=report.rejected, sha256=_sha256(path))  # fmt: skip
    return report


def _describe(key: OutcomeKey) -> str:
    where = f" at {key.location}" if key.location else f" of {key.brand}" if key.brand else ""
    return f"{key.metric} for the {key.granularity} of {key.period_start.isoformat()}{where}"


def _parse(source: SourceFile, config: WorkspaceConfig, shown: str) -> Iterator[Parsed]:
    if source.path.suffix.lower() == ".parquet":
        yield from _parse_parquet(source, config, shown)
        return
    with source.open_text() as handle:
        found = csv_header(handle, source.path)
        if found is None:
            return
        header, records = found
        index = _columns([h.lstrip("\ufeff") for h in header], source.path)
        for record in records:
            if isinstance(record, Rejected):
                yield record
                continue
            line, fields = record
            row = {name: fields[i] for name, i in index.items()}
            yield _value(line, row, config, shown, csv_raw(fields))


def _parse_parquet(source: SourceFile, config: WorkspaceConfig, shown: str) -> Iterator[Parsed]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source.path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise SourceError(f"not a readable Parquet file: {exc}", path=source.path) from exc
    columns = parquet.schema_arrow.names
    index = _columns(columns, source.path)
    line = 0
    for batch in parquet.iter_batches(batch_size=65536):
        for record in batch.to_pylist():
            line += 1
            row = {name: record[columns[i]] for name, i in index.items()}
            yield _value(line, row, config, shown, to_raw(json.dumps(record, default=str, ensure_ascii=False)))


def _columns(columns: list[str], path: Path) -> dict[str, int]:
    lowered = {c.strip().lower(): i for i, c in enumerate(columns)}
    missing = [c for c in REQUIRED_COLUMNS if c not in lowered]
    if missing:
        raise SourceError(
            f"required outcome column(s) {', '.join(missing)} not found among the columns ({', '.join(columns)[:300]})",
            path=path, line=1, field=missing[0],
        )  # fmt: skip
    return {c: lowered[c] for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in lowered}


def _value(line: int, row: Mapping[str, Any], config: WorkspaceConfig, shown: str, raw: str) -> Parsed:
    text = {k: "" if v is None else v if isinstance(v, (date, datetime)) else str(v).strip() for k, v in row.items()}
    for name, value in text.items():
        problem = unstorable(value) if isinstance(value, str) else None
        if problem:
            return Rejected(line, name, f"{name} {problem}", raw)
    metric = str(text["metric"]).lower()
    if not OUTCOME_NAME.match(metric):
        return Rejected(line, "metric", f"{text['metric']!r} is not an outcome name (e.g. sales, visits, nps)", raw)
    configured = [spec.name for spec in config.outcomes]
    if configured and metric not in configured:
        return Rejected(line, "metric", f"{metric!r} is not one of the configured outcomes ({', '.join(configured)})",
                        raw)  # fmt: skip
    try:
        number = float(str(text["value"]).replace(",", "")) if text["value"] != "" else math.nan
    except ValueError:
        return Rejected(line, "value", f"value {str(text['value'])[:40]!r} is not a number", raw)
    if not math.isfinite(number):
        return Rejected(line, "value", "value is empty or not a finite number", raw)
    named = str(text.get("granularity", "")).lower()
    if named and named not in GRANULARITIES:
        return Rejected(line, "granularity", f"granularity {named!r} is not one of {', '.join(GRANULARITIES)}", raw)
    try:
        granularity, start = parse_outcome_period(text["period"], named)
    except ValueError as exc:
        return Rejected(line, "period", str(exc), raw)
    location, brand = str(text.get("location", "")), str(text.get("brand", ""))
    if location and brand:
        return Rejected(line, "brand", "a value is of one store (location) or of one brand, not both", raw)
    if location:
        matched = match_location(config, location)
        if matched is None:
            return Rejected(line, "location", f"{location[:60]!r} is not a configured location or alias", raw)
        location = matched
    return OutcomeValue(OutcomeKey(metric, granularity, start, location, brand), number, shown, line)


def parse_outcome_period(value: object, granularity: str = "") -> tuple[str, date]:
    """(granularity, first day) of an outcome's period: ``2026-03-02`` a day (or the week or month starting on
    it, given ``granularity``), ``2026-W10`` an ISO week, ``2026-03`` a month. ``ValueError`` says what is wrong."""
    if granularity and granularity not in GRANULARITIES:
        raise ValueError(f"granularity {granularity!r} is not one of {', '.join(GRANULARITIES)}")
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    if not text:
        raise ValueError("period is empty")
    week, month = _WEEK.match(text), _MONTH.match(text)
    try:
        if week:
            found = ("week", date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1))
        elif month:
            found = ("month", date(int(month.group(1)), int(month.group(2)), 1))
        else:
            found = ("day", date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text))
    except ValueError as exc:
        raise ValueError(f"period {text[:40]!r} is not a date (2026-03-02), ISO week (2026-W10) or month "
                         f"(2026-03): {exc}") from exc  # fmt: skip
    kind, start = found
    if not granularity or granularity == kind:
        return kind, start
    if kind != "day":
        raise ValueError(f"period {text!r} is a {kind}, but its granularity says {granularity}")
    if granularity == "week" and start.weekday() != 0:
        raise ValueError(f"granularity week: period {text!r} is a {start:%A}; a week starts on its Monday")
    if granularity == "month" and start.day != 1:
        raise ValueError(f"granularity month: period {text!r} is not the first day of its month")
    return granularity, start


def period_end(granularity: str, start: date) -> date:
    """The first day after the period."""
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def match_location(config: WorkspaceConfig, name: str) -> str | None:
    """The configured location whose name or one of whose aliases is ``name`` (case-insensitive), by name."""
    wanted = name.strip().lower()
    for loc in config.locations:
        if wanted in (n.strip().lower() for n in (loc.name, *loc.aliases)):
            return loc.name
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
