"""Business outcomes import as posts do, on both stores: sums that balance, a second import that adds nothing,
lineage in the values and the ledger, and a bad row rejected with its file, line, field and reason."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from groundswell.errors import SourceError
from groundswell.ingest.outcomes import parse_outcome_period
from groundswell.workspace import Workspace

CONFIG = """\
brand = "Acme"
[[locations]]
name = "Leeds"
aliases = ["leeds briggate"]
[[locations]]
name = "York"
[[outcomes]]
name = "sales"
unit = "GBP"
[[outcomes]]
name = "nps"
aggregation = "mean"
"""
GOOD = (
    "metric,location,period,value\n"
    "sales,Leeds,2026-W10,1200.5\n"
    "sales,leeds briggate,2026-W11,1300\n"  # an alias: stored under the location's name
    "sales,York,2026-W10,900\n"
    "nps,York,2026-03,41\n"
)
BAD_ROWS = [  # (row, field): each the third line of a file between two good rows
    ("sales,Leeds,2026-W12,lots", "value"),
    ("sales,Leeds,2026-W12,", "value"),
    ("sales,Leeds,2026-W12,inf", "value"),
    ("sales,Leeds,next week,10", "period"),
    ("sales,Leeds,2026-W99,10", "period"),
    ("sales,Paris,2026-W12,10", "location"),
    ("visits,Leeds,2026-W12,10", "metric"),
    ("Sales!,Leeds,2026-W12,10", "metric"),
    ("sales,Leeds,2026-W10,1", "value"),  # the same week and store as line 2, another value
]


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


@pytest.fixture
def ws(tmp_path: Path, database: str | None) -> Workspace:
    workspace = Workspace.init(tmp_path / "ws", config_text=CONFIG, database=database or "")
    yield workspace  # type: ignore[misc]
    workspace.close()


def _write(tmp_path: Path, text: str, name: str = "sales.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_is_imported_plus_duplicates_plus_rejected_and_a_second_import_adds_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    path = _write(tmp_path, GOOD)
    first = ws.import_outcomes([path])
    assert (first.read, first.imported, first.duplicates, first.rejected) == (4, 4, 0, 0)
    again = ws.import_outcomes([path])
    assert (again.read, again.imported, again.duplicates, again.rejected) == (4, 0, 4, 0)
    values = ws.outcome_values()
    assert [(v["metric"], v["granularity"], v["period_start"], v["location"], v["value"]) for v in values] == [
        ("nps", "month", date(2026, 3, 1), "York", 41.0),
        ("sales", "week", date(2026, 3, 2), "Leeds", 1200.5),
        ("sales", "week", date(2026, 3, 2), "York", 900.0),
        ("sales", "week", date(2026, 3, 9), "Leeds", 1300.0),
    ]


def test_every_value_and_the_ledger_say_where_they_came_from(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    ws.import_outcomes([path])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # never modified
    (ledger,) = ws.store.imports()
    assert (ledger["source"], ledger["format"], ledger["status"], ledger["sha256"]) == (
        str(path), "outcomes-csv", "done", before,
    )  # fmt: skip
    lineage = ws.store.execute("SELECT source, import_id, source_line FROM outcomes ORDER BY source_line")
    assert lineage == [(str(path), ledger["import_id"], line) for line in (2, 3, 4, 5)]


@pytest.mark.parametrize(("row", "field"), BAD_ROWS, ids=[f for _, f in BAD_ROWS])
def test_a_bad_row_is_rejected_with_its_file_line_and_field(
    ws: Workspace, tmp_path: Path, row: str, field: str
) -> None:
    path = _write(tmp_path, f"metric,location,period,value\nsales,Leeds,2026-W10,10\n{row}\nsales,York,2026-W10,5\n")
    report = ws.import_outcomes([path])
    assert (report.read, report.imported, report.duplicates, report.rejected) == (3, 2, 0, 1)
    (reject,) = ws.rejects()
    assert (reject.file, reject.line, reject.field) == (str(path), 3, field)
    assert reject.reason
    assert len(ws.outcome_values()) == 2


def test_a_value_already_imported_with_another_value_names_where_it_came_from(ws: Workspace, tmp_path: Path) -> None:
    first = _write(tmp_path, GOOD)
    ws.import_outcomes([first])
    second = _write(tmp_path, "metric,location,period,value\nsales,Leeds,2026-W10,999\n", "fix.csv")
    report = ws.import_outcomes([second])
    assert (report.imported, report.rejected) == (0, 1)
    (reject,) = ws.rejects()
    assert (reject.file, reject.line, reject.field) == (str(second), 2, "value")
    assert f"{first} line 2" in reject.reason and "1200.5" in reject.reason
    assert [v["value"] for v in ws.outcome_values("sales") if v["location"] == "Leeds"] == [1200.5, 1300.0]


def test_a_file_without_the_required_columns_fails_whole_and_says_which(ws: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path, "metric,store,value\nsales,Leeds,10\n")
    report = ws.import_outcomes([path])
    (file,) = report.files
    assert file.error is not None and "period" in file.error
    (reject,) = ws.rejects()
    assert (reject.line, reject.field) == (1, "period")
    assert ws.store.imports()[0]["status"] == "failed"


def test_parquet_imports_the_same_and_numbers_its_records(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    pq.write_table(
        pa.table({"Metric": ["sales", "sales", "sales"], "location": ["Leeds", "York", "Leeds"],
                  "period": [date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 4)],
                  "granularity": ["week", "week", "week"], "value": [1.0, 2.0, 3.0]}),
        path,
    )  # fmt: skip
    report = ws.import_outcomes([path])
    assert (report.read, report.imported, report.rejected) == (3, 2, 1)
    (reject,) = ws.rejects()
    assert (reject.line, reject.field) == (3, "period")  # 2026-03-04 is a Wednesday: no week starts there
    assert report.files[0].format == "outcomes-parquet"


def test_a_missing_file_is_an_error_naming_it(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        ws.import_outcomes([tmp_path / "nope.csv"])


@pytest.mark.parametrize(
    ("text", "granularity", "expected"),
    [
        ("2026-03-02", "", ("day", date(2026, 3, 2))),
        ("2026-03-02", "week", ("week", date(2026, 3, 2))),
        ("2026-W01", "", ("week", date(2025, 12, 29))),
        ("2026-03", "", ("month", date(2026, 3, 1))),
        ("2026-03-01", "month", ("month", date(2026, 3, 1))),
    ],
)
def test_periods_are_days_iso_weeks_or_months(text: str, granularity: str, expected: tuple[str, date]) -> None:
    assert parse_outcome_period(text, granularity) == expected


@pytest.mark.parametrize(
    ("text", "granularity"), [("2026-03-03", "week"), ("2026-03-02", "month"), ("2026-W10", "month"), ("x", "")]
)
def test_a_period_that_does_not_start_its_granularity_is_refused(text: str, granularity: str) -> None:
    with pytest.raises(ValueError, match=r"period|granularity"):
        parse_outcome_period(text, granularity)
