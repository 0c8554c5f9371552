"""A CSV file cut into parts of its records (``ingest.parts.csv_cuts``): each part, read alone by Python's CSV
reader, gives the records the whole file gives there, whatever quotes, commas and line breaks the fields hold."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.parts import copy_part, csv_cuts

FIELDS = st.text(st.sampled_from('ab ,"\n\r\u00e9'), max_size=8)


def _records(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@given(
    rows=st.lists(st.lists(FIELDS, min_size=1, max_size=4), min_size=0, max_size=12),
    parts=st.integers(2, 6),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
)
def test_parts_read_alone_give_the_whole_files_records(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], parts: int, newline: str, quote_all: bool
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows([["h1", "h2"], *rows])
    path = tmp_path_factory.mktemp("cuts") / "file.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    data = path.read_bytes()
    cuts = csv_cuts(path, parts)
    assert cuts[0] == 0 and cuts[-1] == len(data)
    assert cuts == sorted(set(cuts)) and len(cuts) <= parts + 1
    pieces = [data[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]
    assert [record for piece in pieces for record in _records(piece)] == _records(data)
    header_ending = data[: data.index(b"\n") + 1][-2:] == b"\r\n"
    for piece in pieces[1:]:  # each later part's first line: one whole record, ending as the header does
        first = piece[: piece.index(b"\n") + 1]
        assert first.count(b'"') % 2 == 0 and (first[-2:] == b"\r\n") == header_ending


def test_a_large_file_is_cut_near_equal_parts_after_whole_records(tmp_path: Path) -> None:
    rows = [[str(i), "text with a\nline break" if i % 7 == 0 else "plain", 'say "hi"'] for i in range(5000)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["id", "text", "quote"], *rows])
    path = tmp_path / "large.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    cuts = csv_cuts(path, 4)
    sizes = [end - start for start, end in zip(cuts, cuts[1:], strict=False)]
    assert len(sizes) == 4 and max(sizes) - min(sizes) < 200  # each cut at the first record start past its target
    data = path.read_bytes()
    pieces = [_records(data[start:end]) for start, end in zip(cuts, cuts[1:], strict=False)]
    assert [record for piece in pieces for record in piece] == [["id", "text", "quote"], *rows]


def test_a_part_is_copied_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(bytes(range(256)) * 1000)
    copy_part(path, 1000, 200_000, tmp_path / "part")
    assert (tmp_path / "part").read_bytes() == path.read_bytes()[1000:200_000]


def test_a_file_of_only_a_header_has_no_parts(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("a,b\n", encoding="utf-8")
    assert csv_cuts(path, 3) == [0, 4]
