"""Hostile values for the importers' property tests (tests/ingest/test_fuzz_*.py), and the checks every fuzzed
import must pass.

Each format's test builds a small valid file, puts a hostile value in one field of one record (dates at and
beyond every limit, integers beyond 64 bits, NUL and lone surrogates, overlong text, the wrong JSON type), and
checks that the import keeps its sums, that no exception escapes, that the records beside the bad one are
imported, and that every reject names its file, line, field and reason.

Profiles: ``ingest-fuzz`` (a few examples, for the default run; derandomized under ``CI=true`` so a CI run
is the same every time) and ``ingest-fuzz-slow`` (many more, for the tests marked ``slow``).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from groundswell.ingest import ImportOptions
from groundswell.ingest.base import ParseOptions, SourceFile
from groundswell.records import FileReport, PostRow, Rejected
from groundswell.workspace import Workspace

settings.register_profile(
    "ingest-fuzz",
    max_examples=12,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ingest-fuzz-slow", parent=settings.get_profile("ingest-fuzz"), max_examples=300)
FUZZ = settings.get_profile("ingest-fuzz")
FUZZ_SLOW = settings.get_profile("ingest-fuzz-slow")

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

# -- hostile values --------------------------------------------------------------------------------------------

ISO_DATES = [
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # UTC falls before year 1
    "0001-01-01T00:00:00-01:00",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59-01:00",  # UTC falls after year 9999
    "10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "1677-09-21T00:12:43.145224Z",  # the nanosecond timestamp's limits (pandas, arrow ns)
    "2262-04-11T23:47:16.854775807Z",
    "294247-01-10T04:00:54.775807Z",  # DuckDB's largest TIMESTAMP
    "-290308-12-21T19:59:05.224192Z",  # DuckDB's smallest
    "294276-12-31T23:59:59.999999Z",  # PostgreSQL's largest timestamp
    "4713-01-01T00:00:00 BC",  # PostgreSQL's smallest
    "1969-12-31T23:59:59Z",
    "2038-01-19T03:14:08Z",
    "2024-02-30T00:00:00Z",
    "2024-05-20T24:00:00Z",
    "2024-05-20T10:00:00+24:00",
    "2024-05-20T10:00:00+23:59",
    "2024-05-20T10:00:00\x00",
    "2024-05-20T10:00:00\ud800",
    "",
    " ",
]
TWITTER_DATES = [
    "Mon Jan 01 00:00:00 +0100 0001",
    "Mon Jan 01 00:00:00 -0100 0001",
    "Fri Dec 31 23:59:59 -0100 9999",
    "Sat Jan 01 00:00:00 +0000 10000",
    "Sat Jan 01 00:00:00 +0000 0000",
    "Tue Oct 31 22:10:47 +9999 2017",
    "Tue Oct 31 22:10:47 -9959 2017",
    "Tue Oct 31 22:10:47 +\u0660\u0660\u0660\u0660 2017",
    "Tue Oct 31 99:99:99 +0000 2017",
]
EPOCHS = [
    "-62135596801",  # a second before year 1
    "-62135596800",
    "253402300799",  # the last second of year 9999
    "253402300800",
    "-99999999999999999999",
    "9" * 400,
    "1e308",
    "nan",
    "inf",
    "-1",
    "0.5",
    str(2**63),
    str(-(2**63) - 1),
]
BIG_INTS = [INT64_MAX, INT64_MAX + 1, INT64_MIN, INT64_MIN - 1, 2**64, 10**30, -(10**30)]
# A JSON number of more digits than Python converts to an int: dumps() writes this string as such a number.
HUGE_NUMBER = "<a number of 5000 digits>"
TEXTS = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc80y",
    "\ufeff",
    "\u2028",
    "\r\n",
    '"',
    ",",
    "\\",
    "",
    " ",
    "\U0010ffff",
    "x" * 70_000,  # longer than the format-detection window
]


def _offsets() -> st.SearchStrategy[timezone]:
    return st.builds(
        timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59))
    )


def dates() -> st.SearchStrategy[str]:
    """Timestamps in every written form the importers read, at and beyond every limit."""
    return st.one_of(
        st.sampled_from(ISO_DATES + TWITTER_DATES + EPOCHS),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=_offsets()).map(
            datetime.isoformat
        ),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=_offsets()).map(
            lambda d: d.strftime("%a %b %d %H:%M:%S %z ") + f"{d.year:04d}"
        ),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


def integers() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(BIG_INTS), st.integers(min_value=-(2**80), max_value=2**80))


def texts() -> st.SearchStrategy[str]:
    """Text with NUL, lone surrogates (every category, Cs included), quotes, newlines and overlong runs."""
    return st.one_of(
        st.sampled_from(TEXTS),
        st.text(st.characters(blacklist_categories=()), max_size=20),
        st.text(st.sampled_from('\x00\ud800\udc80\udfff\n\r",;\t a'), max_size=10),
    )


def cells() -> st.SearchStrategy[str]:
    """A hostile CSV cell: any of the above, written as text."""
    return st.one_of(texts(), dates(), integers().map(str), st.just("9" * 5000))


def json_values() -> st.SearchStrategy[Any]:
    """A hostile JSON value: the wrong type, a date, an integer beyond 64 bits, hostile text, a nested mess."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        integers(),
        st.just(HUGE_NUMBER),
        texts(),
        dates(),
    )
    return st.one_of(
        scalars,
        st.recursive(
            scalars,
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(), inner, max_size=3),
            max_leaves=6,
        ),
    )


def paths_of(record: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every field of a nested JSON record, containers included, as key paths."""
    found: list[tuple[str | int, ...]] = []
    items: Any = record.items() if isinstance(record, dict) else enumerate(record) if isinstance(record, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths_of(value, (*prefix, key)))
    return found


def replaced(record: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of ``record`` with the field at ``path`` set to ``value``."""
    copy = json.loads(json.dumps(record))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def dumps(value: Any) -> str:
    """JSON as a hostile writer would write it: NaN and Infinity allowed, lone surrogates escaped."""
    return json.dumps(value, allow_nan=True).replace(json.dumps(HUGE_NUMBER), "9" * 5000)


# An example's ids are made of these numbers. A hostile value that is a valid id (a digit string in an id
# column) becomes a post that stays in the workspace through the later examples, so the count starts far from
# the small and boundary numbers Hypothesis tries: a later example's ids never repeat it (with a count from 1,
# a TWCS example's hostile tweet id 311 made the next table example's first row a duplicate).
_numbers = itertools.count(4_832_115_907)


def unique() -> int:
    """A number no other example used, for ids and file names (the workspace lives through all examples)."""
    return next(_numbers)


# -- the checks ------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    report: FileReport
    post_ids: set[str]
    rejects: list[tuple[int, str, str]]


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / f"{unique()}-{name}"
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")  # a lone surrogate as the bytes a bad writer leaves
    path.write_bytes(content)
    return path


def import_checked(ws: Workspace, path: Path, *, format: str | None = None, **options: Any) -> Outcome:
    """Import ``path`` and check what must hold for any input: no exception escapes (a file that cannot be
    read is recorded failed, with a message), the sums hold in the report and the ledger, and every reject
    names its file, line, field and reason."""
    report = ws.import_files([path], ImportOptions(format=format, **options))
    [f] = report.files
    assert f.read == f.imported + f.duplicates + f.rejected, f
    [ledger] = [i for i in ws.imports() if i["source"] == str(path)]
    assert (ledger["read"], ledger["imported"], ledger["duplicates"], ledger["rejected"]) == (
        f.read,
        f.imported,
        f.duplicates,
        f.rejected,
    )
    rejects = ws.rejects(import_id=ledger["import_id"])
    if f.error is None:
        assert ledger["status"] == "done", ledger
        assert len(rejects) == f.rejected
    else:
        assert ledger["status"] == "failed" and ledger["error"] == f.error, ledger
        assert len(rejects) == f.rejected + 1  # the file's own reject, naming why it could not be read
        assert f.error.strip()
    for reject in rejects:
        assert reject.file == str(path) and reject.line >= 0 and reject.field and reject.reason.strip(), reject
    rows = ws.store.query("SELECT post_id FROM posts WHERE source = ?", [str(path)])
    assert len(rows) == f.imported
    return Outcome(f, {r["post_id"] for r in rows}, [(r.line, r.field, r.reason) for r in rejects])


@dataclass(frozen=True)
class JsonFormat:
    """A JSON format's good record for an id, and the post_id it imports as: what its fuzz tests vary."""

    name: str
    record: Callable[[str], Any]
    post_id: Callable[[str], str] = str

    def ids(self) -> tuple[str, str, str]:
        n = unique()
        return f"{n}a", f"{n}b", f"{n}c"

    def json_lines(self, ws: Workspace, folder: Path, field: tuple[str | int, ...], value: Any) -> None:
        """The middle line's record holds ``value`` at ``field``: only that line may be rejected."""
        first, middle, last = self.ids()
        lines = [
            dumps(self.record(first)),
            dumps(replaced(self.record(middle), field, value)),
            dumps(self.record(last)),
        ]
        outcome = import_checked(ws, write(folder, "records.jsonl", "\n".join(lines) + "\n"), format=self.name)
        assert outcome.report.error is None
        assert {self.post_id(first), self.post_id(last)} <= outcome.post_ids
        assert {line for line, _, _ in outcome.rejects} <= {2}

    def document(
        self,
        ws: Workspace,
        folder: Path,
        field: tuple[str | int, ...],
        value: Any,
        wrap: Callable[[list[Any]], Any] = list,
        *,
        numbered: bool = True,
    ) -> None:
        """One JSON document of three records (``wrap`` makes the document of them), the middle one hostile:
        only it may be rejected (``numbered``: the records are numbered 1 to 3)."""
        first, middle, last = self.ids()
        records = [self.record(first), replaced(self.record(middle), field, value), self.record(last)]
        outcome = import_checked(ws, write(folder, "records.json", dumps(wrap(records))))
        assert outcome.report.error is None
        assert {self.post_id(first), self.post_id(last)} <= outcome.post_ids
        if numbered:
            assert {line for line, _, _ in outcome.rejects} <= {2}

    def truncated(self, ws: Workspace, folder: Path, cut: int) -> None:
        """A JSON Lines file of three good records cut after ``cut`` bytes: every whole line is imported."""
        ids = self.ids()
        lines = [dumps(self.record(i)) for i in ids]
        data = ("\n".join(lines) + "\n").encode()
        outcome = import_checked(ws, write(folder, "cut.jsonl", data[:cut]), format=self.name)
        end = 0
        for line, record_id in zip(lines, ids, strict=True):
            end += len(line)
            if end <= cut:  # the line is whole: its record is imported, whatever was cut after it
                assert self.post_id(record_id) in outcome.post_ids
            end += 1

    def size(self) -> int:
        """About the size of the file ``truncated`` cuts."""
        return 3 * len(dumps(self.record("1"))) + 30


def break_parser(monkeypatch: pytest.MonkeyPatch, format: str, after: int, fault: BaseException) -> None:
    """Make the import's ``format`` parser raise ``fault`` once it has yielded ``after`` records, as a bug in a
    parser (or Ctrl-C, ``KeyboardInterrupt``) would; ``monkeypatch.undo()`` restores it."""
    import groundswell.ingest.pipeline as pipeline
    from groundswell.ingest.registry import get_format

    parser = get_format(format)

    class Breaks:
        name = parser.name

        def parse(self, source: SourceFile, options: ParseOptions) -> Iterator[PostRow | Rejected]:
            for n, item in enumerate(parser.parse(source, options), start=1):
                if n > after:
                    raise fault
                yield item

    monkeypatch.setattr(pipeline, "get_format", lambda name: Breaks())
