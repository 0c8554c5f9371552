"""The fast path of a TWCS import (the engine reads the file) gives exactly what the record-by-record path gives:
the same posts with the same lines, counts, duplicates and rejects with the same reasons, on hostile files and on
real TWCS posts; and it is taken where it can be, never writing anything where it cannot."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile import FUZZ, cells
from hypothesis import given
from hypothesis import strategies as st

import groundswell.ingest.bulk as bulk
import groundswell.ingest.pipeline as pipeline
from groundswell.ingest import ImportOptions
from groundswell.store.csv_bulk import CsvBulk
from groundswell.workspace import Workspace

SHARED_TWCS = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs" / "sample_head_1000.csv"
HEADER = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]
LINEAGE = {"import_id", "ingested_at", "source"}
GOOD = ["7", "sprintcare", "False", "Tue Oct 31 22:10:47 +0000 2017", "@115712 hi &amp; welcome", "", "3.0"]


class Paths:
    """Imports a file on one path or the other, into a workspace of its own, and says which path ran. ``cut``:
    the fast path reads the file in four parts, however small (``bulk._parts``)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, *, cut: bool = False):
        self.root = root
        self.monkeypatch = monkeypatch
        self.cut = cut
        self.n = 0
        self.taken: list[bool] = []
        real = pipeline.import_in_bulk

        def spied(*args: Any, **kwargs: Any) -> str | None:
            done = real(*args, **kwargs)
            self.taken.append(done is not None)
            return done

        monkeypatch.setattr(pipeline, "import_in_bulk", spied)

    def run(self, paths: list[Path], *, fast: bool) -> dict[str, Any]:
        self.n += 1
        with self.monkeypatch.context() as m:
            if fast:
                m.setattr(bulk, "BULK_MIN_BYTES", 0)
                if self.cut:
                    m.setattr(bulk, "PART_MIN_BYTES", 1)
                    m.setattr(CsvBulk, "threads", lambda _: bulk.MAX_PARTS)
            else:
                m.setattr(pipeline, "can_import_in_bulk", lambda *args: False)
            with Workspace.init(self.root / f"ws-{self.n}") as ws:
                reports = [ws.import_files([p], ImportOptions(format="twcs")).files[0] for p in paths]
                rows = ws.store.query("SELECT * FROM posts ORDER BY source_line, import_id")
                return {
                    "reports": [(r.read, r.imported, r.duplicates, r.rejected, r.error) for r in reports],
                    "posts": [{k: v for k, v in row.items() if k not in LINEAGE} for row in rows],
                    "rejects": sorted((r.import_id, r.line, r.field, r.reason, r.raw) for r in ws.rejects()),
                    "imports": [(i["status"], i["sha256"]) for i in ws.imports()],
                }

    def compare(self, paths: list[Path]) -> tuple[dict[str, Any], bool]:
        """Both paths' results, asserted equal; and whether the fast path ran for every file."""
        self.taken.clear()
        fast = self.run(paths, fast=True)
        taken = bool(self.taken) and all(self.taken)
        slow = self.run(paths, fast=False)
        assert fast == slow
        return fast, taken


@pytest.fixture(params=[False, True], ids=["whole", "cut"])
def two_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Paths]:
    yield Paths(tmp_path, monkeypatch, cut=request.param)


def _csv(rows: list[list[str]], *, newline: str = "\n", quoting: int = csv.QUOTE_MINIMAL) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, quoting=quoting).writerows(rows)
    return out.getvalue()


def test_real_twcs_posts_take_the_fast_path_and_give_the_same_rows(two_paths: Paths, tmp_path: Path) -> None:
    if not SHARED_TWCS.exists():
        pytest.skip("../shared/data is not beside the project")
    path = tmp_path / "twcs.csv"
    shutil.copyfile(SHARED_TWCS, path)
    found, taken = two_paths.compare([path])
    assert taken
    [(read, imported, duplicates, rejected, error)] = found["reports"]
    assert (read, imported + duplicates + rejected, error) == (1000, 1000, None)
    lines = [p["source_line"] for p in found["posts"]]
    assert lines[-1] > 1001  # texts with line breaks push the later records down: 38 records hold one or more
    assert any("&" in p["text"] and "&amp;" not in p["text"] for p in found["posts"])  # references decoded


def test_a_file_imported_twice_and_repeats_within_it_are_counted_alike(two_paths: Paths, tmp_path: Path) -> None:
    rows = [HEADER, GOOD, ["8", "115712", "True", "Tue Oct 31 22:11:45 +0000 2017", "multi\r\nline", "", "7"]]
    rows += [GOOD, [*GOOD[:4], "the same id, another text", *GOOD[5:]]]  # a repeat and a conflict in the file
    path = tmp_path / "a.csv"
    path.write_text(_csv(rows, newline="\r\n"), encoding="utf-8")
    found, taken = two_paths.compare([path, path])
    assert taken
    assert found["reports"] == [(4, 2, 1, 1, None), (4, 0, 3, 1, None)]


@pytest.mark.slow  # a file of 49 MB, read by Python's CSV reader too (about 10 s each)
@pytest.mark.parametrize("parts", [1, 3])
def test_a_file_many_of_the_readers_buffers_long_numbers_each_post_with_its_line(tmp_path: Path, parts: int) -> None:
    """DuckDB reads a large file in buffers, on several threads at once, whole or in parts: every post still
    gets the line its record starts on, as Python's CSV reader counts them, with line breaks inside texts all
    through the file."""
    rows = [HEADER]
    for i in range(400_000):
        text = (
            f"post {i} "
            + "w" * (i % 97)
            + ("\nand a second line" if i % 997 == 0 else "")
            + ("\r\n" if i % 1999 == 0 else "")
        )
        rows.append([str(10**12 + i), f"author{i % 5000}", "True", "Tue Oct 31 22:10:47 +0000 2017", text, "", ""])
    path = tmp_path / "large.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    assert path.stat().st_size > 40 * 1024 * 1024
    expected, line = {}, 1
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for record in reader:
            expected[record[0]] = line + 1
            line = reader.line_num
    taken: list[bool] = []
    real, real_copy = pipeline.import_in_bulk, bulk.copy_part

    def spied(*args: Any, **kwargs: Any) -> str | None:
        done = real(*args, **kwargs)
        taken.append(done is not None)
        return done

    with pytest.MonkeyPatch.context() as m, Workspace.init(tmp_path / "ws") as ws:
        m.setattr(pipeline, "import_in_bulk", spied)
        m.setattr(bulk, "PART_MIN_BYTES", path.stat().st_size // parts)
        m.setattr(CsvBulk, "threads", lambda _: parts)
        copied: list[Path] = []
        m.setattr(bulk, "copy_part", lambda *args: (copied.append(args[-1]), real_copy(*args))[1])
        ws.import_files([path], ImportOptions(format="twcs"))
        found = dict(ws.store.con.execute("SELECT post_id, source_line FROM posts").fetchall())
    assert taken == [True]
    assert len(copied) == (parts if parts > 1 else 0)
    assert found == expected


@pytest.mark.parametrize(
    "content",
    [
        "tweet_id,author_id\n1,a\n",  # not TWCS: the record-by-record path names the missing columns
        _csv([HEADER, GOOD, ["9", "a", "True"]]),  # a short row
        _csv([HEADER, GOOD]) + '10,a,True,"unterminated\n',  # a quote left open
        _csv([HEADER, GOOD]) + "\n" + _csv([["11", *GOOD[1:]]]),  # a blank line
        _csv([HEADER, GOOD]).replace("hi", "h\ri"),  # a carriage return inside a field, not before a line feed
        _csv([HEADER, GOOD]).replace("hi", "h\x00i"),  # NUL
    ],
)
def test_what_the_engine_would_read_otherwise_goes_record_by_record(
    two_paths: Paths, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(content.encode("utf-8"))
    found, taken = two_paths.compare([path])
    assert not taken


def test_bytes_that_are_not_utf8_go_record_by_record(two_paths: Paths, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(_csv([HEADER, GOOD]).encode() + b"12,a,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n")
    found, taken = two_paths.compare([path])
    assert not taken
    assert found["reports"] == [(2, 1, 0, 1, None)]


ROW_PARTS = st.fixed_dictionaries(
    {
        "tweet_id": st.one_of(st.sampled_from(["1", "2", "3.0", " 4", "5.0.0", "x", ""]), cells()),
        "author_id": st.one_of(st.sampled_from(["acme", "115712", " a ", "", "\u00e9t\u00e9", "@Acme"]), cells()),
        "inbound": st.one_of(st.sampled_from(["True", "False", "true", "1", "0", "TRUE", " False", "yes"]), cells()),
        "created_at": st.one_of(
            st.sampled_from(
                [
                    "Tue Oct 31 22:10:47 +0000 2017",
                    "Xyz Feb 29 10:00:00 +0000 2017",  # no 29 February in 2017
                    "Mon Feb 29 10:00:00 +0000 2016",
                    "Tue Oct 31 24:10:47 +0000 2017",
                    "Tue Oct 31 22:10:60 +0000 2017",
                    "Tue Oct 31 22:10:47 +0130 2017",
                    "Tue Oct 31 22:10:47 +0000 0000",
                    "Tue Oct  1 22:10:47 +0000 2017",
                    "Tue oct 31 22:10:47 +0000 2017",
                ]
            ),
            cells(),
        ),
        "text": st.one_of(
            st.sampled_from(["hi", "a &amp; b &lt;3 &notanentity; AT&T", "line\nbreak", "two\r\n\r\nbreaks", " "]),
            cells(),
        ),
        "parent": st.one_of(st.sampled_from(["", "1", "2.0", " ", "-1", "\u0663"]), cells()),
    }
)


@FUZZ
@given(
    rows=st.lists(ROW_PARTS, min_size=1, max_size=6),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
    bom=st.booleans(),
    cut=st.booleans(),
)
def test_any_file_gives_the_same_on_both_paths(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[dict[str, str]],
    newline: str,
    quote_all: bool,
    bom: bool,
    cut: bool,
) -> None:
    folder = tmp_path_factory.mktemp("bulk")
    records = [[r["tweet_id"], r["author_id"], r["inbound"], r["created_at"], r["text"], "", r["parent"]] for r in rows]
    text = _csv([HEADER, *records], newline=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    path = folder / "fuzz.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        Paths(folder, monkeypatch, cut=cut).compare([path])


def _tame(samples: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(samples), st.text(st.sampled_from('aZ09 &;#x,"\n\t.@+:-\u00e9\U0001f600'), max_size=12)
    )


TAME_ROWS = st.fixed_dictionaries(
    {
        "tweet_id": _tame(["1", "2", "3.0", " 4", "5.0.0", "x", ""]),
        "author_id": _tame(["acme", "115712", " a ", "", "\u00e9t\u00e9", "@Acme"]),
        "inbound": _tame(["True", "False", "true", "1", "0", "TRUE", " False", "yes"]),
        "created_at": _tame(
            [
                "Tue Oct 31 22:10:47 +0000 2017",
                "Xyz Feb 29 10:00:00 +0000 2017",
                "Tue Oct 31 22:10:47 -0230 2017",
                "Tue Oct 31 23:59:59 +0000 9999",
                "Sat Jan 01 00:00:00 +0000 0001",
                "Tue Oct 31 22:10:47 +0000 2017 ",
            ]
        ),  # fmt: skip
        "text": _tame(["hi", "a &amp; b &lt;3 &notanentity; AT&T &#128512;", "line\nbreak", "two\r\n\r\nbreaks", " "]),
        "parent": _tame(["", "1", "2.0", " ", "-1", "\u0663"]),
    }
)


@FUZZ
@given(rows=st.lists(TAME_ROWS, min_size=1, max_size=8), newline=st.sampled_from(["\n", "\r\n"]), cut=st.booleans())
def test_files_the_engine_reads_as_python_does_take_the_fast_path_and_give_the_same(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]], newline: str, cut: bool
) -> None:
    folder = tmp_path_factory.mktemp("bulk")
    records = [[r["tweet_id"], r["author_id"], r["inbound"], r["created_at"], r["text"], "", r["parent"]] for r in rows]
    path = folder / "tame.csv"
    path.write_text(_csv([HEADER, *records], newline=newline), encoding="utf-8", newline="")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _, taken = Paths(folder, monkeypatch, cut=cut).compare([path])
    assert taken, repr(path.read_bytes())


def test_no_room_for_the_parts_reads_the_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts take as much disk as the file: where they cannot be written, the file is read whole, the same."""
    rows = [HEADER, *([str(n), *GOOD[1:4], f"post {n}\nwith a line break", "", ""] for n in range(20, 60))]
    path = tmp_path / "a.csv"
    path.write_text(_csv(rows), encoding="utf-8")

    def full(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bulk, "copy_part", full)
    found, taken = Paths(tmp_path, monkeypatch, cut=True).compare([path])
    assert taken
    assert found["reports"] == [(40, 40, 0, 0, None)]
    assert not list(tmp_path.glob("ws-*/.import-parts-*")), "the parts' folder is removed"
